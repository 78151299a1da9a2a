"""Who gets what: the people of the roles file, the recipients file for owners the data names by
name, and the rule that a recipient only ever receives what their scope lets them see.

The recipients file (TOML, path in $CX_NOTIFY_RECIPIENTS; docs/notifications.md):

    language = "es"                          # the default language of messages (else $CX_LANGUAGE)

    [owners."Laura Martín"]                  # an account owner or case owner as the data names them
    email = ["laura.martin@example.com"]     # each address must be a user of the roles file

    [departments."Billing"]                  # a department: its heads come from the roles file;
    email = ["billing-lead@example.com"]     # more addresses, and/or a channel for its items
    webhook = "https://hooks.slack.com/services/…"

    [people."ana@example.com"]               # one person's language and their own webhook
    language = "pt-BR"
    webhook = "https://example.webhook.office.com/…"
    format = "teams"                         # slack or teams (default: from the address)

Every e-mail address is looked up in the roles file's [users]: its role and scope decide what it
may receive, and an address the roles file does not know receives nothing (reported). A
department's webhook receives what a head of that department may see (no customer names); the
company channel ($CX_WEBHOOK_URL) what the board may see (aggregates only).
"""
from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from cxdata import i18n
from cxdata.access import roles
from cxdata.access.roles import Scope, User
from cxdata.access.scoped import sees_customer_rows
from cxdata.i18n import _

RECIPIENTS_ENV = "CX_NOTIFY_RECIPIENTS"
WEBHOOK_ENV = "CX_WEBHOOK_URL"
WEBHOOK_FORMAT_ENV = "CX_WEBHOOK_FORMAT"
FORMATS = ("slack", "teams")
_SECTIONS = ("owners", "departments", "people")
_KEYS = {"owners": {"email", "webhook", "format", "language"},
         "departments": {"email", "webhook", "format", "language"},
         "people": {"webhook", "format", "language"}}
CUSTOMER_DIMENSIONS = ("segment", "region", "plan")


class SettingError(Exception):
    """A notify setting (the recipients file, the roles file, SMTP, a webhook) the command cannot
    use: one sentence naming the file or setting, the entry and the reason (never a traceback)."""


@dataclass(frozen=True)
class Hook:
    """A webhook: its address and the JSON shape it takes."""

    url: str
    format: str

    @property
    def host(self) -> str:
        """The address without its secret path, for reports ("hooks.slack.com")."""
        return urlsplit(self.url).netloc


@dataclass(frozen=True)
class Entry:
    """An [owners."…"] or [departments."…"] entry: addresses, a webhook, a language."""

    emails: tuple[str, ...] = ()
    hook: Hook | None = None
    language: str | None = None


@dataclass(frozen=True)
class Recipient:
    """One place a message goes: a person's address, or a webhook with the scope of who reads it."""

    key: str                 # in the outbox: the address, "department:NAME" or "channel"
    who: str                 # in reports: the address, "department Billing", "the company channel"
    channel: str             # "email" or "webhook"
    user: User               # the role and scope that decide what it may receive
    language: str
    hook: Hook | None = None

    @property
    def label(self) -> str:
        """The recipient in a report line: "ana@example.com (e-mail)", "department Billing (webhook hooks.slack.com)"."""
        if self.channel == "email":
            return _("{who} (e-mail)").format(who=self.who)
        return _("{who} (webhook {host})").format(who=self.who, host=self.hook.host if self.hook else "")


@dataclass(frozen=True)
class Directory:
    """Everyone notify may write to: the roles file's users, the recipients file, the company channel."""

    users: dict[str, User]                                   # address -> user (roles file [users])
    owners: dict[str, Entry] = field(default_factory=dict)
    departments: dict[str, Entry] = field(default_factory=dict)
    people: dict[str, Entry] = field(default_factory=dict)   # address -> language, webhook
    language: str = i18n.DEFAULT
    channel: Hook | None = None                              # $CX_WEBHOOK_URL

    def person(self, address: str) -> list[Recipient]:
        """An address's e-mail, and their own webhook if they have one; [] when the roles file does
        not know them (the caller reports it)."""
        address = address.strip().lower()
        user = self.users.get(address)
        if user is None:
            return []
        own = self.people.get(address, Entry())
        language = own.language or self.language
        found = [Recipient(address, address, "email", user, language)]
        if own.hook:
            found.append(Recipient(address, address, "webhook", user, language, own.hook))
        return found

    def heads_of(self, department: str) -> list[str]:
        """The department heads of the roles file whose scope holds this department."""
        return [address for address, user in self.users.items()
                if user.role == "department_head" and department in (user.scope["department"] or ())]

    def department(self, department: str) -> list[Recipient]:
        """A department's heads, the addresses its entry adds, and its webhook (a head's scope)."""
        entry = self.departments.get(department, Entry())
        found = [r for a in dict.fromkeys([*self.heads_of(department), *entry.emails]) for r in self.person(a)]
        if entry.hook:
            reader = User(f"department {department}", "department_head", Scope.of(department=[department]))
            found.append(Recipient(f"department:{department}", _("department {name}").format(name=department),
                                   "webhook", reader, entry.language or self.language, entry.hook))
        return found

    def with_role(self, *wanted: str) -> list[Recipient]:
        return [r for a, u in self.users.items() if u.role in wanted for r in self.person(a)]

    def company_channel(self) -> list[Recipient]:
        """The company channel ($CX_WEBHOOK_URL): anyone may read it, so it has the board's rights
        (aggregates, no customer)."""
        if self.channel is None:
            return []
        return [Recipient("channel", _("the company channel"), "webhook", User("channel", "board"), self.language,
                          self.channel)]


def may_receive(user: User, dimensions: dict[str, str | None], names_customer: bool) -> bool:
    """Whether an item about these values (department, segment, region, plan, … → the item's value,
    absent when it is not about one) is inside the user's scope. Every dimension the scope limits
    must be one the item is about, with a value the scope holds: a company-wide item reaches only
    those who see the whole company. An item about one customer reaches only roles that see single
    customers (a department head sees a case of their department, but without the customer's name:
    see `shows_names`)."""
    if names_customer and not sees_customer_rows(user):
        return False
    for dimension, allowed in user.scope.allowed:
        value = dimensions.get(dimension)
        if value is None or value not in allowed:
            return False
    return True


def shows_names(user: User) -> bool:
    """Whether a message to this user may name a customer (else it gives the case's number only)."""
    return sees_customer_rows(user) and user.may("see_names")


def may_receive_case(user: User, dimensions: dict[str, str | None]) -> bool:
    """A follow-up case: roles that see single rows, within their scope (a department head's cases
    are their department's); a scope on a dimension the case does not carry (journey stage) holds no case."""
    return user.may("see_rows") and may_receive(user, dimensions, names_customer=False)


def load_directory(recipients_path: Path | str | None = None, roles_path: Path | str | None = None) -> Directory:
    """The roles file ($CX_ROLES; required: it decides what each person may receive), the
    recipients file ($CX_NOTIFY_RECIPIENTS, optional) and $CX_WEBHOOK_URL. SettingError names the
    mistake."""
    try:
        found = roles.load(roles_path)
    except roles.RolesError as exc:
        raise SettingError(str(exc)) from None
    if found is None:
        raise SettingError(_("notify needs a roles file: it decides what each person may receive. Set {setting} to "
                             "it (docs/access.md)").format(setting=roles.ROLES_ENV))
    users = {address: found.resolve(address) for address in found.users}
    path = recipients_path or os.environ.get(RECIPIENTS_ENV)
    default_language = i18n.default_language()
    channel = _channel()
    if not path:
        return Directory(users, language=default_language, channel=channel)
    return _read_recipients(Path(path), users, default_language, channel)


def _channel() -> Hook | None:
    url = os.environ.get(WEBHOOK_ENV, "").strip()
    if not url:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise SettingError(_("{setting}: webhook must be an http(s) address").format(setting=WEBHOOK_ENV))
    return Hook(url, _format(os.environ.get(WEBHOOK_FORMAT_ENV), url, lambda reason: SettingError(
        _("{setting}: {reason}").format(setting=WEBHOOK_FORMAT_ENV, reason=reason))))


def _read_recipients(path: Path, users: dict[str, User], default_language: str, channel: Hook | None) -> Directory:
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except FileNotFoundError:
        raise SettingError(_("the recipients file {path} does not exist").format(path=path)) from None
    except OSError as exc:
        raise SettingError(_("the recipients file {path} can't be read: {error}").format(
            path=path, error=exc.strerror or exc)) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise SettingError(_("the recipients file {path} is not valid TOML: {error}").format(path=path,
                                                                                          error=exc)) from None

    def fail(where: str, reason: str) -> SettingError:
        line = _line_of(text, where)
        if line:
            return SettingError(_("{path}, line {line}, [{entry}]: {reason}").format(path=path, line=line, entry=where,
                                                                                    reason=reason))
        return SettingError(_("{path}, [{entry}]: {reason}").format(path=path, entry=where, reason=reason))

    unknown = sorted(set(data) - {*_SECTIONS, "language"})
    if unknown:
        raise SettingError(_('{path}: unknown key(s) or section(s) {names}; use language, [owners."NAME"], '
                             '[departments."NAME"] or [people."EMAIL"]').format(path=path, names=", ".join(unknown)))
    language = default_language
    if "language" in data:
        language = _language(data["language"], lambda reason: SettingError(
            _("{path}: language: {reason}").format(path=path, reason=reason)))
    sections: dict[str, dict[str, Entry]] = {}
    for section in _SECTIONS:
        table = data.get(section, {})
        if not isinstance(table, dict):
            raise SettingError(_('{path}: {section} must be tables like [{section}."NAME"]').format(path=path,
                                                                                                  section=section))
        entries = {}
        for name, entry in table.items():
            where = f'{section}."{name}"'  # untranslated: a TOML table's name
            entries[name.strip().lower() if section == "people" else name] = _entry(section, name, entry, users,
                                                                                  lambda reason, w=where: fail(w, reason))
        sections[section] = entries
    return Directory(users, sections["owners"], sections["departments"], sections["people"], language, channel)


def _entry(section: str, name: str, entry: object, users: dict[str, User], fail) -> Entry:
    if not isinstance(entry, dict):
        raise fail(_("must be a table of settings"))
    unknown = sorted(set(entry) - _KEYS[section])
    if unknown:
        raise fail(_("unknown key(s) {keys}; use {allowed}").format(keys=", ".join(unknown),
                                                                   allowed=", ".join(sorted(_KEYS[section]))))
    emails: tuple[str, ...] = ()
    if "email" in entry:
        raw = entry["email"]
        raw = [raw] if isinstance(raw, str) else raw
        if not isinstance(raw, list) or not raw or not all(isinstance(a, str) and _ADDRESS.fullmatch(a.strip())
                                                           for a in raw):
            raise fail(_('email must be an address or a list of addresses, like email = ["ana@example.com"]'))
        emails = tuple(a.strip().lower() for a in raw)
        strangers = [a for a in emails if a not in users]
        if strangers:
            raise fail(_("{addresses} not in the roles file's users; add them there with a role and scope, so "
                         "notify knows what they may receive").format(addresses=", ".join(strangers)))
    if section == "people" and name.strip().lower() not in users:
        raise fail(_("{address} is not in the roles file's users").format(address=name))
    hook = None
    if "webhook" in entry:
        url = entry["webhook"]
        parts = urlsplit(url.strip()) if isinstance(url, str) else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
            raise fail(_("webhook must be an http(s) address"))
        hook = Hook(url.strip(), _format(entry.get("format"), url.strip(), fail))
    elif "format" in entry:
        raise fail(_("format is set but there is no webhook"))
    language = _language(entry["language"], fail) if "language" in entry else None
    if section == "owners" and not emails:
        raise fail(_("give the owner's email: it decides what they may receive, on their webhook too"))
    if section == "departments" and not emails and hook is None:
        raise fail(_("give an email or a webhook"))
    return Entry(emails, hook, language)


def _format(raw: object, url: str, fail) -> str:
    """slack or teams: as given, else from the address (Teams' and Power Automate's hosts), else slack
    (a {"text": …} body, which most chat tools accept)."""
    if raw is None or raw == "":
        host = urlsplit(url).netloc.lower()
        teams = ("webhook.office.com", "logic.azure.com", "powerplatform.com", "powerautomate.com")
        return "teams" if host.endswith(teams) else "slack"
    if raw not in FORMATS:
        raise fail(_("format {value} is not slack or teams").format(value=repr(raw)))
    return str(raw)


def _language(raw: object, fail) -> str:
    code = i18n.parse(raw) if isinstance(raw, str) else None
    if code is None:
        raise fail(_("language {value} is not one the product speaks ({languages})").format(
            value=repr(raw), languages=", ".join(map(i18n.url_code, i18n.LANGUAGES))))
    return code


_ADDRESS = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _line_of(text: str, where: str) -> int | None:
    """The line of a table's header in the file, for the error message (None when not written as one)."""
    section, _sep, name = where.partition(".")
    name = name.strip('"')
    pattern = re.compile(r"^\s*\[\s*" + re.escape(section) + r"\s*\.\s*(\"" + re.escape(name) + r"\"|'"
                         + re.escape(name) + r"'|" + re.escape(name) + r")\s*\]")
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.match(line):
            return number
    return None
