"""Text shown in the language of this run that also keeps its English: a refusal is shown to the
visitor in their language, while the audit log, whose entries are hashed and compared over years,
records it in English, the same whatever language the visitor reads.

A `Sentence` is a str (the translated text), so it is shown, compared and formatted like any other;
`english()` gives back the English, for a sentence, for an exception raised with one, or for the
fields inside one (a roles-file mistake named in a refusal).
"""
from __future__ import annotations

from cxdata.i18n import _


class Sentence(str):
    """`_(message).format(**fields)`, remembering `message.format(**fields)` in English. Mark the
    message for the catalogs where it is written: `Sentence(N_("... {path} ..."), path=path)`."""

    english: str

    def __new__(cls, message: str, **fields: object) -> Sentence:
        shown = super().__new__(cls, _(message).format(**fields))
        shown.english = message.format(**{key: english(value) for key, value in fields.items()})
        return shown


def english(text: object) -> object:
    """The English of a Sentence, or of an exception raised with one; anything else as it is."""
    if isinstance(text, BaseException):
        return english(text.args[0]) if len(text.args) == 1 else str(text)
    return getattr(text, "english", text)
