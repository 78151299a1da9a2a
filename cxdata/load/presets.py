"""Presets: shipped mapping files for common export shapes (help desks, survey tools, online shops),
one folder each under cxdata/load/presets/ with a one-line about.txt and a small sample export. Each
mapping of a preset is a part; each file of a run gets every part whose columns its header has."""
from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from cxdata.i18n import _
from cxdata.load.errors import LoadError, column_list, name_list
from cxdata.load.files import Staged
from cxdata.load.mapping import Mapping, read_mapping
from cxdata.load.model import table_specs

PRESETS_DIR = Path(__file__).resolve().parent / "presets"


def preset_names() -> list[str]:
    return sorted(p.name for p in PRESETS_DIR.iterdir() if p.is_dir() and any(p.glob("*.toml")))


def preset_about(name: str) -> str:
    """What the preset loads, in one line (its about.txt)."""
    about = PRESETS_DIR / name / "about.txt"
    return about.read_text(encoding="utf-8").strip() if about.exists() else ""


def preset_mappings(name: str) -> list[Mapping]:
    """The mappings of one preset, by file name; raises LoadError for an unknown preset."""
    if name not in preset_names():
        raise LoadError(None, _("unknown preset {name}; presets: {presets}").format(name=repr(name),
                                                                                   presets=", ".join(preset_names())))
    return [read_mapping(path) for path in sorted((PRESETS_DIR / name).glob("*.toml"))]


def sample_files(name: str) -> list[Path]:
    """The preset's sample export, to try it on (and to test it)."""
    return sorted((PRESETS_DIR / name / "sample").glob("*.csv"))


def choose_mapping(staged: Staged, mappings: list[Mapping], preset: str) -> list[Mapping]:
    """The preset's mappings this file fits: every column each one needs is in the header (an
    optional column's derivation may read columns the file lacks: see fit_to_header)."""
    header = {name.strip().lower() for name in staged.columns}
    fits = [m for m in mappings if _needs(m) <= header]
    if not fits:
        raise LoadError(staged.path, _fits_no_part(staged, mappings, preset, header))
    return fits


def _fits_no_part(staged: Staged, mappings: list[Mapping], preset: str, header: set[str]) -> str:
    """Which part the file was most likely meant to fill (the one it lacks fewest needed columns of),
    the columns it lacks, and the same for the other parts."""
    gaps = sorted(((len(_needs(m) - header), Path(m.source).stem, m) for m in mappings), key=lambda g: g[:2])
    (_n, part, closest), *rest = gaps
    fields = {"preset": preset, "part": part, "table": closest.table,
              "lacks": name_list(_as_written(closest, _needs(closest) - header)),
              "found": column_list(staged.columns),
              "others": "; ".join(_("{part} ({table}) lacks {lacks}").format(
                  part=name, table=m.table, lacks=name_list(_as_written(m, _needs(m) - header)))
                  for _n, name, m in rest)}
    if rest:
        return _("fits no part of the {preset} preset. It was expected to fill {part} ({table}), but lacks {lacks}; "
                 "the other parts: {others}. Columns found: {found} — export those columns too, or copy the "
                 "preset's mapping and edit it to your export (docs/loading.md, Presets)").format(**fields)
    return _("fits no part of the {preset} preset. It was expected to fill {part} ({table}), but lacks {lacks}. "
             "Columns found: {found} — export those columns too, or copy the preset's mapping and edit it to "
             "your export (docs/loading.md, Presets)").format(**fields)


def _as_written(mapping: Mapping, columns: set[str]) -> list[str]:
    """Lower-case column names as the mapping spells them, for messages."""
    spelled = {src.lower(): src for src in mapping.columns}
    for _section, _key, expression in mapping.expressions():
        for column in expression.columns - spelled.keys():
            found = re.search(re.escape(column), expression.text, re.IGNORECASE)
            spelled[column] = found.group(0) if found else column
    return sorted(spelled.get(c, c) for c in columns)


def fit_to_header(mapping: Mapping, staged: Staged) -> tuple[Mapping, list[str]]:
    """A preset mapping without the derivations of optional columns whose columns the file lacks (a
    ticket export with no first-reply time), and a report note for each: the rows load, that column
    stays empty, and the report says why."""
    header = {name.strip().lower() for name in staged.columns}
    dropped = {column: sorted(expression.columns - header)
               for column, expression in _optional_derived(mapping).items() if not expression.columns <= header}
    if not dropped:
        return mapping, []
    notes = [_("{column} left empty: the file has no column {missing} ({mapping}, [derived] {column} reads "
               "it)").format(column=column, missing=name_list(missing), mapping=Path(mapping.source).name)
             for column, missing in dropped.items()]
    return replace(mapping, derived={c: e for c, e in mapping.derived.items() if c not in dropped}), notes


def _optional_derived(mapping: Mapping) -> dict:
    """The [derived] expressions of columns the mapping's table does not require."""
    required = table_specs()[mapping.table].required if mapping.table else tuple(mapping.derived)
    return {column: e for column, e in mapping.derived.items() if column not in required}


def _needs(mapping: Mapping) -> set[str]:
    """The file columns a mapping cannot do without: what it reads, but for what only the
    derivations of optional columns read."""
    optional = _optional_derived(mapping)
    return ({src.lower() for src in mapping.columns}
            | {c for section, key, e in mapping.expressions()
               if not (section == "derived" and key in optional) for c in e.columns})
