"""The Whoosh schema, its analyzers, and the records a Document becomes.

One index holds a record per document (kind "doc": metadata and the whole text, analyzed but
not stored; ranking and facets happen here) and a record per page (kind "page": the page text,
stored for snippets and analyzed for finding the best pages of the documents shown).
"""

from __future__ import annotations

import json

from whoosh import fields
from whoosh.analysis import Token, Tokenizer

from indexer.engine.fields import LIST_FIELDS
from indexer.library import numbers
from indexer.model import Document
from indexer.text import analysis
from indexer.vocabulary import date_span

# Bump whenever fields or analyzers change: an index of another version must be rebuilt.
SCHEMA_VERSION = "13"

TITLE_BOOST = 3.0  # a title hit outweighs several body hits (BM25F field weight)


class AnalyzerTokenizer(Tokenizer):
    """Adapts one of the `indexer.text.analysis` analyzers to Whoosh's tokenizer protocol."""

    def __init__(self, analyzer: analysis.Analyzer):
        self.analyzer = analyzer

    def __eq__(self, other):
        return type(other) is type(self) and other.analyzer == self.analyzer

    def __call__(
        self,
        value,
        positions=False,
        chars=False,
        keeporiginal=False,
        removestops=True,
        start_pos=0,
        start_char=0,
        tokenize=True,
        mode="",
        **kwargs,
    ):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        for text, position, start, end in self.analyzer(value):
            token.text = text
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = text
            if positions:
                token.pos = start_pos + position
            if chars:
                token.startchar = start_char + start
                token.endchar = start_char + end
            yield token


def _positional(analyzer) -> fields.TEXT:
    return fields.TEXT(analyzer=analyzer, phrase=True)


def _counted(analyzer) -> fields.TEXT:
    """Term frequencies without positions: a fraction of the size, no phrase queries."""
    return fields.TEXT(analyzer=analyzer, phrase=False)


# Analyzed fields by role; queries.py builds queries from these names. Khmer is indexed as
# cluster n-grams, n = 1, 2, 3 (a query of n <= 3 clusters is one term; a longer one a phrase
# of trigrams, so only trigrams keep positions) and, in document bodies, as segmented words.
# Latin words likewise: single words without positions, word pairs with them.
# Page records only pick the pages of documents already found: no positions there, snippets
# check the exact text.
TITLE_KHMER = {1: "title_km1", 2: "title_km2", 3: "title_km3"}
TITLE_LATIN = "title_en"  # stemmed Latin words and numbers
DOC_KHMER = {1: "body_km1", 2: "body_km2", 3: "body_km3"}
DOC_KHMER_WORDS = "body_kmw"  # segmented words, to lift whole-word matches
DOC_LATIN = "body_en"
DOC_LATIN_PAIRS = "body_en2"
PAGE_KHMER = {1: "page_km1", 2: "page_km2"}  # up to analysis.PAGE_NGRAM: trigrams would triple it
PAGE_LATIN = "page_en"


def _khmer_fields(names: dict[int, str], positions: bool) -> dict[str, fields.TEXT]:
    return {
        name: (_positional if positions and n == 3 else _counted)(
            AnalyzerTokenizer(analysis.KHMER_NGRAMS[n])
        )
        for n, name in names.items()
    }


def build_schema() -> fields.Schema:
    """Both record kinds in one schema; a field a record kind does not use stays empty."""
    return fields.Schema(
        key=fields.ID(unique=True, stored=True),  # "doc:ID" or "page:ID:N"
        kind=fields.ID(stored=True),
        id=fields.ID(stored=True, sortable=True),  # column: a page's document, without its text
        fingerprint=fields.ID(stored=True),
        page=fields.NUMERIC(stored=True),
        method=fields.ID(stored=True),
        title=fields.STORED(),
        **_khmer_fields(TITLE_KHMER, positions=True),
        **_khmer_fields(DOC_KHMER, positions=True),
        **_khmer_fields(PAGE_KHMER, positions=False),
        **{
            TITLE_LATIN: _positional(AnalyzerTokenizer(analysis.LATIN)),
            DOC_KHMER_WORDS: _positional(AnalyzerTokenizer(analysis.KHMER_WORDS)),
            DOC_LATIN: _counted(AnalyzerTokenizer(analysis.LATIN)),
            DOC_LATIN_PAIRS: _positional(AnalyzerTokenizer(analysis.LATIN_PAIRS)),
            PAGE_LATIN: _counted(AnalyzerTokenizer(analysis.LATIN)),
        },
        text=fields.STORED(),
        type=fields.ID(stored=True, sortable=True),
        year=fields.NUMERIC(stored=True, sortable=True),
        # the date as far as known (ISO), and the first and last day it may be (YYYYMMDD):
        # a date: range holds the documents whose dates lie wholly inside it
        date=fields.STORED(),
        date_from=fields.NUMERIC(bits=32, stored=True),
        date_to=fields.NUMERIC(bits=32, stored=True),
        confidence=fields.STORED(),
        **{f.name: fields.KEYWORD(stored=True, commas=True) for f in LIST_FIELDS},
        number=fields.STORED(),
        number_key=fields.ID(),  # the canonical number (indexer.library.numbers), for number:
        issuer=fields.STORED(),
        paths=fields.STORED(),
        catalogue=fields.STORED(),  # JSON of the librarian-only fields (model.LIBRARIAN_ONLY)
        work=fields.STORED(),  # the ids of the document's other language versions
        added=fields.STORED(),
        updated=fields.STORED(),
    )


def date_fields(iso: str, year: int | None) -> dict:
    """The date fields of a document record: its date, and the span of days it covers (of
    its year when it has no date), which date: ranges and sorting by date read."""
    span = date_span(iso) or date_span(str(year) if year else "")
    fields = {"date": iso}
    if span:
        fields["date_from"], fields["date_to"] = span
    return fields


def records(doc: Document) -> list[dict]:
    """The Whoosh records of one document: its document record, then one per page."""
    # A record of a printed book has no pages: its catalogue (authors, publisher, subjects,
    # notes) is what a search finds it by, and a document's is searchable the same way.
    described = [doc.issuer, *doc.catalogue.values()] if doc.catalogue else []
    body = "\n".join([*described, *(page.text for page in doc.pages)])
    titles = "\n".join(filter(None, (doc.title, doc.catalogue.get("parallel_title", ""))))
    head = {
        "key": f"doc:{doc.id}",
        "kind": "doc",
        "id": doc.id,
        "fingerprint": doc.fingerprint,
        "title": doc.title,
        **dict.fromkeys([*TITLE_KHMER.values(), TITLE_LATIN], titles),
        **dict.fromkeys([*DOC_KHMER.values(), DOC_KHMER_WORDS, DOC_LATIN, DOC_LATIN_PAIRS], body),
        "type": doc.type,
        **{f.name: ",".join(getattr(doc, f.name)) for f in LIST_FIELDS},
        "work": json.dumps(doc.work),
        "number": doc.number,
        "number_key": numbers.query_key(doc.number) if doc.number else "",
        "issuer": doc.issuer,
        "confidence": json.dumps(doc.confidence),
        "paths": json.dumps(doc.paths, ensure_ascii=False),
        "catalogue": json.dumps(doc.catalogue, ensure_ascii=False),
        "added": int(doc.added),
        "updated": doc.updated,
    }
    if doc.year is not None:
        head["year"] = doc.year
    head.update(date_fields(doc.date, doc.year))
    pages = [
        {
            "key": f"page:{doc.id}:{page.number}",
            "kind": "page",
            "id": doc.id,
            "page": page.number,
            "method": page.method,
            **dict.fromkeys([*PAGE_KHMER.values(), PAGE_LATIN], page.text),
            "text": page.text,
        }
        for page in doc.pages
    ]
    return [head, *pages]
