"""Notifications (cxdata.notify) against real servers the tests start on 127.0.0.1: an SMTP server
(aiosmtpd) and an HTTP server that records what it receives and can be told to fail.

Follow-up cases come from hand-built frames shaped like cxdata.followup.overdue's; the board pack is
built once, on the tiny database; attention items and churn alerts are read from the shared demo."""
from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
import os
import socket
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd
import pytest
from aiosmtpd.controller import Controller

from cxdata import i18n
from cxdata.access.roles import Scope, User
from cxdata.notify import items, outbox, recipients, run
from cxdata.notify.items import Item, Words
from cxdata.store import Store

ROOT = Path(__file__).resolve().parent.parent
NOW = dt.datetime(2026, 3, 6, 9, 0, tzinfo=dt.timezone.utc)   # the tiny database's data ends on 5 Mar 2026

ROLES = """
[users."admin@example.com"]
role = "admin"
[users."cco@example.com"]
role = "executive"
[users."billing@example.com"]
role = "department_head"
departments = ["Billing"]
[users."eu@example.com"]
role = "cx_manager"
regions = ["Europe"]
[users."viewer@example.com"]
role = "viewer"
"""
RECIPIENTS = """
[owners."Laura Martín"]
email = ["eu@example.com"]

[departments."Billing"]
webhook = "{hooks}/billing"

[people."eu@example.com"]
webhook = "{hooks}/eu"
format = "teams"

[people."billing@example.com"]
language = "es"
"""


# ---- The servers -----------------------------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    """What the SMTP server received: (envelope sender, recipients, parsed message)."""

    def __init__(self):
        self.received: list[tuple[str, list[str], email.message.EmailMessage]] = []
        self.refused: set[str] = set()   # addresses the server says it does not know

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 OK"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for _sender, tos, m in self.received if address in tos]


@pytest.fixture(scope="module")
def smtp_server():
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield controller.port, box
    controller.stop()


class Hooks:
    """What the HTTP server received (path, headers, JSON), and how many next requests it fails."""

    def __init__(self):
        self.received: list[tuple[str, dict, dict]] = []
        self.fail_next: dict[str, int] = {}   # path -> how many next requests there fail
        self.fail_always = False

    def at(self, path: str) -> list[dict]:
        return [body for p, _headers, body in self.received if p == path]


@pytest.fixture(scope="module")
def hook_server():
    hooks = Hooks()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            if hooks.fail_always or hooks.fail_next.get(self.path):
                hooks.fail_next[self.path] = max(0, hooks.fail_next.get(self.path, 0) - 1)
                self.send_response(500)
                self.end_headers()
                self.wfile.write(b"server on fire")
                return
            hooks.received.append((self.path, dict(self.headers), body))
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hooks
    server.shutdown()
    server.server_close()


def _case(case_id: str, owner: str, region: str, department: str = "Support", name: str = "Vertex Motors GmbH",
          due: str = "2026-03-05 10:00") -> dict:
    return {"case_id": f"demo:feedback:{case_id}", "source_id": case_id, "customer_id": f"C-{case_id}", "customer_name": name,
            "opened_at": pd.Timestamp(due, tz="UTC") - pd.Timedelta(hours=48), "due_at": pd.Timestamp(due, tz="UTC"),
            "reason": "complaint", "score": None, "department": department, "owner": owner, "account_owner": owner,
            "segment": "SMB", "region": region, "plan": "Pro", "channel": "email", "status": "new",
            "root_cause": None, "first_contact_at": None, "overdue": True}


CASES = pd.DataFrame([_case("K1", "Laura Martín", "Europe"),            # eu@ (and her Teams hook), with the name
                      _case("K2", "Billing", "APAC", department="Billing", name="Secret Customer SA"),  # Billing head + hook
                      _case("K3", "Laura Martín", "APAC"),               # hers, outside her scope: reported
                      _case("K4", "Nobody Known", "Europe"),             # no address: reported
                      _case("K5", "Laura Martín", "Europe", due="2026-01-02 10:00")])  # overdue too long: not sent


def _env(monkeypatch, tmp: Path, smtp_port: int, hooks_url: str, roles: str = ROLES, recipients_text: str = RECIPIENTS):
    (tmp / "roles.toml").write_text(roles, encoding="utf-8")
    (tmp / "recipients.toml").write_text(recipients_text.format(hooks=hooks_url), encoding="utf-8")
    for name in [n for n in os.environ if n.startswith(("CX_SMTP_", "CX_NOTIFY_", "CX_WEBHOOK"))] + ["CX_LANGUAGE",
                                                                                                  "CX_APP_URL"]:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CX_ROLES", str(tmp / "roles.toml"))
    monkeypatch.setenv("CX_NOTIFY_RECIPIENTS", str(tmp / "recipients.toml"))
    monkeypatch.setenv("CX_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("CX_SMTP_PORT", str(smtp_port))
    monkeypatch.setenv("CX_SMTP_TLS", "none")
    monkeypatch.setenv("CX_SMTP_FROM", "cx-cockpit@example.com")
    monkeypatch.setenv("CX_APP_URL", "https://cx.example.com/")


class Run:
    """One run of notify, its exit code and its lines."""

    def __init__(self, db: Path, store: Store, cases=CASES, **kwargs):
        self.out, self.err = [], []
        self.code = run.run(db, store, now=kwargs.pop("now", NOW), overdue=lambda *a: cases,
                            out=self.out.append, err=self.err.append, **kwargs)


# ---- One world: two runs with every kind of recipient, the board pack once ---------------------------

@pytest.fixture(scope="module")
def world(tmp_path_factory, tiny_db, smtp_server, hook_server):
    port, box = smtp_server
    url, hooks = hook_server
    tmp = tmp_path_factory.mktemp("notify_world")
    store = Store(tmp / "state.sqlite")
    with pytest.MonkeyPatch.context() as mp:
        _env(mp, tmp, port, url)
        first = Run(tiny_db, store)
        mails, posts = list(box.received), list(hooks.received)
        second = Run(tiny_db, store)
        after = len(box.received), len(hooks.received)
    box.received.clear()
    hooks.received.clear()
    return {"first": first, "second": second, "mails": mails, "posts": posts, "after": after, "store": store}


def _to(mails, address):
    return [m for _s, tos, m in mails if address in tos]


def test_each_item_reaches_its_owner_within_scope(world):
    first = world["first"]
    assert first.code == 0, first.err
    eu, billing, cco = (_to(world["mails"], a) for a in ("eu@example.com", "billing@example.com", "cco@example.com"))
    assert [m["Subject"] for m in eu] == ["Follow-up overdue: Vertex Motors GmbH"]          # K1 only
    assert len(billing) == 1 and "K2" in billing[0]["Subject"]                                 # K2, in Spanish
    assert [m["Subject"].startswith("Board pack") for m in cco] == [True]                     # the pack alone
    assert not _to(world["mails"], "viewer@example.com") and not _to(world["mails"], "admin@example.com")
    assert len(world["mails"]) == 3
    # the department head and its channel never see the customer's name
    billing_hook = [b for p, _h, b in world["posts"] if p == "/billing"]
    assert len(billing_hook) == 1 and "K2" in billing_hook[0]["text"]
    assert "Secret Customer" not in billing[0].get_content() + billing[0]["Subject"] + billing_hook[0]["text"]
    # what could not be sent is said, one line per owner
    assert any("Nobody Known" in line and "no address" in line for line in first.err)
    assert any("eu@example.com (e-mail)" in line and "outside what their role and scope" in line
               for line in first.err)
    assert not any("K5" in line for line in first.out + first.err)   # due in January: outside the 14-day window


def test_the_email_says_it_shortly_with_a_link_and_the_pack_attached(world):
    (case,) = _to(world["mails"], "eu@example.com")
    body = case.get_content()
    assert case["From"] == "cx-cockpit@example.com" and case["To"] == "eu@example.com"
    assert "Case K1 for Vertex Motors GmbH was due on 5 Mar 2026 10:00 UTC and the customer has not been contacted yet." in body
    assert "Why it was opened: Complaint." in body
    assert "Open in the CX cockpit: https://cx.example.com/followup?lang=en" in body
    assert case["Message-ID"] == outbox.message_id("case:demo:feedback:K1:2026-03-05T10:00:00+00:00", "eu@example.com",
                                                   "email")
    assert case["Content-Language"] == "en"
    (spanish,) = _to(world["mails"], "billing@example.com")
    assert spanish["Content-Language"] == "es"
    assert spanish["Subject"] == "El caso de seguimiento K2 está vencido"
    assert "https://cx.example.com/followup?lang=es" in spanish.get_content()
    (pack,) = _to(world["mails"], "cco@example.com")
    (attached,) = list(pack.iter_attachments())
    assert attached.get_filename() == "board-pack-2026-W10.pdf"
    assert attached.get_content_type() == "application/pdf"
    assert attached.get_content()[:5] == b"%PDF-"
    assert "https://cx.example.com/reports?lang=en" in pack.get_body(("plain",)).get_content()


def test_webhooks_get_slack_and_teams_shapes(world):
    slack = [(h, b) for p, h, b in world["posts"] if p == "/billing"]
    teams = [(h, b) for p, h, b in world["posts"] if p == "/eu"]
    (headers, body), = slack
    assert set(body) == {"text"}
    assert body["text"] == ("*Follow-up case K2 is overdue*\nCase K2 was due on 5 Mar 2026 10:00 UTC and the customer "
                            "has not been contacted yet.\nWhy it was opened: Complaint.\nDepartment: Billing.\n"
                            "<https://cx.example.com/followup?lang=en|Open in the CX cockpit>")   # the channel's language
    assert headers["Idempotency-Key"] == outbox.message_id("case:demo:feedback:K2:2026-03-05T10:00:00+00:00",
                                                           "department:Billing", "webhook").strip("<>")
    (headers, body), = teams
    assert body["type"] == "message"
    (attachment,) = body["attachments"]
    assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
    card = attachment["content"]
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.4"
    assert card["body"][0] == {"type": "TextBlock", "text": "Follow-up overdue: Vertex Motors GmbH", "weight": "Bolder",
                               "size": "Medium", "wrap": True}
    assert card["actions"] == [{"type": "Action.OpenUrl", "title": "Open in the CX cockpit",
                                "url": "https://cx.example.com/followup?lang=en"}]


def test_a_run_that_sent_is_in_the_audit_log(world):
    from cxdata.access import audit

    entries = audit.AuditLog(world["store"].path).entries()
    assert list(entries["action"]) == ["notify"]                    # the second run sent nothing: no entry
    assert entries.iloc[0]["who"] == "local"
    assert entries.iloc[0]["what"] == {"rows": 5, "recipients": ["billing@example.com", "cco@example.com",
                                                                 "department:Billing", "eu@example.com"],
                                       "not_sent": 0}


def test_a_second_run_sends_nothing_new(world):
    second = world["second"]
    assert second.code == 0
    assert world["after"] == (len(world["mails"]), len(world["posts"]))
    assert second.out[-1] == "0 sent, 0 not sent, 5 sent before."


# ---- Failures, retries, crashes, dry runs ----------------------------------------------------------

NO_PACK_ROLES = ROLES.replace('role = "executive"', 'role = "viewer"')   # nobody receives the pack here


@pytest.fixture
def quiet(tmp_path, monkeypatch, smtp_server, hook_server):
    """Settings for a run without the board pack; the servers emptied."""
    port, box = smtp_server
    url, hooks = hook_server
    box.received.clear()
    box.refused.clear()
    hooks.received.clear()
    hooks.fail_next, hooks.fail_always = {}, False
    _env(monkeypatch, tmp_path, port, url, roles=NO_PACK_ROLES)
    yield Store(tmp_path / "state.sqlite"), box, hooks
    hooks.fail_next, hooks.fail_always = {}, False


def test_a_failed_webhook_is_retried_on_the_next_run(quiet, tiny_db):
    store, box, hooks = quiet
    hooks.fail_next = {"/billing": 1}   # the first POST to Billing's channel (K2) fails
    first = Run(tiny_db, store)
    assert first.code == 1
    failed = [line for line in first.err if line.startswith("failed:")]
    assert len(failed) == 1
    assert "department Billing (webhook 127.0.0.1:" in failed[0]
    assert "answered 500 Internal Server Error: server on fire" in failed[0]
    assert "Attempt 1 of 3: it is tried again on the next run." in failed[0]
    assert len(box.received) == 2 and len(hooks.received) == 1          # the others went out
    second = Run(tiny_db, store)
    assert second.code == 0 and second.out[-1] == "1 sent, 0 not sent, 3 sent before."
    assert [p for p, _h, _b in hooks.received] == ["/eu", "/billing"]
    assert len(box.received) == 2


def test_a_send_that_keeps_failing_is_given_up(quiet, tiny_db, monkeypatch):
    store, box, hooks = quiet
    monkeypatch.setenv("CX_NOTIFY_MAX_ATTEMPTS", "2")
    hooks.fail_always = True
    one, two, three = (Run(tiny_db, store) for _n in range(3))
    assert one.code == 1 and two.code == 1 and three.code == 0
    assert sum("Attempt 1 of 2" in line for line in one.err) == 2        # both webhooks
    assert sum("Gave up after 2 attempts; it will not be tried again." in line for line in two.err) == 2
    assert not any(line.startswith("failed:") for line in three.err)


def test_a_crash_between_send_and_record_sends_no_duplicate(quiet, tiny_db, monkeypatch):
    store, box, hooks = quiet
    real = outbox.Outbox.sent

    def crash(self, item_key, recipient, channel, now):
        if recipient == "eu@example.com" and channel == "email":
            raise RuntimeError("power cut")
        return real(self, item_key, recipient, channel, now)

    monkeypatch.setattr(outbox.Outbox, "sent", crash)
    with pytest.raises(RuntimeError, match="power cut"):
        Run(tiny_db, store)
    monkeypatch.setattr(outbox.Outbox, "sent", real)
    assert len(box.to("eu@example.com")) == 1                           # it went out, unrecorded
    second = Run(tiny_db, store)
    assert second.code == 1
    (uncertain,) = [line for line in second.err if line.startswith("uncertain:")]
    assert uncertain.startswith("uncertain: Follow-up overdue: Vertex Motors GmbH → eu@example.com (email): the run "
                                "of 2026-03-06 09:00 UTC stopped between sending it and recording it")
    assert "--resend-uncertain" in uncertain
    assert len(box.to("eu@example.com")) == 1                           # not resent blindly
    third = Run(tiny_db, store)
    assert third.code == 0 and len(box.to("eu@example.com")) == 1       # reported once, still not resent
    resent = Run(tiny_db, store, resend_uncertain=True)
    assert resent.code == 0
    first_copy, second_copy = box.to("eu@example.com")
    assert first_copy["Message-ID"] == second_copy["Message-ID"]         # the receiver can drop the copy


def test_a_dry_run_sends_and_writes_nothing(quiet, tiny_db):
    store, box, hooks = quiet
    dry = Run(tiny_db, store, dry_run=True)
    assert dry.code == 0
    assert "would send: Follow-up overdue: Vertex Motors GmbH → eu@example.com (e-mail)" in dry.out
    assert "would send: El caso de seguimiento K2 está vencido → billing@example.com (e-mail)" in dry.out
    assert dry.out[-1] == "Dry run: 4 messages would be sent; nothing was sent or written."
    assert not box.received and not hooks.received
    assert not store.path.exists()


def test_a_run_while_another_is_still_going_sends_nothing(quiet, tiny_db):
    import fcntl

    store, box, hooks = quiet
    store.path.parent.mkdir(parents=True, exist_ok=True)
    with open(f"{store.path}.notify-lock", "a") as held:        # the other run
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        blocked = Run(tiny_db, store)
    assert blocked.code == 0
    assert blocked.err == [f"another notify run is still going (it holds {store.path}.notify-lock); this one sends "
                           "nothing"]
    assert not box.received and not hooks.received
    assert Run(tiny_db, store).code == 0 and len(box.received) == 2      # once it is done, the next run sends


def test_a_board_pack_that_cannot_be_built_is_said_and_left_for_the_next_run(quiet, tiny_db, tmp_path, monkeypatch):
    from cxdata.report import output

    store, box, hooks = quiet
    (tmp_path / "roles.toml").write_text(ROLES, encoding="utf-8")          # with the executive again

    def no_chromium(pack, suffix):
        raise output.ReportError("the charts need Chromium, which is not installed")

    monkeypatch.setattr(output, "to_bytes", no_chromium)
    result = Run(tiny_db, store)
    assert result.code == 1
    assert ("failed: the board pack for cco@example.com (e-mail) could not be built: the charts need Chromium, which "
            "is not installed. It is tried again on the next run.") in result.err
    assert len(box.received) == 2 and not box.to("cco@example.com")       # the rest went out
    assert not [key for key in outbox.Outbox(store).entries() if key[0].startswith("pack:")]   # nothing recorded


# ---- Bad settings: a clear line, no traceback -----------------------------------------------------

def test_an_unreachable_mail_server_is_said_once_per_message_and_retried(quiet, tiny_db, monkeypatch):
    store, box, hooks = quiet
    monkeypatch.setenv("CX_SMTP_PORT", str(_free_port()))   # nothing listens there
    first = Run(tiny_db, store)
    assert first.code == 1
    failed = [line for line in first.err if line.startswith("failed:")]
    assert len(failed) == 2 and all("nothing answers at the mail server 127.0.0.1:" in line for line in failed)
    assert not any("Traceback" in line for line in first.err)
    assert len(hooks.received) == 2                          # the webhooks went out regardless


def test_a_mail_server_without_starttls_or_that_refuses_an_address_is_named(quiet, tiny_db, monkeypatch):
    store, box, hooks = quiet
    monkeypatch.delenv("CX_SMTP_TLS")                                    # STARTTLS by default
    first = Run(tiny_db, store)
    assert first.code == 1
    assert all("does not offer STARTTLS; set CX_SMTP_TLS to ssl or none" in line
               for line in first.err if line.startswith("failed:"))
    monkeypatch.setenv("CX_SMTP_TLS", "none")
    box.refused.add("eu@example.com")
    second = Run(tiny_db, store)
    assert second.code == 1
    (failed,) = [line for line in second.err if line.startswith("failed:")]
    assert failed == ("failed: Follow-up overdue: Vertex Motors GmbH → eu@example.com (e-mail): the mail server refused "
                      "the address: 550 5.1.1 no such mailbox here. Attempt 2 of 3: it is tried again on the next run.")
    assert [tos for _s, tos, _m in box.received] == [["billing@example.com"]]


@pytest.mark.parametrize("name, value, message", [
    ("CX_SMTP_PORT", "25x", "CX_SMTP_PORT='25x' is not a port number (1-65535)"),
    ("CX_SMTP_TLS", "maybe", "CX_SMTP_TLS='maybe' is not one of starttls, ssl or none"),
    ("CX_SMTP_FROM", "nobody", "CX_SMTP_FROM must be the sender's e-mail address"),
    ("CX_NOTIFY_MAX_ATTEMPTS", "0", "CX_NOTIFY_MAX_ATTEMPTS='0' is not a whole number of 1 or more"),
    ("CX_APP_URL", "cx.example.com", "CX_APP_URL='cx.example.com' is not an http(s) address"),
    ("CX_WEBHOOK_URL", "hooks.slack.com/services/x", "CX_WEBHOOK_URL: webhook must be an http(s) address"),
    ("CX_WEBHOOK_FORMAT", "discord", "CX_WEBHOOK_FORMAT: format 'discord' is not slack or teams"),
])
def test_a_bad_setting_stops_the_run_with_its_name(quiet, tiny_db, monkeypatch, name, value, message):
    store, box, hooks = quiet
    monkeypatch.setenv("CX_WEBHOOK_URL", "https://hooks.example.com/company")
    monkeypatch.setenv(name, value)
    result = Run(tiny_db, store)
    assert result.code == 2
    assert result.err[0].startswith("error: " + message)
    assert not box.received and not store.path.exists()


@pytest.mark.parametrize("text, message", [
    ('[owners."Ana"\nemail = "a@example.com"', "is not valid TOML: Expected ']' at the end of a table declaration (at line 1"),
    ('\n\n[owners."Ana"]\nemail = ["stranger@example.com"]', 'line 3, [owners."Ana"]: stranger@example.com not in the '
                                                             "roles file's users"),
    ('[departments."Billing"]\nwebhook = "ftp://x"', 'line 1, [departments."Billing"]: webhook must be an http(s) address'),
    ('[owners."Ana"]\nemail = ["eu@example.com"]\nphone = "1"', 'line 1, [owners."Ana"]: unknown key(s) phone'),
    ('[people."eu@example.com"]\nlanguage = "fr"', "language 'fr' is not one the product speaks (en, es, pt-BR)"),
    ('[owner."Ana"]\nemail = ["eu@example.com"]', "unknown key(s) or section(s) owner"),
    ('[owners."Ana"]\nwebhook = "https://hooks.example.com/x"', "line 1, [owners.\"Ana\"]: give the owner's email"),
])
def test_a_bad_recipients_file_names_the_line_and_the_reason(quiet, tiny_db, tmp_path, text, message):
    store, box, hooks = quiet
    (tmp_path / "recipients.toml").write_text(text, encoding="utf-8")
    result = Run(tiny_db, store)
    assert result.code == 2
    (line,) = result.err
    assert line.startswith("error: ") and str(tmp_path / "recipients.toml") in line
    assert message in line


def test_without_a_roles_file_nothing_is_sent(quiet, tiny_db, monkeypatch):
    store, box, hooks = quiet
    monkeypatch.delenv("CX_ROLES")
    result = Run(tiny_db, store)
    assert result.code == 2 and "notify needs a roles file" in result.err[0]


def test_the_command_line_runs_once(quiet, tiny_db, tmp_path):
    store, box, hooks = quiet
    env = {**os.environ, "CX_STORE": str(tmp_path / "cli.sqlite")}
    done = subprocess.run([sys.executable, "-m", "cxdata", "notify", "--db", str(tiny_db), "--as", "admin@example.com",
                           "--dry-run"], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Dry run:" in done.stdout and "nothing was sent or written" in done.stdout
    assert not (tmp_path / "cli.sqlite").exists()
    refused = subprocess.run([sys.executable, "-m", "cxdata", "notify", "--db", str(tiny_db), "--as",
                              "billing@example.com"], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert refused.returncode == 4
    assert "billing@example.com is a department head and may not send notifications" in refused.stderr
    assert "Traceback" not in refused.stderr


# ---- Scope, routing and keys on hand-built values --------------------------------------------------

@pytest.mark.parametrize("user, about, names, expected", [
    (User("a", "executive"), {}, False, True),                                          # company-wide
    (User("b", "department_head", Scope.of(department=["Billing"])), {}, False, False),   # company-wide: not theirs
    (User("b", "department_head", Scope.of(department=["Billing"])), {"department": "Billing"}, False, True),
    (User("b", "department_head", Scope.of(department=["Billing"])), {"department": "Sales"}, False, False),
    (User("b", "department_head", Scope.of(department=["Billing"])),
     {"department": "Billing", "region": "Europe"}, True, False),                        # a customer: never
    (User("c", "cx_manager", Scope.of(region=["Europe"])), {"region": "Europe", "segment": "SMB"}, True, True),
    (User("c", "cx_manager", Scope.of(region=["Europe"])), {"region": "APAC", "segment": "SMB"}, True, False),
    (User("d", "board"), {"region": "Europe"}, True, False),                              # no single customers
    (User("d", "board"), {"department": "Billing"}, False, True),
])
def test_may_receive(user, about, names, expected):
    assert recipients.may_receive(user, about, names) is expected


def test_a_case_reaches_only_roles_that_see_rows_in_scope():
    head = User("b", "department_head", Scope.of(department=["Billing"]))
    case = {"department": "Billing", "channel": "email", "region": "APAC"}
    assert recipients.may_receive_case(head, case) and not recipients.shows_names(head)
    assert not recipients.may_receive_case(User("v", "viewer"), case)
    assert not recipients.may_receive_case(User("j", "cx_manager", Scope.of(journey_stage=["onboarding"])), case)
    manager = User("c", "cx_manager", Scope.of(region=["Europe"]))
    assert not recipients.may_receive_case(manager, case) and recipients.shows_names(manager)


def test_case_keys_and_window():
    found = items.case_items(CASES, NOW - dt.timedelta(days=14))
    assert [i.key for i in found] == [f"case:demo:feedback:{k}:2026-03-05T10:00:00+00:00" for k in ("K1", "K2", "K3", "K4")]
    assert found[1].about == {"department": "Billing", "channel": "email", "segment": "SMB", "region": "APAC",
                              "plan": "Pro"}
    assert items.week_of(dt.datetime(2027, 1, 1)) == "2026-W53"


def test_plain_text_from_attention_markdown():
    assert items.plain(r"**Department Billing**: NPS fell 5 to 12 against the previous period, A\_B\*.") == \
        "Department Billing: NPS fell 5 to 12 against the previous period, A_B*."


# ---- Attention items and churn alerts on the demo ---------------------------------------------------

def test_attention_and_churn_alerts_reach_their_owners_on_the_demo(demo_march, tmp_path, monkeypatch):
    from cxdata import db

    roles_text = ROLES + '[users."claire@example.com"]\nrole = "cx_manager"\nregions = ["Europe"]\n'
    (tmp_path / "roles.toml").write_text(roles_text, encoding="utf-8")
    (tmp_path / "recipients.toml").write_text('[owners."Claire Dubois"]\nemail = ["claire@example.com"]\n',
                                              encoding="utf-8")
    monkeypatch.setenv("CX_ROLES", str(tmp_path / "roles.toml"))
    monkeypatch.setenv("CX_NOTIFY_RECIPIENTS", str(tmp_path / "recipients.toml"))
    monkeypatch.setenv("CX_WEBHOOK_URL", "https://example.webhook.office.com/company")
    directory = recipients.load_directory()
    assert directory.channel.format == "teams"                            # from its address
    store = Store(tmp_path / "state.sqlite")
    now = dt.datetime(2026, 3, 16, 6, tzinfo=dt.timezone.utc)
    con = db.connect_readonly(demo_march)
    try:
        due = items.collect(db.Reader(con), store, now, overdue=lambda *a: pd.DataFrame())
        again = items.collect(db.Reader(con), store, now, overdue=lambda *a: pd.DataFrame())
    finally:
        con.close()
    assert [i.key for i in due] == [i.key for i in again]                  # the same keys run after run
    kinds = {i.kind for i in due}
    assert {"attention", "churn", "pack"} <= kinds
    deliveries, unsent = run.plan(due, directory)
    by = {}
    for item, recipient in deliveries:
        by.setdefault(recipient.key, []).append(item)
    churn = [i for i in due if i.kind == "churn"]
    claires = [i for i in churn if i.owner == "Claire Dubois"]
    assert claires and {i.key for i in by["claire@example.com"] if i.kind == "churn"} == {i.key for i in claires}
    assert all(i.about["region"] == "Europe" for i in claires)
    assert not [i for i in by.get("billing@example.com", []) if i.kind == "churn"]   # a head: no customers
    for item in by.get("billing@example.com", []):
        assert item.kind == "attention" and item.about == {"department": "Billing"}
    company = [i for i in due if i.kind == "attention" and not i.about]
    assert {i.key for i in company} <= {i.key for i in by["cco@example.com"]}
    assert any("owned by Oliver Schmidt" in line for line in unsent)       # an owner without an address
    # the company channel: every "needs attention" item, never a customer
    assert {i.key for i in by["channel"]} == {i.key for i in due if i.kind == "attention"}
    with i18n.using("pt_BR"):
        words = claires[0].words(directory.users["claire@example.com"], True)
    assert words.subject.startswith("Alerta de churn: ")
    assert words.lines[1].endswith("de valor anual em risco nos próximos 90 dias.")
