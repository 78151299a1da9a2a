"""Presets: shipped mapping files for common export shapes (a help desk, a survey tool, an online
shop), one folder each under cxdata/load/presets/ with a small sample export. Each file of a run
gets every mapping of the preset whose columns its header has."""
from __future__ import annotations

from pathlib import Path

from cxdata.load.errors import LoadError, column_list, name_list
from cxdata.load.files import Staged
from cxdata.load.mapping import Mapping, read_mapping

PRESETS_DIR = Path(__file__).resolve().parent / "presets"


def preset_names() -> list[str]:
    return sorted(p.name for p in PRESETS_DIR.iterdir() if p.is_dir() and any(p.glob("*.toml")))


def preset_mappings(name: str) -> list[Mapping]:
    """The mappings of one preset, by file name; raises LoadError for an unknown preset."""
    if name not in preset_names():
        raise LoadError(None, f"unknown preset {name!r}; presets: {', '.join(preset_names())}")
    return [read_mapping(path) for path in sorted((PRESETS_DIR / name).glob("*.toml"))]


def sample_files(name: str) -> list[Path]:
    """The preset's sample export, to try it on (and to test it)."""
    return sorted((PRESETS_DIR / name / "sample").glob("*.csv"))


def choose_mapping(staged: Staged, mappings: list[Mapping], preset: str) -> list[Mapping]:
    """The preset's mappings this file fits: every column each one reads is in the header."""
    header = {name.strip().lower() for name in staged.columns}
    fits = [m for m in mappings if _reads(m) <= header]
    if not fits:
        wanted = "; ".join(f"{Path(m.source).stem}: {name_list(sorted(_reads(m)))}" for m in mappings)
        raise LoadError(staged.path, f"fits no file of the {preset} preset; columns found: "
                                     f"{column_list(staged.columns)}; the preset reads {wanted}")
    return fits


def _reads(mapping: Mapping) -> set[str]:
    """The file columns a mapping needs (lower-case): its renames and what its expressions read."""
    return ({src.lower() for src in mapping.columns}
            | {c for _, _, expression in mapping.expressions() for c in expression.columns})
