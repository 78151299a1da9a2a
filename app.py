"""cx-cockpit: the frame around every page (data header, global filters, navigation)."""
from pathlib import Path

import streamlit as st

from cxdata.app import audited, board, frame, identity, language, warmup
from cxdata.filters import DIMENSIONS
from cxdata.i18n import _

# A file the app serves itself: a :material/...: favicon would be fetched from Google's font server.
FAVICON = Path(__file__).parent / "cxdata" / "app" / "favicon.png"
st.set_page_config(page_title="cx-cockpit", page_icon=str(FAVICON), layout="wide")
frame.enter()       # a page that finds this session not framed reruns through here (frame.require_frame)
language.choose()   # before any text: page titles, the sign-in screen and every page are in it

DATA = _("Data")   # the section the audit log joins below
PAGES = {
    "": [st.Page("pages/overview.py", title=_("Executive overview"), icon=":material/dashboard:", default=True)],
    _("Analysis"): [st.Page("pages/trends.py", title=_("KPI trends"), icon=":material/show_chart:"),
                    st.Page("pages/journey.py", title=_("Journey map"), icon=":material/route:"),
                    st.Page("pages/voice.py", title=_("Voice of the customer"), icon=":material/forum:"),
                    st.Page("pages/churn.py", title=_("Churn alerts"), icon=":material/person_alert:"),
                    st.Page("pages/departments.py", title=_("Department scorecards"), icon=":material/groups:"),
                    st.Page("pages/service.py", title=_("Service levels"), icon=":material/timer:")],
    # Reports before Act: the sidebar lists the first ten pages and keeps the rest behind "View more";
    # the board pack and presentation mode stay in sight.
    _("Reports"): [st.Page("pages/reports.py", title=_("Board pack"), icon=":material/slideshow:"),
                   st.Page("pages/present.py", title=_("Presentation mode"), icon=":material/present_to_all:")],
    _("Act"): [st.Page("pages/initiatives.py", title=_("Initiatives"), icon=":material/flag:"),
               st.Page("pages/followup.py", title=_("Follow-up"), icon=":material/support_agent:"),
               st.Page("pages/customer.py", title=_("Customer"), icon=":material/person_search:")],
    DATA: [st.Page("pages/data.py", title=_("Data & loads"), icon=":material/database:"),
           st.Page("pages/definitions.py", title=_("Definitions"), icon=":material/menu_book:")],
}
if identity.may("read_audit"):  # others don't see it; the page refuses them too
    PAGES[DATA].append(st.Page("pages/audit.py", title=_("Audit log"), icon=":material/policy:"))
# The global controls that act on each page (url path); a page not named here uses them all. The
# others are not drawn there and keep their values for the pages that use them.
CUSTOMER_FILTERS = frozenset(key for key, d in DIMENSIONS.items() if d.of_customer)
CONTROLS = {
    "data": frozenset(),                          # everything loaded: no filters
    "definitions": frozenset(),                   # what each number means: no filters
    "audit": frozenset(),                         # who did what: no filters
    "churn": CUSTOMER_FILTERS,                    # risk now, per customer: no period, no comparison
    "departments": frame.ALL_CONTROLS - {"compare"},  # quarter against the quarter before
    "service": frame.ALL_CONTROLS - {"compare"},
    "journey": frame.ALL_CONTROLS - {"compare"},
    "initiatives": frozenset(),                   # each measured on its own scope and dates: no filters
    "followup": frame.ALL_CONTROLS - {"period", "compare"},  # cases of the settings' window, not the period
    "customer": frozenset(),                      # one customer's whole record: no filters
}

navigation = st.navigation(PAGES)
identity.current_user()  # stops here with a sign-in or refusal screen when there is no user; kept for
                         # frame.current_user(): every reader of this run narrows to their scope
frame.compact_layout()
if navigation.url_path in board.FULL_SCREEN:
    board.full_screen()
reader = frame.open_reader()
facts = frame.data_facts(reader)
frame.draw_header(facts)
audited.show_unrecorded()  # a change or download made in a callback that the log could not record
frame.sidebar_filters(reader, facts, CONTROLS.get(navigation.url_path, frame.ALL_CONTROLS))
language.picker()
try:
    navigation.run()
finally:  # after the page is drawn (also one that stopped early): the first visitor is not kept waiting
    warmup.start(str(reader.path))
