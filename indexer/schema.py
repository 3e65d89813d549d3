"""The Whoosh schema and the records a Document becomes (one per document, one per page)."""

from __future__ import annotations

import json

from whoosh import fields

from indexer.model import Document

SCHEMA_VERSION = "1"


def build_schema() -> fields.Schema:
    """Document records carry metadata and the whole text; page records carry stored page text."""
    return fields.Schema(
        key=fields.ID(unique=True, stored=True),
        kind=fields.ID(stored=True),
        id=fields.ID(stored=True),
        fingerprint=fields.ID(stored=True),
        page=fields.NUMERIC(stored=True),
        method=fields.ID(stored=True),
        title=fields.TEXT(stored=True, field_boost=3.0),
        body=fields.TEXT(),
        text=fields.STORED(),
        type=fields.ID(stored=True, sortable=True),
        year=fields.NUMERIC(stored=True, sortable=True),
        languages=fields.KEYWORD(stored=True, commas=True),
        number=fields.STORED(),
        issuer=fields.STORED(),
        paths=fields.STORED(),
        added=fields.NUMERIC(stored=True, sortable=True, numtype=float),
    )


def records(doc: Document) -> list[dict]:
    """The Whoosh records of one document: its document record, then one per page."""
    head = {
        "key": f"doc:{doc.id}",
        "kind": "doc",
        "id": doc.id,
        "fingerprint": doc.fingerprint,
        "title": doc.title,
        "body": "\n".join(page.text for page in doc.pages),
        "type": doc.type,
        "languages": ",".join(doc.languages),
        "number": doc.number,
        "issuer": doc.issuer,
        "paths": json.dumps(doc.paths, ensure_ascii=False),
        "added": doc.added,
    }
    if doc.year is not None:
        head["year"] = doc.year
    pages = [
        {
            "key": f"page:{doc.id}:{page.number}",
            "kind": "page",
            "id": doc.id,
            "page": page.number,
            "method": page.method,
            "body": page.text,
            "text": page.text,
        }
        for page in doc.pages
    ]
    return [head, *pages]
