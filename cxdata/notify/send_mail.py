"""E-mail by SMTP (the standard library's smtplib and email.message).

Settings (docs/notifications.md): CX_SMTP_HOST (no host: e-mail is off), CX_SMTP_PORT (default 587
with STARTTLS, 465 with SSL, 25 without), CX_SMTP_TLS (starttls, the default; ssl; none),
CX_SMTP_USER and CX_SMTP_PASSWORD (both or neither), CX_SMTP_FROM (the sender's address; default
the user when it is one). One connection serves the whole run; when it cannot be opened, every
e-mail of the run fails at once with the same reason (and is retried on the next run).
"""
from __future__ import annotations

import os
import smtplib
import socket
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate

from cxdata.i18n import _, url_code
from cxdata.notify.items import Words
from cxdata.notify.recipients import SettingError

TIMEOUT = 20  # seconds to wait for the mail server
TLS = ("starttls", "ssl", "none")
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}


class SendError(Exception):
    """A message that did not go out, with the reason in words (the outbox keeps it for a retry)."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    tls: str
    user: str | None
    password: str | None
    sender: str

    @classmethod
    def from_env(cls) -> SmtpSettings | None:
        """The CX_SMTP_* settings, None when CX_SMTP_HOST is not set (e-mail is off)."""
        env = os.environ
        host = env.get("CX_SMTP_HOST", "").strip()
        if not host:
            return None
        tls = env.get("CX_SMTP_TLS", "starttls").strip().lower() or "starttls"
        if tls not in TLS:
            raise SettingError(_("CX_SMTP_TLS={value} is not one of starttls, ssl or none").format(value=repr(tls)))
        raw_port = env.get("CX_SMTP_PORT", "").strip()
        if not raw_port:
            port = DEFAULT_PORTS[tls]
        elif raw_port.isdigit() and 0 < int(raw_port) < 65536:
            port = int(raw_port)
        else:
            raise SettingError(_("CX_SMTP_PORT={value} is not a port number (1-65535)").format(value=repr(raw_port)))
        user = env.get("CX_SMTP_USER", "").strip() or None
        password = env.get("CX_SMTP_PASSWORD") or None
        if bool(user) != bool(password):
            raise SettingError(_("set both CX_SMTP_USER and CX_SMTP_PASSWORD, or neither"))
        sender = env.get("CX_SMTP_FROM", "").strip() or (user if user and "@" in user else "")
        if "@" not in sender:
            raise SettingError(_("CX_SMTP_FROM must be the sender's e-mail address, like cx-cockpit@example.com"))
        return cls(host, port, tls, user, password, sender)


def compose(words: Words, to: str, sender: str, message_id: str, link: tuple[str, str] | None,
            language: str) -> EmailMessage:
    """The e-mail: the subject, the lines as paragraphs, the link to the app, the file attached;
    tagged with the language its words are in (Content-Language) and the outbox's Message-ID."""
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, words.subject
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = message_id
    body = list(words.lines)
    if link:
        body.append(f"{link[0]}: {link[1]}")
    message.set_content("\n\n".join(body) + "\n")
    if words.attachment:
        name, content, mime = words.attachment
        main, sub = mime.split("/", 1)
        message.add_attachment(content, maintype=main, subtype=sub, filename=name)
    message["Content-Language"] = url_code(language)   # after the content, which resets Content-* headers
    return message


class Mailer:
    """One SMTP connection for a run, opened at the first message (`with Mailer(settings) as m`)."""

    def __init__(self, settings: SmtpSettings) -> None:
        self.settings = settings
        self._smtp: smtplib.SMTP | None = None
        self._broken: str | None = None

    def __enter__(self) -> Mailer:
        return self

    def __exit__(self, *exc) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                pass
            self._smtp = None

    def send(self, message: EmailMessage) -> None:
        smtp = self._open()
        try:
            refused = smtp.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            raise SendError(_("the mail server refused the address: {reason}").format(
                reason=_reply(next(iter(exc.recipients.values()), None)))) from None
        except smtplib.SMTPResponseException as exc:
            raise SendError(_("the mail server refused the message: {reason}").format(
                reason=_reply((exc.smtp_code, exc.smtp_error)))) from None
        except (smtplib.SMTPException, OSError) as exc:
            self._smtp = None
            raise SendError(_("the connection to the mail server broke: {reason}").format(reason=exc)) from None
        if refused:
            raise SendError(_("the mail server refused the address: {reason}").format(
                reason=_reply(next(iter(refused.values())))))

    def _open(self) -> smtplib.SMTP:
        if self._smtp is not None:
            return self._smtp
        if self._broken:
            raise SendError(self._broken)
        s = self.settings
        where = f"{s.host}:{s.port}"
        try:
            if s.tls == "ssl":
                smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=TIMEOUT, context=ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(s.host, s.port, timeout=TIMEOUT)
                if s.tls == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
            if s.user:
                smtp.login(s.user, s.password)
        except smtplib.SMTPAuthenticationError as exc:
            self._broken = _("the mail server {server} refused the user name or password (CX_SMTP_USER, "
                             "CX_SMTP_PASSWORD): {reason}").format(server=where, reason=_reply((exc.smtp_code,
                                                                                                  exc.smtp_error)))
        except smtplib.SMTPNotSupportedError:
            self._broken = _("the mail server {server} does not offer STARTTLS; set CX_SMTP_TLS to ssl or none "
                             "as your mail administrator says").format(server=where)
        except socket.gaierror:
            self._broken = _("the mail server {host} (CX_SMTP_HOST) is not a name this computer can find").format(
                host=s.host)
        except (ConnectionRefusedError, TimeoutError, socket.timeout):
            self._broken = _("nothing answers at the mail server {server} (CX_SMTP_HOST, CX_SMTP_PORT)").format(
                server=where)
        except (smtplib.SMTPException, ssl.SSLError, OSError) as exc:
            self._broken = _("the mail server {server} can't be used: {reason}").format(server=where, reason=exc)
        else:
            self._smtp = smtp
            return smtp
        raise SendError(self._broken)


def _reply(reply) -> str:
    """An SMTP reply (code, text) as one line: "550 no such user"."""
    if not reply:
        return "?"
    code, text = reply
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {' '.join(text.split())}"
