"""Links between pages that name one thing: a customer's whole record (pages/customer.py).

Every list that names a customer (the at-risk list, comments, follow-up cases, drill-through rows)
links to the Customer page through `customer_url`, so the address has one shape everywhere. The
language is kept in the link only when the visitor pinned it (cxdata/app/language.py), as every other
link does; the customer page applies the visitor's scope itself, so a link never widens what they see.
"""
from __future__ import annotations

from urllib.parse import urlencode

import streamlit as st

from cxdata.app.language import QUERY as LANGUAGE_QUERY
from cxdata.i18n import _

CUSTOMER_PAGE = "customer"   # the Customer page's url path (app.py)
CUSTOMER_QUERY = "customer"  # ?customer=ID


def customer_url(customer_id: object) -> str:
    """The relative address of one customer's page, e.g. `customer?customer=C-001&lang=es`."""
    params = {CUSTOMER_QUERY: str(customer_id)}
    language = st.query_params.get(LANGUAGE_QUERY)
    if language:
        params[LANGUAGE_QUERY] = language
    return f"{CUSTOMER_PAGE}?{urlencode(params)}"


def customer_urls(customer_ids) -> list[str]:
    """`customer_url` of each id, in order: the column a table's LinkColumn shows."""
    return [customer_url(customer_id) for customer_id in customer_ids]


def customer_column(label: str) -> st.column_config.LinkColumn:
    """A table column of `customer_urls` that shows each customer's id and opens their page."""
    return st.column_config.LinkColumn(label, display_text=CUSTOMER_ID_IN_URL,
                                       help=_("Open the customer's whole record"))


CUSTOMER_ID_IN_URL = rf"{CUSTOMER_QUERY}=([^&]*)"   # the id a link shows (LinkColumn's display_text)
