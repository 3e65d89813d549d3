"""``ddsearch show``: one document's metadata and every page's text with how it was read, so a
librarian can check what the OCR saw."""

from __future__ import annotations

from indexer.config import DataDir
from indexer.library import opened
from indexer.library.catalog import effective_metadata
from indexer.library.lookup import NotFound, find_document, live_row


def show(data: DataDir, target: str) -> dict:
    """The document named by ``target`` (id, path or unique file name): its fields plus
    ``pages``, a list of {page, text, method, recipe, confidence}; raises lookup.NotFound."""
    if not data.library.exists():
        raise NotFound(f"no index in {data.root}: run `ddsearch index FOLDER` first")
    with opened(data) as (library, store):
        doc_id = find_document(library, target)
        row = live_row(library, doc_id)
        fields, overridden = effective_metadata(row)
        return {
            "id": doc_id,
            "paths": library.paths_of(doc_id),
            **fields,
            "overridden": overridden,
            "content_hash": row.hash,
            "added": row.added,
            "updated": row.updated,
            "pages": store.page_records(row.hash),
        }


def format_document(record: dict) -> str:
    """The record as text: metadata lines, then each page under a rule naming how it was read."""
    lines = [f"{key}: {record[key]}" for key in ("id", "title", "type", "date", "year", "number")]
    lines += [f"languages: {', '.join(record['languages']) or '-'}", f"issuer: {record['issuer']}"]
    sure = record.get("confidence") or {}
    lines += [f"confidence: {' '.join(f'{k} {v:.2f}' for k, v in sorted(sure.items())) or '-'}"]
    lines += [f"path: {path}" for path in record["paths"]]
    for page in record["pages"]:
        how = page["method"]
        if page["recipe"]:
            how += f", recipe {page['recipe']}"
        if page["confidence"] is not None:
            how += f", confidence {page['confidence']:.2f}"
        lines += ["", f"--- page {page['page']} ({how}) ---", page["text"]]
    return "\n".join(lines)
