"""Finding a customer by id or name, among those the reader's user may see (sql/customer_search.sql)."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from cxdata import formatting as fmt
from cxdata.filters import DIMENSIONS
from cxdata.i18n import _, n_

LIMIT = 20          # matches listed at most: a search names one customer, not a segment
MIN_LENGTH = 2      # fewer characters match too many names to be a search
MAX_LENGTH = 100    # a longer text is no id or name
# No filter of its own: every customer the reader's scope holds (a ScopedReader narrows $filters to it).
EVERY_CUSTOMER = {key: [] for key in DIMENSIONS}


@dataclass(frozen=True)
class Found:
    """The customers matching a search (at most `limit`, the id itself first) of `n` in all."""
    text: str
    rows: pd.DataFrame   # customer_id, name, segment, region, plan, churned_on
    n: int

    @property
    def is_cut(self) -> bool:
        return self.n > len(self.rows)

    def sentence(self) -> str:
        """What the search found, in words: "3 customers match “ana”", or that none do."""
        if self.n == 0:
            return _("No customer you may see matches “{text}”.").format(text=self.text)
        if self.is_cut:
            return _("{n} customers match “{text}”; the first {shown} are listed. Type more of the id or the "
                     "name to narrow them.").format(n=fmt.count(self.n), text=self.text, shown=fmt.count(len(self.rows)))
        return n_("{n} customer matches “{text}”.", "{n} customers match “{text}”.", self.n).format(
            n=fmt.count(self.n), text=self.text)


def clean(text: str | None) -> str:
    """The search text as it is matched: spaces trimmed, cut at MAX_LENGTH."""
    return (text or "").strip()[:MAX_LENGTH]


def search(reader, text: str | None, limit: int = LIMIT, names: bool = True) -> Found:
    """The customers under the reader's scope whose id or (with `names`: a role that sees names) name
    holds `text`, case-insensitive: the id itself first, then ids starting with it, names starting with
    it, then the rest; nothing for a text shorter than MIN_LENGTH (a whole id opens with `record`)."""
    text = clean(text)
    if len(text) < MIN_LENGTH:
        return Found(text, pd.DataFrame(columns=["customer_id", "name", "segment", "region", "plan", "churned_on"]), 0)
    rows = reader.run("customer_search", {"search": text, "limit": limit, "by_name": names,
                                           "filters": EVERY_CUSTOMER})
    n = int(rows["n_rows"].iloc[0]) if not rows.empty else 0
    return Found(text, rows.drop(columns="n_rows").reset_index(drop=True), n)
