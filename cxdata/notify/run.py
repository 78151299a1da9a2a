"""One run of `python -m cxdata notify`: what is due, to whom, through the outbox, and a report.

Each item goes to its owner (routes): a department's items to its heads (and its entry in the
recipients file), other attention items to the executives and the cx managers whose scope holds
them, a churn alert to the customer's account owner, a case to its owner, the board pack to the
executives and the board; attention items also to the company channel ($CX_WEBHOOK_URL). A
recipient receives an item only inside their scope (recipients.may_receive). Exit code: 0 when
everything due went out (or had gone out before), 1 when a send failed or a send of an earlier
run is uncertain, 2 when a setting is wrong.
"""
from __future__ import annotations

import datetime as dt
import fcntl
import os
import sys
from collections import Counter
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Callable, Iterator

from cxdata import db, i18n
from cxdata.access import audit
from cxdata import formatting as fmt
from cxdata.churn.alerts import AlertSettingError
from cxdata.followup import FollowupSettingError
from cxdata.i18n import _, n_
from cxdata.notify import items as items_
from cxdata.notify import send_hook, send_mail
from cxdata.notify.items import Item
from cxdata.notify.outbox import DONE, Outbox, max_attempts, message_id
from cxdata.notify.recipients import (Directory, Recipient, SettingError, load_directory, may_receive,
                                      may_receive_case, shows_names)
from cxdata.report.output import ReportError
from cxdata.store import Store, StoreError

APP_URL_ENV = "CX_APP_URL"
FAILED, SETTINGS = 1, 2   # exit codes


def run(db_path: Path | str, store: Store, *, dry_run: bool = False, resend_uncertain: bool = False,
        now: dt.datetime | None = None, overdue: Callable | None = None, who: str = "local",
        out: Callable[[str], None] = print, err: Callable[[str], None] | None = None) -> int:
    """Send what is due (or, `dry_run`, print it and write nothing); report each failure on `err`.
    A run that sent or tried to send anything is recorded in the audit log under `who` (the
    command's --as user): how many went out, to whom, how many did not."""
    err = err or (lambda line: print(line, file=sys.stderr))
    now = now or dt.datetime.now(dt.timezone.utc)
    stamp = now.isoformat(timespec="seconds")
    try:
        directory = load_directory()
        smtp = send_mail.SmtpSettings.from_env()
        cap = max_attempts()
        base = _app_url()
    except SettingError as exc:
        err(_("error: {reason}").format(reason=exc))
        return SETTINGS
    with ExitStack() as stack:
        if not dry_run and not stack.enter_context(_alone(store)):
            err(_("another notify run is still going (it holds {path}); this one sends nothing").format(
                path=_lock_path(store)))
            return 0
        outbox = Outbox(store)
        problems = 0
        try:
            if not dry_run:
                if resend_uncertain:
                    outbox.resend_uncertain(stamp)
                for entry in outbox.flag_uncertain(stamp):
                    problems += 1
                    err(_("uncertain: {subject} → {recipient} ({channel}): the run of {at} UTC stopped between sending it "
                          "and recording it, so it may or may not have arrived; it is not sent again by itself. Check "
                          "with the recipient, and run with --resend-uncertain to send it again.").format(
                        subject=entry.subject, recipient=entry.recipient, channel=entry.channel,
                        at=entry.last_at.replace("T", " ")[:16]))
            known = outbox.entries()
        except StoreError as exc:
            err(_("error: {reason}").format(reason=exc))
            return FAILED

        con = db.connect_readonly(db_path)
        try:
            try:
                due = items_.collect(db.Reader(con), store, now, overdue)
            except (SettingError, AlertSettingError, FollowupSettingError) as exc:
                err(_("error: {reason}").format(reason=exc))
                return SETTINGS
            deliveries, unsent = plan(due, directory)
            for line in unsent:
                err(line)
            counts: Counter = Counter()
            reached: set[str] = set()
            mailer = send_mail.Mailer(smtp) if smtp else None
            try:
                for item, recipient in deliveries:
                    entry = known.get((item.key, recipient.key, recipient.channel))
                    if entry is not None and entry.state in DONE:
                        counts["before"] += 1
                        continue
                    if recipient.channel == "email" and mailer is None:
                        counts["no_mail"] += 1
                        continue
                    if dry_run:   # the line in the language of this run, the subject in the recipient's
                        out(_("would send: {subject} → {recipient}").format(subject=_dry_subject(item, recipient),
                                                                           recipient=recipient.label))
                        counts["would"] += 1
                        continue
                    try:
                        with i18n.using(recipient.language):
                            words = item.words(recipient.user, shows_names(recipient.user))
                            link = _link(base, item.kind)
                            language = i18n.language()
                    except ReportError as exc:   # nothing was sent or recorded: the next run tries again
                        problems += 1
                        err(_("failed: the board pack for {recipient} could not be built: {reason}. It is tried "
                              "again on the next run.").format(recipient=recipient.label, reason=exc))
                        continue
                    failure = _send(outbox, mailer, item, recipient, words, link, stamp, language)
                    reached.add(recipient.key)
                    if failure is None:
                        counts["sent"] += 1
                        out(_("sent: {subject} → {recipient}").format(subject=words.subject, recipient=recipient.label))
                        continue
                    problems += 1
                    attempts = (entry.attempts if entry else 0) + 1
                    give_up = attempts >= cap
                    outbox.failed(item.key, recipient.key, recipient.channel, failure, stamp, give_up)
                    if give_up:
                        err(_("failed: {subject} → {recipient}: {reason}. Gave up after {n} attempts; it will not be "
                              "tried again.").format(subject=words.subject, recipient=recipient.label, reason=failure,
                                                      n=attempts))
                    else:
                        err(_("failed: {subject} → {recipient}: {reason}. Attempt {n} of {cap}: it is tried again on the "
                              "next run.").format(subject=words.subject, recipient=recipient.label, reason=failure,
                                                 n=attempts, cap=cap))
            finally:
                if mailer is not None:
                    mailer.__exit__(None, None, None)
        except StoreError as exc:
            err(_("error: {reason}").format(reason=exc))
            return FAILED
        finally:
            con.close()
        if reached:
            try:
                audit.AuditLog(store.path).record(who, "notify", {"rows": counts["sent"], "recipients": sorted(reached),
                                                                  "not_sent": problems})
            except audit.AuditError as exc:
                err(_("the run is not recorded in the audit log: {reason}").format(reason=exc))
                problems += 1
        if counts["no_mail"]:
            err(n_("not sent: {n} e-mail is due but e-mail is not set up (CX_SMTP_HOST)",
                   "not sent: {n} e-mails are due but e-mail is not set up (CX_SMTP_HOST)", counts["no_mail"]).format(
                n=fmt.count(counts["no_mail"])))
        if dry_run:
            out(n_("Dry run: {n} message would be sent; nothing was sent or written.",
                   "Dry run: {n} messages would be sent; nothing was sent or written.", counts["would"]).format(
                n=fmt.count(counts["would"])))
        else:
            out(_("{sent} sent, {failed} not sent, {before} sent before.").format(
                sent=fmt.count(counts["sent"]), failed=fmt.count(problems), before=fmt.count(counts["before"])))
        return FAILED if problems else 0


def _lock_path(store: Store) -> Path:
    return Path(store.path).with_name(Path(store.path).name + ".notify-lock")


@contextmanager
def _alone(store: Store) -> Iterator[bool]:
    """Whether this is the only run sending (a lock file beside the store, held while it runs): two
    runs at once (cron starting one while the last is still building the board pack) would both
    see the same items as due."""
    path = _lock_path(store)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True


def _send(outbox: Outbox, mailer, item: Item, recipient: Recipient, words, link, stamp: str,
          language: str) -> str | None:
    """Record the intent, send, record the result; the reason when it failed (in the language of
    this run), else None."""
    key = message_id(item.key, recipient.key, recipient.channel)
    outbox.intend(item.key, recipient.key, recipient.channel, words.subject, stamp)
    try:
        if recipient.channel == "email":
            mailer.send(send_mail.compose(words, recipient.key, mailer.settings.sender, key, link, language))
        else:
            send_hook.post(recipient.hook, send_hook.body(recipient.hook, words, link), key)
    except send_mail.SendError as exc:
        return str(exc)
    outbox.sent(item.key, recipient.key, recipient.channel, stamp)
    return None


def plan(due: list[Item], directory: Directory) -> tuple[list[tuple[Item, Recipient]], list[str]]:
    """Each item with every recipient who should and may receive it, and a line for each owner
    notify cannot reach or whose scope does not hold their item."""
    deliveries, unreachable, outside = [], Counter(), Counter()
    for item in due:
        found, missing = routes(item, directory)
        if missing:
            unreachable[(item.kind, missing, missing == item.about.get("department"))] += 1
        seen = set()
        for recipient in found:
            if (recipient.key, recipient.channel) in seen:
                continue
            seen.add((recipient.key, recipient.channel))
            if eligible(item, recipient):
                deliveries.append((item, recipient))
            elif item.kind in ("churn", "case"):   # owned by them, yet outside their scope: say so
                outside[(recipient.label, item.kind)] += 1
    lines = [_unreachable_line(kind, owner, n, is_department)
             for (kind, owner, is_department), n in sorted(unreachable.items())]
    lines += [n_("not sent: {n} {kind} to {recipient}: outside what their role and scope let them see "
                 "(the roles file)", "not sent: {n} {kind} to {recipient}: outside what their role and scope let "
                 "them see (the roles file)", n).format(n=fmt.count(n), kind=_kind_words(kind, n), recipient=label)
              for (label, kind), n in sorted(outside.items())]
    return deliveries, lines


def routes(item: Item, directory: Directory) -> tuple[list[Recipient], str | None]:
    """Who an item is for, and the owner named when nobody could be found for them."""
    if item.kind == "attention":
        department = item.about.get("department")
        found = (directory.department(department) if department
                 else directory.with_role("executive", "cx_manager"))
        return found + directory.company_channel(), None
    if item.kind == "pack":   # a file: by e-mail only
        return [r for r in directory.with_role("executive", "board") if r.channel == "email"], None
    owner = item.owner or (item.about.get("department") if item.kind == "case" else None)
    found = _owner(owner, directory) if owner else []
    return found, (None if found else (owner or "?"))


def _owner(owner: str, directory: Directory) -> list[Recipient]:
    owner = owner.strip()
    if "@" in owner:
        return directory.person(owner)
    entry = directory.owners.get(owner)
    if entry is not None:
        found = [r for address in entry.emails for r in directory.person(address)]
        if entry.hook and found:   # the owner's channel reads with the owner's rights
            first = found[0]
            found.append(Recipient(f"owner:{owner}", owner, "webhook", first.user, entry.language or first.language,
                                   entry.hook))
        return found
    if owner in directory.departments or directory.heads_of(owner):
        return directory.department(owner)
    return []


def eligible(item: Item, recipient: Recipient) -> bool:
    user = recipient.user
    if item.kind == "attention":
        return may_receive(user, item.about, names_customer=False)
    if item.kind == "churn":
        return may_receive(user, item.about, names_customer=True)
    if item.kind == "case":
        return may_receive_case(user, item.about)
    return user.role in ("admin", "executive", "board")


def _kind_words(kind: str, n: int) -> str:
    if kind == "churn":
        return n_("churn alert", "churn alerts", n)
    return n_("follow-up case", "follow-up cases", n)


def _unreachable_line(kind: str, owner: str, n: int, is_department: bool) -> str:
    fields = dict(n=fmt.count(n), kind=_kind_words(kind, n), owner=owner)
    if is_department:
        return n_("not sent: {n} {kind} owned by the {owner} department: it has no head in the roles file and no "
                  "entry [departments.\"{owner}\"] in the recipients file (CX_NOTIFY_RECIPIENTS)",
                  "not sent: {n} {kind} owned by the {owner} department: it has no head in the roles file and no "
                  "entry [departments.\"{owner}\"] in the recipients file (CX_NOTIFY_RECIPIENTS)", n).format(**fields)
    return n_("not sent: {n} {kind} owned by {owner}: no address for them; add [owners.\"{owner}\"] with their "
              "e-mail to the recipients file (CX_NOTIFY_RECIPIENTS), or use their address as the owner",
              "not sent: {n} {kind} owned by {owner}: no address for them; add [owners.\"{owner}\"] with their "
              "e-mail to the recipients file (CX_NOTIFY_RECIPIENTS), or use their address as the owner",
              n).format(**fields)


def _dry_subject(item: Item, recipient: Recipient) -> str:
    """What a dry run names: the subject the recipient would read (the board pack is not built)."""
    with i18n.using(recipient.language):
        if item.kind == "pack":
            return _("the weekly board pack (PDF)")
        return item.words(recipient.user, shows_names(recipient.user)).subject


def _app_url() -> str | None:
    raw = os.environ.get(APP_URL_ENV, "").strip()
    if not raw:
        return None
    if not raw.startswith(("http://", "https://")):
        raise SettingError(_("{setting}={value} is not an http(s) address like https://cx.example.com").format(
            setting=APP_URL_ENV, value=repr(raw)))
    return raw.rstrip("/")


def _link(base: str | None, kind: str) -> tuple[str, str] | None:
    """The app page an item is about, in the recipient's language, when $CX_APP_URL is set."""
    if not base:
        return None
    return _("Open in the CX cockpit"), f"{base}/{items_.PAGES[kind]}?lang={i18n.url_code(i18n.language())}"
