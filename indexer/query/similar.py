"""More like this: the documents most like one, in either language, found by the engine's own
ranking of the document's vocabulary through the glossary.

A document's most frequent glossary entries (indexer/data/glossary.tsv: D&D and legal terms,
each with its Khmer and English terms) stand for what it is about in both languages at once,
and its title words for what it is in its own; a search for any of them, ranked by the index's
own term statistics (rare terms weigh more), finds the documents sharing most of them, Khmer
or English. The document and its other language versions (its work) are left out.
"""

from __future__ import annotations

from pathlib import Path

from indexer.engine import open_engine
from indexer.query import language as ql
from indexer.text.glossary import concepts, entries

#: The glossary entries of a document searched for, its most frequent first.
TERMS = 12
#: The text read for them: the first pages say what an instrument is about.
READ_CHARS = 30_000
SHOWN = 5
#: Entries every instrument names (its type, "article", Cambodia) say nothing of its matter.
_GENERIC_DOMAINS = ("instrument", "place")


def similar(index_dir: Path, doc_id: str, limit: int = SHOWN) -> list[dict]:
    """Up to ``limit`` documents most like ``doc_id``, best first: ``{"id", "title", "type",
    "year", "language"}``; [] for an unknown document or one with nothing to go on."""
    engine = open_engine(Path(index_dir))
    if not engine.exists() or (doc := engine.document(doc_id)) is None:
        return []
    node = query(doc["title"], [page["text"] for page in engine.pages(doc_id)])
    if node is None:
        return []
    left_out = {doc_id, *doc.get("work", [])}
    found = engine.search_documents(node, limit=limit + len(left_out), pages_per_document=0)
    return [
        {
            "id": hit.metadata["id"],
            "title": hit.metadata["title"],
            "type": hit.metadata["type"],
            "year": hit.metadata["year"],
            "language": hit.metadata["languages"],
        }
        for hit in found.hits
        if hit.metadata["id"] not in left_out
    ][:limit]


def query(title: str, pages: list[str]) -> ql.Node | None:
    """Any of the document's main glossary entries, in either language, or of its title's
    words: an OR the engine ranks."""
    text = title + "\n" + "\n".join(pages)[:READ_CHARS]
    glossary = entries()
    found = [
        number
        for number, _ in concepts(text).most_common()
        if glossary[number].domain not in _GENERIC_DOMAINS
    ][:TERMS]
    terms = {term for number in found for term in (glossary[number].en[0], glossary[number].km[0])}
    leaves = [ql.Text(term) for term in sorted(terms)]
    leaves += [ql.Text(word) for word in title.split() if len(word) > 3][:8]
    return ql.Or(tuple(leaves)) if leaves else None
