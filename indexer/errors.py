"""The errors a user can meet, each raised with a sentence that says what to do.

The command line turns them into exit statuses (README, "Exit status") and the website into
pages with the same sentence; nothing else needs to know which module raised them.
"""

from __future__ import annotations


class DdsearchError(Exception):
    """Base of the errors below; str() is the sentence to show."""


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
