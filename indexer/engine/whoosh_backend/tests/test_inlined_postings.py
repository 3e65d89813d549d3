"""Short posting lists kept in Whoosh's term table (INLINE_POSTINGS) survive Whoosh's own
merging of small segments: an index committed a document at a time (a librarian's
corrections, one sync each) is merged as its segments pile up."""

from __future__ import annotations

from whoosh import index

from indexer.engine import open_engine
from indexer.model import Document, Method, Page
from indexer.query import language as ql


def _document(n: int) -> Document:
    text = f"commune budget report number{n} ឃុំ"
    pages = [Page(1, text, Method.TEXT, 1.0)]
    return Document(f"d{n}", f"h{n}", [f"d{n}.pdf"], pages, fingerprint=f"d{n}", type="report")


def test_segments_of_inlined_postings_are_merged_and_read(tmp_path):
    engine = open_engine(tmp_path / "index", "whoosh")
    commits = 12
    for n in range(commits):
        engine.apply_changes([_document(n)], [])
    ix = index.open_dir(str(tmp_path / "index"))
    assert len(ix._segments()) < commits  # Whoosh merged some: their postings were read back
    assert engine.fingerprints() == {f"d{n}": f"d{n}" for n in range(commits)}
    assert engine.search_documents(ql.parse("budget").node).total == commits
    assert engine.search_documents(ql.parse("number7").node).hits[0].metadata["id"] == "d7"
    assert engine.search_documents(ql.Facet("type", "report")).total == commits
    assert engine.search_documents(ql.parse("ឃុំ").node).total == commits
