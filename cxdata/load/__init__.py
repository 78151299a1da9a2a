"""Load customer data files (CSV/TSV/TXT, Excel .xlsx, Parquet) into the CX database.

Each file is read as text into a staging table, validated and cast in SQL, and upserted by
its key; rows that fail a check go to rejected_rows with their line and the reason, and the
file's other rows still load. A run (one or more files) is all or nothing: it happens on a
copy of the database that is swapped in only if every file could be read. docs/loading.md
is the user's guide.

The modules, in the order a file passes through them:
  run       load_files: the run, its transaction and its row in `loads`
  files     reading a file into a staging table (CSV sniffing and encodings, Excel, Parquet)
  mapping   the TOML mapping files: renamed columns, mapped values, constants, date formats
  columns   matching a file's columns to a table's
  validate  cleaning and typing values, the row-level checks, the rejected rows
  write     the upsert by key, and saving the rejected rows
  report    what a run did, file by file
  zones     the company's time zone (CX_TIMEZONE) and the zones a timestamp may name
  repeats   a key repeated across the files of one run
  model     the tables: keys, required columns, types from sql/schema.sql
  errors    LoadError and how its messages name things
  sql       ident() and Params: the only ways text and values reach generated SQL
"""
from cxdata.load.errors import LoadError
from cxdata.load.mapping import Mapping, parse_mapping, read_mapping
from cxdata.load.model import TableSpec, infer_table, table_specs
from cxdata.load.report import FileReport, LoadReport, RejectReason
from cxdata.load.run import SLOW_STAGE_SECONDS, Progress, load_files

__all__ = ["LoadError", "Mapping", "parse_mapping", "read_mapping", "TableSpec", "infer_table",  # untranslated: names
           "table_specs", "FileReport", "LoadReport", "RejectReason", "SLOW_STAGE_SECONDS",
           "Progress", "load_files"]  # untranslated: names
