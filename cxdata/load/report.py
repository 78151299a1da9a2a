"""What a run did, file by file: counts, rejection reasons and notes, as the CLI prints them."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cxdata import formatting as fmt
from cxdata.i18n import _
from cxdata.load import reasons as said

REPORT_REASONS = 8  # reasons listed per file in the report; all are in rejected_rows


@dataclass
class RejectReason:
    column: str | None
    reason: str
    n_rows: int
    example_lines: list[int]


@dataclass
class FileReport:
    path: Path
    format: str
    table: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    n_read: int = 0
    n_loaded: int = 0     # new keys
    n_updated: int = 0    # existing keys whose row changed
    n_unchanged: int = 0  # existing keys loaded again as they were
    n_rejected: int = 0   # rows (a row can fail several checks)
    skipped: dict[str, int] = field(default_factory=dict)  # rows the mapping skips, by reason
    reasons: list[RejectReason] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    n_answer_due: int | None = None      # interactions: contacts judged due an answer (is_answer_due)
    n_never_answered: int | None = None  # ... of which never answered

    def text(self) -> str:
        delimiter = self.delimiter and {"\t": _("tab"), " ": _("space")}.get(self.delimiter,
                                                                            repr(self.delimiter))
        layout = ", ".join(x for x in (self.format, self.encoding,
                                       delimiter and _("delimiter {delimiter}").format(delimiter=delimiter)) if x)
        counts = {"read": fmt.count(self.n_read), "new": fmt.count(self.n_loaded),
                  "updated": fmt.count(self.n_updated), "unchanged": fmt.count(self.n_unchanged),
                  "rejected": fmt.count(self.n_rejected)}
        if self.skipped:
            done = _("read {read}: loaded {new} new, updated {updated}, unchanged {unchanged}, rejected {rejected}, "
                     "skipped {skipped} ({skips})").format(**counts, skipped=fmt.count(self.n_skipped),
                                                          skips=_skips(self.skipped))
        else:
            done = _("read {read}: loaded {new} new, updated {updated}, unchanged {unchanged}, "
                     "rejected {rejected}").format(**counts)
        lines = [f"{self.path} -> {self.table} ({layout})", f"  {done}"]
        if self.reasons:
            lines.append("  " + _("rejected by reason:"))
        for r in self.reasons[:REPORT_REASONS]:
            examples = ", ".join(str(n) for n in r.example_lines)
            if r.n_rows > len(r.example_lines):
                examples = _("{lines}, ...").format(lines=examples)
            where = _("{n} row(s), line {lines}").format(n=fmt.count(r.n_rows), lines=examples)
            if r.column:
                # i18n: one reason rows were rejected for: the column, why, how many rows and their first lines
                lines.append("    " + _("{column}: {reason} — {where}").format(column=r.column,
                                                                                reason=said.shown(r.reason), where=where))
            else:
                lines.append("    " + _("{reason} — {where}").format(reason=said.shown(r.reason), where=where))
        if len(self.reasons) > REPORT_REASONS:
            lines.append("    " + _("... and {n} more reason(s): see the rejected_rows table").format(
                n=fmt.count(len(self.reasons) - REPORT_REASONS)))
        if self.n_answer_due is not None:
            n_contacts = self.n_loaded + self.n_updated + self.n_unchanged
            lines.append(f"  {_answers(self.n_answer_due, self.n_never_answered, n_contacts)}")
        if self.ignored_columns:
            lines.append("  " + _("ignored columns: {columns}").format(columns=", ".join(self.ignored_columns)))
        lines.extend("  " + _("note: {note}").format(note=n) for n in self.notes)
        return "\n".join(lines)

    @property
    def n_skipped(self) -> int:
        return sum(self.skipped.values())


def _answers(n_due: int, n_never: int, n_contacts: int) -> str:
    """How many contacts were judged due an answer and how many never got one, with a warning when
    over half never did: the first-response medians would then read "over half never answered"."""
    counts = {"due": fmt.count(n_due), "contacts": fmt.count(n_contacts), "never": fmt.count(n_never)}
    if n_due and n_never * 2 > n_due:
        return _("answers: {due} of {contacts} contacts judged due an answer, {never} of them never answered — "
                 "over half: if these contacts are not conversations (deliveries, purchases, automatic events), "
                 "set expects_answer = false in the mapping (docs/loading.md)").format(**counts)
    return _("answers: {due} of {contacts} contacts judged due an answer, {never} of them never "
             "answered").format(**counts)


def _skips(skipped: dict[str, int]) -> str:
    """The mapping's own skip reasons (its words, as written in it) and how many rows each skipped."""
    return ", ".join(f"{said.shown(reason)}: {fmt.count(n)}" for reason, n in skipped.items())


@dataclass
class LoadReport:
    load_id: str
    files: list[FileReport]
    seconds: float = 0.0
    warnings: list = field(default_factory=list)  # checks.LoadWarning: implausible results, loaded anyway

    def total(self, name: str) -> int:
        return sum(getattr(f, name) for f in self.files)

    @property
    def outcome(self) -> str:
        return "ok_with_rejects" if self.total("n_rejected") else "ok"

    @property
    def all_rejected(self) -> bool:
        """Every row read was rejected (none skipped on purpose): a file or mapping mistake, mostly."""
        return self.total("n_rejected") > 0 and self.total("n_rejected") == self.total("n_read")

    def summary(self) -> str:
        """The run in one paragraph, sentence by sentence as reasons.SUMMARY lists them (the `loads`
        table keeps it in English: reasons.message_shown translates it for the page)."""
        rejected = self.total("n_rejected")
        skipped: dict[str, int] = {}
        for f in self.files:
            for reason, n in f.skipped.items():
                skipped[reason] = skipped.get(reason, 0) + n
        counts = {"number_files": fmt.count(len(self.files)), "number_seconds": fmt.number(self.seconds, 1),
                  "number_read": fmt.count(self.total("n_read")), "number_new": fmt.count(self.total("n_loaded")),
                  "number_updated": fmt.count(self.total("n_updated")),
                  "number_unchanged": fmt.count(self.total("n_unchanged")), "number_rejected": fmt.count(rejected),
                  "number_skipped": fmt.count(sum(skipped.values())), "skips": _skips(skipped)}
        sentences = [_(said.SUMMARY[(1 if rejected else 0) + (2 if skipped else 0)]).format(**counts)]
        if self.all_rejected:
            sentences.append(_(said.SUMMARY[4]))
        if self.warnings:
            sentences.append(_(said.SUMMARY[5]).format(number=fmt.count(len(self.warnings))))
        sentences.append(_(said.SUMMARY[6]).format(run=self.load_id))
        return " ".join(sentences)

    def text(self) -> str:
        return "\n".join([f.text() for f in self.files] + [_warning(w) for w in self.warnings] + [self.summary()])


def _warning(w) -> str:
    """A plausibility warning (checks.LoadWarning, kept in English) as the report prints it."""
    message = said.warning_shown(w.message)
    if w.look_at:
        return _("warning: {message} — look at {place}").format(message=message, place=said.look_at_shown(w.look_at))
    return _("warning: {message}").format(message=message)
