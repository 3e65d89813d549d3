"""The errors a user can meet, each raised with a sentence that says what to do.

The command line turns them into exit statuses (README, "Exit status") and the website into
pages with the same sentence; nothing else needs to know which module raised them.
"""

from __future__ import annotations


class Sentence(str):
    """A sentence for a person, in English, that keeps its message key and values, so that an
    interface in another language can say it in its own words (`search_web.i18n.say`); it is
    a plain string everywhere else (the command line, logs, JSON)."""

    key: str
    values: dict

    def __new__(cls, key: str, english: str, **values) -> Sentence:
        return cls._made(english.format(**values), key, values)

    @classmethod
    def _made(cls, text: str, key: str, values: dict) -> Sentence:
        made = super().__new__(cls, text)
        made.key, made.values = key, values
        return made

    def as_sentence(self) -> Sentence:
        """The same words as a whole sentence: a capital first and a full stop."""
        return self._made(self[:1].upper() + self[1:].rstrip(".") + ".", self.key, self.values)


def sentence_of(text: str) -> Sentence | str:
    """``text`` as a whole sentence, keeping its key when it has one."""
    if isinstance(text, Sentence):
        return text.as_sentence()
    return text[:1].upper() + text[1:].rstrip(".") + "."


class DdsearchError(Exception):
    """Base of the errors below; str() is the sentence to show."""

    @property
    def sentence(self) -> str:
        """The sentence as raised: a `Sentence` keeps its key for other languages."""
        return self.args[0] if self.args and isinstance(self.args[0], str) else str(self)


class BadParameter(DdsearchError, ValueError):
    """A filter, sort, limit, offset or option value is wrong; the message says how."""


class IndexMissing(DdsearchError):
    """No index exists at the place asked for: nothing has been indexed there."""


class IndexVersionError(DdsearchError):
    """The index on disk was built with other fields or analyzers than this version's."""


class IndexBusy(DdsearchError):
    """Another live process is writing to the same data folder."""


class OcrUnavailable(DdsearchError):
    """Tesseract, or one of the languages asked for, is not installed."""


class BrokerUnavailable(DdsearchError):
    """The OCR queue's broker (Redis) cannot be reached, or stopped answering."""


class OcrRefused(DdsearchError):
    """An OCR worker refused a page (another ddsearch version, a missing Tesseract language)."""


class PageMissing(DdsearchError):
    """No indexed document has this id, or it has no such page, or its file is gone."""


class RendererBusy(DdsearchError):
    """Every page renderer stayed busy for the whole wait: try again in a moment."""
