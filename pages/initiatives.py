"""Initiatives: what each CX initiative set out to move, whether it moved it, and what that was worth."""
import pandas as pd
import streamlit as st

from cxdata import charts, initiatives, metrics
from cxdata import formatting as fmt
from cxdata.access.scoped import Refused
from cxdata.app import audited, explain, frame
from cxdata.filters import DIMENSIONS
from cxdata.i18n import _, n_
from cxdata.initiatives.kpis import MEASURED, SCOPE_COLUMNS
from cxdata.overview import freshness_line
from cxdata.store import Conflict, Store, StoreError

user = frame.current_user()
reader = frame.open_reader()
facts = frame.data_facts(reader)
today = facts["newest_on"]          # the data's newest day: statuses, checkpoints and effects as of then
may_edit = user.may("edit_initiatives")
STATUS_BADGE = {"planned": "gray", "running": "blue", "done": "green"}   # untranslated: Streamlit colours
JUDGED_BADGE = {"better": "blue", "worse": "orange", "neutral": "gray"}   # untranslated: the charts' better/worse colours
POINTS_A_SIDE = 6   # about this many points before and after the start on the trends chart, whatever the weeks

st.title(_("Initiatives"))
if today is None:
    st.info(_("No data is loaded yet: an initiative is measured on the answers, contacts and customers in it."),
            icon=":material/search_off:")
    st.stop()
store = Store.beside(reader.path)
try:
    plans = initiatives.plans(reader, today, store)
except StoreError as exc:
    st.error(_("{problem}. Initiatives can't be shown until it is fixed.").format(problem=exc), icon=":material/error:")
    st.stop()
st.caption(_("As of **{day}**, the newest data · each initiative is measured on its own scope and dates: the "
             "sidebar's filters don't apply here · {freshness}").format(day=fmt.date(today),
                                                                         freshness=freshness_line(facts)))
if "initiative_message" in st.session_state:   # said by the save of the run before
    kind, text = st.session_state.pop("initiative_message")
    (st.success if kind == "ok" else st.error)(text, icon=":material/check:" if kind == "ok" else ":material/error:")


def sample(kpi: str, n: int) -> str:
    """What a KPI's n counts: each is measured on answers, contacts or customers (cxdata.initiatives.kpis)."""
    source, n = MEASURED[kpi].source, int(n)
    if source == "answers":
        return n_("{n} answer", "{n} answers", n).format(n=fmt.count(n))
    if source == "contacts":
        return n_("{n} contact", "{n} contacts", n).format(n=fmt.count(n))
    return n_("{n} customer", "{n} customers", n).format(n=fmt.count(n))


def scope_words(plan) -> str:
    """'company-wide' or 'regions North, South · departments Billing'."""
    if plan.is_company_wide:
        return _("company-wide")
    return " · ".join(f"{_(DIMENSIONS[d].label).lower() if d in DIMENSIONS else _('touchpoint')} "
                      f"{', '.join(values)}" for d, values in plan.scope.items() if values)


def dates_words(plan) -> str:
    if plan.end is None:
        return _("from {start}").format(start=fmt.date(plan.start))
    return fmt.date_range(plan.start, plan.end)


def judged(plan, effect) -> str:
    """The colour of the measurement: better or worse for a change found, neutral otherwise."""
    if effect.verdict != "moved":
        return "neutral"
    return "better" if (effect.effect > 0) == metrics.KPIS[plan.kpi].higher_is_better else "worse"


def effect_title(plan, effect) -> str:
    kpi = initiatives.kpi_label(plan.kpi)
    if effect.verdict == "moved":
        return _("{kpi}: {effect} after the start").format(kpi=kpi, effect=fmt.change(plan.kpi, effect.effect))
    if effect.verdict == "below_detectable":
        return _("Too small for the data to see")
    return _("No detectable change in {kpi}").format(kpi=kpi)


def effect_subtitle(plan, effect) -> str:
    weeks = n_("{n} week", "{n} weeks", effect.weeks).format(n=fmt.count(effect.weeks))
    if effect.method == "its":
        return _("Change at the start against the KPI's own weekly history, {weeks} either side; the bar: where it "
                 "likely lies · n = {n}").format(weeks=weeks, n=sample(plan.kpi, effect.n_scope))
    return _("In its scope less outside it, {weeks} after the start against {weeks} before; the bar: where it "
             "likely lies · {scope} in scope, {comparison} outside").format(
        weeks=weeks, scope=sample(plan.kpi, effect.n_scope), comparison=sample(plan.kpi, effect.n_comparison))


def trends_title(plan, effect) -> str:
    kpi = initiatives.kpi_label(plan.kpi)
    if effect.method == "its":
        return _("{kpi} before and after the start").format(kpi=kpi)
    if effect.parallel is True:
        return _("Before the start, both moved together")
    if effect.parallel is False:
        return _("Before the start, they drifted apart")
    return _("{kpi} in the scope and outside it").format(kpi=kpi)


def draw(plan, effect, ret) -> None:
    """One initiative: who, when, what it aimed for, what it did, what it was worth, its checkpoints."""
    kpi = initiatives.kpi_label(plan.kpi)
    st.markdown(f"#### {fmt.md(plan.name)} :{STATUS_BADGE[plan.status]}-badge[{initiatives.status_label(plan.status)}]"
                + ("" if plan.status == "planned" else
                   f" :{JUDGED_BADGE[judged(plan, effect)]}-badge[{initiatives.verdict_label(effect.verdict)}]"))
    aim = (_("aim: {kpi} {expected}").format(kpi=kpi, expected=fmt.change(plan.kpi, plan.expected_change))
           if plan.expected_change is not None else _("aim: move {kpi}").format(kpi=kpi))
    st.caption(" · ".join([
        _("Owner: {owner}").format(owner=fmt.md(plan.owner or _("none named"))),
        *([_("Department: {department}").format(department=fmt.md(plan.department))] if plan.department else []),
        dates_words(plan), aim, _("Scope: {scope}").format(scope=fmt.md(scope_words(plan))),
        *([_("Cost: {cost}").format(cost=fmt.md(fmt.money(plan.cost)))] if plan.cost is not None else [])]))
    st.markdown(fmt.md(initiatives.sentence(plan, effect)))
    if effect.is_measured:
        left, right = st.columns(2)
        left.plotly_chart(charts.initiative_effect(
            plan.kpi, effect.effect, effect.ci_low, effect.ci_high, effect_title(plan, effect),
            effect_subtitle(plan, effect), expected=plan.expected_change, smallest=effect.mde,
            judged=judged(plan, effect)), width="stretch", theme=None, key=f"effect_{plan.key}")
        per_point = max(1, round(effect.weeks / POINTS_A_SIDE))
        names = ({"scope": _("The KPI")} if effect.method == "its" else
                 {"scope": _("In scope"), "comparison": _("Outside the scope")})
        right.plotly_chart(charts.parallel_trends(
            effect.periods, plan.kpi, plan.start, trends_title(plan, effect),
            _("Each point: the mean over {n} weeks, counted from the start; n in the hover").format(
                n=fmt.count(per_point)), names=names, weeks_per_point=per_point),
            width="stretch", theme=None, key=f"trends_{plan.key}")
        if effect.verdict in ("no_effect", "below_detectable"):
            st.info(_("No detectable effect: the smallest effect the data could have seen was {mde}.").format(
                mde=fmt.change(plan.kpi, effect.mde).lstrip("+")), icon=":material/search_off:")
        if effect.method == "its":
            st.warning(_("Weaker evidence: this initiative is company-wide, so there is no comparison group. The "
                         "change is read against {kpi}'s own history, and anything else that changed that week "
                         "counts as the initiative's effect.").format(kpi=kpi), icon=":material/warning:")
        elif effect.parallel is False:
            st.warning(_("Before the start, {kpi} in the scope and outside it did not move together, so the rest "
                         "of the company may not show what the scope would have done without the initiative: read "
                         "this effect with care.").format(kpi=kpi), icon=":material/warning:")
    if plan.status != "planned":
        if ret.is_estimated:
            worth = (_("Worth about {value}, likely between {low} and {high}, for a cost of {cost} (return on the "
                       "cost: {roi})").format(value=fmt.money(ret.value), low=fmt.money(ret.low),
                                              high=fmt.money(ret.high), cost=fmt.money(ret.cost),
                                              roi=fmt.percent(100 * ret.roi, 0))
                     if ret.roi is not None else
                     _("Worth about {value}, likely between {low} and {high}; no cost was given").format(
                         value=fmt.money(ret.value), low=fmt.money(ret.low), high=fmt.money(ret.high)))
            st.markdown(":material/payments: " + fmt.md(worth + ". " + _("Assumption: {assumption}.").format(
                assumption=_(ret.assumption))))
        else:
            st.caption(":material/payments: " + fmt.md(initiatives.return_sentence(ret)))
    checkpoints(plan)
    note = initiatives.method_note(plan, effect)
    if note or ret.is_estimated:
        with st.expander(_("How this effect is computed"), icon=":material/info:"):
            if note:
                st.markdown(fmt.md(note))
            if ret.is_estimated:
                st.markdown(_("The return assumes {assumption}.").format(assumption=_(ret.assumption)))


def checkpoints(plan) -> None:
    """The checkpoints as a table; those past their date can be marked met or missed by who may edit."""
    if not plan.checkpoints:
        st.caption(_("No checkpoints."))
        return
    table = pd.DataFrame({_("Due"): [fmt.date(c.due) for c in plan.checkpoints],
                          _("What should be true by then"): [c.what for c in plan.checkpoints],
                          _("State"): [initiatives.checkpoint_label(c.state) for c in plan.checkpoints]})
    st.dataframe(table, hide_index=True, width="stretch", placeholder=fmt.MISSING)
    past = [c for c in plan.checkpoints if c.due <= today]
    if not past or not may_edit:
        return
    with st.popover(_("Mark a checkpoint"), icon=":material/flag:"):
        pick = st.selectbox(_("Checkpoint"), range(len(past)), key=f"cp_pick_{plan.key}",
                            format_func=lambda i: f"{fmt.date(past[i].due)} · {past[i].what}")
        state = st.segmented_control(_("State"), ["met", "missed"], key=f"cp_state_{plan.key}",
                                     format_func=initiatives.checkpoint_label)
        st.button(_("Save"), key=f"cp_save_{plan.key}", type="primary", icon=":material/save:",
                  on_click=mark, args=(plan, past[pick], state), disabled=state is None)


def mark(plan, checkpoint, state: str) -> None:
    """The checkpoint's Save button: runs before the rerun, so the page redraws with the new state."""
    try:
        initiatives.mark(store, plan, checkpoint.key, state, user)
    except (Conflict, StoreError, Refused, initiatives.InitiativeError) as exc:
        st.session_state["initiative_message"] = ("error", _("{problem}. Nothing was changed.").format(problem=exc))
        return
    audited.record_later("initiative_change", {"initiative": plan.key, "checkpoint": checkpoint.key,
                                               "state": state})
    st.session_state["initiative_message"] = ("ok", _("{name}: the checkpoint of {date} is marked {state}.").format(
        name=plan.name, date=fmt.date(checkpoint.due), state=initiatives.checkpoint_label(state)))


measured = [(plan, initiatives.measure(reader, plan, today)) for plan in plans]
reviewed = [(plan, effect, initiatives.payback(reader, plan, effect)) for plan, effect in measured]
if not plans:
    st.info(_("No initiative yet. Load an initiatives file, or add one below."), icon=":material/flag:")
else:
    counts = {s: sum(p.status == s for p in plans) for s in ("running", "done", "planned")}
    judged_ones = [e for p, e in measured if e.is_measured]
    moved = sum(e.verdict == "moved" for e in judged_ones)
    points = [c for p in plans for c in p.checkpoints]
    tiles = st.columns(3)
    tiles[0].metric(_("Initiatives"), fmt.count(len(plans)), border=True)
    tiles[0].caption(" · ".join(f"{initiatives.status_label(s)} {fmt.count(n)}" for s, n in counts.items() if n))
    tiles[1].metric(_("Moved their KPI"), _("{moved} of {measured}").format(moved=fmt.count(moved),
                                                                             measured=fmt.count(len(judged_ones))),
                    border=True, help=_("Initiatives whose change in their KPI is larger than chance explains, of "
                                        "those with enough weeks and answers to measure."))
    tiles[1].caption(_("measured so far"))
    tiles[2].metric(_("Checkpoints due or missed"),
                    fmt.count(sum(c.state in ("due", "missed") for c in points)), border=True)
    tiles[2].caption(" · ".join(f"{initiatives.checkpoint_label(s)} {fmt.count(n)}" for s, n in
                                [(s, sum(c.state == s for c in points)) for s in ("due", "missed", "met")] if n))

    status_col, department_col = st.columns(2)
    statuses = status_col.multiselect(_("Status"), ["running", "done", "planned"], format_func=initiatives.status_label,
                                      placeholder=_("All"), key="initiative_status")
    departments = department_col.multiselect(_("Department"), sorted({p.department for p in plans if p.department}),
                                             placeholder=_("All"), key="initiative_department")
    shown = [(p, e, r) for p, e, r in reviewed
             if (not statuses or p.status in statuses) and (not departments or p.department in departments)]
    if not shown:
        st.caption(_("No initiative matches these choices."))
    for plan, effect, ret in shown:
        with st.container(border=True):
            draw(plan, effect, ret)

explain.how_computed(note=_(
    "An initiative's effect compares its KPI in the weeks after the start with as many whole weeks before it, in "
    "its scope, less the same change outside it, so what moved the whole company is taken out. \"Likely "
    "between\" is a 95% interval: it holds the true effect 95 times in 100. When it holds zero the effect is not "
    "detectable, and the smallest effect the data could have seen says how large a change would have had to be "
    "to show. The two groups should move together before the start (the chart beside each effect): if they "
    "did not, the comparison is weaker. A company-wide initiative has nothing to compare with: its KPI is "
    "compared with its own weekly history (a break at the start beyond its trend), which is weaker evidence. "
    "A return turns the effect into money on the assumption stated beside it; scores (NPS, CSAT, CES) are not "
    "turned into money."))

# ---- The edit form -------------------------------------------------------------------------------------

st.subheader(_("Add or change an initiative"))
if not may_edit:
    st.caption(":material/lock: " + _("Initiatives are added and changed by cx managers, executives and the "
                                      "administrator."))
    st.stop()
NEW = ""
by_key = {p.key: p for p in plans}
if "initiative_pick_next" in st.session_state:   # the one just saved, chosen before the box is drawn
    st.session_state["initiative_pick"] = st.session_state.pop("initiative_pick_next")
pick = st.selectbox(_("Initiative"), [NEW, *by_key], key="initiative_pick",
                    format_func=lambda k: _("New initiative") if k == NEW else by_key[k].name)
plan = by_key.get(pick)
options = frame.filter_options(reader)
suffix = pick or "new"
with st.form(f"initiative_form_{suffix}", border=True):
    name = st.text_input(_("Name"), value=plan.name if plan else "", max_chars=120, disabled=plan is not None,
                         key=f"ini_name_{suffix}")
    owner_col, department_pick = st.columns(2)
    owner = owner_col.text_input(_("Owner"), value=(plan.owner or "") if plan else "", max_chars=80,
                                 key=f"ini_owner_{suffix}")
    department_options = [None, *sorted(set(options.get("department", [])) |
                                        ({plan.department} if plan and plan.department else set()))]
    department = department_pick.selectbox(_("Department"), department_options, key=f"ini_department_{suffix}",
                                           index=department_options.index(plan.department) if plan else 0,
                                           format_func=lambda d: _("no department") if d is None else d)
    start_col, end_col, cost_col = st.columns(3)
    start = start_col.date_input(_("Start"), value=plan.start if plan else today, key=f"ini_start_{suffix}",
                                 format="YYYY-MM-DD")
    end = end_col.date_input(_("End (empty: no end date)"), value=plan.end if plan else None,
                             key=f"ini_end_{suffix}", format="YYYY-MM-DD")
    cost = cost_col.number_input(_("Cost"), value=plan.cost if plan else None, min_value=0.0, step=1000.0,
                                 key=f"ini_cost_{suffix}")
    kpi_col, expected_col = st.columns(2)
    kpis = list(MEASURED)
    kpi = kpi_col.selectbox(_("KPI it should move"), kpis, index=kpis.index(plan.kpi) if plan else 0,
                            format_func=initiatives.kpi_label, key=f"ini_kpi_{suffix}")
    expected = expected_col.number_input(
        _("Expected change"), value=plan.expected_change if plan else None, step=0.5, key=f"ini_expected_{suffix}",
        help=_("In the KPI's own units: points for NPS, CSAT, the complaint rate and churn (negative for fewer "
               "complaints or less churn); for CES, on its 1–7 scale."))
    st.markdown("**" + _("Scope") + "** · " + _("leave every box empty for a company-wide initiative"))
    scope = {}
    for column, dimension in zip(st.columns(len(SCOPE_COLUMNS)), SCOPE_COLUMNS.values()):
        now = list(plan.scope.get(dimension, ())) if plan else []
        label = _(DIMENSIONS[dimension].label) if dimension in DIMENSIONS else _("Touchpoint")
        scope[dimension] = column.multiselect(label, sorted(set(options.get(dimension, [])) | set(now)), default=now,
                                              placeholder=_("All"), key=f"ini_scope_{dimension}_{suffix}",
                                              accept_new_options=dimension not in DIMENSIONS)
    st.markdown("**" + _("Checkpoints") + "**")
    drafted = pd.DataFrame({"due": pd.to_datetime(pd.Series([c.due for c in plan.checkpoints] if plan else [],
                                                            dtype=object)),
                            "what": pd.Series([c.what for c in plan.checkpoints] if plan else [], dtype="string")})
    edited = st.data_editor(drafted, num_rows="dynamic", hide_index=True, width="stretch",
                            key=f"ini_checkpoints_{suffix}", column_config={
        "due": st.column_config.DateColumn(_("Due"), format="YYYY-MM-DD"),
        "what": st.column_config.TextColumn(_("What should be true by then"), max_chars=200)})
    # a flag, not the button's value: the frame may rerun the script once before the page reads it
    st.form_submit_button(_("Save initiative"), type="primary", icon=":material/save:",
                          on_click=lambda: st.session_state.update(initiative_submitted=True))
st.caption(_("Changes are recorded as made by {email}.").format(email=fmt.md(user.email)))

if st.session_state.pop("initiative_submitted", False):
    old_points = {c.key: c for c in plan.checkpoints} if plan else {}
    points = []
    for due, what in zip(edited["due"], edited["what"]):
        if pd.isna(due) and (pd.isna(what) or not str(what).strip()):
            continue   # an empty row the editor added
        due = None if pd.isna(due) else pd.Timestamp(due).date()
        what = "" if pd.isna(what) else str(what).strip()
        kept = old_points.get(initiatives.checkpoint_key(due, what)) if due else None   # keeps its own measure
        points.append({"due": due, "what": what, "metric": kept.metric if kept else None,
                       "target": kept.target if kept else None})
    wanted = {"owner": owner.strip() or None, "department": department, "start": start, "end": end, "cost": cost,
              "kpi": kpi, "expected_change": expected, "scope": {d: list(v) for d, v in scope.items() if v},
              "checkpoints": points}
    before = {} if plan is None else {
        "owner": plan.owner, "department": plan.department, "start": plan.start, "end": plan.end, "cost": plan.cost,
        "kpi": plan.kpi, "expected_change": plan.expected_change,
        "scope": {d: list(v) for d, v in plan.scope.items() if v},
        "checkpoints": [{"due": c.due, "what": c.what, "metric": c.metric, "target": c.target}
                        for c in plan.checkpoints]}
    changes = {k: v for k, v in wanted.items() if plan is None or before[k] != v}
    key = plan.key if plan else name.strip()
    if plan is None:
        changes["name"] = key
    if not changes:
        st.toast(_("Nothing to save: no field was changed."), icon=":material/info:")
    else:
        try:
            if plan is None and key in by_key:
                raise initiatives.InitiativeError(_("An initiative called {name} exists already; choose it above to "
                                                    "change it.").format(name=key))
            key = initiatives.save(store, plan.key if plan else None, changes, user, seen=plan.version if plan else None)
        except (Conflict, StoreError, Refused, initiatives.InitiativeError) as exc:
            st.error(fmt.md(_("{problem} Nothing was saved.").format(problem=str(exc).rstrip(".") + ".")),
                     icon=":material/error:")
        else:
            audited.record_later("initiative_change", {"initiative": key, "created": plan is None, **changes})
            st.session_state["initiative_message"] = ("ok", _("{name} saved.").format(name=key))
            st.session_state["initiative_pick_next"] = key
            for stale in [k for k in st.session_state if str(k).startswith("ini_") and str(k).endswith("_new")]:
                del st.session_state[stale]   # the new initiative's form starts empty next time
            st.rerun()
