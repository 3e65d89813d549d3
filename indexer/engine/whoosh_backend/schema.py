"""The Whoosh schema, built from the engine's field table (`indexer.engine.fields`), and the
Whoosh records of a Document.

One index holds a record per document (kind "doc": metadata and the whole text, analysed but
not stored; ranking and facets happen here) and a record per page (kind "page": the page text,
stored for snippets and analysed for finding the best pages of the documents shown).
"""

from __future__ import annotations

import json

from whoosh import fields
from whoosh.analysis import Token, Tokenizer

from indexer.engine.fields import DOCUMENT_FIELDS, PAGE_FIELDS, TEXT_FIELDS, Analysed
from indexer.engine.fields import records as engine_records
from indexer.model import Document

# Bump whenever fields or analyzers change: an index of another version must be rebuilt.
SCHEMA_VERSION = "15"


class Terms(str):
    """An analysed value (`fields.Analysed`): Whoosh indexes only text, so it rides on an
    empty string."""

    analysed: Analysed

    @classmethod
    def of(cls, analysed: Analysed) -> Terms:
        value = cls()
        value.analysed = analysed
        return value


class PreTokenized(Tokenizer):
    """Gives Whoosh the terms and positions the analysis made (`Terms`): Whoosh analyses
    nothing itself."""

    def __eq__(self, other):
        return type(other) is type(self)

    def __call__(self, value, positions=False, removestops=True, mode="", **kwargs):
        if not isinstance(value, Terms):
            raise TypeError("ddsearch's Whoosh fields take analysed terms (schema.Terms)")
        token = Token(positions, False, removestops=removestops, mode=mode, **kwargs)
        for text, position in value.analysed.terms():
            token.text = text
            token.boost = 1.0
            token.stopped = False
            if positions:
                token.pos = position
            yield token


#: How each kind of field of the table is kept in Whoosh.
_KINDS = {
    "keyword": lambda: fields.ID(stored=True, sortable=True),
    "keywords": lambda: fields.KEYWORD(stored=True, commas=True),
    "integer": lambda: fields.NUMERIC(stored=True, sortable=True),
    "stored": fields.STORED,
}


def build_schema() -> fields.Schema:
    """Both record kinds in one schema; a field a record kind does not use stays empty."""
    kinds = {**DOCUMENT_FIELDS, **PAGE_FIELDS}
    return fields.Schema(
        key=fields.ID(unique=True, stored=True),  # "doc:ID" or "page:ID:N"
        kind=fields.ID(stored=True),
        id=fields.ID(stored=True, sortable=True),  # column: a page's document, without its text
        **{name: _KINDS[kind]() for name, kind in kinds.items()},
        **{f.name: fields.TEXT(analyzer=PreTokenized(), phrase=f.positions) for f in TEXT_FIELDS},
    )


_ANALYSED = {f.name for f in TEXT_FIELDS}
_KIND = {**DOCUMENT_FIELDS, **PAGE_FIELDS}


def records(doc: Document) -> list[dict]:
    """The Whoosh records of one document: its document record, then one per page."""
    head, pages = engine_records(doc)
    return [
        _whoosh(head, key=f"doc:{doc.id}"),
        *(_whoosh(page, key=f"page:{doc.id}:{page['page']}") for page in pages),
    ]


def _whoosh(record: dict, key: str) -> dict:
    kept = {"key": key}
    for name, value in record.items():
        if value is None:
            continue  # Whoosh leaves the field empty
        if name in _ANALYSED:
            kept[name] = Terms.of(value)
        elif _KIND.get(name) == "keywords":
            kept[name] = ",".join(value)
        elif isinstance(value, list | dict):  # stored lists and maps (paths, work, confidence)
            kept[name] = json.dumps(value, ensure_ascii=False)
        else:
            kept[name] = value
    return kept
