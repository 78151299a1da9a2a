"""The Initiatives page in the real app (AppTest) on the December demo and its three planted initiatives
(one that works, one with no effect, one below what the data can detect): what each says and draws,
the page in Spanish, an edit and a checkpoint mark saved under the signed-in user and audited, and the
edit refused to a role that may not make it. The board pack's "Initiatives: what moved" slide, in
English and Spanish, is checked here too, against the same measurements."""
import json
import shutil

import pytest
from streamlit.testing.v1 import AppTest

from cxdata import data_status, db, i18n, initiatives, metrics, report
from cxdata import formatting as fmt
from cxdata.access.audit import AuditLog
from cxdata.access.roles import User
from cxdata.access.scoped import Refused
from cxdata.i18n import _
from cxdata.report import sections
from cxdata.store import Store
from tests.conftest import ROOT
from tests.test_access_app import sign_in  # noqa: F401 (a fixture)

WORKS, NOTHING, TOO_SMALL = ("Clearer invoices and billing callbacks", "Welcome calls for small businesses",
                             "Setup wizard tooltips")


COST_PER_COMPLAINT = "25"   # $CX_COST_PER_COMPLAINT: the complaint initiative's return is estimated


@pytest.fixture(scope="module")
def measured(demo_december):
    """Each demo initiative's plan, effect and return, measured as the page measures them."""
    con = db.connect_readonly(demo_december)
    patch = pytest.MonkeyPatch()
    patch.setenv("CX_COST_PER_COMPLAINT", COST_PER_COMPLAINT)
    try:
        reader = db.Reader(con)
        today = data_status.facts(reader)["newest_on"]
        out = {}
        for plan in initiatives.plans(reader, today, Store.beside(demo_december)):
            effect = initiatives.measure(reader, plan, today)
            out[plan.name] = (plan, effect, initiatives.payback(reader, plan, effect))
        yield out
    finally:
        con.close()
        patch.undo()


@pytest.fixture
def page(demo_december, tmp_path, monkeypatch):
    """Open the page on a copy of the December demo (its own store beside it), in local mode."""
    path = tmp_path / "cx.duckdb"
    shutil.copyfile(demo_december, path)
    monkeypatch.delenv("CX_STORE", raising=False)
    monkeypatch.setenv("CX_COST_PER_COMPLAINT", COST_PER_COMPLAINT)
    monkeypatch.setenv("CX_DB", str(path))
    monkeypatch.chdir(ROOT)

    def start(lang: str = "en") -> AppTest:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
        at.query_params["lang"] = lang
        at.switch_page("pages/initiatives.py")
        return at.run()
    return start, path


def _said(at) -> str:
    return "\n".join([*(m.value for m in at.markdown), *(i.value for i in at.info), *(w.value for w in at.warning),
                      *(c.value for c in at.caption)])


def test_the_demo_shows_the_three_planted_initiatives_with_their_verdicts_charts_and_samples(page, measured):
    start, _path = page
    at = start()
    assert not at.exception and not at.error
    assert [m.value for m in at.metric] == ["3", "1 of 3", "4"]
    works, nothing, small = (measured[n][1] for n in (WORKS, NOTHING, TOO_SMALL))
    # the one that works: fewer complaints, its interval wholly below zero
    assert works.verdict == "moved" and works.ci_high < 0
    assert nothing.verdict == "no_effect" and nothing.ci_low < 0 < nothing.ci_high
    assert small.verdict == "below_detectable"
    text = _said(at)
    for name in (WORKS, NOTHING, TOO_SMALL):
        plan, effect, ret = measured[name]
        assert fmt.md(initiatives.sentence(plan, effect)) in text
    for name in (NOTHING, TOO_SMALL):                            # scores: why no return
        assert fmt.md(initiatives.return_sentence(measured[name][2])) in text
    ret = measured[WORKS][2]                                    # complaints avoided x their cost, with its range
    assert ret.is_estimated and ret.low <= ret.value <= ret.high
    assert fmt.md(f"Worth about {fmt.money(ret.value)}, likely between {fmt.money(ret.low)} and "
                  f"{fmt.money(ret.high)}, for a cost of {fmt.money(120_000)}") in text
    assert "Assumption: complaints avoided per year × the cost of handling one complaint." in text
    kpi = "complaint_rate"
    assert f"{fmt.change(kpi, works.effect)} (likely between {fmt.change(kpi, works.ci_low)} and " in text
    assert (f"No detectable effect: the smallest effect the data could have seen was "
            f"{fmt.change('nps', nothing.mde).lstrip('+')}.") in text
    assert f"less than the {fmt.change('ces', small.mde).lstrip('+')} these data can detect" in text
    # two charts each: the effect with its interval against zero and the expected change, and the trends beside it
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert len(charts) == 6
    effect_chart = charts[0]
    measured_point = next(t for t in effect_chart["data"] if t.get("name") == "Measured")
    expected_point = next(t for t in effect_chart["data"] if t.get("name") == "Expected")
    assert measured_point["x"] == [pytest.approx(works.effect)] and expected_point["x"] == [-4.0]
    assert measured_point["marker"]["color"] == "#0072B2"      # fewer complaints: better, in blue
    interval = next(t for t in effect_chart["data"] if t.get("name") == "95% interval")
    assert interval["x"] == [pytest.approx(works.ci_low), pytest.approx(works.ci_high)]
    assert "no change" in effect_chart["layout"]["xaxis"]["ticktext"]
    # the sample sizes beside the figure: in scope and outside it
    subtitle = effect_chart["layout"]["title"]["subtitle"]["text"].replace("<br>", " ")
    assert f"{fmt.count(works.n_scope)} contacts in scope" in subtitle
    assert f"{fmt.count(works.n_comparison)} contacts outside" in subtitle
    trends_chart = charts[1]
    assert {t["name"] for t in trends_chart["data"]} == {"In scope", "Outside the scope"}
    assert trends_chart["layout"]["title"]["text"] == ("Before the start, both moved together" if works.parallel
                                                       else "Before the start, they drifted apart")
    # checkpoints: the first due (nobody marked it), the second judged from the data, the third upcoming
    plan = measured[WORKS][0]
    states = at.dataframe[0].value["State"].tolist()
    assert states == [initiatives.checkpoint_label(c.state) for c in plan.checkpoints]
    assert states[0] == "due" and states[1] in ("met", "missed") and states[2] == "upcoming"
    how = [e for e in at.expander if e.label == "How this effect is computed"]
    assert len(how) == 3 and "minus the change over the same weeks" in how[0].markdown[0].value
    assert not any(word in text for word in ("p-value", "DiD", "confidence interval", "nan", "None", "inf "))


def test_the_page_in_spanish(page, measured):
    start, _path = page
    at = start("es")
    assert not at.exception and not at.error
    assert at.title[0].value == "Iniciativas"
    assert [m.label for m in at.metric] == ["Iniciativas", "Movieron su KPI", "Hitos vencidos o no cumplidos"]
    assert at.metric[1].value == "1 de 3"
    works = measured[WORKS][1]
    with i18n.using("es"):
        change = fmt.change("complaint_rate", works.effect)
    assert "," in change and change in _said(at)            # +8,1 p. p.: the locale's decimal comma
    assert any(w.value.startswith("Ningún efecto detectable") for w in at.info)
    assert at.subheader[0].value == "Añadir o modificar una iniciativa"


def test_an_edit_and_a_new_initiative_are_saved_under_the_user_and_audited(page):
    start, path = page
    at = start()
    at.selectbox(key="initiative_pick").set_value(NOTHING).run()
    at.text_input(key=f"ini_owner_{NOTHING}").input("Ana Lima")
    at.number_input(key=f"ini_cost_{NOTHING}").set_value(45000.0)
    next(b for b in at.button if b.label == "Save initiative").click().run()
    assert not at.exception and not at.error
    assert any(s.value == f"{NOTHING} saved." for s in at.success)
    history = Store.beside(path).history(initiatives.KIND, NOTHING)
    assert dict(zip(history["field"], history["value"])) == {"owner": "Ana Lima", "cost": 45000.0}
    assert set(history["changed_by"]) == {"local"}
    assert "Owner: Ana Lima" in _said(at) and f"Cost: {fmt.md(fmt.money(45000))}" in _said(at)
    # a new one, company-wide
    at.selectbox(key="initiative_pick").set_value("").run()
    at.text_input(key="ini_name_new").input("Shorter hold music")
    at.selectbox(key="ini_kpi_new").set_value("complaint_rate")
    at.number_input(key="ini_expected_new").set_value(-1.0)
    next(b for b in at.button if b.label == "Save initiative").click().run()
    assert not at.exception and not at.error
    assert at.selectbox(key="initiative_pick").value == "Shorter hold music"
    assert at.metric[0].value == "4"
    entries = AuditLog.beside(path).entries()
    changes = [w for a, w in zip(entries["action"], entries["what"]) if a == "initiative_change"]
    assert changes[0] == {"initiative": NOTHING, "created": False, "owner": "Ana Lima", "cost": 45000.0}
    assert changes[1]["initiative"] == "Shorter hold music" and changes[1]["created"] is True
    assert changes[1]["kpi"] == "complaint_rate" and changes[1]["expected_change"] == -1.0
    # a name that exists is refused with a sentence, nothing saved
    at.selectbox(key="initiative_pick").set_value("").run()
    at.text_input(key="ini_name_new").input(WORKS)
    next(b for b in at.button if b.label == "Save initiative").click().run()
    assert any("exists already" in e.value for e in at.error)
    assert Store.beside(path).history(initiatives.KIND, WORKS).empty


def test_a_checkpoint_is_marked_met_in_the_app(page):
    start, path = page
    at = start()
    at.segmented_control(key=f"cp_state_{WORKS}").set_value("met").run()
    at.button(key=f"cp_save_{WORKS}").click().run()
    assert not at.exception and not at.error
    assert at.dataframe[0].value["State"].tolist()[0] == "met"
    history = Store.beside(path).history(initiatives.KIND, WORKS)
    assert list(history["field"]) == ["checkpoint_states"] and set(history["changed_by"]) == {"local"}
    entries = AuditLog.beside(path).entries()
    assert entries["what"].iloc[-1]["state"] == "met"


def test_a_viewer_sees_the_initiatives_but_may_not_edit_them(sign_in, demo_december, tmp_path):  # noqa: F811
    path = tmp_path / "cx.duckdb"
    shutil.copyfile(demo_december, path)
    at = sign_in(path, "vera@example.com", "initiatives")
    assert [m.value for m in at.metric][0] == "3"
    assert not [b for b in at.button if b.label == "Save initiative"] and not at.get("popover")
    assert any("Initiatives are added and changed by cx managers, executives and the administrator" in c.value
               for c in at.caption)
    # and the store refuses the viewer's edit whatever the page draws
    con = db.connect_readonly(path)
    try:
        reader = db.Reader(con)
        today = data_status.facts(reader)["newest_on"]
        plan = next(p for p in initiatives.plans(reader, today, Store.beside(path)) if p.name == WORKS)
    finally:
        con.close()
    with pytest.raises(Refused, match="may not edit initiatives"):
        initiatives.save(Store.beside(path), plan.key, {"owner": "Vera"}, User("vera@example.com", "viewer"),
                         seen=plan.version)
    assert Store.beside(path).history(initiatives.KIND, WORKS).empty
    manager = sign_in(path, "luis@example.com", "initiatives")
    assert [b for b in manager.button if b.label == "Save initiative"]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_slide_says_each_effect_verdict_and_return(demo_december, measured, lang):
    con = db.connect_readonly(demo_december)
    try:
        reader = db.Reader(con)
        facts = data_status.facts(reader)
        with i18n.using(lang):
            view = report.view_for(reader, facts, {})
            [slide] = sections.initiatives_slide(reader, view, sections.Context(facts, metrics.DEFAULT_MIN_RESPONSES))
            works = measured[WORKS][1]
            said = [fmt.change("complaint_rate", x) for x in (works.effect, works.ci_low, works.ci_high)]
            verdicts = [initiatives.verdict_label(v) for v in ("moved", "no_effect", "below_detectable")]
            ret = measured[WORKS][2]
            worth = _("{value}, likely between {low} and {high}, for a cost of {cost}").format(
                value=fmt.money(ret.value), low=fmt.money(ret.low), high=fmt.money(ret.high), cost=fmt.money(120_000))
            not_estimated = _("not estimated; cost {cost}").format(cost=fmt.money(30_000))
    finally:
        con.close()
    rows = slide.table.rows
    assert [r[2] for r in rows] == verdicts
    assert all(x in rows[0][1] for x in said) and rows[0][3] == worth and rows[1][3] == not_estimated
    assert slide.table.emphasis == ["better", "", ""]
    if lang == "en":
        assert slide.section == "Initiatives: what moved"
        assert slide.title == f"1 of 3 initiatives measured moved their KPI; {WORKS}: Complaint rate {said[0]}"
        assert rows[0][0] == f"{WORKS} (running since {sections.day(measured[WORKS][0].start)})"
        assert slide.findings == []   # the summary's eight sentences stay the KPIs' and the pages' findings
    else:
        assert slide.section == "Iniciativas: qué se movió"
        assert slide.title.startswith("1 de 3 iniciativas medidas movieron su KPI")
        assert "," in said[0] and "probablemente entre" in rows[0][1]


def test_the_pack_carries_the_slide_and_presentation_mode_shows_it(demo_december, monkeypatch):
    monkeypatch.setenv("CX_DB", str(demo_december))
    monkeypatch.chdir(ROOT)
    con = db.connect_readonly(demo_december)
    try:
        reader = db.Reader(con)
        facts = data_status.facts(reader)
        pack = report.build(reader, report.view_for(reader, facts, {}), facts, metrics.DEFAULT_MIN_RESPONSES)
    finally:
        con.close()
    number = 1 + [s.key for s in pack.slides].index("initiatives")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180)
    at.query_params["slide"] = str(number)
    at.switch_page("pages/present.py")
    at.run()
    assert not at.exception
    html = " ".join(h.proto.body for h in at.get("html"))
    assert "INITIATIVES: WHAT MOVED" in html and "1 of 3 initiatives measured moved their KPI" in html
    table = at.table[0].value
    assert list(table.columns) == ["Initiative", "Effect on its KPI", "Verdict", "Return"] and len(table) == 3


def test_the_trends_page_marks_the_nps_initiative_start_and_its_checkpoints(page, measured):
    start, _path = page
    at = start()
    at.switch_page("pages/trends.py")
    at.query_params["metric"] = "nps"
    at.run()
    assert not at.exception
    chart = json.loads(at.get("plotly_chart")[0].proto.spec)
    plan = measured[NOTHING][0]
    lines = [s for s in chart["layout"]["shapes"] if s["type"] == "line" and s["line"].get("dash") == "dot"]
    assert [s["x0"][:10] for s in lines] == [plan.start.isoformat()]       # the one NPS initiative
    labels = [a for a in chart["layout"]["annotations"] if a["text"].startswith("▸")]
    assert [a["text"] for a in labels] == [f"▸ {NOTHING}"]
    assert labels[0]["hovertext"] == f"{NOTHING}: the initiative started on {fmt.date(plan.start)}"
    diamonds = [a for a in chart["layout"]["annotations"] if a["text"] == "◆"]
    assert len(diamonds) == len(plan.checkpoints) == 2                    # both inside the chart's two years
    assert {d["hovertext"].rsplit("(", 1)[1].rstrip(")") for d in diamonds} <= {"due", "met", "missed"}
    subtitle = chart["layout"]["title"]["subtitle"]["text"].replace("<br>", " ")
    assert "dotted line: an initiative's start, ◆: its checkpoints" in subtitle
    at.query_params["metric"] = "ces"
    at.run()
    ces = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert [a["text"] for a in ces["layout"]["annotations"] if a["text"].startswith("▸")] == [f"▸ {TOO_SMALL}"]
    at.query_params["metric"] = "csat"   # no initiative aims at CSAT: the chart as it was
    at.run()
    csat = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert not [a for a in csat["layout"]["annotations"] if a["text"].startswith("▸") or a["text"] == "◆"]
