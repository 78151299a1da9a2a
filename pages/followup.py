"""Follow-up: every unhappy answer and complaint becomes a case to call back; who owns it, what is
overdue, and whether calling back brings customers back."""
import datetime as dt
from functools import partial

import pandas as pd
import streamlit as st

from cxdata import formatting as fmt
from cxdata.access.audit import filters_what
from cxdata.access.scoped import Refused, sees_customer_rows, sees_rows
from cxdata.app import audited, explain, frame
from cxdata.app.links import customer_urls
from cxdata.filters import DIMENSIONS
from cxdata.followup import case_list, measures, rules
from cxdata import i18n
from cxdata.i18n import _, n_, p_
from cxdata.overview import freshness_line
from cxdata.store import Conflict, Store, StoreError

LIST_LIMIT = 1000   # rows drawn in the table; the export holds them all

view = frame.current_view()
user = frame.current_user()
reader = frame.open_reader()
facts = frame.data_facts(reader)

st.title(_("Follow-up of unhappy customers"))
try:
    settings = rules.Settings.from_env()
except rules.FollowupSettingError as exc:
    st.error(_("{problem}. The follow-up shows again once the administrator fixes it.").format(problem=exc.plain),
             icon=":material/error:")
    st.stop()
if not facts.get("newest_on"):
    st.info(_("No data yet: cases open from survey answers and contacts, and none is loaded."),
            icon=":material/search_off:")
    st.stop()
today = facts["newest_on"]
now = dt.datetime.now(dt.timezone.utc)
since = settings.start(today)
chosen = " · ".join(_("{dimension}: {values}").format(dimension=_(DIMENSIONS[key].label), values=", ".join(values))
                    for key, values in view.filters.chosen)
st.caption(_("Cases opened from {since} to {today} (no period applies here) · {filters} · {freshness}").format(
    since=fmt.date(since), today=fmt.date(today), filters=fmt.md(chosen) if chosen else _("All cases"),
    freshness=freshness_line(facts)))

store = Store.beside(reader.path)
try:   # counted inside the database: no case row is read out for the figures and the pickers
    k, owner_options, department_options = measures.summary(reader, store, view.filters, today, settings, now)
except StoreError as exc:
    st.error(_("{problem}. Cases cannot be shown or worked until it is fixed.").format(problem=exc),
             icon=":material/error:")
    st.stop()

tiles = st.columns(4, gap="small")
tiles[0].metric(_("Contacted on time"), measures.on_time_text(k), border=True,
                help=_("Of the cases whose due time has passed or that were contacted, the share first contacted "
                       "within {hours} hours of opening.").format(hours=fmt.number(settings.due_hours, 0)))
tiles[0].caption(n_("of {n} case due or contacted", "of {n} cases due or contacted", k.n_on_time_base).format(
    n=fmt.count(k.n_on_time_base)))
tiles[1].metric(_("Time to first contact"), measures.hours_text(k), border=True,
                help=_("The median time from a case opening to the first change of its status: half were contacted "
                       "sooner."))
tiles[1].caption(n_("median of {n} contacted case", "median of {n} contacted cases", k.n_contacted).format(
    n=fmt.count(k.n_contacted)))
tiles[2].metric(_("Recovered"), measures.recovery_text(k), border=True,
                help=_("Of the cases that can be judged (the customer answered again, or 90 days have passed), the "
                       "share whose next answer was not unhappy or who was still a customer 90 days later."))
tiles[2].caption(n_("of {n} case that can be judged", "of {n} cases that can be judged", k.n_recovery).format(
    n=fmt.count(k.n_recovery)))
tiles[3].metric(_("Open cases"), fmt.count(k.n_open), border=True,
                help=_("Cases not yet resolved or marked unreachable."))
tiles[3].caption(n_("{n} overdue: still new after the due time", "{n} overdue: still new after the due time",
                    k.n_overdue).format(n=fmt.count(k.n_overdue)) if k.in_data else _(measures.NOT_IN_DATA))

surveys = ", ".join(f"{survey.upper()} ≤ {fmt.count(limit)}" for survey, limit in settings.surveys)  # untranslated: survey names and scores
explain.how_computed(
    "Follow-up case", "Contacted on time", "Time to first contact", "Recovery",  # untranslated: glossary entries by name
    note=_("Rules in force, set by the administrator: answers that open a case: {surveys}; contact kinds that open a "
           "case: {kinds}; due {hours} hours after opening; owner: {owner} first. Cases are listed from {since}. "
           "Times are in UTC.").format(
        surveys=surveys or p_("follow-up rules", "none"),
        kinds=fmt.md(", ".join(settings.complaint_kinds)) or p_("follow-up rules", "none"),
        hours=fmt.number(settings.due_hours, 0), since=fmt.date(since),
        owner=_("the department of the rated contact") if settings.owner_first == "department"
        else _("the customer's account owner")))

if not sees_rows(user):
    st.info(_("The cases name single customers: they are shown to the roles that see single contacts. The figures "
              "above are for every case under the filters."), icon=":material/lock:")
    st.stop()

st.subheader(_("Cases"))
if not k.has_cases:
    st.info(_("No case opened from {since} under these filters: no unhappy answer or complaint.").format(
        since=fmt.date(since)), icon=":material/check_circle:")
    st.stop()
pick_owner, pick_department, pick_cause, pick_status = st.columns(4)
owners = pick_owner.multiselect(_("Owner"), owner_options, placeholder=_("All"))
departments = pick_department.multiselect(_("Department"), department_options, placeholder=_("All"))
causes = pick_cause.multiselect(_("Root cause"), ["", *rules.ROOT_CAUSES],
                                format_func=lambda c: rules.root_cause_label(c) or _("Not set yet"), placeholder=_("All"))
statuses = pick_status.multiselect(_("Status"), list(rules.STATUSES), format_func=rules.status_label,
                                   default=["new", "contacted"], placeholder=_("All"))
names = sees_customer_rows(user) and user.may("see_names")
try:   # the first cases the list's filters keep, and how many they keep, read inside the database
    page = case_list.first_page(reader, store, today, view.filters, settings, now, owners, departments, causes,
                                statuses, LIST_LIMIT, names=names)
except StoreError as exc:
    st.error(_("{problem}. Cases cannot be shown or worked until it is fixed.").format(problem=exc),
             icon=":material/error:")
    st.stop()
st.caption(n_("{n} of {total} case, oldest first · {overdue} overdue",
              "{n} of {total} cases, oldest first · {overdue} overdue", k.n_cases).format(
    n=fmt.count(page.n_kept), total=fmt.count(k.n_cases), overdue=fmt.count(page.n_overdue))
    + ("" if page.n_kept <= LIST_LIMIT else " · " + _("the first {n} drawn; the download holds them all").format(
        n=fmt.count(LIST_LIMIT))))
column = case_list.column_name
drawn = case_list.for_user(page.rows, user)
table = case_list.export_frame(drawn).drop(columns=[column("customer_id"), column("note")])
table.insert(0, _("Record"), customer_urls(drawn["customer_id"]))
table[column("overdue")] = ["⚠ " + _("Overdue") if late else "" for late in drawn["overdue"]]
first = [_("Record"), column("customer_name"), column("status"), column("overdue"), column("reason"), column("score")]
table = table[first + [c for c in table.columns if c not in first]]   # what to act on first, before the times
st.dataframe(table, hide_index=True, placeholder=fmt.MISSING, width="stretch", height=min(38 + 35 * len(table), 460),
             column_config={
                 _("Record"): st.column_config.LinkColumn(display_text=_("Open"), width="small"),
                 column("opened_at"): st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
                 column("due_at"): st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
                 column("first_contact_at"): st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
             })
def kept_cases(owners, departments, causes, statuses) -> pd.DataFrame:
    """Every case the list's filters keep (the download), read when a download button is clicked."""
    listed = case_list.cases(reader, store, today, view.filters, settings, now, names=names)
    return case_list.for_user(case_list.narrow(listed, owners, departments, causes, statuses), user)


def exported_file(write, cases, lang=i18n.language()) -> bytes:
    """The file, written when the button is clicked (on Streamlit's own thread: the language of this
    run is passed along), so a long list costs nothing until someone downloads it: `cases` reads them."""
    with i18n.using(lang):
        return write(cases(), user)


if user.may("export_rows"):
    csv_col, xlsx_col, _rest = st.columns([1, 1, 4])
    exported = {"list": "Follow-up cases", "rows": page.n_kept, "filters": filters_what(view.filters),
                "owner": owners, "department": departments, "root_cause": causes, "status": statuses}  # untranslated: as recorded
    name = f"follow-up-{today}"  # untranslated: a file name
    kept = partial(kept_cases, owners, departments, causes, statuses)
    audited.download_button(csv_col, _("Download CSV"), partial(exported_file, case_list.csv_file, kept), file_name=f"{name}.csv",
                            mime="text/csv", icon=":material/download:", key="followup_csv", action="export",
                            what={"file": f"{name}.csv", "format": "csv", **exported})
    audited.download_button(xlsx_col, _("Download Excel"), partial(exported_file, case_list.excel_file, kept), file_name=f"{name}.xlsx",
                            mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                            icon=":material/download:", key="followup_xlsx", action="export",
                            what={"file": f"{name}.xlsx", "format": "xlsx", **exported})

st.subheader(_("Work a case"))
if drawn.empty:
    st.caption(_("No case matches the list's filters."))
    st.stop()
choices = {case_id: _("{customer} · {reason} · opened {day} · {status}").format(
    customer=customer, reason=rules.reason_label(reason), day=fmt.date(opened.date()), status=rules.status_label(status))
    for case_id, customer, reason, opened, status in zip(
        drawn["case_id"], drawn["customer_name"].fillna(drawn["customer_id"]), drawn["reason"], drawn["opened_at"],
        drawn["status"])}
key = st.selectbox(_("Case"), list(choices)[:500], format_func=choices.get, key="followup_pick")
case = drawn.set_index("case_id").loc[key].to_dict() | {"case_id": key}
slot = key.replace(":", "_")   # untranslated: a widget key


def save(case: dict) -> None:
    """The Save button's callback: writes only the fields the person changed, checked against the
    version their page showed; refused moves and conflicts are said on the next drawing."""
    slot = case["case_id"].replace(":", "_")  # untranslated: a widget key
    shown_then = st.session_state.pop(f"followup_shown_{slot}")
    now_values = {field: st.session_state[f"followup_{field}_{slot}"] for field in case_list.EDITABLE}
    changes = case_list.edited(shown_then, now_values)
    if not changes:
        st.toast(_("Nothing to save: no field was changed."), icon=":material/info:")
        return
    try:
        written = case_list.change(store, case, user, **changes, seen=shown_then["version"])
    except Conflict as exc:
        for field in case_list.EDITABLE:
            st.session_state.pop(f"followup_{field}_{slot}", None)
        st.session_state["followup_save_error"] = _("{problem}. Nothing was changed; the case now shows the current "
                                                    "values.").format(problem=exc)
    except (StoreError, Refused, rules.TransitionError) as exc:
        st.session_state["followup_save_error"] = _("{problem}. Nothing was changed.").format(problem=exc)
    else:
        audited.record_later("case_change", {"case": case["case_id"], **written})  # what was changed
        st.toast(_("Saved."), icon=":material/check:")


if f"followup_status_{slot}" not in st.session_state or f"followup_shown_{slot}" not in st.session_state:
    st.session_state[f"followup_shown_{slot}"] = {"status": case["status"], "root_cause": case["root_cause"] or "",
                                                  "note": case["note"], "version": int(case["version"])}
    st.session_state[f"followup_status_{slot}"] = case["status"]
    st.session_state[f"followup_root_cause_{slot}"] = case["root_cause"] or ""
    st.session_state[f"followup_note_{slot}"] = case["note"]
with st.container(border=True):
    score = "" if pd.isna(case["score"]) else " " + fmt.count(int(case["score"]))
    st.markdown(_("**{customer}** · {reason}{score} · {department} · owner {owner} · opened {opened} UTC · due {due} "
                  "UTC").format(
        customer=fmt.md(case["customer_name"] if isinstance(case["customer_name"], str) else case["customer_id"]),
        reason=rules.reason_label(case["reason"]), score=score, department=fmt.md(case["department"]),
        owner=fmt.md(case["owner"]), opened=case["opened_at"].strftime("%Y-%m-%d %H:%M"),  # untranslated: a clock time
        due=case["due_at"].strftime("%Y-%m-%d %H:%M"))  # untranslated: a clock time
        + (" · :red-badge[:material/warning: " + _("Overdue") + "]" if case["overdue"] else ""))
    if case_list.may_work(user, case):
        status_col, cause_col = st.columns(2)
        status_col.selectbox(_("Status"), [case["status"], *rules.TRANSITIONS[case["status"]]],
                             format_func=rules.status_label, key=f"followup_status_{slot}")
        cause_col.selectbox(_("Root cause"), ["", *rules.ROOT_CAUSES],
                            format_func=lambda c: rules.root_cause_label(c) or _("Not set yet"),
                            key=f"followup_root_cause_{slot}")
        st.text_area(_("Notes"), max_chars=2000, key=f"followup_note_{slot}")
        st.button(_("Save"), type="primary", icon=":material/save:", key="followup_save", on_click=save, args=(case,))
        st.caption(_("Changes are recorded as made by {email}.").format(email=fmt.md(user.email)))
    else:
        st.caption(":material/lock: " + _("Status {status}. This case is worked by its owner, the heads of its "
                                          "department, cx managers of its customer's segment and region, and "
                                          "executives.").format(status=rules.status_label(case["status"])))
    if "followup_save_error" in st.session_state:
        st.error(st.session_state.pop("followup_save_error"), icon=":material/error:")
changes = case_list.history(store, key)
if not changes.empty:
    with st.expander(n_("History of this case ({n} change)", "History of this case ({n} changes)",
                        len(changes)).format(n=fmt.count(len(changes)))):
        fields = {"status": _("Status"), "root_cause": _("Root cause"), "note": _("Notes")}
        words = {"status": rules.status_label, "root_cause": rules.root_cause_label}
        shown_history = changes.assign(
            value=[words.get(f, str)(v) if v is not None else "" for f, v in zip(changes["field"], changes["value"])],
            field=changes["field"].map(lambda f: fields.get(f, f)))
        headers = {"changed_at": _("When (UTC)"), "changed_by": _("Who"), "field": _("Field"), "value": _("Value")}
        st.dataframe(shown_history.rename(columns=headers)[list(headers.values())],
                     hide_index=True, placeholder=fmt.MISSING, width="stretch")
