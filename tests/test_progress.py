"""Long commands say their stages on stderr, each when it starts and then its time (load does the same);
the threshold at 0 makes a tiny database's run say every stage."""
from __future__ import annotations

import re
import shutil

import pytest

from cxdata import load
from cxdata.__main__ import main


@pytest.fixture
def every_stage(monkeypatch):
    monkeypatch.setattr(load, "SLOW_STAGE_SECONDS", 0)


def stages(stderr: str) -> list[str]:
    """The stages said, in order, each checked to be announced and then done before the next starts."""
    lines = stderr.strip().splitlines()
    assert len(lines) % 2 == 0, lines
    said = []
    for start, done in zip(lines[::2], lines[1::2]):
        stage = start.removesuffix("…")
        assert start == f"{stage}…" and re.fullmatch(rf"  {re.escape(stage)}: done in [0-9]+\.[0-9]s", done), (start, done)
        said.append(stage)
    return said


REFRESH = ["analysing comments", "rebuilding the summary tables", "scoring churn risk", "saving the database"]


def test_refresh_says_its_stages_in_order(every_stage, tiny_db, tmp_path, capsys):
    path = tmp_path / "cx.duckdb"
    shutil.copyfile(tiny_db, path)
    assert main(["refresh", "--db", str(path)]) == 0
    out = capsys.readouterr()
    assert stages(out.err) == ["copying the database", *REFRESH]
    assert out.out.startswith(f"Refreshed the derived tables of {path} in ")


def test_a_demo_build_says_its_stages_in_order(every_stage, tmp_path, capsys):
    path = tmp_path / "cx.duckdb"
    assert main(["demo", "--customers", "40", "--db", str(path)]) == 0
    out = capsys.readouterr()
    assert stages(out.err) == ["generating 40 customers' data", *REFRESH,
                               "writing past churn alerts and follow-up cases"]
    assert out.out.startswith(f"Built demo database {path} in ")


def test_the_bench_says_each_page_then_its_raw_rows(every_stage, tiny_db, capsys):
    assert main(["bench", "--db", str(tiny_db), "--repeat", "1", "--pages", "overview,data"]) == 0
    out = capsys.readouterr()
    assert stages(out.err) == ["timing the overview page", "timing the data page",
                               "timing the overview page from raw rows"]   # the data page has no raw-row twin
    assert out.out.startswith(f"{tiny_db}: ")

