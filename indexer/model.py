"""The records that flow from extraction to the index, shared by every stage."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from indexer.text.analysis import PageTokens


class Method(StrEnum):
    """How a page's text was obtained; stored as its string value."""

    TEXT = "text"  # the PDF's own text layer, trusted by the quality gate
    CONVERTED = "converted"  # a legacy-font (Limon, ABC) text layer converted to Unicode, trusted
    OCR = "ocr"  # read by Tesseract
    EMPTY = "empty"  # OCR'd, and nothing was read (a blank page)
    SKIPPED = "skipped"  # the gate failed it under --ocr never: awaiting OCR

    @property
    def is_ocr_done(self) -> bool:
        """Whether OCR has run on the page (a blank page's OCR is done too)."""
        return self in (Method.OCR, Method.EMPTY)


#: Catalogue fields only a librarian gives (detection never fills them): the title in the other
#: language, a book's publisher, subjects, and where a printed copy is kept.
LIBRARIAN_ONLY = ("parallel_title", "publisher", "subjects", "call_number", "shelf", "notes")


@dataclass(frozen=True)
class Page:
    """One page as extracted: its text and how we got it."""

    number: int  # 1-based
    text: str  # cleaned text (khmer.clean applied), what snippets are cut from
    method: Method
    quality: float  # quality-gate score of the text layer, 0..1 (1.0 for OCR'd pages)
    #: The text's analysis when it was kept (`indexer.indexing.analyses`), else None.
    tokens: PageTokens | None = field(default=None, compare=False, repr=False)


@dataclass
class Document:
    """A document as the index sees it: one content hash, any number of paths (none for a
    record of a printed copy without a file)."""

    id: str  # stable public id, never reused
    content_hash: str  # sha256 hex of the file bytes
    paths: list[str]  # library-relative paths, POSIX separators
    pages: list[Page]
    title: str = ""
    type: str = "other"  # instrument type key from indexer/data/instrument_types.json
    date: str = ""  # signing date, ISO as far as settled: "2004-07-15", "2004-07", "2004", ""
    year: int | None = None
    number: str = ""  # reference number as printed, e.g. "៤០ អនក្រ.បក" or "នស/រកម/០៥០៨/០១៧"
    languages: list[str] = field(default_factory=list)  # ["km"], ["en"], ["km", "en"]
    issuer: str = ""
    confidence: dict = field(default_factory=dict)  # detected field -> how sure, 0..1
    places: list[str] = field(default_factory=list)  # gazetteer codes, each with its parents
    work: list[str] = field(default_factory=list)  # ids of its versions in another language
    added: float = 0.0  # unix time first indexed
    updated: float = 0.0  # unix time of the last content change
    fingerprint: str = ""  # changes whenever anything indexed about the document changes
    catalogue: dict[str, str] = field(default_factory=dict)  # LIBRARIAN_ONLY fields, non-empty
