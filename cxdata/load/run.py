"""A load run: every file staged first, then checked and written in one transaction on a copy
of the database, and the run recorded in `loads` whether it succeeded or not."""
from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Callable, Iterable

import duckdb

from cxdata import db, derive, i18n
from cxdata import formatting as fmt
from cxdata.i18n import _, n_
from cxdata.load.checks import Source, run_checks, save_warnings
from cxdata.load.columns import Plan, plan_columns
from cxdata.load.computed import add_computed
from cxdata.load.errors import LoadError
from cxdata.load.files import Staged, sheet_hint, stage_file
from cxdata.load.mapping import Mapping, read_mapping
from cxdata.load.presets import choose_mapping, fit_to_header, preset_mappings
from cxdata.load.model import describe_tables, table_specs
from cxdata.load.repeats import remember_loaded, reject_repeats
from cxdata.load.report import FileReport, LoadReport
from cxdata.load.sql import ident
from cxdata.load.validate import (Skipped, SkippedRows, create_clean, create_rejects, create_value_maps,
                                  kept_from_skipped, reject_summary, skip_rows_of_skipped)
from cxdata.load.write import record_provided, save_rejects, upsert
from cxdata.load.zones import check_company_timezone, use_timezone

SLOW_STAGE_SECONDS = 2.0  # the CLI announces stages slower than this

Progress = Callable[[str | None], None]  # a stage name when one starts, None when all are done


def load_files(paths: Iterable[Path | str], table: str | None = None,
               mapping: Mapping | Path | str | None = None, db_path: Path | str | None = None,
               progress: Progress | None = None, preset: str | None = None) -> LoadReport:
    """Load files into the database in one all-or-nothing run and return what happened.

    Raises LoadError for a problem with a whole file or the mapping (nothing is committed,
    the run is recorded in `loads` as failed), db.DatabaseBusy if another program writes
    to the database, db.CannotWrite if its folder cannot take the write (a full disk, a
    read-only file system), and cxdata.derive.RefreshFailed if the summary tables cannot be rebuilt
    (nothing is committed). Row-level problems do not raise: those rows go to rejected_rows.
    A PRESET (presets.PRESETS) gives each file the preset mapping that fits its header.
    """
    paths = [Path(p) for p in paths]
    if not paths:
        raise LoadError(None, _("no files given"))
    if table is not None and table not in table_specs():
        raise LoadError(None, _("unknown table {table}; tables: {tables}").format(table=repr(table),
                                                                                 tables=describe_tables()))
    run = _Run(uuid.uuid4().hex, datetime.now(), paths, progress or (lambda stage: None))
    failure: LoadError | None = None
    with derive.writable_copy(db_path, progress=run.progress) as con, db.scratch_folder(db_path) as workdir:
        try:
            report = _load_all(con, run, table, mapping, preset, workdir)
        except LoadError as exc:
            _record_failure(con, run, exc)
            failure = exc
    run.progress(None)
    if failure:
        raise failure
    return report


@dataclass
class _Run:
    load_id: str
    started_at: datetime
    paths: list[Path]
    progress: Progress
    files: list[FileReport] = field(default_factory=list)
    skipped: Skipped = field(default_factory=dict)  # the rows its files skipped, for later lookups

    @property
    def file_names(self) -> list[str]:
        return [str(p.resolve()) for p in self.paths]


def _load_all(con: duckdb.DuckDBPyConnection, run: _Run, table: str | None,
              mapping: Mapping | Path | str | None, preset: str | None, workdir: Path) -> LoadReport:
    """Read and check every file first; then validate and write them in one transaction.

    Reading (and the mapping's expressions) only creates temp tables, so a file that cannot be
    read stops the run before anything is written (and a failed statement cannot spoil the
    write transaction). Files whose lookups read a table are written after the files for it.
    WORKDIR takes the UTF-8 copies of files in other encodings.
    """
    use_timezone(con, check_company_timezone(con))  # before any mapping expression runs
    choices = preset_mappings(preset) if preset else None
    if isinstance(mapping, (str, Path)):
        mapping = read_mapping(mapping)
    mapping = mapping or Mapping()
    staged = []
    for n, path in enumerate(run.paths):
        run.progress(f"reading {path.name}")
        source = stage_file(con, path, f"stg_{n}", mapping.sheet, workdir)
        with sheet_hint(source):
            for k, own in enumerate(choose_mapping(source, choices, preset) if choices else [mapping]):
                if k:  # a second table from the same file (a ticket and its satisfaction rating)
                    source = stage_file(con, path, f"stg_{n}_{k}", own.sheet, workdir)
                if choices:  # a preset's optional column the file cannot give stays empty, said in a note
                    own, dropped = fit_to_header(own, source)
                    source.notes.extend(dropped)
                plan = plan_columns(source, path, table, own, add_computed(con, source, own))
                staged.append((source, plan, own, _file_report(source, plan)))
                run.files.append(staged[-1][3])
    tables = {plan.table.name for _source, plan, _own, _report in staged}
    staged.sort(key=lambda s: any(lk.table in tables for lk in s[1].lookups.values()))
    run.files = [entry[3] for entry in staged]
    con.begin()
    try:
        for source, plan, own, report in staged:
            if own.values:
                create_value_maps(con, own)
            _validate_and_write(con, run, source, plan, own, report)
        _note_unknown_customers(con, run.files)
        _note_answers_without_contact(con, run.files)
        _count_answers_due(con, staged)
        for rows in (r for by_table in run.skipped.values() for r in by_table):
            con.execute(f"drop table {ident(rows.name)}")  # untranslated: SQL
        # Plausibility: warnings only, the load goes ahead (docs/loading.md, Plausibility checks).
        warnings = run_checks(con, [Source(src.path, src.columns, plan, own) for src, plan, own, _report in staged])
        save_warnings(con, run.load_id, warnings)
        result = LoadReport(run.load_id, run.files, time.time() - run.started_at.timestamp(), warnings)
        with i18n.using("en"):  # the loads table keeps the summary in English; the page translates it
            summary = result.summary()
        _record(con, run, result.outcome, summary)
        con.commit()
        return result
    except BaseException:
        try:
            con.rollback()
        except duckdb.TransactionException:
            pass  # the commit itself failed (a full disk) and ended the transaction: the error below says why
        raise


def _file_report(source: Staged, plan: Plan) -> FileReport:
    return FileReport(source.path, source.format, plan.table.name, source.encoding, source.delimiter,
                      n_read=source.n_rows + len(source.malformed),
                      ignored_columns=plan.ignored, notes=list(source.notes))


def _note_unknown_customers(con, reports: list[FileReport]) -> None:
    """Say when activity names customers not loaded (yet): it counts company-wide, but under no
    segment, region or plan until the customers file is loaded."""
    # On the load's own connection: a cursor would not see this run's uncommitted rows.
    counts = dict(con.execute(db.sql_text("unknown_customers")).fetchall())
    for report in reports:
        n = int(counts.get(report.table, 0))
        if n:
            report.notes.append(_("{n} {table} row(s) in the database have a customer_id that is not in customers: "
                                  "they count in company-wide figures, but under no segment or region until those "
                                  "customers are loaded").format(n=fmt.count(n), table=report.table))


def _count_answers_due(con, staged) -> None:
    """Say, per file of contacts, how many were judged due an answer and how many never got one, once
    every file of the run (a channels or touchpoints file too) is written: a wrong guess shows the day
    the file is loaded (docs/service-levels.md)."""
    for source, plan, _mapping, report in staged:
        if plan.table.name != "interactions":
            continue
        loaded = f"loaded_{source.name}"
        report.n_answer_due, report.n_never_answered = con.execute(
            db.sql_text("load_answers_due"), {"loaded": loaded}).fetchone()
        con.execute(f"drop table {ident(loaded)}")  # untranslated: SQL


def _note_answers_without_contact(con, reports: list[FileReport]) -> None:
    """Say how many answers name a contact that is not loaded (rejected, skipped, never in a file):
    the overview counts them, the department scorecards cannot, so the two differ by that many."""
    n = int(con.execute(db.sql_text("answers_without_contact_count")).fetchall()[0][0])
    report = next((r for table in ("feedback", "interactions") for r in reports if r.table == table), None)
    if n and report:
        report.notes.append(n_("{n} answer points at a contact that was not loaded: it counts for the company, not "
                               "for a department (the Data & loads page lists it)",
                               "{n} answers point at contacts that were not loaded: they count for the company, "
                               "not for a department (the Data & loads page lists them)", n).format(n=fmt.count(n)))


def _validate_and_write(con, run: _Run, source: Staged, plan: Plan, mapping: Mapping,
                        report: FileReport) -> None:
    run.progress(f"validating {source.path.name}")
    clean, rejects = f"clean_{source.name}", f"rej_{source.name}"
    if plan.lookups and run.skipped:  # a payment of an order this run skipped may be skipped too
        plan = replace(plan, skips=skip_rows_of_skipped(con, source, plan, run.skipped))
    create_clean(con, source, plan, mapping, clean, run.skipped)
    if plan.skips:  # kept aside: a later file's lookup may still read them
        skipped = f"skipped_{source.name}"
        con.execute(f"create temp table {ident(skipped)} as select * from {ident(clean)} where _skip is not null")
        con.execute(f"delete from {ident(clean)} where _skip is not null")
        run.skipped.setdefault(plan.table.name, []).append(
            SkippedRows(skipped, source.path.name, frozenset(plan.present)))
        report.skipped = dict(con.execute(
            f"select _skip, count(*) from {ident(skipped)} group by all order by 2 desc, 1").fetchall())
    create_rejects(con, plan, clean, rejects)
    reject_repeats(con, plan, clean, rejects)
    report.reasons, report.n_rejected = reject_summary(con, rejects, source.malformed)
    report.notes.extend(kept_from_skipped(con, plan, clean))
    run.progress(f"writing {source.path.name}")
    counts = upsert(con, plan, clean, rejects)
    report.n_loaded, report.n_updated, report.n_unchanged = counts
    remember_loaded(con, plan, clean, rejects, source.path)
    record_provided(con, run.load_id, plan, clean, rejects)
    if plan.table.name == "customers":  # what each customer's attributes were, for churn features as of a past date
        for step in ("customer_history_close", "customer_history_open"):
            con.execute(db.sql_text(step), {"changed_on": run.started_at.date()})
    if plan.table.name == "interactions":
        _note_answers_expected(con, source, plan, mapping, report, clean, rejects)
    elif mapping.expects_answer is not None:
        raise LoadError(mapping.source, _("expects_answer is about contacts (the interactions table), but {file} "
                                          "loads into {table}").format(file=source.path.name, table=plan.table.name))
    capped = save_rejects(con, run.load_id, source, plan.table.name, rejects)
    if capped:
        report.notes.append(capped)
    for name in (source.name, clean, rejects):
        con.execute(f"drop table {ident(name)}")  # untranslated: SQL


def _note_answers_expected(con, source: Staged, plan: Plan, mapping: Mapping, report: FileReport, clean: str,
                           rejects: str) -> None:
    """Keep the keys (and touchpoints) of the file's loaded contacts for _count_answers_due, and write
    the mapping's expects_answer to their touchpoints."""
    loaded = f"loaded_{source.name}"
    touchpoint = "c.touchpoint" if "touchpoint" in plan.present else "null::varchar"
    con.execute(f"create temp table {ident(loaded)} as select c.interaction_id, {touchpoint} as touchpoint "
                f"from {ident(clean)} c where not exists (select 1 from {ident(rejects)} r where r._rec = c._rec)")
    if mapping.expects_answer is None:
        return
    con.execute(db.sql_text("touchpoints_expects_answer_write"),
                {"loaded": loaded, "expects_answer": mapping.expects_answer})
    derive.note_everything(con)  # whether an answer is due changes on every day of those touchpoints
    touchpoints = [t for (t,) in con.execute(
        f"select distinct touchpoint from {ident(loaded)} where touchpoint is not null order by 1").fetchall()]
    if touchpoints:
        fields = {"touchpoints": ", ".join(touchpoints), "mapping": mapping.source}
        if mapping.expects_answer:
            note = _("touchpoint(s) {touchpoints}: expect answer ({mapping}: expects_answer = true)").format(**fields)
        else:
            note = _("touchpoint(s) {touchpoints}: expect no answer ({mapping}: expects_answer = false)").format(**fields)
        report.notes.append(note)


def _record(con, run: _Run, outcome: str, message: str) -> None:
    """The run's row in `loads`."""
    totals = LoadReport(run.load_id, run.files)
    tables = sorted({f.table for f in run.files if f.table})
    con.execute(db.sql_text("dataset_first"), {"dataset_id": run.load_id, "created_at": run.started_at})
    con.execute(
        "insert into loads (load_id, started_at, finished_at, files, target_table, n_read, "
        "n_loaded, n_updated, n_unchanged, n_rejected, outcome, message) values "
        "($id, $started, $finished, $files, $table, $n_read, $n_loaded, $n_updated, "
        "$n_unchanged, $n_rejected, $outcome, $message)",
        {"id": run.load_id, "started": run.started_at, "finished": datetime.now(),
         "files": run.file_names, "table": ", ".join(tables) or None,
         **{n: totals.total(n) for n in ("n_read", "n_loaded", "n_updated", "n_unchanged", "n_rejected")},
         "outcome": outcome, "message": message})


def _record_failure(con, run: _Run, exc: LoadError) -> None:
    """Record a failed run (nothing of it was written, so only n_read can be non-zero)."""
    _record(con, run, "failed", str(exc))
    exc.load_id = run.load_id

