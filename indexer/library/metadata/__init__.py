"""Detect what a document is — instrument type, year, title, number, languages, issuer — from
the text of its pages, so facets work on folders of files that carry no metadata at all.

Khmer instruments share one layout, and the detector reads it rather than hunting for words
anywhere: a header (kingdom, motto, issuing body, number), a heading naming the instrument type
(អនុក្រឹត្យ, ព្រះរាជក្រឹត្យ...) over its title (ស្តីពី ...), the "having seen" lines citing older
instruments (បានឃើញ ... ចុះថ្ងៃទី ...), the articles, and at the end the place and date of
signing (ធ្វើនៅ ... ថ្ងៃទី ... ខែ ... ឆ្នាំ ...), often under a lunar date line. Most real files
are scans, so every pattern tolerates the usual OCR slips. The type vocabulary lives in
data/instrument_types.json.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from indexer.library import numbers
from indexer.library.metadata import dating
from indexer.library.metadata.fields import (
    detect_issuer,
    detect_languages,
    detect_number,
)
from indexer.library.metadata.lines import HEAD_PAGES, TAIL_PAGES, pages_read
from indexer.library.metadata.sureness import PageWords, WordsOf
from indexer.library.metadata.title import detect_title, title_and_confidence
from indexer.library.metadata.types import (
    TYPE_CONFIDENCE,
    detect_type,
    type_and_source,
    type_of_title,
)
from indexer.library.metadata.year import detect_year

__all__ = [
    "HEAD_PAGES",
    "PageWords",
    "TAIL_PAGES",
    "detect",
    "detect_issuer",
    "detect_languages",
    "detect_number",
    "detect_title",
    "detect_type",
    "detect_year",
    "pages_read",
    "type_of_title",
]

#: Bump when detection changes: documents detected by an older version are detected again
#: from their stored pages at the next sync (`ddsearch rebuild` re-detects every one).
DETECTOR_VERSION = 4
#: A field detected less surely than this is doubtful: `catalog export --doubtful` lists it.
DOUBTFUL_BELOW = 0.6
#: How sure a year is that no date settles (the weighing of `detect_year` alone).
UNDATED_YEAR_CONFIDENCE = 0.4


def detect(pages: Sequence[str], filename: str = "", words_of: WordsOf | None = None) -> dict:
    """Metadata of one document from the texts of its pages, in order (raw or `khmer.clean`ed).

    Pass every page: the type, title, number and issuer come from the first HEAD_PAGES pages, the
    date from the signing line, which Khmer instruments put at the end of their text (with
    annexes after it), so all pages are read for dates. ``filename`` is a weak fallback only.
    ``words_of`` gives a page's OCR'd words (by its index in ``pages``): how surely they were
    read decides whether the signing line's day and month count (`sureness`).
    Returns title, type (a key of `indexer.vocabulary.TYPES`), date (ISO, as far as the
    evidence settles it; '' when it settles none), year (int or None), number (as a Khmer
    document prints it, `numbers.display`), languages, issuer, and ``confidence``: for each
    of title, type, date, year and number, how sure detection is (0..1; a field not found
    has none).
    """
    kind, type_source = type_and_source(pages, filename)
    guessed_year = detect_year(pages, filename, kind)
    languages = detect_languages(pages)
    # a number is evidence for the date before the date can check it: one whose year is
    # not the guessed one may be right when the guess is a misread year
    candidate = detect_number(pages, kind, guessed_year) or detect_number(pages, kind)
    dated = dating.decide(pages, kind, candidate, words_of)
    if kind == "constitution":  # a constitution keeps its adoption year, however amended
        year, date = guessed_year, str(guessed_year) if guessed_year else ""
        year_confidence = date_confidence = UNDATED_YEAR_CONFIDENCE
        told = dating.promulgation(pages, year) if year else None
        if told and told.date.startswith(date) and told.year == year:  # the date it tells of
            date, date_confidence = told.date, told.date_confidence
            year_confidence = max(year_confidence, told.year_confidence)
    elif not dated.date:  # unsettled: the year the evidence favours, else the plain weighing
        year, date = dated.year or guessed_year, ""
        year_confidence = date_confidence = min(dated.year_confidence, UNDATED_YEAR_CONFIDENCE)
    else:
        year, date = dated.year, dated.date
        year_confidence, date_confidence = dated.year_confidence, dated.date_confidence
    # read again, its year and serial checked for the decided year
    found_number = detect_number(pages, kind, year) if year else candidate
    number, number_confidence = _checked_number(found_number, kind, date, languages)
    if not dated.number_fits:  # its month and year are not the signing's: misread
        number, number_confidence = "", 0.0
    title, title_confidence = title_and_confidence(pages, filename, kind)
    confidence = {
        "title": title_confidence,
        "type": TYPE_CONFIDENCE[type_source],
        "date": date_confidence if date else None,
        "year": year_confidence if year else None,
        "number": number_confidence if number else None,
    }
    return {
        "title": title,
        "type": kind,
        "date": date,
        "year": year,
        "number": number,
        "languages": languages,
        "issuer": detect_issuer(pages),
        "confidence": {field: value for field, value in confidence.items() if value is not None},
    }


#: How sure a number is: its date agrees with the instrument's to the month, to the year, or
#: it carries none to check (a sub-decree's "៤០ អនក្រ.បក").
NUMBER_CONFIDENCE = {"month": 0.9, "year": 0.7, "unchecked": 0.6}


def _checked_number(found: str, kind: str, date: str, languages: list[str]) -> tuple[str, float]:
    """The number in its canonical form as the document's language prints it, and how sure
    it is; ('', 0) when it cannot be the instrument's: its month and year are not the date's,
    or its body's code names another type."""
    parsed = numbers.find_numbers(found)
    if not parsed:
        return found, NUMBER_CONFIDENCE["unchecked"] / 2 if found else 0.0
    number = parsed[0]
    if number.kind and kind and not _compatible(number.kind, kind):
        return "", 0.0
    agreement = "unchecked"
    royal = re.match(r"^NS/RK[MT]/(\d\d)(\d\d)/", number.canonical)
    if royal and date:
        month, yy = royal.groups()
        if int(date[:4]) % 100 != int(yy) or len(date) >= 7 and date[5:7] != month:
            return "", 0.0
        agreement = "month" if len(date) >= 7 else "year"
    khmer = "km" in languages or not languages
    return numbers.display(number.canonical, khmer), NUMBER_CONFIDENCE[agreement]


#: The types a number's code may name for a document of each type (a law is numbered by its
#: royal kram).
_NUMBERED_AS = {"law": {"royal-kram"}, "constitution": {"royal-kram"}}


def _compatible(number_kind: str, kind: str) -> bool:
    return number_kind == kind or number_kind in _NUMBERED_AS.get(kind, ())


def doubtful_fields(confidence: dict) -> list[str]:
    """The fields detected less surely than DOUBTFUL_BELOW."""
    return sorted(field for field, value in confidence.items() if value < DOUBTFUL_BELOW)


def doubtful_first(documents: list[dict]) -> list[dict]:
    """The documents with a field detected less surely than DOUBTFUL_BELOW (catalogued fields
    are sure), the least sure first: where a librarian's checking helps most."""

    def least(document: dict) -> float:
        return min((document.get("confidence") or {}).values(), default=1.0)

    return sorted((d for d in documents if least(d) < DOUBTFUL_BELOW), key=least)
