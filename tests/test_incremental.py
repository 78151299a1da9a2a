"""A load rebuilds only what its rows reach (sql/derived_update.sql), and leaves every derived table equal,
row for row, to a full rebuild of the same raw rows.

The parity test applies a seeded random sequence of real loads (CSV files through cxdata.load) to a small
demo: contacts on a new day, late corrections to old contacts, customers changing plan or leaving, answers
arriving after their contact and contacts arriving after the answers that rate them, new customers and
transactions. After each load it rebuilds a copy of the database whole and compares every derived table.
"""
from __future__ import annotations

import datetime as dt
import random
import re
import shutil
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from cxdata import db, demo, derive
from cxdata.load import load_files

TODAY = dt.date(2026, 6, 10)

# Every derived table and how its rows are compared: journey rows name customers by a key that only
# means something inside one database, so they are compared by customer id. derived_info's stamp
# (when, by which code, in how long) is the refresh's own.
KEYED_BY_CUSTOMER = {"journey_customer_days", "journey_first_bad_quarters"}
SKIPPED_COLUMNS = {"derived_info": ("refreshed_at", "version", "refresh_seconds")}
NOT_COMPARED = {"journey_customer_keys", "refresh_days", "refresh_customers",  # numbering and working lists
                "journey_flow_presets"}   # the scheduled refresh's (see the last test)


@pytest.fixture(scope="module")
def small_demo(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("incremental") / "base.duckdb"
    demo.build_demo(path, customers=200, seed=11, today=TODAY)
    return path


def derived_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The tables sql/derived.sql creates, by name (the churn scores: see the scoring tests below)."""
    names = set(re.findall(r"^create (?:or replace )?table (\w+) as", db.sql_text("derived"), re.M))
    names = {n for n in names if n not in NOT_COMPARED}
    present = {t for (t,) in con.execute("select table_name from duckdb_tables()").fetchall()}
    assert names <= present, names - present
    return sorted(names)


def table_rows(con: duckdb.DuckDBPyConnection, table: str) -> pd.DataFrame:
    """A table's rows in a canonical order, customer keys replaced by customer ids."""
    frame = con.table(table).df()
    if table in KEYED_BY_CUSTOMER:
        keys = con.execute("select customer_key, customer_id from journey_customer_keys").df()
        frame = frame.merge(keys, on="customer_key", how="left").drop(columns="customer_key")
    frame = frame.drop(columns=list(SKIPPED_COLUMNS.get(table, ())))
    for column in frame.columns:
        if frame[column].dtype == object:
            frame[column] = frame[column].map(lambda v: repr(_plain(v)) if isinstance(v, (list, dict, np.ndarray)) else v)
        if frame[column].dtype.kind == "f":
            frame[column] = frame[column].round(6)
    frame = frame.astype({c: str for c in frame.columns if str(frame[c].dtype) == "category"})
    return frame.sort_values(list(frame.columns), na_position="first").reset_index(drop=True)


def _plain(value):
    """Lists and structs as plain Python values, so they compare and sort."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def full_rebuild_of(path: Path, folder: Path) -> Path:
    """A copy of the database with its whole derived layer rebuilt (no changes noted: everything)."""
    copy = folder / "full.duckdb"
    copy.unlink(missing_ok=True)
    shutil.copyfile(path, copy)
    with derive.writable_copy(copy):
        pass
    return copy


def assert_layers_equal(incremental: Path, full: Path, step: str) -> None:
    a, b = db.connect_readonly(incremental), db.connect_readonly(full)
    try:
        for table in derived_tables(a):
            left, right = table_rows(a, table), table_rows(b, table)
            assert len(left) == len(right), f"after {step}: {table} has {len(left)} rows, a full rebuild {len(right)}"
            pd.testing.assert_frame_equal(left, right, check_dtype=False, obj=f"{table} after {step}")
    finally:
        a.close()
        b.close()


def last_refresh_updated(path: Path) -> bool:
    """Whether the last write rebuilt only some days (refresh_days is filled by the update alone)."""
    con = db.connect_readonly(path)
    try:
        return con.execute("select count(*) from refresh_days").fetchone()[0] > 0
    finally:
        con.close()


# ---- The loads: each writes CSV files shaped like a real export and returns them ---------------------
class Loads:
    def __init__(self, path: Path, folder: Path, rng: random.Random):
        self.path, self.folder, self.rng, self.n = path, folder, rng, 0

    def _query(self, sql: str) -> pd.DataFrame:
        con = db.connect_readonly(self.path)
        try:
            return con.execute(sql).df()
        finally:
            con.close()

    def _csv(self, name: str, frame: pd.DataFrame) -> Path:
        self.n += 1
        path = self.folder / f"{self.n:02d}_{name}.csv"
        frame.to_csv(path, index=False, date_format="%Y-%m-%d %H:%M:%S")
        return path

    def newest(self) -> dt.datetime:
        return self._query("select max(started_at) as t from interactions")["t"].iloc[0].to_pydatetime()

    def new_day(self) -> list[Path]:
        """The next day's contacts (some still open), with answers rating a few of them."""
        day = self.newest().replace(hour=0, minute=0, second=0) + dt.timedelta(days=1)
        sample = self._query("select * from interactions using sample 40 rows (reservoir, 1)")
        rows = sample.copy()
        rows["interaction_id"] = [f"N{self.n}-{k}" for k in range(len(rows))]
        rows["started_at"] = [day + dt.timedelta(minutes=self.rng.randrange(0, 20 * 60)) for _ in range(len(rows))]
        rows["resolved_at"] = [None if self.rng.random() < 0.3 else s + dt.timedelta(hours=self.rng.randrange(1, 30))
                               for s in rows["started_at"]]
        files = [self._csv("contacts", rows)]
        answers = rows.head(12)[["interaction_id", "customer_id", "started_at"]].copy()
        answers["feedback_id"] = [f"NF{self.n}-{k}" for k in range(len(answers))]
        answers["submitted_at"] = answers["started_at"] + dt.timedelta(hours=2)
        answers["survey"] = [self.rng.choice(["nps", "csat", "ces"]) for _ in range(len(answers))]
        answers["score"] = [{"nps": self.rng.randrange(0, 11), "csat": self.rng.randrange(1, 6),
                             "ces": self.rng.randrange(1, 8)}[s] for s in answers["survey"]]
        answers["comment"] = [self.rng.choice([None, "slow billing answer", "great help, thanks"])
                              for _ in range(len(answers))]
        files.append(self._csv("answers", answers.drop(columns="started_at")))
        return files

    def late_corrections(self) -> list[Path]:
        """Old contacts corrected: resolved later, moved to another department, or re-dated."""
        rows = self._query("select * from interactions using sample 15 rows (reservoir, 2)")
        departments = self._query("select distinct department from interactions where department is not null")
        for k in range(len(rows)):
            what = k % 3
            if what == 0:
                rows.loc[k, "resolved_at"] = rows.loc[k, "started_at"] + dt.timedelta(days=3)
            elif what == 1:
                rows.loc[k, "department"] = self.rng.choice(list(departments["department"]))
            else:
                rows.loc[k, "started_at"] = rows.loc[k, "started_at"] - dt.timedelta(days=40)
        return [self._csv("corrections", rows)]

    def customers_change(self) -> list[Path]:
        """Some customers change plan, one leaves, and two new ones arrive (only some columns given)."""
        rows = self._query("select customer_id, plan from customers where churned_on is null "
                           "using sample 6 rows (reservoir, 3)")
        plans = list(self._query("select distinct plan from customers where plan is not null")["plan"])
        rows["plan"] = [self.rng.choice(plans) for _ in range(len(rows))]
        rows["churned_on"] = [None] * len(rows)
        rows.loc[0, "churned_on"] = self.newest().date()
        new = pd.DataFrame({"customer_id": [f"NC{self.n}-1", f"NC{self.n}-2"], "plan": plans[:1] * 2,
                            "churned_on": [None, None]})
        return [self._csv("customers", pd.concat([rows, new], ignore_index=True))]

    def answers_then_contacts(self) -> list[Path]:
        """Answers naming contacts not loaded yet (they count for no department), then those contacts."""
        who = self._query("select customer_id from customers using sample 3 rows (reservoir, 4)")["customer_id"]
        day = self.newest() - dt.timedelta(days=5)
        ids = [f"L{self.n}-{k}" for k in range(len(who))]
        answers = pd.DataFrame({"feedback_id": [f"LF{self.n}-{k}" for k in range(len(who))], "customer_id": who,
                                "interaction_id": ids, "submitted_at": [day + dt.timedelta(hours=3)] * len(who),
                                "survey": ["nps"] * len(who), "score": [2, 9, 6][:len(who)]})
        first = self._csv("early_answers", answers)
        contacts = pd.DataFrame({"interaction_id": ids, "customer_id": who, "started_at": [day] * len(who),
                                 "channel": ["phone"] * len(who), "department": ["Billing"] * len(who),
                                 "kind": ["complaint"] * len(who), "sla_seconds": [86400.0] * len(who)})
        return [first, self._csv("late_contacts", contacts)]

    def payments(self) -> list[Path]:
        """Transactions on recent and old days, one a correction of an existing amount."""
        old = self._query("select transaction_id, customer_id, occurred_at, amount, kind from transactions "
                          "using sample 2 rows (reservoir, 5)")
        old["amount"] = old["amount"].astype(float) + 10
        new = old.copy()
        new["transaction_id"] = [f"NT{self.n}-{k}" for k in range(len(new))]
        new["occurred_at"] = self.newest()
        return [self._csv("payments", pd.concat([old, new], ignore_index=True))]


def every_table(con: duckdb.DuckDBPyConnection, database: str) -> dict[str, pd.DataFrame]:
    """Every table of an attached database, rows in a canonical order (journey keys as they are: a
    replay must number customers as the write it replays did), less the stamps of the write itself."""
    names = con.execute("select table_name from duckdb_tables() where database_name = ? and not temporary",
                        [database]).fetchall()
    tables = {}
    for (name,) in names:
        if name == "write_state":  # which generation and whether finished: the writer's, compared in test_spare
            continue
        frame = con.execute("select * from query_table($table)", {"table": f"{database}.{name}"}).df()
        frame = frame.drop(columns=list(SKIPPED_COLUMNS.get(name, ())))
        for column in frame.columns:
            if frame[column].dtype == object:
                frame[column] = frame[column].map(lambda v: repr(_plain(v)) if isinstance(v, (list, dict, np.ndarray))
                                                  else v)
        frame = frame.astype({c: str for c in frame.columns if str(frame[c].dtype) == "category"})
        tables[name] = frame.sort_values(list(frame.columns), na_position="first").reset_index(drop=True)
    return tables


def assert_replay_reproduces(previous: Path, live: Path, step: str) -> None:
    """Replaying the live file's last write on a copy of the generation before it (what the next write does
    to the spare, cxdata/db.py) leaves every table, raw and derived, equal to the live file's, row for row."""
    con = duckdb.connect(str(previous), config=db.settings(previous))
    try:
        con.execute("attach " + db._literal(live) + " as live (read_only)")  # ATTACH takes no parameters
        db.apply_schema(con)
        assert derive.replay_last_write(con), f"{step} could not be replayed"
        own, theirs = every_table(con, con.execute("select current_database()").fetchone()[0]), every_table(con, "live")
        assert sorted(own) == sorted(theirs)
        for name in theirs:
            pd.testing.assert_frame_equal(own[name], theirs[name], check_dtype=False, obj=f"{name} replaying {step}")
    finally:
        con.close()


def test_random_loads_leave_the_layer_equal_to_a_full_rebuild(small_demo, tmp_path):
    """...and replaying each load on the generation before it (the spare) gives the same database."""
    path = tmp_path / "cx.duckdb"
    shutil.copyfile(small_demo, path)
    rng = random.Random(2026)
    loads = Loads(path, tmp_path, rng)
    steps = [loads.new_day, loads.late_corrections, loads.customers_change, loads.answers_then_contacts,
             loads.payments]
    sequence = [loads.new_day] + rng.sample(steps[1:], len(steps) - 1)   # every kind of load, in a random order
    previous = tmp_path / "previous.duckdb"
    for step in sequence:
        files = step()
        for file in files:   # one load each: a later one corrects or completes an earlier one
            shutil.copyfile(path, previous)
            load_files([file], db_path=path)
            assert last_refresh_updated(path), f"{file.name} was not applied as an update"
            assert_replay_reproduces(previous, path, file.name)
        assert_layers_equal(path, full_rebuild_of(path, tmp_path), ", ".join(f.name for f in files))


def test_a_reference_table_or_a_new_stage_rebuilds_everything(small_demo, tmp_path):
    path = tmp_path / "cx.duckdb"
    shutil.copyfile(small_demo, path)
    channels = tmp_path / "channels.csv"
    channels.write_text("channel,response_mode\nphone,immediate\n")
    load_files([channels], db_path=path)
    assert not last_refresh_updated(path)   # a change every day reads: rebuilt whole
    contacts = tmp_path / "contacts.csv"
    contacts.write_text("interaction_id,customer_id,started_at,channel,journey_stage\n"
                        "X1,C00001,2026-06-09 10:00:00,phone,a stage never seen\n")
    load_files([contacts], db_path=path)
    assert not last_refresh_updated(path)   # a new stage name: the enums are rebuilt with everything
    assert_layers_equal(path, full_rebuild_of(path, tmp_path), "a new stage")


def test_an_update_rebuilds_only_the_days_and_customers_it_reaches(small_demo, tmp_path):
    """One contact corrected on an old day: that day (and those whose judgement the move of the latest
    event changes: none here, it does not move) and that customer, nothing else."""
    path = tmp_path / "cx.duckdb"
    shutil.copyfile(small_demo, path)
    con = db.connect_readonly(path)
    row = con.execute("select * from interactions where started_at < date '2026-03-01' and resolved_at is not null "
                      "and resolved_at < (select max(started_at) from interactions) - interval 30 day "
                      "order by interaction_id limit 1").df()
    con.close()
    row["department"] = "Somewhere else"
    file = tmp_path / "one.csv"
    row.to_csv(file, index=False)
    load_files([file], db_path=path)
    con = db.connect_readonly(path)
    try:
        days = con.execute("select source, day from refresh_days order by all").fetchall()
        customers = con.execute("select distinct customer_id from refresh_customers").fetchall()
    finally:
        con.close()
    started = row["started_at"].iloc[0].date()
    answered = {("feedback", d) for (s, d) in days if s == "feedback"}
    assert ("interactions", started) in days
    assert {d for (s, d) in days if s == "interactions"} == {started}
    assert all(s != "transactions" for s, _ in days)
    assert len(answered) <= 1                        # an answer rating it, if any, on its own day
    assert customers == [(row["customer_id"].iloc[0],)]
    assert_layers_equal(path, full_rebuild_of(path, tmp_path), "one correction")


# What the scheduled refresh computes (cxdata.derive.refresh): a load keeps the scores and drops the
# journey map's stored views.
SCHEDULED_TABLES = ("churn_scores", "churn_score_history", "churn_model", "journey_flow_presets")


def scheduled_rows(path: Path) -> dict[str, pd.DataFrame]:
    con = db.connect_readonly(path)
    try:
        return {t: table_rows(con, t) for t in SCHEDULED_TABLES}
    finally:
        con.close()


def test_a_load_keeps_the_scores_and_the_scheduled_refresh_equals_a_full_rebuild(small_demo, tmp_path):
    """Scoring and the stored journey views read every customer's history as of the newest day, so a
    load keeps the scores (and the model) as they were and drops the stored views; the scheduled refresh
    (`refresh --scheduled`) then computes both as a full rebuild does."""
    path = tmp_path / "cx.duckdb"
    shutil.copyfile(small_demo, path)
    before = scheduled_rows(path)
    assert len(before["journey_flow_presets"]) > 0
    for file in Loads(path, tmp_path, random.Random(7)).new_day():
        load_files([file], db_path=path)
    after_load = scheduled_rows(path)
    for table in ("churn_scores", "churn_score_history", "churn_model"):
        pd.testing.assert_frame_equal(after_load[table], before[table], obj=table)
    assert after_load["journey_flow_presets"].empty
    with derive.writable_copy(path, scheduled=True) as con:
        derive.note_changes(con)
    scheduled, full = scheduled_rows(path), scheduled_rows(full_rebuild_of(path, tmp_path))
    for table in ("churn_scores", "churn_score_history", "journey_flow_presets"):
        pd.testing.assert_frame_equal(scheduled[table], full[table], check_dtype=False, obj=table)
    assert scheduled["churn_model"]["scored_as_of"].iloc[0] > before["churn_model"]["scored_as_of"].iloc[0]


def test_a_load_of_targets_rebuilds_nothing(small_demo, tmp_path):
    """Targets are read when a page opens, never by the derived layer: loading them changes no table."""
    path = tmp_path / "cx.duckdb"
    shutil.copyfile(small_demo, path)
    before = scheduled_rows(path)
    targets = tmp_path / "targets.csv"
    targets.write_text("metric,department,period_start,period_end,target\nnps,,2026-01-01,2026-12-31,40\n")
    load_files([targets], db_path=path)
    after = scheduled_rows(path)
    for table in SCHEDULED_TABLES:   # the stored journey views are kept, the scores too
        pd.testing.assert_frame_equal(after[table], before[table], obj=table)
    assert not last_refresh_updated(path)   # no day was rebuilt
    assert_layers_equal(path, full_rebuild_of(path, tmp_path), "targets")
