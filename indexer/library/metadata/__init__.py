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

from collections.abc import Sequence

from indexer.library.metadata.fields import (
    detect_issuer,
    detect_languages,
    detect_number,
)
from indexer.library.metadata.lines import HEAD_PAGES, TAIL_PAGES, pages_read
from indexer.library.metadata.title import detect_title
from indexer.library.metadata.types import detect_type, type_of_title
from indexer.library.metadata.year import detect_year

__all__ = [
    "HEAD_PAGES",
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


def detect(pages: Sequence[str], filename: str = "") -> dict:
    """Metadata of one document from the texts of its pages, in order (raw or `khmer.clean`ed).

    Pass every page: the type, title, number and issuer come from the first HEAD_PAGES pages, the
    year from the signing date, which Khmer instruments put at the end of their text (with
    annexes after it), so all pages are read for dates. ``filename`` is a weak fallback only.
    Returns title, type (a key of `indexer.vocabulary.TYPES`), year (int or None), number,
    languages, issuer.
    """
    kind = detect_type(pages, filename)
    year = detect_year(pages, filename, kind)
    return {
        "title": detect_title(pages, filename, kind),
        "type": kind,
        "year": year,
        "number": detect_number(pages, kind, year),
        "languages": detect_languages(pages),
        "issuer": detect_issuer(pages),
    }
