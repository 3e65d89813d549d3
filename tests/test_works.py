"""A work in two languages, places and "more like this", end to end on real corpus files: the
1993 Constitution in Khmer (its Limon pages, converted) and in English, the 1981 Constitution as
the control that must not be linked, and a Khmer news story naming places."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from conftest import PDFS, SHARED, cut_pages, on_engine, web_client

from indexer.config import DataDir
from indexer.extract.ocr import DEFAULT_LANG
from indexer.indexing.progress import Progress
from indexer.indexing.run import run_index
from indexer.library import works
from indexer.library.show import show
from indexer.library.state import Library
from indexer.query import search

pytestmark = pytest.mark.slow  # indexing runs with worker processes

KANDAL = "08"


def run(data: DataDir, library: Path) -> dict:
    progress = Progress(quiet=True)
    report = run_index(
        data, [library], jobs=2, ocr_mode="auto", ocr_lang=DEFAULT_LANG, progress=progress
    )
    return report.to_dict()


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[DataDir, Path, dict[str, str]]:
    base = tmp_path_factory.mktemp("works")
    library, data = base / "library", DataDir(base / "data")
    library.mkdir()
    # only the converted (Limon) pages: no OCR in this test
    cut_pages(PDFS / "km_constitution_1993_limon.pdf", list(range(1, 34)), library / "km1993.pdf")
    cut_pages(PDFS / "km_constitution_limon.pdf", list(range(1, 21)), library / "km1981.pdf")
    shutil.copy(SHARED / "text/en/cdc-the-constitution.txt", library / "en_constitution.txt")
    shutil.copy(SHARED / "text/en/cdc-land-law-010430.txt", library / "en_land_law.txt")
    story = "text/voa_km/2018-07-24-government-leans-on-civil-servants.md"
    shutil.copy(SHARED / story, library / "story.md")
    report = run(data, library)
    assert not report["failed"], report["failed"]
    ids = {Path(entry["path"]).name: entry["id"] for entry in report["added"]}
    return data, library, ids


@pytest.fixture(scope="module", params=["whoosh", "tantivy"])
def indexed(request, built, tmp_path_factory) -> tuple[DataDir, Path, dict[str, str]]:
    """The library on each engine (the same library folder)."""
    data, library, ids = built
    moved = on_engine(data.root, request.param, tmp_path_factory.mktemp("works-engine"))
    return DataDir(moved), library, ids


def links(data: DataDir) -> dict[str, list[str]]:
    library = Library(data.library)
    try:
        return works.stored(library.db)
    finally:
        library.close()


def write_catalog(library: Path, rows: list[dict]) -> None:
    with (library / "catalog.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["id", "year", "work", "places"])
        writer.writeheader()
        writer.writerows(rows)


def test_a_translation_and_its_original_are_linked_and_no_other(indexed):
    data, _, ids = indexed
    assert links(data) == {
        ids["en_constitution.txt"]: [ids["km1993.pdf"]],
        ids["km1993.pdf"]: [ids["en_constitution.txt"]],
    }


def test_each_version_names_the_other_on_its_page_in_its_json_and_beside_a_hit(indexed):
    data, _, ids = indexed
    english, khmer = ids["en_constitution.txt"], ids["km1993.pdf"]
    client = web_client(data.root)
    api = client.get(f"/api/doc/{english}").get_json()
    assert [(v["id"], v["language"]) for v in api["other_versions"]] == [(khmer, ["km"])]
    page = client.get(f"/doc/{khmer}").data.decode()
    assert "English version" in page and f"/doc/{english}" in page
    assert "កំណែភាសាអង់គ្លេស" in client.get(f"/doc/{khmer}?lang_ui=km").data.decode()
    recorded = show(data, english)
    assert recorded["work"] == [khmer] and recorded["other_versions"][0]["language"] == ["km"]
    hits = search.search(data.index, "sovereignty", tolerant=False)["results"]
    (hit,) = [h for h in hits if h["id"] == english]
    assert [v["id"] for v in hit["other_versions"]] == [khmer]


def test_more_like_this_leaves_out_the_document_and_its_work(indexed):
    data, _, ids = indexed
    similar = web_client(data.root).get(f"/api/doc/{ids['en_constitution.txt']}").get_json()
    shown = [doc["id"] for doc in similar["similar"]]
    assert 0 < len(shown) <= 5
    assert ids["en_constitution.txt"] not in shown and ids["km1993.pdf"] not in shown
    assert ids["km1981.pdf"] in shown  # the other constitution, in Khmer, is the most like it


def test_places_of_a_story_are_a_facet_a_filter_and_a_query(indexed):
    data, _, ids = indexed
    story = ids["story.md"]
    result = search.search(data.index, "", limit=20)
    assert result["facets"]["place"].get(KANDAL) == 1
    assert [r["id"] for r in search.search(data.index, "", place=KANDAL)["results"]] == [story]
    for query in ("place:Kandal", "place:កណ្តាល", "place:ខេត្តកណ្ដាល"):
        assert [r["id"] for r in search.search(data.index, query)["results"]] == [story], query
    client = web_client(data.root)
    page = client.get(f"/search?place={KANDAL}").data.decode()
    assert 'class="places"' in page and "Kandal" in page
    assert "កណ្ដាល" in client.get(f"/doc/{story}?lang_ui=km").data.decode()


def test_the_catalogue_sets_confirms_and_removes_links_and_places(indexed):
    data, library, ids = indexed
    english, km1993, km1981 = ids["en_constitution.txt"], ids["km1993.pdf"], ids["km1981.pdf"]
    # the control of the same type and year: still no link
    write_catalog(library, [{"id": km1981, "year": "1993", "work": "", "places": ""}])
    run(data, library)
    assert links(data)[english] == [km1993]
    # a librarian removes the link, and gives the story no place
    rows = [
        {"id": english, "year": "", "work": "-", "places": ""},
        {"id": ids["story.md"], "year": "", "work": "", "places": "-"},
    ]
    write_catalog(library, rows)
    run(data, library)
    assert links(data) == {}
    assert search.search(data.index, "place:Kandal")["total"] == 0
    # ... and sets another one, which both documents show
    write_catalog(library, [{"id": english, "year": "", "work": km1981, "places": "Pailin"}])
    run(data, library)
    assert links(data) == {english: [km1981], km1981: [english]}
    assert show(data, km1981)["work"] == [english]
    assert "work" in show(data, english)["overridden"]
    assert [r["id"] for r in search.search(data.index, "place:Pailin")["results"]] == [english]
    (library / "catalog.csv").unlink()
    run(data, library)
    assert links(data)[english] == [km1993]
