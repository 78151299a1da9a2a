"""What a run did, file by file: counts, rejection reasons and notes, as the CLI prints them."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

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
        delimiter = self.delimiter and {"\t": "tab", " ": "space"}.get(self.delimiter,
                                                                      repr(self.delimiter))
        layout = ", ".join(x for x in (self.format, self.encoding,
                                       delimiter and f"delimiter {delimiter}") if x)
        lines = [f"{self.path} -> {self.table} ({layout})",
                 f"  read {self.n_read:,}: loaded {self.n_loaded:,} new, updated {self.n_updated:,}, "
                 f"unchanged {self.n_unchanged:,}, rejected {self.n_rejected:,}"
                 + (f", skipped {self.n_skipped:,} ({_skips(self.skipped)})" if self.skipped else "")]
        if self.reasons:
            lines.append("  rejected by reason:")
        for r in self.reasons[:REPORT_REASONS]:
            more = ", ..." if r.n_rows > len(r.example_lines) else ""
            examples = ", ".join(str(n) for n in r.example_lines)
            label = f"{r.column}: " if r.column else ""
            lines.append(f"    {label}{r.reason} — {r.n_rows:,} row(s), line {examples}{more}")
        if len(self.reasons) > REPORT_REASONS:
            lines.append(f"    ... and {len(self.reasons) - REPORT_REASONS} more reason(s): "
                         "see the rejected_rows table")
        if self.n_answer_due is not None:
            n_contacts = self.n_loaded + self.n_updated + self.n_unchanged
            lines.append(f"  {_answers(self.n_answer_due, self.n_never_answered, n_contacts)}")
        if self.ignored_columns:
            lines.append(f"  ignored columns: {', '.join(self.ignored_columns)}")
        lines.extend(f"  note: {n}" for n in self.notes)
        return "\n".join(lines)

    @property
    def n_skipped(self) -> int:
        return sum(self.skipped.values())


def _answers(n_due: int, n_never: int, n_contacts: int) -> str:
    """How many contacts were judged due an answer and how many never got one, with a warning when
    over half never did: the first-response medians would then read "over half never answered"."""
    text = (f"answers: {n_due:,} of {n_contacts:,} contacts judged due an answer, "
            f"{n_never:,} of them never answered")
    if n_due and n_never * 2 > n_due:
        text += (" — over half: if these contacts are not conversations (deliveries, purchases, automatic "
                 "events), set expects_answer = false in the mapping (docs/loading.md)")
    return text


def _skips(skipped: dict[str, int]) -> str:
    return ", ".join(f"{reason}: {n:,}" for reason, n in skipped.items())


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
        rejected = self.total("n_rejected")
        where = " (see the rejected_rows table)" if rejected else ""
        skipped: dict[str, int] = {}
        for f in self.files:
            for reason, n in f.skipped.items():
                skipped[reason] = skipped.get(reason, 0) + n
        skips = f", {sum(skipped.values()):,} skipped ({_skips(skipped)})" if skipped else ""
        warning = " Every row was rejected: nothing loaded." if self.all_rejected else ""
        if self.warnings:
            warning += f" {len(self.warnings)} plausibility warning(s): see the Data & loads page."
        return (f"Loaded {len(self.files)} file(s) in {self.seconds:.1f}s: "
                f"{self.total('n_read'):,} rows read, {self.total('n_loaded'):,} new, "
                f"{self.total('n_updated'):,} updated, {self.total('n_unchanged'):,} unchanged, "
                f"{rejected:,} rejected{where}{skips}.{warning} Run {self.load_id}.")

    def text(self) -> str:
        warnings = [f"warning: {w.text()}" for w in self.warnings]
        return "\n".join([f.text() for f in self.files] + warnings + [self.summary()])
