"""Files uploaded in the app, into the same loader as the command line: checked for type and size
(each file, and all of them together: cxdata/load/limits.py),
written under their own names to a temporary folder, loaded in one run, and the report returned
as the command line prints it (without the temporary folder's path)."""
from __future__ import annotations

import os
import re
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path

from cxdata import db
from cxdata import formatting as fmt
from cxdata.i18n import _
from cxdata.load.errors import LoadError
from cxdata.load import limits
from cxdata.load.files import FORMATS
from cxdata.load.mapping import not_toml, parse_mapping
from cxdata.load.run import load_files

FILE_TYPES = sorted(ext.lstrip(".") for ext in FORMATS)


@dataclass
class UploadResult:
    ok: bool
    text: str               # the report, or the error, as the command line would print it
    all_rejected: bool = False
    load_id: str | None = None


def load_uploads(files: list[tuple[str, bytes]], db_path: Path | str, preset: str | None = None,
                 mapping: tuple[str, bytes] | None = None) -> UploadResult:
    """Load (name, content) pairs with a preset, an uploaded mapping file, or neither."""
    if not files:
        return UploadResult(False, _("Choose at least one file to load."))
    for name, content in files:
        problem = upload_problem(name, content)
        if problem:
            return UploadResult(False, problem)
    total = sum(len(content) for _name, content in files)
    if total > limits.UPLOAD_TOTAL_MB.value() * 1024 * 1024:
        return UploadResult(False, _("{files}: {size} MB together is more than the limit of {limit} for one upload — "
                                     "upload them in smaller groups, or load them with `python -m cxdata load`; "
                                     "nothing was loaded").format(files=_names(files), size=fmt.number(total / 1024 / 1024),
                                                                  limit=limits.UPLOAD_TOTAL_MB.text()))
    with tempfile.TemporaryDirectory(prefix="cxupload-") as folder:
        paths = []
        for name, content in files:
            path = Path(folder) / _safe_name(name, taken={p.name for p in paths})
            try:
                path.write_bytes(content)
            except OSError as exc:  # a full temporary folder: say so, nothing was loaded
                return UploadResult(False, _("{file}: cannot keep the upload for loading ({error}) — free disk "
                                             "space on the server and try again; nothing was loaded").format(
                    file=name, error=(exc.strerror or str(exc)).lower()))
            paths.append(path)
        try:
            chosen = _read_uploaded_mapping(*mapping) if mapping else None
            report = load_files(paths, mapping=chosen, preset=preset, db_path=db_path)
        except LoadError as exc:
            return UploadResult(False, _without(str(exc), folder), load_id=exc.load_id)
        except (db.DatabaseBusy, db.NotADatabase, db.CannotWrite) as exc:
            return UploadResult(False, str(exc))
        except OSError as exc:  # a folder or file in the way: one sentence, no traceback
            return UploadResult(False, _("the load stopped: {error} ({path}) — nothing was loaded and the database "
                                         "is as it was").format(error=(exc.strerror or str(exc)).lower(),
                                                                path=_without(str(exc.filename or db_path), folder)))
        return UploadResult(True, _without(report.text(), folder), report.all_rejected, report.load_id)


def upload_problem(name: str, content: bytes) -> str | None:
    """Why a file cannot be loaded from the app (its type or size), or None."""
    suffix = Path(name).suffix.lower()
    if suffix not in FORMATS:
        return _("{file}: unknown format {suffix} — upload {types}").format(
            file=name, suffix=repr(suffix or _("(no extension)")), types=", ".join("." + t for t in FILE_TYPES))
    if len(content) > limits.UPLOAD_FILE_MB.value() * 1024 * 1024:
        return _("{file}: {size} MB is more than the app's limit of {limit} per file — load it with "
                 "`python -m cxdata load`").format(file=name, size=fmt.number(len(content) / 1024 / 1024),
                                                   limit=limits.UPLOAD_FILE_MB.text())
    return None


def _names(files: list[tuple[str, bytes]]) -> str:
    shown = ", ".join(name for name, _content in files[:3])
    if len(files) > 3:
        return _("{names} and {n} more").format(names=shown, n=fmt.count(len(files) - 3))
    return shown


def _read_uploaded_mapping(name: str, content: bytes):
    try:
        text = content.decode("utf-8")
        data = tomllib.loads(text)
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise LoadError(name, not_toml(exc)) from None
    return parse_mapping(data, source=name, text=text)


def _safe_name(name: str, taken: set[str]) -> str:
    """The uploaded file's own name, without folders or odd characters, unique in the run."""
    base = re.sub(r"[^\w.\- ]", "_", Path(name.replace("\\", "/")).name).strip(" .") or "upload"
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{Path(base).stem} ({n}){Path(base).suffix}"
    return candidate


def _without(text: str, folder: str) -> str:
    return text.replace(str(Path(folder).resolve()) + os.sep, "").replace(folder + os.sep, "")
