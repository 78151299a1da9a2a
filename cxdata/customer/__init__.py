"""One customer's whole record (the Customer page): find them by id or name, then everything known
about them on one page.

Public API:
- `search(reader, text)`: the customers in the reader's scope whose id or name holds the text (`Found`)
- `record(reader, store, customer_id, today)`: the header, the risk over time, the churn alert and one
  timeline of every contact, answer, transaction, change, risk score, alert change and follow-up case
  (`Record`); None for a customer outside the reader's scope or unknown (the two read the same)
"""
from cxdata.customer.record import MORE, TIMELINE_LIMIT, Record, record, tenure_text
from cxdata.customer.search import MAX_LENGTH, MIN_LENGTH, Found, search
from cxdata.customer.sentences import (about_line, alert_caption, alert_value, found_label, revenue_line, risk_caption,
                                       risk_subtitle, risk_title, risk_value, since_line, timeline_line)

__all__ = ["Found", "MAX_LENGTH", "MIN_LENGTH", "MORE", "Record", "TIMELINE_LIMIT",  # untranslated: names exported
           "about_line", "alert_caption",
           "alert_value", "found_label", "record", "revenue_line", "risk_caption", "risk_subtitle", "risk_title",
           "risk_value", "search", "since_line", "tenure_text", "timeline_line"]
