"""Writing the pack to a file: checks first, the figures rendered in one batch, then a PPTX or PDF
written beside the target and renamed into place, so a failure never leaves a partial file."""
from __future__ import annotations

import os
import tempfile
import uuid
from pathlib import Path
from typing import Callable

import plotly.io as pio

from cxdata import charts
from cxdata import formatting as fmt
from cxdata.i18n import N_, _
from cxdata.report import to_pdf, to_pptx
from cxdata.report.slides import MAX_PX_PER_INCH, PX_PER_INCH, Pack

WRITERS = {".pptx": to_pptx.write, ".pdf": to_pdf.write}
IMAGE_SCALE = 2.5          # pixels per CSS pixel: sharp on a projector and in print
STEPS = (N_("Rendering the charts"), N_("Writing the file"))   # shown as _(step)
RENDER_ATTEMPTS = 2        # a chart Kaleido failed to draw is drawn once more before the export gives up


class ReportError(Exception):
    """The pack cannot be written; the message says why in the user's terms."""


def check_target(path: Path) -> None:
    """Fail before any work when the file could not be written: an unknown extension, a missing
    folder or one without permission to write in."""
    suffix = path.suffix.lower()
    if suffix not in WRITERS:
        raise ReportError(_("{path}: unknown extension {suffix}; write the pack as .pptx or .pdf").format(
            path=path, suffix=repr(suffix or _("(none)"))))
    folder = path.parent
    if not folder.is_dir():
        raise ReportError(_("{path}: the folder {folder} does not exist; create it first").format(path=path,
                                                                                                  folder=folder))
    if path.is_dir():
        raise ReportError(_("{path} is a folder; name a file ending in {suffix}").format(path=path, suffix=suffix))
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=f".{path.name}.", suffix=".probe"):
            pass
    except PermissionError:
        raise ReportError(_("{path}: no permission to write in the folder {folder}").format(path=path,
                                                                                            folder=folder)) from None
    except OSError as exc:
        raise ReportError(_("{path}: cannot write in the folder {folder} ({reason})").format(
            path=path, folder=folder, reason=exc.strerror)) from None


def write(pack: Pack, *paths: Path, progress: Callable[[str], None] | None = None) -> list[Path]:
    """Write the pack as each of `paths` (.pptx or .pdf), its charts drawn once for all of them.
    Every target is checked before any work; a file is renamed into place only once whole, so a
    failure leaves nothing behind at its path."""
    paths = [Path(p) for p in paths]
    for path in paths:
        check_target(path)
    step = progress or (lambda _label: None)
    with tempfile.TemporaryDirectory(prefix="cx-pack-") as work:
        step(_(STEPS[0]))
        images = render_images(pack, Path(work))
        step(_(STEPS[1]))
        for path in paths:
            partial = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
            try:
                WRITERS[path.suffix.lower()](pack, images, partial)
                os.replace(partial, path)
            except PermissionError:
                raise ReportError(_("{path}: no permission to write it").format(path=path)) from None
            finally:
                partial.unlink(missing_ok=True)
    return paths


def pixels_per_inch(fig, height: float) -> float:
    """How many of the figure's CSS pixels an inch of slide holds: PX_PER_INCH (its labels print at
    their pixel size in points), more for a figure drawn taller than its place, so its layout (a
    journey map's cards) keeps its proportions; never so many that its smallest labels (14 px on a
    slide, charts.SLIDE_MIN_FONT) print under 12 pt."""
    wanted = (fig.layout.height or 0) / height
    return min(max(PX_PER_INCH, wanted), MAX_PX_PER_INCH)


def to_bytes(pack: Pack, suffix: str) -> bytes:
    """The pack as the bytes of a .pptx or .pdf file, for a download button."""
    with tempfile.TemporaryDirectory(prefix="cx-pack-") as work:
        return write(pack, Path(work) / f"pack{suffix}")[0].read_bytes()


def render_images(pack: Pack, folder: Path) -> list[list[Path]]:
    """Every figure of the pack as a PNG the size of its place on the slide, in one Kaleido call
    (each call starts a browser); returned per slide, in the slides' order."""
    slots = pack.figure_slots()
    files = [folder / f"figure-{i:02d}.png" for i in range(len(slots))]
    todo = list(range(len(slots)))
    for _attempt in range(RENDER_ATTEMPTS):
        if not todo:
            break
        _draw([slots[i] for i in todo], [files[i] for i in todo])
        # Kaleido logs a chart it failed to draw (a timeout on a busy machine) and goes on: draw those again
        todo = [i for i in todo if not files[i].exists()]
    if todo:
        raise ReportError(_("Chromium did not draw {failed} of the {total} charts (the machine may be too busy); "
                            "try again").format(failed=fmt.count(len(todo)), total=fmt.count(len(slots))))
    out, i = [], 0
    for slide in pack.slides:
        out.append(files[i:i + len(slide.figures)])
        i += len(slide.figures)
    return out


def _draw(slots: list[tuple], files: list[Path]) -> None:
    from choreographer.errors import ChromeNotFoundError  # Kaleido's browser driver

    try:
        zoom = [pixels_per_inch(fig, h) for fig, _w, h in slots]
        pio.write_images([charts.for_slide(fig) for fig, _w, _h in slots], files, format="png",
                         width=[round(w * z) for (_fig, w, _h), z in zip(slots, zoom)],
                         height=[round(h * z) for (_fig, _w, h), z in zip(slots, zoom)], scale=IMAGE_SCALE)
    except (ChromeNotFoundError, RuntimeError) as exc:
        # plotly re-raises Kaleido's ChromeNotFoundError as a RuntimeError
        if not isinstance(exc, ChromeNotFoundError) and not isinstance(exc.__context__, ChromeNotFoundError):
            raise
        raise ReportError(_("the charts are drawn by Chromium through Kaleido, and no Chromium was found: "
                            "install it (Debian: `apt-get install chromium`) or set BROWSER_PATH to a "
                            "Chrome or Chromium executable")) from None
