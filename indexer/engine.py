"""Everything that touches the Whoosh index on disk: open, write in one commit, read back."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from whoosh import index
from whoosh.query import Term

from indexer.model import Document
from indexer.schema import build_schema, records


def open_index(index_dir: Path, create: bool = True) -> index.Index:
    """Open the index in ``index_dir``, creating an empty one there when ``create`` allows."""
    if index.exists_in(str(index_dir)):
        return index.open_dir(str(index_dir))
    if not create:
        raise FileNotFoundError(f"no index in {index_dir}: run `ddsearch index PATH` first")
    index_dir.mkdir(parents=True, exist_ok=True)
    return index.create_in(str(index_dir), build_schema())


def apply_changes(index_dir: Path, upserts: Iterable[Document], delete_ids: Iterable[str]) -> None:
    """Replace and delete documents in ONE commit, so a crash leaves the old or the new state."""
    ix = open_index(index_dir)
    writer = ix.writer(timeout=60)
    try:
        for doc_id in delete_ids:
            writer.delete_by_term("id", doc_id)
        for doc in upserts:
            writer.delete_by_term("id", doc.id)
            for record in records(doc):
                writer.add_document(**record)
    except BaseException:
        writer.cancel()
        raise
    writer.commit(merge=False)


def indexed_fingerprints(index_dir: Path) -> dict[str, str]:
    """Map every indexed document id to the fingerprint it was indexed with."""
    if not index.exists_in(str(index_dir)):
        return {}
    with open_index(index_dir).searcher() as searcher:
        return {fields["id"]: fields["fingerprint"] for fields in searcher.documents(kind="doc")}


def index_stats(index_dir: Path) -> dict:
    """Counts of documents and pages, and pages by how their text was obtained."""
    if not index.exists_in(str(index_dir)):
        return {"documents": 0, "pages": 0, "pages_by_method": {}}
    with open_index(index_dir).searcher() as searcher:
        documents = searcher.doc_count_all() and len(list(searcher.document_numbers(kind="doc")))
        methods = Counter(fields["method"] for fields in searcher.documents(kind="page"))
    return {
        "documents": documents,
        "pages": sum(methods.values()),
        "pages_by_method": dict(methods),
    }


def get_document(index_dir: Path, doc_id: str) -> dict | None:
    """The stored fields of one document record, or None when the id is not indexed."""
    with open_index(index_dir, create=False).searcher() as searcher:
        return searcher.document(key=f"doc:{doc_id}")


def get_page_texts(index_dir: Path, doc_id: str) -> list[dict]:
    """Page number, text and method of every page of a document, in page order."""
    with open_index(index_dir, create=False).searcher() as searcher:
        pages = [
            searcher.stored_fields(number) for number in searcher.docs_for_query(Term("id", doc_id))
        ]
    return sorted(
        (
            {"page": p["page"], "text": p["text"], "method": p["method"]}
            for p in pages
            if p["kind"] == "page"
        ),
        key=lambda p: p["page"],
    )
