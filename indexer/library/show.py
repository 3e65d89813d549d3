"""``ddsearch show``: one document's metadata and every page's text with how it was read, so a
librarian can check what the OCR saw."""

from __future__ import annotations

from indexer.config import DataDir
from indexer.library import opened
from indexer.library.effective import Derived, effective_metadata
from indexer.library.gazetteer import gazetteer
from indexer.library.lookup import NotFound, find_document, live_row


def show(data: DataDir, target: str) -> dict:
    """The document named by ``target`` (id, path or unique file name): its fields (``places``
    as ``{code, level, km, en}``, ``work`` the ids of its other language versions and
    ``other_versions`` their ``{id, title, language}``) plus ``pages``, a list of {page, text,
    method, recipe, confidence}; raises lookup.NotFound."""
    if not data.library.exists():
        raise NotFound(f"no index in {data.root}: run `ddsearch index FOLDER` first")
    with opened(data) as (library, store):
        doc_id = find_document(library, target)
        row = live_row(library, doc_id)
        derived = Derived.read(library)
        fields, overridden = effective_metadata(row, derived)
        return {
            "id": doc_id,
            "paths": library.paths_of(doc_id),
            **fields,
            "places": gazetteer_places(fields["places"]),
            "other_versions": [_version(library, other) for other in fields["work"]],
            "overridden": overridden,
            "content_hash": row.hash,
            "added": row.added,
            "updated": row.updated,
            "pages": store.page_records(row.hash),
        }


def gazetteer_places(codes: list[str]) -> list[dict]:
    places = gazetteer().places
    return [places[code].as_dict() for code in sorted(codes) if code in places]


def _version(library, doc_id: str) -> dict:
    """Another language version of the document: its id, title and language."""
    row = live_row(library, doc_id)
    fields = effective_metadata(row)[0] if row else {"title": "", "languages": []}
    return {"id": doc_id, "title": fields["title"], "language": fields["languages"]}


def format_document(record: dict) -> str:
    """The record as text: metadata lines, then each page under a rule naming how it was read."""
    lines = [f"{key}: {record[key]}" for key in ("id", "title", "type", "date", "year", "number")]
    lines += [f"languages: {', '.join(record['languages']) or '-'}", f"issuer: {record['issuer']}"]
    sure = record.get("confidence") or {}
    lines += [f"confidence: {' '.join(f'{k} {v:.2f}' for k, v in sorted(sure.items())) or '-'}"]
    lines += [
        f"places: {'; '.join(p['en'] + ' (' + p['code'] + ')' for p in record['places']) or '-'}"
    ]
    lines += [
        f"{'+'.join(v['language']) or '?'} version: {v['title']} (id {v['id']})"
        for v in record["other_versions"]
    ]
    lines += [f"path: {path}" for path in record["paths"]]
    for page in record["pages"]:
        how = page["method"]
        if page["recipe"]:
            how += f", recipe {page['recipe']}"
        if page["confidence"] is not None:
            how += f", confidence {page['confidence']:.2f}"
        lines += ["", f"--- page {page['page']} ({how}) ---", page["text"]]
    return "\n".join(lines)
