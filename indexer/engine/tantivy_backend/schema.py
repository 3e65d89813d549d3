"""The Tantivy schema, built from the engine's field table (`indexer.engine.fields`), and the
Tantivy documents of a Document: our own analysis's terms, fed pre-tokenized."""

from __future__ import annotations

import json

import tantivy

from indexer.engine.fields import DOCUMENT_FIELDS, PAGE_FIELDS, TEXT_FIELDS, Analysed, records
from indexer.model import Document

# Bump whenever fields or their kinds change: an index of another version must be rebuilt.
SCHEMA_VERSION = "t3"

META = "meta"  # a document record's metadata as JSON (stored)
TEXT = "text"  # a page record's text (stored)
#: Exact values, indexed whole (no tokenizer), kept in columns for facets and filters.
_KEYWORDS = {"keyword", "keywords"}


def build_schema() -> tantivy.Schema:
    kinds = {**DOCUMENT_FIELDS, **PAGE_FIELDS}
    builder = tantivy.SchemaBuilder()
    for name in ("kind", "id"):
        builder.add_text_field(name, stored=name == "id", tokenizer_name="raw", fast=True)
    for name, kind in kinds.items():
        if kind in _KEYWORDS:
            builder.add_text_field(
                name, stored=name in PAGE_FIELDS, tokenizer_name="raw", fast=True
            )
        elif kind == "integer":
            builder.add_integer_field(name, stored=name in PAGE_FIELDS, indexed=True, fast=True)
    for field in TEXT_FIELDS:
        option = "position" if field.positions else "freq"
        builder.add_text_field(field.name, tokenizer_name="raw", index_option=option)
    builder.add_bytes_field(META, stored=True)
    builder.add_bytes_field(TEXT, stored=True)
    return builder.build()


def documents(doc: Document) -> list[tantivy.Document]:
    """The Tantivy documents of one document: its record, then one per page."""
    head, pages = records(doc)
    meta = {name: head[name] for name, kind in DOCUMENT_FIELDS.items()}
    stored = json.dumps({"id": doc.id, **meta}, ensure_ascii=False).encode("utf-8")
    return [_tantivy(head, {META: stored}), *(_tantivy(page, {}) for page in pages)]


def _tantivy(record: dict, stored: dict[str, bytes]) -> tantivy.Document:
    made = tantivy.Document()
    for name, value in record.items():
        kind = DOCUMENT_FIELDS.get(name) or PAGE_FIELDS.get(name)
        if isinstance(value, Analysed):
            made.add_pre_tokenized_text(name, _pretokenized(value))
        elif value is None or value == "" or kind == "stored" and name != TEXT:
            continue
        elif name == TEXT:
            made.add_bytes(TEXT, value.encode("utf-8"))
        elif kind == "integer":
            made.add_integer(name, int(value))
        elif kind == "keywords":
            for item in value:
                made.add_text(name, item)
        else:  # kind, id and keywords
            made.add_text(name, str(value))
    for name, data in stored.items():
        made.add_bytes(name, data)
    return made


def _pretokenized(value: Analysed) -> tantivy.PreTokenizedString:
    token = tantivy.Token
    return tantivy.PreTokenizedString(
        "", [token(term, position, 0, 0) for term, position in value.terms()]
    )
