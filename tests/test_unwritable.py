"""No traceback reaches a page when the database's folder cannot be written (issue 23): the app and
an upload each say it in one sentence, and nothing is changed."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
from streamlit.testing.v1 import AppTest

from cxdata.load import upload
from tests.conftest import ROOT
from tests.test_load import CUSTOMERS, query
from tests.test_load_upload import submit

FEEDBACK = b"feedback_id,customer_id,submitted_at,survey,score\nF1,C1,2024-05-01 10:00,nps,9\n"


def _data_page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    return at.switch_page("pages/data.py").run()


def test_no_database_and_a_file_where_its_folder_should_be_is_one_sentence(tmp_path, monkeypatch):
    (tmp_path / "data").write_text("not a folder")
    monkeypatch.setenv("CX_DB", str(tmp_path / "data" / "cx.duckdb"))
    monkeypatch.chdir(ROOT)
    at = _data_page()
    assert not at.exception
    assert [e.value for e in at.error] == [
        f"There is no database at `{tmp_path / 'data' / 'cx.duckdb'}` yet and none can be created there (a file "
        "stands where its folder should be): make its folder writable, or set `CX_DB` to a file in a writable folder."]


def test_an_upload_that_meets_a_directory_where_a_file_goes_is_one_sentence(tmp_path, monkeypatch):
    db_file = tmp_path / "cx.duckdb"
    assert upload.load_uploads([("customers.csv", CUSTOMERS.encode())], db_file).ok
    (tmp_path / "cx.duckdb.lock").unlink()
    (tmp_path / "cx.duckdb.lock").mkdir()          # the load's lock file cannot be opened
    monkeypatch.setenv("CX_DB", str(db_file))
    monkeypatch.chdir(ROOT)
    at = submit(_data_page(), [("fb.csv", FEEDBACK, "text/csv")])
    assert not at.exception
    assert [e.value for e in at.error] == [
        f"the load stopped: is a directory ({tmp_path / 'cx.duckdb.lock'}) — nothing was loaded and the "
        "database is as it was"]
    assert query(db_file, "select count(*) from feedback") == [(0,)]


PROBE = """
import json, sys
from tests.test_unwritable import _data_page, submit, FEEDBACK
at = _data_page()
first = {"exception": [e.value for e in at.exception], "error": [e.value for e in at.error]}
if sys.argv[1] == "upload":
    at = submit(at, [("fb.csv", FEEDBACK, "text/csv")])
print(json.dumps({"first": first, "exception": [e.value for e in at.exception], "error": [e.value for e in at.error]}))
"""


def _as_unprivileged(env: dict, step: str) -> dict:
    """The probe in a process that a read-only folder stops: as root, without the capability to
    override file permissions (setpriv), so chmod means what it says."""
    command = [sys.executable, "-c", PROBE, step]
    if os.geteuid() == 0:
        if not shutil.which("setpriv"):
            pytest.skip("running as root without setpriv: a read-only folder would not stop a write")
        command = ["setpriv", "--inh-caps=-all", "--bounding-set=-dac_override,-dac_read_search", *command]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("step", ["open", "upload"])
def test_a_read_only_folder_is_one_sentence_on_the_page(tmp_path, step):
    folder = tmp_path / "readonly"
    folder.mkdir()
    db_file = folder / "cx.duckdb"
    if step == "upload":   # a database is there; the upload cannot write beside it
        assert upload.load_uploads([("customers.csv", CUSTOMERS.encode())], db_file).ok
        (folder / "cx.duckdb.lock").unlink()
    folder.chmod(0o555)
    try:
        shown = _as_unprivileged({**os.environ, "CX_DB": str(db_file), "PYTHONPATH": str(ROOT)}, step)
    finally:
        folder.chmod(0o755)
    assert shown["exception"] == [] and shown["first"]["exception"] == []
    if step == "open":
        assert shown["error"] == [f"There is no database at `{db_file}` yet and none can be created there "
                                  "(permission denied): make its folder writable, or set `CX_DB` to a file in a "
                                  "writable folder."]
    else:
        assert shown["first"]["error"] == []
        assert shown["error"] == [  # the audit log beside the database cannot be written either
            "The audit log could not record this attempt either. Tell the administrator.",
            f"cannot write the database {db_file} (permission denied): free disk space, make its folder writable, "
            "or choose another file with --db (or CX_DB); nothing was written and the database is as it was"]
        assert query(db_file, "select count(*) from feedback") == [(0,)]
