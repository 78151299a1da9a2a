"""`python -m cxdata serve`: the app as `streamlit run app.py` serves it, with its first page ready before
the port opens.

`streamlit run` opens the port at once and pays for the first visitor's page on that visit: the imports,
the database's connection and the default view's queries. Here the server's runtime is created first (so
Streamlit's caches exist in this process), the database is made ready (the demo built when there is none,
the summaries of another version rebuilt) and the default view computed into those caches; only then does
the server start listening, and the health check answer. The warm-up thread then watches the file for loads.
"""
from __future__ import annotations

import asyncio
import os
from pathlib import Path

from streamlit import config
from streamlit.logger import get_logger
from streamlit.web import bootstrap

from cxdata import db, derive
from cxdata.access import audit
from cxdata.access.roles import LOCAL_ADMIN

APP = Path(__file__).resolve().parent.parent.parent / "app.py"
log = get_logger(__name__)


def serve(path: Path | None = None, port: int | None = None, address: str | None = None) -> None:
    """Serve the app on PATH (default: $CX_DB, else data/cx.duckdb) until stopped (Ctrl-C, SIGTERM).
    PORT and ADDRESS override .streamlit/config.toml, as --server.port and --server.address do."""
    if path is not None:
        os.environ["CX_DB"] = str(path)   # the app's pages read the database named there
    config._main_script_path = str(APP)   # the project's .streamlit/config.toml, wherever this runs from
    flags = {"server.port": port, "server.address": address}
    bootstrap.load_config_options({name: value for name, value in flags.items() if value is not None})
    asyncio.run(_serve(Path(db.db_path())))


async def _serve(path: Path) -> None:
    # In a running event loop bootstrap.run creates the server (and Streamlit's runtime with its caches)
    # and schedules its start, which runs only when this coroutine first waits: after the warm-up.
    before = asyncio.all_tasks()
    bootstrap.run(str(APP), False, [], {})
    (server,) = asyncio.all_tasks() - before
    try:
        ready(path)
    except Exception as exc:  # the first page says what is wrong with the database, in the visitor's words
        log.warning("could not make %s ready: %s", path, exc)  # untranslated: a log line
    from cxdata.app import warmup  # its caches declared once the runtime exists (else Streamlit warns of none)
    first_pass = warmup.start(str(path))   # the default view, then the file watched for loads
    if first_pass:
        first_pass.wait()
    await server   # only now does the server start listening; until it stops (Ctrl-C, SIGTERM)


def ready(path: Path) -> None:
    """What the first visit would otherwise do before its queries: build the demo when there is no
    database (as the app does), rebuild the summary tables another version wrote, and import what the
    overview draws with."""
    if not path.exists():
        _record(path, "demo", {"database": str(path), "why": "no database yet",  # untranslated: a stored record
                               "rows": build_demo(path)})
    elif derive.ensure_current(path):
        _record(path, "refresh", {"database": str(path), "why": "written by another version",  # untranslated: a stored record
                                  "version": derive.VERSION})
    import cxdata.charts  # noqa: F401  (Plotly: the overview's sparklines and charts)


def _record(path: Path, action: str, what: dict) -> None:
    """In the audit log under the local administrator (the server's own doing, as the command line's
    without a roles file); the server's log says it when it cannot be recorded, and serving goes on."""
    try:
        audit.record(path, LOCAL_ADMIN, action, what)
    except audit.AuditError as exc:
        log.error("%s not recorded in the audit log: %s", action, exc)  # untranslated: the server's log


def build_demo(path: Path) -> dict[str, int]:
    from cxdata.demo import build_demo as build   # the demo's dependencies load only when needed

    log.info("no database at %s: building the demo data", path)  # untranslated: a log line
    return build(path)
