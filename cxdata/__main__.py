"""Command line: `python -m cxdata serve`, `load FILE...`, `demo`, `refresh`, `bench`, `sentiment-eval`, `churn-eval`,
`report`, `initiatives`, `audit` and `notify`.

Thin on purpose: the work is in cxdata.load, cxdata.demo, cxdata.derive and cxdata.bench. Exit codes: 0 done (rows may
have been rejected), 1 the run failed and nothing was committed (or it was done but could not be recorded in the audit
log, as the message says; `audit --verify`: the log was tampered with), 2 the command was misused,
3 a load rejected every row it read (committed: the rejects are in rejected_rows), 4 the user
(--as EMAIL, checked against the roles file in $CX_ROLES) may not run it.
Loads, demo builds, refreshes and board packs are recorded in the audit log (cxdata.access.audit) under that
user, and so is a refused command.
"""
from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import sys
import threading
import time
from pathlib import Path

import duckdb

from cxdata import db, derive, filters, load
from cxdata.access import audit, roles
from cxdata.access.roles import LOCAL_ADMIN, User
from cxdata.access.scoped import ScopedReader
from cxdata.load import presets
from cxdata.store import StoreError

ALL_REJECTED = 3  # the exit code of a load that rejected every row
REFUSED = 4       # the exit code of a command the user may not run


class CommandRefused(Exception):
    """Who runs the command is unknown, or may not run it (a one-line message)."""


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if hasattr(args, "as_user"):
            args.user = _user(args.as_user, args.needs)
        return args.run(args)
    except CommandRefused as exc:
        try:  # under the address the command claimed (--as), or "anonymous" when it named none
            audit.record(args.db or db.db_path(), args.as_user or "anonymous", "refused",
                         {"command": args.command, "reason": str(exc)})
        except audit.AuditError as not_recorded:
            _fail(f"the refusal below is not recorded in the audit log: {not_recorded}")
        return _fail(str(exc), code=REFUSED)
    except derive.RefreshFailed as exc:
        return _out_of_memory(exc.__cause__) if isinstance(exc.__cause__, duckdb.OutOfMemoryException) else _fail(str(exc))
    except (db.DatabaseBusy, db.NotADatabase, db.CannotWrite, db.SettingError) as exc:
        return _fail(str(exc))
    except duckdb.OutOfMemoryException as exc:
        return _out_of_memory(exc)
    except KeyboardInterrupt:
        return _fail("interrupted — nothing was committed, the database is as it was", code=130)


def _out_of_memory(exc: duckdb.OutOfMemoryException) -> int:
    """A step DuckDB could not spill to disk: the setting that bounds it, and what to do."""
    return _fail(f"out of memory: the run needed more than {db.MEMORY_LIMIT_ENV}={db.memory_limit()} allows, even "
                 f"spilling to disk beside the database; raise {db.MEMORY_LIMIT_ENV} (docs/performance.md) and "
                 f"run it again — nothing was written ({str(exc).splitlines()[0]})")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m cxdata",
                                     description="Manage the CX cockpit database.")
    commands = parser.add_subparsers(title="commands", dest="command", required=True, metavar="COMMAND")

    loader = commands.add_parser(
        "load", help="load CSV, Excel or Parquet files", description=(
            "Load files into the database in one all-or-nothing run. Rows that fail a check "
            "are rejected (see the rejected_rows table); the other rows load. docs/loading.md "
            "explains formats, mapping files and the checks."),
        epilog="presets (--preset NAME; each has a sample export in cxdata/load/presets/NAME/sample):\n"
               + "\n".join(f"  {name:<11} {presets.preset_about(name)}" for name in presets.preset_names()),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    loader.add_argument("files", nargs="+", type=Path, metavar="FILE")
    loader.add_argument("--table", choices=list(load.table_specs()),
                        help="the table to load into (default: from the mapping, else from the columns)")
    source = loader.add_mutually_exclusive_group()
    source.add_argument("--map", type=Path, metavar="MAPPING.toml",
                        help="a mapping of your column names and values onto the model")
    source.add_argument("--preset", choices=presets.preset_names(),
                        help="a shipped mapping set for a common export (docs/loading.md, Presets)")
    _add_db_option(loader, "load")
    loader.set_defaults(run=_load)

    demo = commands.add_parser("demo", help="replace the data with a generated demo dataset")
    demo.add_argument("--customers", type=int, metavar="N", help="how many customers to generate")
    demo.add_argument("--seed", type=int, metavar="S", help="random seed: the same seed gives the same data")
    _add_db_option(demo, "load")
    demo.set_defaults(run=_demo)

    refresh = commands.add_parser(
        "refresh", help="rebuild the derived tables (every load and demo build already does)",
        description="Rebuild the derived summary tables the pages read, e.g. after upgrading cx-cockpit. A load "
                    "rebuilds only the days and customers it changes; schedule `refresh --scheduled` (e.g. nightly, "
                    "after the day's loads) for what reads every customer's whole history: the churn model and "
                    "scores, and the journey map's stored views.")
    refresh.add_argument("--scheduled", action="store_true",
                         help="the scheduled refresh: train the churn model, score every customer and store the "
                              "journey map's default views, as of the newest data (every load already brought the "
                              "summary tables up to date)")
    _add_db_option(refresh, "load")
    refresh.set_defaults(run=_refresh)

    bench = commands.add_parser(
        "bench", help="time every page's queries on this database",
        description=("Time each page's query set for standard views: cold (fresh connection), warm, and "
                     "from raw rows, with p50/p95, the speed-up and peak memory. Build a large database "
                     "first with `python -m cxdata demo --customers 200000 --db PATH`."))
    bench.add_argument("--json", action="store_true", help="print one JSON object per page instead of a table")
    bench.add_argument("--repeat", type=int, default=3, metavar="N", help="cold and warm runs per view (default 3)")
    bench.add_argument("--pages", metavar="NAMES", help="only these pages, comma-separated (e.g. departments,service)")
    _add_db_option(bench, "load")
    bench.set_defaults(run=_bench)

    evaluate = commands.add_parser(
        "sentiment-eval", help="measure comment sentiment against the scores of a labelled file",
        description=("Compare the sentiment the app gives each comment with the label its score implies "
                     "(1-5: 1-2 negative, 4-5 positive; 0-10: 0-6 negative, 9-10 positive) and print the polar "
                     "accuracy and the recall per class. Rows without text are left out."))
    evaluate.add_argument("file", type=Path, metavar="FILE.csv")
    evaluate.add_argument("--text", required=True, action="append", metavar="COLUMN",
                          help="the comment column; give it twice (title, then body) to read them as one text")
    evaluate.add_argument("--score", required=True, metavar="COLUMN", help="the score column")
    evaluate.add_argument("--scale", type=int, choices=(5, 10), default=5, help="the score's scale (default 5)")
    evaluate.add_argument("--lang", choices=("en", "es", "pt"), help="the comments' language (default: detected)")
    evaluate.add_argument("--half", choices=("development", "held-out"),
                          help="only the rows of one fixed half, by the CRC-32 of the --id column: even is "
                               "development, odd held-out (tune on one, report the other)")
    evaluate.add_argument("--id", metavar="COLUMN", help="the row id column that --half splits on")
    evaluate.set_defaults(run=_sentiment_eval)

    churn_eval = commands.add_parser(
        "churn-eval", help="check the churn risk score on the past, or on a labelled file",
        description=("Without --labelled: train on customers as of 90 days before the newest day and score "
                     "who was lost in the 90 days after, for the model and the rule score. With --labelled: "
                     "a stratified 70/30 split (fixed seed) of any customer table with a churn label. Prints "
                     "ROC AUC, precision and recall at the alert threshold, and the top-decile lift."))
    churn_eval.add_argument("--labelled", type=Path, metavar="FILE.csv", help="a table of customers with a churn label")
    churn_eval.add_argument("--label", metavar="COLUMN", help="the label column of --labelled (1/0, yes/no, true/false)")
    churn_eval.add_argument("--id", metavar="COLUMN", help="the customer id column of --labelled (left out of the features)")
    churn_eval.add_argument("--threshold", type=float, default=None, metavar="SCORE",
                            help="the alert threshold, 0-100 (default: $CX_CHURN_THRESHOLD or 30)")
    _add_db_option(churn_eval, "load")
    churn_eval.set_defaults(run=_churn_eval)

    report = commands.add_parser(
        "report", help="write the board pack (PowerPoint or PDF) for a period and filters",
        description=("Write the board pack the Reports page exports, for scheduled runs: title, executive "
                     "summary, KPIs, the trends that matter, journey, churn risk, department alignment, service levels, "
                     "customers' words and an appendix, from the same numbers as the app. The charts are drawn by Chromium "
                     "(through Kaleido)."))
    report.add_argument("--out", required=True, type=Path, action="append", metavar="PACK.pptx|PACK.pdf",
                        help="the file to write; its extension chooses the format (repeat for both: the charts "
                             "are drawn once)")
    report.add_argument("--from", dest="start", type=_day, metavar="DATE", help="first day (YYYY-MM-DD)")
    report.add_argument("--to", dest="end", type=_day, metavar="DATE", help="last day (YYYY-MM-DD)")
    report.add_argument("--period", choices=list(filters.PRESETS)[:-1], default=filters.DEFAULT_PRESET,
                        help=f"a preset ending on the newest whole day of data, without --from/--to "
                             f"(default {filters.DEFAULT_PRESET})")
    report.add_argument("--compare", choices=list(filters.COMPARISONS),
                        help="compare with the previous period, the previous quarter to date or the same period "
                             "last year (default: the period's natural comparison)")
    for key, dimension in filters.DIMENSIONS.items():
        report.add_argument(f"--{key.replace('_', '-')}", dest=key, action="append", default=[], metavar="VALUE",
                            help=f"only this {dimension.label.lower()} (repeat for several)")
    report.add_argument("--company", help="the company named on the title slide (default: $CX_COMPANY)")
    report.add_argument("--lang", type=_language, metavar="en|es|pt-BR",
                        help="the pack's language: words, numbers and dates (default: $CX_LANGUAGE, else English)")
    _add_db_option(report, None)
    report.set_defaults(run=_report_in_language)

    _add_initiatives_command(commands)

    serve = commands.add_parser(
        "serve", help="start the app, its first page computed before it opens to visitors",
        description=("Serve the app as `streamlit run app.py` does (same options and .streamlit/config.toml), but "
                     "make the database ready (the demo built when there is none) and compute the default view "
                     "before the port opens, so the first visitor does not wait for them. Stop it with Ctrl-C."))
    serve.add_argument("--db", type=Path, default=None, metavar="PATH",
                       help=f"the database file (default: $CX_DB or {db.DEFAULT_DB})")
    serve.add_argument("--port", type=int, metavar="N", help="the port (default: .streamlit/config.toml, else 8501)")
    serve.add_argument("--address", metavar="A",
                       help="the address to listen on (default: 127.0.0.1, this computer only; set up sign-in "
                            "before serving others: docs/access.md)")
    serve.set_defaults(run=_serve)

    notify = commands.add_parser(
        "notify", help="send what is due to its owners by e-mail or webhook (for cron)",
        description=("Send new \"needs attention\" items, new high-risk churn alerts, overdue follow-up cases and, "
                     "once a week, the board pack, each to its owner within their scope, by e-mail (CX_SMTP_*) and/or "
                     "webhook (Slack or Teams). An outbox in the store beside the database sends nothing twice and "
                     "retries what failed. Exit code 1 when something could not be sent (each named on stderr), "
                     "2 when a setting is wrong. docs/notifications.md"))
    notify.add_argument("--dry-run", action="store_true", help="print what would be sent; send and write nothing")
    notify.add_argument("--resend-uncertain", action="store_true",
                        help="send again what an interrupted run may or may not have sent (after checking)")
    _add_db_option(notify, "edit_settings")
    notify.set_defaults(run=_notify)

    log = commands.add_parser(
        "audit", help="show or verify the audit log (sign-ins, exports, loads and changes)",
        description=("List the audit log kept in the store beside the database, oldest first: who signed in or "
                     "was refused, what was exported or downloaded with which filters, board packs, loads and "
                     "every change. --verify checks its hash chain and names the first entry edited, deleted "
                     "or reordered (exit code 1 when one is)."))
    log.add_argument("--since", type=_day, metavar="DATE", help="only entries on or after this day (UTC, YYYY-MM-DD)")
    log.add_argument("--user", dest="who", metavar="EMAIL",
                     help="only this user's entries (\"local\": the command line and the app without sign-in)")
    log.add_argument("--action", choices=list(audit.ACTIONS), action="append", default=[],
                     help="only this action (repeat for several)")
    log.add_argument("--json", action="store_true", help="one JSON object per line instead of a table")
    log.add_argument("--verify", action="store_true", help="check the hash chain instead of listing")
    _add_db_option(log, "read_audit")
    log.set_defaults(run=_audit_log)
    return parser


def _add_initiatives_command(commands) -> None:
    initiatives = commands.add_parser(
        "initiatives", help="list every initiative with its KPI, measured effect, interval, verdict and return",
        description=("Measure every initiative (loaded or created in the app) on its KPI as the Initiatives page "
                     "does, as of the data's newest day, within the user's scope (docs/initiatives.md)."))
    initiatives.add_argument("--json", action="store_true", help="one JSON object per initiative instead of a table")
    _add_db_option(initiatives, None)
    initiatives.set_defaults(run=_initiatives)


def _initiatives(args: argparse.Namespace) -> int:
    from cxdata import data_status, initiatives
    from cxdata.store import Store

    path = Path(args.db or db.db_path())
    con = db.connect_readonly(path)
    try:
        reader = ScopedReader(db.Reader(con), args.user)   # every figure narrowed to the user's scope
        today = data_status.facts(reader)["newest_on"]
        if today is None:
            return _fail(f"no data in {path}: load files or build the demo first")
        rows = []
        for plan in initiatives.plans(reader, today, Store.beside(path)):
            effect = initiatives.measure(reader, plan, today)
            ret = initiatives.payback(reader, plan, effect)
            rows.append((plan, effect, ret))
    finally:
        con.close()
    for plan, effect, ret in rows:
        if args.json:
            print(json.dumps({
                "name": plan.name, "kpi": plan.kpi, "effect": _rounded(effect.effect), "ci_low": _rounded(effect.ci_low),
                "ci_high": _rounded(effect.ci_high), "verdict": effect.verdict, "roi": _rounded(ret.roi),
                "method": effect.method, "mde": _rounded(effect.mde), "expected_change": plan.expected_change,
                "status": plan.status, "start": plan.start.isoformat(), "end": plan.end and plan.end.isoformat(),
                "weeks": effect.weeks, "n_scope": effect.n_scope, "n_comparison": effect.n_comparison,
                "parallel": effect.parallel, "value": _rounded(ret.value), "value_low": _rounded(ret.low),
                "value_high": _rounded(ret.high), "cost": plan.cost, "return_not_estimated": ret.reason,
                "scope": {k: list(v) for k, v in plan.scope.items()}}, ensure_ascii=False))
        else:
            print(initiatives.sentence(plan, effect, ret))
            if effect.method:
                print(f"  {plan.kpi} · {effect.method} over {effect.weeks} weeks each side · n={effect.n_scope:,} in scope, "
                      f"{effect.n_comparison:,} compared · verdict {effect.verdict}")
            else:
                print(f"  {plan.kpi} · verdict {effect.verdict}")
    if not rows:
        print("no initiatives: load an initiatives file (docs/initiatives.md) or create one in the app")
    return 0


def _rounded(x, digits: int = 4):
    return None if x is None else round(float(x), digits)


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-01-31") from None


def _language(text: str) -> str:
    from cxdata import i18n

    code = i18n.parse(text)
    if code is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a language the product speaks: "
                                         + ", ".join(map(i18n.url_code, i18n.LANGUAGES)))
    return code


def _add_db_option(parser: argparse.ArgumentParser, needs: str | None) -> None:
    """--db, and --as: every command on the database runs as a user of the roles file, who must be
    allowed `needs` (an action of cxdata.access.roles; None: any user, their scope applied)."""
    parser.add_argument("--db", type=Path, default=None, metavar="PATH",
                        help=f"the database file (default: $CX_DB or {db.DEFAULT_DB})")
    parser.add_argument("--as", dest="as_user", metavar="EMAIL",
                        help=f"who runs this, as named in the roles file (${roles.ROLES_ENV}); needed when "
                             "there is one, and without one the command line acts as the administrator")
    parser.set_defaults(needs=needs)


def _user(email: str | None, needs: str | None) -> User:
    """The user a command runs as: LOCAL_ADMIN without a roles file, else the --as user, if allowed."""
    try:
        found = roles.load()
    except roles.RolesError as exc:
        raise CommandRefused(str(exc)) from None
    if found is None:
        if email:
            raise CommandRefused(f"--as {email} needs a roles file; set ${roles.ROLES_ENV} to it (without one the "
                          "command line acts as the administrator: leave --as out)")
        return LOCAL_ADMIN
    if not email:
        raise CommandRefused(f"this installation has a roles file (${roles.ROLES_ENV}): say who runs the command "
                      "with --as EMAIL")
    user = found.resolve(email)
    if user is None:
        raise CommandRefused(f"{email} is not in the roles file {roles.roles_path()}; ask the administrator to add them")
    if needs and not user.may(needs):
        role = user.role.replace("_", " ")
        article = "an" if role[:1] in "aeiou" else "a"
        raise CommandRefused(f"{user.email} is {article} {role} and may not {_ACTIONS[needs]}")
    return user


_ACTIONS = {"load": "load, replace or rebuild data (the administrator does)",
            "read_audit": "read the audit log (the administrator does)",
            "edit_settings": "send notifications (the administrator does)"}


def _record(path: Path | str, action: str, what: dict, user: User | str) -> int:
    """Record the command's entry in the audit log under `user` (args.user: the one `_user` let run
    the command); 1 (with the reason) when it can't be, else 0."""
    try:
        audit.record(path, user, action, what)
    except audit.AuditError as exc:
        return _fail(f"done, but not recorded in the audit log: {exc}")
    return 0


def _load(args: argparse.Namespace) -> int:
    stages = _StageTimer()
    path = args.db or db.db_path()
    what = {"files": [str(f) for f in args.files], "table": args.table,
            "mapping": str(args.map) if args.map else (f"preset {args.preset}" if args.preset else None)}
    try:
        report = load.load_files(args.files, table=args.table, mapping=args.map, preset=args.preset,
                                 db_path=path, progress=stages)
    except load.LoadError as exc:
        stages(None)
        if exc.load_id:
            print(f"Nothing was loaded: run {exc.load_id} is recorded as failed in the loads table.")
        code = _fail(str(exc))
        _record(path, "load", {**what, "load_id": exc.load_id, "outcome": "failed",
                               "reason": str(exc).splitlines()[0]}, args.user)
        return code
    print(report.text())
    recorded = _record(path, "load", {**what, "load_id": report.load_id, "outcome": report.outcome,
                                      **{n: report.total(f"n_{n}") for n in ("read", "loaded", "updated", "rejected")}},
                       args.user)
    if report.all_rejected:
        return _fail("every row was rejected, so nothing was loaded — see the reasons above "
                     "(a wrong mapping or file, mostly)", code=ALL_REJECTED)
    return recorded


def _demo(args: argparse.Namespace) -> int:
    from cxdata.demo import build_demo  # the demo's dependencies load only when asked for

    path = args.db or db.db_path()
    options = {k: v for k, v in (("customers", args.customers), ("seed", args.seed)) if v is not None}
    began = time.perf_counter()
    stages = _StageTimer()
    try:
        counts = build_demo(path, **options, progress=stages)
    except ValueError as exc:
        return _fail(f"demo: {exc}")
    except StoreError as exc:  # the data is in place; only the past alerts beside it are missing
        return _fail(f"demo: the data was built, but its past churn alerts were not written: {exc}")
    finally:
        stages(None)
    rows = ", ".join(f"{n:,} {table}" for table, n in counts.items())
    print(f"Built demo database {path} in {time.perf_counter() - began:.1f}s: {rows}")
    return _record(path, "demo", {"database": str(path), **options, "rows": counts}, args.user)


def _refresh(args: argparse.Namespace) -> int:
    path = Path(args.db or db.db_path())
    if not path.exists():
        return _fail(f"no database at {path}")
    began = time.perf_counter()
    stages = _StageTimer()
    stages("copying the database")
    try:
        with derive.writable_copy(path, scheduled=args.scheduled, progress=stages) as con:
            if args.scheduled:
                derive.note_changes(con)  # no rows changed: the summary tables stay as they are
    finally:
        stages(None)
    what = "the churn scores and the stored journey views" if args.scheduled else "the derived tables"
    print(f"Refreshed {what} of {path} in {time.perf_counter() - began:.1f}s (version {derive.VERSION})")
    return _record(path, "refresh", {"database": str(path), "version": derive.VERSION, "scheduled": args.scheduled},
                   args.user)


def _serve(args: argparse.Namespace) -> int:
    from cxdata.app.serve import serve  # Streamlit is imported only to serve

    serve(args.db, args.port, args.address)
    return 0


def _bench(args: argparse.Namespace) -> int:
    from cxdata import bench

    path = Path(args.db or db.db_path())
    if not path.exists():
        return _fail(f"no database at {path}: build one with `python -m cxdata demo --db {path}`")
    if args.repeat < 1:
        return _fail("--repeat must be at least 1", code=2)
    pages = [p.strip() for p in args.pages.split(",")] if args.pages else None
    unknown = sorted(set(pages or []) - set(bench.PAGES))
    if unknown:
        return _fail(f"unknown page {', '.join(unknown)}; the pages are {', '.join(bench.PAGES)}", code=2)
    stages = _StageTimer()
    try:
        results = bench.run(path, repeat=args.repeat, pages=pages, progress=stages)
    finally:
        stages(None)
    print(bench.to_json(results) if args.json else bench.to_text(path, results))
    return 0


def _sentiment_eval(args: argparse.Namespace) -> int:
    import pandas as pd

    from cxdata import sentiment

    try:
        frame = pd.read_csv(args.file, dtype=str, keep_default_na=False)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        return _fail(f"cannot read {args.file} as CSV: {str(exc).strip().splitlines()[0]}")
    if bool(args.half) != bool(args.id):
        return _fail("--half and --id go together: --half held-out --id review_id", code=2)
    missing = [c for c in [*args.text, args.score, *([args.id] if args.id else [])] if c not in frame.columns]
    if missing:
        return _fail(f"{args.file} has no column(s) {', '.join(missing)}; columns: {', '.join(frame.columns)}", code=2)
    scores = pd.to_numeric(frame[args.score].str.strip(), errors="coerce")
    low, high = (1, 5) if args.scale == 5 else (0, 10)
    outside = scores.notna() & ~scores.between(low, high)
    if outside.any():
        line = int(outside.idxmax()) + 2
        return _fail(f"{args.file}, line {line}, column {args.score}: {frame[args.score].iloc[line - 2]!r} is "
                     f"outside {low}-{high}; is --scale right?")
    if args.half:
        keep = frame[args.id].map(sentiment.half) == args.half
        frame, scores = frame[keep], scores[keep]
    texts = frame[args.text].agg(". ".join, axis=1) if len(args.text) > 1 else frame[args.text[0]]
    result = sentiment.evaluate(texts, scores.where(scores.notna(), None), args.scale, args.lang)
    print(f"{args.file}: text {' + '.join(args.text)}, score {args.score} ({low}–{high} scale), "
          f"language {args.lang or 'detected'}" + (f", the {args.half} half by {args.id}" if args.half else ""))
    print(result.text())
    return 0


def _churn_eval(args: argparse.Namespace) -> int:
    from cxdata.churn import alerts, evaluate

    try:
        threshold = args.threshold if args.threshold is not None else alerts.Rules.from_env().threshold
        if args.labelled:
            if not args.label:
                return _fail("--labelled needs --label COLUMN (the churn label)", code=2)
            n, columns, results = evaluate.labelled(args.labelled, args.label, args.id, threshold)
            print(f"{args.labelled}: {n:,} customers, {results[0].n_positive:,} of {results[0].n:,} churned in the "
                  f"30% test split; {len(columns)} encoded features")
            _print_results(results, threshold)
            return 0
        path = Path(args.db or db.db_path())
        if not path.exists():
            return _fail(f"no database at {path}: build one with `python -m cxdata demo --db {path}`")
        con = db.connect_readonly(path)
        try:
            test_day, days, results = evaluate.time_split(ScopedReader(db.Reader(con), args.user), threshold)
        finally:
            con.close()
    except (evaluate.EvalError, alerts.AlertSettingError) as exc:
        return _fail(str(exc))
    print(f"{path}: trained on customers as of {', '.join(str(d) for d in days)}; scored the "
          f"{results[0].n:,} active on {test_day}, of whom {results[0].n_positive:,} were lost in the next 90 days")
    _print_results(results, threshold)
    return 0


def _print_results(results, threshold: float) -> None:
    """One line per score, then the chosen model's calibration: predicted against observed by tenth."""
    for result in results:
        print(result.line(threshold))
    table = results[0].calibration
    if table is not None:
        print(f"Calibration of the {results[0].name} (customers ranked by score, in tenths):")
        print(f"  {'scores':>13}  {'customers':>9}  {'predicted':>9}  {'left':>6}")
        for row in table.itertuples():
            print(f"  {row.low:5.1f} – {row.high:5.1f}  {row.n:9,}  {row.predicted:8.1f}%  {row.observed:5.1f}%")


def _report_in_language(args: argparse.Namespace) -> int:
    """The pack in --lang (else $CX_LANGUAGE, else English), every message of the run with it."""
    from cxdata import i18n

    with i18n.using(args.lang):
        return _report(args)


def _report(args: argparse.Namespace) -> int:
    from cxdata import data_status, metrics, report
    from cxdata.report import output, sections
    from cxdata.store import Store

    path = Path(args.db or db.db_path())
    if not path.exists():
        return _fail(f"no database at {path}: build one with `python -m cxdata demo --db {path}` or load files")
    if (args.start is None) != (args.end is None):
        return _fail("give both --from and --to, or neither (then --period applies)", code=2)
    try:
        for out in args.out:
            output.check_target(out)
    except output.ReportError as exc:
        return _fail(str(exc), code=2)
    params = {"period": ["custom"], "from": [args.start.isoformat()], "to": [args.end.isoformat()]} \
        if args.start else {"period": [args.period]}
    if args.compare:
        params["compare"] = [args.compare]
    params.update({key: getattr(args, key) for key in filters.DIMENSIONS if getattr(args, key)})
    began = time.perf_counter()
    if derive.needs_refresh(path):  # as the app does: a database another version wrote gets its summaries rebuilt
        print(f"{path} was written by another version of cx-cockpit: rebuilding its summary tables first…",
              file=sys.stderr, flush=True)
        derive.ensure_current(path)
    bar = _ProgressBar(len(sections.SECTIONS) + len(output.STEPS))
    con = db.connect_readonly(path)
    try:
        reader = ScopedReader(db.Reader(con), args.user)   # every figure narrowed to the user's scope
        facts = data_status.facts(reader)
        try:
            view = report.view_for(reader, facts, params)
        except report.UnknownChoice as exc:
            return _fail(str(exc), code=2)
        view = dataclasses.replace(view, filters=args.user.scope.narrow(view.filters))  # the pack names the scope
        pack = report.build(reader, view, facts, metrics.min_responses(), company=args.company, progress=bar,
                            store=Store.beside(path))
        output.write(pack, *args.out, progress=bar)
    except output.ReportError as exc:
        bar.stop()
        return _fail(f"{exc}; no pack was written")
    finally:
        con.close()
    bar.stop()
    print(f"Wrote {', '.join(map(str, args.out))}: {len(pack.slides)} slides for {pack.period} · {pack.filters} "
          f"in {time.perf_counter() - began:.1f}s")
    return _record(path, "board_pack", {"files": [str(out) for out in args.out],
                                        "formats": [out.suffix.lstrip(".").lower() for out in args.out],
                                        "filters": audit.filters_what(view.filters), "compare": view.compare,
                                        "slides": len(pack.slides)}, args.user)


def _notify(args: argparse.Namespace) -> int:
    from cxdata.notify import run
    from cxdata.store import Store

    path = Path(args.db or db.db_path())
    if not path.exists():
        return _fail(f"no database at {path}: build one with `python -m cxdata demo --db {path}` or load files")
    return run.run(path, Store.beside(path), dry_run=args.dry_run, resend_uncertain=args.resend_uncertain,
                   who=args.user.email)


def _audit_log(args: argparse.Namespace) -> int:
    log = audit.AuditLog.beside(args.db or db.db_path())
    try:
        if args.verify:
            verdict = log.verify()
            print(verdict.text())
            return 0 if verdict.ok else 1
        entries = log.entries(since=args.since, who=args.who, actions=args.action)
    except audit.AuditError as exc:
        return _fail(str(exc))
    if args.json:
        for entry in entries.itertuples(index=False):
            print(json.dumps({"entry": entry.entry_id, "at": entry.recorded_at, "who": entry.who,
                              "action": entry.action, "what": entry.what}, ensure_ascii=False))
        return 0
    if entries.empty:
        print(f"No audit entries{' match' if args.since or args.who or args.action else ' yet'} in {log.path}.")
        return 0
    width = max(5, *(len(w) for w in entries["who"]))
    print(f"{'#':>6}  {'When (UTC)':<19}  {'Who':<{width}}  {'Action':<12}  What")
    for entry in entries.itertuples(index=False):
        print(f"{entry.entry_id:>6}  {entry.recorded_at[:19].replace('T', ' '):<19}  {entry.who:<{width}}  "
              f"{entry.action:<12}  {audit.summary(entry.what)}")
    return 0


class _ProgressBar:
    """A bar on stderr that a terminal redraws in place; piped to a log, one line per step."""

    WIDTH = 28

    def __init__(self, total: int):
        self.total, self.done, self.began = total, 0, time.perf_counter()
        self.live = sys.stderr.isatty()

    def __call__(self, step: str) -> None:
        filled = round(self.WIDTH * self.done / self.total)
        line = f"[{'#' * filled}{'.' * (self.WIDTH - filled)}] {self.done}/{self.total} {step}…"
        if self.live:
            print(f"\r{line:<78}", end="", file=sys.stderr, flush=True)
        else:
            print(line, file=sys.stderr, flush=True)
        self.done += 1

    def stop(self) -> None:
        if self.live:
            print(f"\r{'':<78}\r", end="", file=sys.stderr, flush=True)


def _fail(message: str, code: int = 1) -> int:
    print(f"error: {message}", file=sys.stderr)
    return code


class _StageTimer:
    """Progress on stderr for loads, demo builds, refreshes and the bench: a stage is announced once it has
    run for load.SLOW_STAGE_SECONDS (~2 s), then said done with its time, so small runs stay quiet. With
    the threshold at 0 every stage is announced as it starts."""

    def __init__(self, after: float | None = None):
        self.after = load.SLOW_STAGE_SECONDS if after is None else after
        self.stage: str | None = None
        self.began = 0.0
        self.shown = False
        self.timer: threading.Timer | None = None
        self.lock = threading.Lock()

    def __call__(self, stage: str | None) -> None:
        with self.lock:
            if self.timer:
                self.timer.cancel()
            if self.shown:
                print(f"  {self.stage}: done in {time.perf_counter() - self.began:.1f}s",
                      file=sys.stderr, flush=True)
            self.stage, self.began, self.shown = stage, time.perf_counter(), False
            if stage and self.after <= 0:
                self._say()
            elif stage:
                self.timer = threading.Timer(self.after, self._show)
                self.timer.daemon = True
                self.timer.start()

    def _show(self) -> None:
        with self.lock:
            if self.stage:
                self._say()

    def _say(self) -> None:
        print(f"{self.stage}…", file=sys.stderr, flush=True)
        self.shown = True


if __name__ == "__main__":
    sys.exit(main())
