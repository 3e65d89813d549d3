"""The index's fields, for every engine: one table of what a document and its pages become.

An index holds a record per document (ranking, facets, sorting: a few thousand records, not a
hundred thousand pages; KNOWLEDGE §4) and a record per page (its stored text, and its terms
for finding the best pages of the documents shown and the pages of a close match). Each
backend builds its schema from these tables and writes the records `records` gives; adding a
field is an entry here and, for a new kind of field, one case per backend.

A list field holds several values per document (its languages, the places it concerns): every
backend indexes its values as exact keywords that the query language's facet names (``lang:``,
``place:``), stores them with the document, and counts them for the search's facets. A new
list field is a row of LIST_FIELDS (and a Document attribute), not a special case in each
backend.

Analysed fields get their terms from `indexer.text.analysis.stream` over the pages' analyses
(`Page.tokens`, kept between builds by the indexing run, else made here), so no engine runs an
analyser of its own and a rebuild does not segment Khmer again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from indexer.library import numbers
from indexer.model import LIBRARIAN_ONLY, Document, Page
from indexer.text import analysis
from indexer.vocabulary import date_span

DOCUMENT, PAGE = "doc", "page"  # the record kinds


@dataclass(frozen=True)
class ListField:
    """A field of several exact values per document."""

    name: str  # the Document attribute, the stored field and the metadata key
    query: str  # its facet's name in the query tree (`indexer.querytree.Facet.field`)
    facet: str  # its name among a search's facet counts
    levels: tuple[int, ...] = ()  # value lengths counted as facets (all when empty)


LIST_FIELDS = (
    ListField("languages", "lang", "language"),
    # places by gazetteer code; the facet counts provinces (2 digits) and districts (4)
    ListField("places", "place", "place", levels=(2, 4)),
)


@dataclass(frozen=True)
class TextField:
    """An analysed field: the ``stream`` of ``source`` ("title", "body": the document's pages,
    or "page"), with positions (phrases) or counts only (a fraction of the size)."""

    name: str
    source: str
    stream: str
    positions: bool


# Khmer is indexed as cluster n-grams, n = 1, 2, 3 (a query of n <= 3 clusters is one term; a
# longer one a phrase of trigrams, so only trigrams keep positions) and, in document bodies,
# as segmented words. Latin words likewise: single words without positions, word pairs with
# them. Page records only pick the pages of documents already found: no positions there,
# snippets check the exact text.
TITLE_KHMER = {1: "title_km1", 2: "title_km2", 3: "title_km3"}
TITLE_LATIN = "title_en"  # stemmed Latin words and numbers
DOC_KHMER = {1: "body_km1", 2: "body_km2", 3: "body_km3"}
DOC_KHMER_WORDS = "body_kmw"  # segmented words, to lift whole-word matches
DOC_LATIN = "body_en"
DOC_LATIN_PAIRS = "body_en2"
PAGE_KHMER = {1: "page_km1", 2: "page_km2"}  # up to analysis.PAGE_NGRAM: trigrams would triple it
PAGE_LATIN = "page_en"

#: Ranking weights, the same in every engine: a title hit outweighs several body hits (a
#: field weight), a whole-word Khmer match lifts its n-gram match (measured: tests), and a
#: document whose number a query names outranks every one that merely contains its words.
TITLE_BOOST = 3.0
WORD_LIFT = 4.0
FACET_SCORES = {"number_key": 1000.0}
#: The query tree's facet names that are another field's.
FACET_FIELDS = {"number": "number_key", **{f.query: f.name for f in LIST_FIELDS}}

TEXT_FIELDS = (
    *(TextField(name, "title", f"km{n}", n == 3) for n, name in TITLE_KHMER.items()),
    TextField(TITLE_LATIN, "title", "en", True),
    *(TextField(name, "body", f"km{n}", n == 3) for n, name in DOC_KHMER.items()),
    TextField(DOC_KHMER_WORDS, "body", "kmw", True),
    TextField(DOC_LATIN, "body", "en", False),
    TextField(DOC_LATIN_PAIRS, "body", "en2", True),
    *(TextField(name, "page", f"km{n}", False) for n, name in PAGE_KHMER.items()),
    TextField(PAGE_LATIN, "page", "en", False),
)

#: The other fields of document records, by kind: "keyword" an exact value (filters, facets,
#: sorting), "keywords" several such values, "integer" a number (ranges, sorting), "stored"
#: only given back. Every one but number_key is given back as the document's metadata.
DOCUMENT_FIELDS = {
    "fingerprint": "keyword",
    "title": "stored",
    "type": "keyword",
    "year": "integer",
    # the date as far as known (ISO), and the first and last day it may be (YYYYMMDD): a
    # date: range holds the documents whose days lie wholly inside it (`date_days`)
    "date": "stored",
    "date_from": "integer",
    "date_to": "integer",
    **{f.name: "keywords" for f in LIST_FIELDS},
    "number": "stored",
    "number_key": "keyword",  # the canonical number (indexer.library.numbers), for number:
    "issuer": "stored",
    "confidence": "stored",  # detected field -> how sure
    "paths": "stored",
    # what only a librarian gives (a title in the other language, a book's publisher,
    # subjects, where a printed copy is kept), each a text
    **dict.fromkeys(LIBRARIAN_ONLY, "stored"),
    "work": "stored",  # the ids of the document's other language versions
    "added": "stored",
    "updated": "stored",
}
#: Fields of page records besides ``id``: "page" and "method" given back with "text".
PAGE_FIELDS = {"page": "integer", "method": "keyword", "text": "stored"}


@dataclass(frozen=True)
class Analysed:
    """An analysed field's value: its terms are composed when the engine asks (`terms`), in
    the process that indexes it; the texts' analyses are shared by all fields of a record."""

    stream: str
    texts: tuple[analysis.PageTokens, ...]

    def terms(self) -> list[analysis.Term]:
        return analysis.stream(self.stream, self.texts)


def latin_words(text) -> tuple[list[str], list[str]]:
    """A query text's Latin index terms as every engine searches them: the words of its
    phrase, and the stems its last word may begin (typed word*: its term and, when they
    differ, the word as typed), none without a prefix."""
    terms = list(text.terms.latin)
    if not text.prefix or not terms:
        return terms, []
    typed = text.terms.typed_last or terms[-1]
    return terms[:-1], sorted({terms[-1], typed} if typed.isalnum() else {terms[-1]})


def word_pairs(terms: list[str]) -> list[str]:
    """A phrase's overlapping word pairs ("land use"), each one term of the pairs field."""
    return [f"{a} {b}" for a, b in zip(terms, terms[1:], strict=False)]


def records(doc: Document) -> tuple[dict, list[dict]]:
    """The document's record and its pages' records: analysed fields as `Analysed` values,
    the others as plain values (None: no value)."""
    pages = tuple(page_tokens(page) for page in doc.pages)
    titles = "\n".join(filter(None, (doc.title, doc.catalogue.get("parallel_title", ""))))
    title = analysis.page_tokens(titles, words=False)
    sources = {"title": (title,), "body": (*_described(doc), *pages)}
    days = date_days(doc.date, doc.year) or (None, None)
    head = {
        "kind": DOCUMENT,
        "id": doc.id,
        **{f.name: Analysed(f.stream, sources[f.source]) for f in _of("title", "body")},
        "fingerprint": doc.fingerprint,
        "title": doc.title,
        "type": doc.type,
        "year": doc.year,
        "date": doc.date,
        "date_from": days[0],
        "date_to": days[1],
        **{f.name: list(getattr(doc, f.name)) for f in LIST_FIELDS},
        "number": doc.number,
        "number_key": numbers.query_key(doc.number) if doc.number else "",
        "issuer": doc.issuer,
        "confidence": dict(doc.confidence),
        "paths": list(doc.paths),
        **{name: doc.catalogue.get(name, "") for name in LIBRARIAN_ONLY},
        "work": list(doc.work),
        "added": doc.added,
        "updated": doc.updated,
    }
    page_records = [
        {
            "kind": PAGE,
            "id": doc.id,
            "page": page.number,
            "method": str(page.method),
            "text": page.text,
            **{f.name: Analysed(f.stream, (tokens,)) for f in _of("page")},
        }
        for page, tokens in zip(doc.pages, pages, strict=True)
    ]
    return head, page_records


def _described(doc: Document) -> tuple[analysis.PageTokens, ...]:
    """The analysis of a document's catalogue (issuer, publisher, subjects, notes...), searched
    with its body: a record of a printed book has no pages, this is what a search finds it by."""
    if not doc.catalogue:
        return ()
    return (analysis.page_tokens("\n".join([doc.issuer, *doc.catalogue.values()])),)


def date_days(iso: str, year: int | None) -> tuple[int, int] | None:
    """The first and last day (YYYYMMDD) a document's date may be: of its year when it has
    no date; None when undated. date: ranges and sorting by date read them."""
    return date_span(iso) or date_span(str(year) if year else "")


def page_tokens(page: Page) -> analysis.PageTokens:
    """A page's analysis: the one kept with it, else made now."""
    return page.tokens if page.tokens is not None else analysis.page_tokens(page.text)


def metadata(head: dict) -> dict:
    """A document's metadata as the engine gives it back (`DocumentHit.metadata`), from the
    stored values of its record (an older record may lack some)."""
    return {
        "id": head["id"],
        "title": head.get("title") or "",
        "type": head.get("type") or "other",
        "date": head.get("date") or "",
        "year": head.get("year"),
        **{f.name: list(head.get(f.name) or []) for f in LIST_FIELDS},
        "number": head.get("number") or "",
        "issuer": head.get("issuer") or "",
        "confidence": dict(head.get("confidence") or {}),
        "paths": list(head.get("paths") or []),
        **{name: head.get(name) or "" for name in LIBRARIAN_ONLY},
        "work": list(head.get("work") or []),
        "added": head.get("added") or 0.0,
        "updated": head.get("updated") or 0.0,
    }


def dumps(value) -> str:
    """A stored list as text (for engines that store text only)."""
    return json.dumps(value, ensure_ascii=False)


def _of(*sources: str) -> list[TextField]:
    return [f for f in TEXT_FIELDS if f.source in sources]
