"""The engine contract (`indexer.engine.Engine`), run over every backend in BACKENDS, the
way tantivy-py runs one suite over two index kinds: what the indexing run and the query
layer rely on, through the interface only."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest

from indexer.engine import BACKENDS, Engine, open_engine
from indexer.model import Document, Method, Page
from indexer.query import language as ql


@pytest.fixture(params=sorted(BACKENDS))
def engine(request, tmp_path) -> Engine:
    # As the code gets it: one engine per location and process, its searchers kept open.
    return open_engine(tmp_path / "index", request.param)


def document(doc_id: str, *texts: str, **fields) -> Document:
    pages = [Page(n, text, Method.TEXT, 1.0) for n, text in enumerate(texts, 1)]
    return Document(doc_id, f"h-{doc_id}", [f"{doc_id}.pdf"], pages, fingerprint=doc_id, **fields)


LAW = document(
    "law",
    "ច្បាប់ស្តីពីការគ្រប់គ្រងរដ្ឋបាលឃុំ សង្កាត់",
    "commune council budget",
    title="ច្បាប់ស្តីពីការគ្រប់គ្រងរដ្ឋបាលឃុំ",
    type="law",
    year=2001,
    languages=["km", "en"],
)
REPORT = document(
    "report", "annual report on the budget", type="report", year=2020, languages=["en"]
)


def test_a_new_location_has_no_index_until_created(engine):
    assert not engine.exists()
    engine.create()
    assert engine.exists()
    assert engine.stats() == {"documents": 0, "pages": 0, "pages_by_method": {}}
    assert engine.fingerprints() == {} and engine.inventory() == {}


def test_changes_are_applied_and_read_back(engine):
    engine.apply_changes([LAW, REPORT], [])
    assert engine.fingerprints() == {"law": "law", "report": "report"}
    assert engine.document("law")["year"] == 2001 and engine.document("nope") is None
    assert [p["page"] for p in engine.pages("law")] == [1, 2]
    assert engine.stats() == {"documents": 2, "pages": 3, "pages_by_method": {"text": 3}}
    assert engine.inventory() == {"law": Counter({1: 1, 2: 1}), "report": Counter({1: 1})}
    engine.apply_changes([replace(REPORT, fingerprint="v2")], ["law"])
    assert engine.fingerprints() == {"report": "v2"}
    assert engine.pages("law") == []


def test_every_page_method_is_counted(engine):
    pages = [Page(n, "text" if n < 3 else "", method, 1.0) for n, method in enumerate(Method, 1)]
    engine.apply_changes([Document("d", "h", ["d.pdf"], pages)], [])
    counts = engine.stats()["pages_by_method"]
    assert counts == {method.value: 1 for method in Method}
    assert engine.stats()["pages"] == len(Method)


def test_search_ranks_facets_and_gives_candidate_pages(engine):
    engine.apply_changes([LAW, REPORT], [])
    outcome = engine.search_documents(ql.parse("budget").node)
    assert outcome.total == 2 and {hit.metadata["id"] for hit in outcome.hits} == {"law", "report"}
    assert outcome.facets["type"] == {"law": 1, "report": 1}
    assert outcome.facets["year"] == {"2020": 1, "2001": 1}
    law = next(hit for hit in outcome.hits if hit.metadata["id"] == "law")
    assert [number for number, _ in law.pages] == [2]
    bare = engine.search_documents(ql.parse("budget").node, pages_per_document=0)
    assert bare.total == 2 and all(hit.pages == [] for hit in bare.hits)
    khmer = engine.search_documents(ql.parse("ឃុំ").node)
    assert [hit.metadata["id"] for hit in khmer.hits] == ["law"]
    assert engine.candidate_pages(ql.parse("ឃុំ").node, "law")[0][0] == 1
    newest = engine.search_documents(None, sort="newest")
    assert [hit.metadata["id"] for hit in newest.hits] == ["report", "law"]


def test_a_rebuild_replaces_the_whole_index(engine):
    engine.apply_changes([LAW, REPORT], [])
    engine.rebuild([REPORT])
    assert engine.fingerprints() == {"report": "report"}
    assert engine.search_documents(ql.parse("ឃុំ").node).total == 0


def test_a_data_folder_switches_engine_by_rebuilding_from_its_store(tmp_path):
    """`--engine` moves a folder's index to another engine from the store (no extraction),
    the folder keeps the choice, and the next sync leaves it there; readers follow."""
    from make_corpus import write_data_folder

    from indexer.config import DataDir
    from indexer.engine import backend_of
    from indexer.indexing import sync
    from indexer.library import opened
    from indexer.query.search import search

    data = DataDir(tmp_path / "data")
    write_data_folder(data.root, 3, pages_per_document=2)
    said = []
    assert sync.rebuild(data, said.append) == 3 and backend_of(data.index) == "whoosh"
    word = search(data.index, "the")["total"]
    for engine in ("tantivy", "whoosh", "tantivy"):
        sync.rebuild(data, said.append, engine)
        assert backend_of(data.index) == data.engine == engine
        assert search(data.index, "the")["total"] == word
    with opened(data) as (library, store):
        sync.sync_index(data, library, store, said.append)  # nothing to do: stays Tantivy
    assert backend_of(data.index) == "tantivy" and len(list(tmp_path.glob("data/index-*"))) == 1
    data.engine_file.write_text("whoosh\n")  # as `ddsearch index --engine whoosh` leaves it
    with opened(data) as (library, store):
        sync.sync_index(data, library, store, said.append)
    assert backend_of(data.index) == "whoosh" and "rebuilding it from the store" in said[-1]


def test_list_fields_are_filtered_faceted_and_given_back(engine):
    """Places (and languages): every list field of the table, on every engine."""
    kandal = replace(LAW, places=["08", "0801", "080101"], work=["report"])
    engine.apply_changes([kandal, replace(REPORT, places=["12"])], [])
    outcome = engine.search_documents(ql.Facet("place", "0801"))
    assert [hit.metadata["id"] for hit in outcome.hits] == ["law"]
    assert engine.search_documents(None).facets["place"] == {"08": 1, "12": 1, "0801": 1}
    assert engine.document("law")["places"] == ["08", "0801", "080101"]
    assert engine.document("law")["work"] == ["report"]
    assert engine.search_documents(ql.Facet("lang", "en")).total == 2


def test_dates_are_ranged_sorted_and_given_back(engine):
    """A date known to its day, to its month, or only by its year: date: holds a document when
    every day its date may be is inside the range; by date, a date known less exactly comes
    after the days it may be, newest first and oldest first; undated documents last."""
    day = replace(LAW, date="2004-07-15", confidence={"date": 0.9})
    month = document("month", "budget", date="2004-07", year=2004)
    year = document("year", "budget", year=2004)
    undated = document("undated", "budget")
    before = document("before", "budget", date="2003-12-31", year=2003)
    engine.apply_changes([day, month, year, undated, before], [])
    assert engine.document("law")["date"] == "2004-07-15"
    assert engine.document("law")["confidence"] == {"date": 0.9}
    assert engine.document("undated")["date"] == "" and engine.document("year")["confidence"] == {}

    def found(query: str, sort: str = "relevance") -> list[str]:
        outcome = engine.search_documents(ql.parse(query).node if query else None, sort=sort)
        return [hit.metadata["id"] for hit in outcome.hits]

    assert found("date:2004-07-15") == ["law"]
    assert sorted(found("date:2004-07")) == ["law", "month"]
    assert sorted(found("date:2004")) == ["law", "month", "year"]
    assert found("date:2004-07-16..2005") == []
    assert sorted(found("date:..2004-07-31")) == ["before", "law", "month"]
    assert sorted(found("date:2004-07..")) == ["law", "month"]
    assert found("", "newest") == ["law", "month", "year", "before", "undated"]
    assert found("", "oldest") == ["before", "law", "month", "year", "undated"]


def test_catalogue_fields_are_searched_and_given_back(engine):
    """The librarian's fields on every engine: a record of a printed book (no file, no pages)
    is found by its parallel title (a title match) and by its publisher, subjects and notes
    (its body); every field is given back, "" when not given."""
    book = Document(
        "book",
        "",
        [],
        [],
        title="ផែនការអភិវឌ្ឍន៍ឃុំ",
        type="book",
        year=2015,
        issuer="Ministry of Interior",
        fingerprint="book",
        catalogue={
            "parallel_title": "Commune Development Plan",
            "publisher": "Angkor Printing House",
            "subjects": "decentralisation; planning",
            "call_number": "352.14 MOI",
            "shelf": "B-3",
            "notes": "two copies, one annotated",
        },
    )
    bodied = document("plans", "a commune development plan, and other plans for development")
    engine.apply_changes([book, REPORT, bodied], [])
    given = engine.document("book")
    assert {name: given[name] for name in book.catalogue} == book.catalogue
    assert given["paths"] == [] and engine.pages("book") == []
    assert engine.document("report")["shelf"] == "" and engine.document("report")["notes"] == ""

    def found(query: str) -> list[str]:
        return [hit.metadata["id"] for hit in engine.search_documents(ql.parse(query).node).hits]

    assert found("development plan") == ["book", "plans"]  # a title match outranks the body's
    assert found("angkor printing") == ["book"]
    assert found("decentralisation") == ["book"]
    assert found("annotated") == ["book"]
    assert found("ផែនការ") == ["book"]
    assert found("budget") == ["report"]  # the book's fields are its own
    titled = engine.search_documents(ql.parse("angkor").node).hits
    assert [hit.metadata["id"] for hit in titled] == ["book"] and titled[0].pages == []
