"""The limits a load keeps, so one file cannot take the server's memory or time: each is a setting
with a default that fits an ordinary export, read when a load starts (docs/loading.md, "Limits").

A limit that is hit stops the load with a message naming the limit, its setting and the file;
nothing is written.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from cxdata import formatting as fmt
from cxdata.i18n import N_, _


@dataclass(frozen=True)
class Limit:
    setting: str     # the environment variable
    default: int
    unit: str        # how the message writes the number: "MB", "rows", "seconds", "characters"

    def value(self) -> int:
        """The setting when it is a whole number above 0, else the default."""
        raw = os.environ.get(self.setting, "").strip().replace("_", "")
        return int(raw) if raw.isdigit() and int(raw) > 0 else self.default

    def text(self) -> str:
        """'200 MB (CX_UPLOAD_MAX_MB)': the limit as a message names it, in the language of the run."""
        return _("{value} {unit} ({setting})").format(value=fmt.count(self.value()), unit=_(self.unit),
                                                      setting=self.setting)


UPLOAD_FILE_MB = Limit("CX_UPLOAD_MAX_MB", 200, N_("MB"))          # one file uploaded in the app
UPLOAD_TOTAL_MB = Limit("CX_UPLOAD_TOTAL_MB", 500, N_("MB"))       # all the files of one upload together
SHEET_ROWS = Limit("CX_SHEET_MAX_ROWS", 200_000, N_("rows"))       # an Excel sheet; a CSV or Parquet file has none
SHEET_MB = Limit("CX_SHEET_MAX_MB", 250, N_("MB"))                 # an Excel sheet unpacked (its XML)
MAPPING_SECONDS = Limit("CX_MAPPING_SECONDS", 120, N_("seconds"))  # a mapping's expressions over one file
MAPPING_TEXT = Limit("CX_MAPPING_MAX_TEXT", 10_000, N_("characters"))  # the length repeat/lpad/rpad may make
REJECTED_KEPT = Limit("CX_REJECTED_MAX_ROWS", 100_000, N_("rows"))  # rejected cells stored per file of a load
