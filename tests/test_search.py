"""Search over an index of real documents from ../shared/corpus: Khmer and English, facets,
page hits and snippets, the query language, and the JSON contract."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import SEZ_TRANSLATION, SPEECH_TITLE

from indexer.engine import open_engine
from indexer.engine.whoosh_backend.backend import VERSION_FILE
from indexer.errors import IndexVersionError
from indexer.model import Document, Page
from indexer.query.search import format_results_text, is_costly, matching_pages, search


@pytest.fixture(scope="module")
def index(tmp_path_factory, corpus_documents, backend) -> Path:
    index_dir = tmp_path_factory.mktemp("search") / "index"
    open_engine(index_dir, backend).apply_changes(corpus_documents, [])
    return index_dir


def ids(result: dict) -> list[str]:
    return [doc["id"] for doc in result["results"]]


def marked(result: dict) -> list[str]:
    """Every highlighted string in the result's snippets."""
    return [
        text
        for doc in result["results"]
        for page in doc["pages"]
        for text in re.findall("<mark>(.*?)</mark>", page["snippet"])
    ]


def page_containing(doc: Document, text: str) -> int:
    return next(page.number for page in doc.pages if text in page.text)


def test_khmer_title_phrase_finds_the_instrument_and_its_page(index, corpus_documents):
    result = search(index, SPEECH_TITLE)
    assert ids(result)[0] == "speech"
    assert 1 in [page["page"] for page in result["results"][0]["pages"]]


def test_khmer_chapter_title_finds_the_right_page(index, corpus_documents):
    constitution = corpus_documents[1]
    heading = "អំពីការគ្រប់គ្រងរដ្ឋបាល"
    result = search(index, heading)
    assert ids(result) == ["constitution"]
    pages = [page["page"] for page in result["results"][0]["pages"]]
    chapter = page_containing(constitution, f"ថ្មី. {heading}")  # the chapter's own page
    table_of_contents = page_containing(constitution, heading)  # the preface lists it too
    assert chapter != table_of_contents
    assert pages[:2] == [chapter, table_of_contents]


def test_khmer_typed_with_spaces_finds_the_same(index):
    assert ids(search(index, "ការគ្រប់គ្រង រដ្ឋបាល")) == ids(search(index, "ការគ្រប់គ្រងរដ្ឋបាល"))


def test_either_spelling_of_coeng_da_finds_the_other(index, corpus_documents):
    speech = "\n".join(page.text for page in corpus_documents[0].pages)
    assert "ផ្តល់" in speech and "ផ្ដល់" not in speech
    result = search(index, "ផ្ដល់")
    assert {"speech", "constitution"} <= set(ids(result))
    assert set(marked(result)) == {"ផ្តល់"}  # the page's own spelling is shown
    # The constitution writes សម្ដេច once and សម្តេច twice, on different pages.
    with_da, with_ta = search(index, "សម្ដេច"), search(index, "សម្តេច")
    assert with_da == {**with_ta, "query": "សម្ដេច"}
    assert ids(with_da) == ["constitution"]
    expected = {
        page.number
        for page in corpus_documents[1].pages
        if "សម្ដេច" in page.text or "សម្តេច" in page.text
    }
    assert {page["page"] for page in with_da["results"][0]["pages"]} == expected
    assert {"សម្ដេច", "សម្តេច"} <= set(marked(with_da))


def test_khmer_digits_find_arabic_digits_and_back(index):
    khmer = search(index, "២០០១", limit=50)
    arabic = search(index, "2001", limit=50)
    assert ids(khmer) == ids(arabic)
    assert "constitution" in ids(khmer)  # written ២០០១ there
    assert any(doc["language"] == ["en"] for doc in khmer["results"])  # written 2001 there
    assert {"២០០១", "2001"} <= set(marked(khmer))


def test_english_query_finds_the_english_translation(index):
    result = search(index, "special economic zones")
    assert ids(result)[0] == SEZ_TRANSLATION.removesuffix(".txt")[:40]
    top = result["results"][0]
    assert top["language"] == ["en"] and top["pages"]
    assert {word.lower() for word in marked(result)} >= {"special", "economic", "zone"}


def test_english_stems_meet(index):
    assert set(ids(search(index, "councils", limit=100))) == set(
        ids(search(index, "council", limit=100))
    )


def test_english_phrase_is_stricter_than_its_words(index):
    words = search(index, "land use", limit=100)
    phrase = search(index, '"land use"', limit=100)
    assert 0 < phrase["total"] <= words["total"]
    assert set(ids(phrase)) <= set(ids(words))


def test_boolean_operators(index):
    council = set(ids(search(index, "council", limit=100)))
    zone = set(ids(search(index, "zone", limit=100)))
    assert set(ids(search(index, "council AND zone", limit=100))) == council & zone
    assert set(ids(search(index, "council OR zone", limit=100))) == council | zone
    assert set(ids(search(index, "council -zone", limit=100))) == council - zone
    assert set(ids(search(index, "council NOT zone", limit=100))) == council - zone
    assert set(ids(search(index, "(council OR zone) -land", limit=100))) <= council | zone


def test_title_field_searches_titles_only(index):
    result = search(index, "title:investment", limit=100)
    assert result["total"] > 0
    assert all("investment" in doc["title"].lower() for doc in result["results"])
    assert result["total"] < search(index, "investment", limit=100)["total"]


def test_prefix(index):
    result = search(index, "concess*", limit=100)
    assert result["total"] >= search(index, "concessions", limit=100)["total"] > 0
    assert all(word.lower().startswith("concess") for word in marked(result))


def test_facets_count_documents_and_filters_narrow(index):
    everything = search(index, "", limit=0)
    assert everything["total"] == sum(everything["facets"]["type"].values())
    assert everything["facets"]["language"] == {"en": everything["total"] - 2, "km": 2}
    laws = search(index, "type:law")
    assert laws["total"] == everything["facets"]["type"]["law"]
    assert search(index, "", type="law")["total"] == laws["total"]
    khmer = search(index, "", lang="km")
    assert sorted(ids(khmer)) == ["constitution", "speech"]
    assert search(index, "lang:khmer")["total"] == 2


def test_year_filters_and_ranges(index):
    facets = search(index, "")["facets"]["year"]
    in_range = sum(n for year, n in facets.items() if 1994 <= int(year) <= 2000)
    assert search(index, "year:1994..2000")["total"] == in_range
    assert search(index, "", year="1994..2000")["total"] == in_range
    assert search(index, "year:១៩៩៣")["total"] == facets["1993"]
    assert search(index, "year:..1993")["total"] == sum(
        n for year, n in facets.items() if int(year) <= 1993
    )


def test_sort_by_the_instruments_year(index):
    newest = search(index, "law", sort="newest", limit=100)["results"]
    years = [doc["year"] for doc in newest if doc["year"] is not None]
    assert years == sorted(years, reverse=True)
    assert [doc["year"] for doc in newest][-1] is None or None not in years
    oldest = [d["year"] for d in search(index, "law", sort="oldest", limit=100)["results"]]
    assert [y for y in oldest if y is not None] == sorted(y for y in oldest if y is not None)


def test_pagination(index):
    everything = ids(search(index, "law", limit=100))
    assert ids(search(index, "law", limit=5, offset=5)) == everything[5:10]
    assert search(index, "law", limit=5, offset=5)["total"] == len(everything)


def test_relevance_order_and_title_weight(index):
    result = search(index, "investment", limit=100)
    scores = [doc["score"] for doc in result["results"]]
    assert scores == sorted(scores, reverse=True)
    assert "investment" in result["results"][0]["title"].lower()


@pytest.mark.parametrize(
    "query",
    [
        '"council',  # unbalanced quote
        'council "land use',
        "AND",  # lone operator
        "council AND",
        "OR council",
        "NOT",
        "council OR",
        "foo:bar",  # unknown field
        "author:ហ៊ុនសែន",
        "year:abc",
        "year:",
        "lang:fr",
        "(council",
        "council)",
        "title:",
        '"',
        "-",
        "*",
        "((()))",
        "ឃុំ AND OR",
    ],
)
def test_malformed_queries_never_raise(index, query):
    result = search(index, query)
    assert result["total"] >= 0
    json.dumps(result)


def test_malformed_query_falls_back_to_its_words_and_says_so(index):
    result = search(index, 'council "economic zone')
    assert "quote" in result["warning"]
    assert ids(result) == ids(search(index, "council economic zone"))
    unknown = search(index, "subject:investment")
    assert "subject:" in unknown["warning"]
    assert ids(unknown) == ids(search(index, "subject investment"))
    assert search(index, "council")["warning"] is None


def test_bad_filters_are_errors_with_a_sentence(index):
    with pytest.raises(ValueError, match="year"):
        search(index, "council", year="last year")
    with pytest.raises(ValueError, match="Sort"):
        search(index, "council", sort="best")
    with pytest.raises(ValueError):
        search(index, "council", limit=-1)


def test_json_contract(index):
    result = search(index, "ផ្ដល់ OR council", limit=3)
    assert set(result) == {
        "query",
        "warning",
        "notice",
        "sort",
        "offset",
        "limit",
        "total",
        "results",
        "facets",
        "suggestions",
        "also_searched",
        "cut_short",
    }
    assert set(result["facets"]) == {"type", "year", "language", "place"}
    for doc in result["results"]:
        assert set(doc) == {
            "id",
            "title",
            "type",
            "date",
            "year",
            "number",
            "language",
            "paths",
            "call_number",
            "shelf",
            "places",
            "other_versions",
            "score",
            "approximate",
            "pages",
        }
        assert isinstance(doc["paths"], list) and isinstance(doc["language"], list)
        for page in doc["pages"]:
            assert set(page) == {"page", "snippet"} and isinstance(page["page"], int)
    assert json.loads(json.dumps(result, ensure_ascii=False)) == result


def test_snippets_are_escaped_html_on_whole_clusters(index):
    attaching = re.compile("[\u17b4-\u17d3\u17dd]")  # Khmer vowels, signs, COENG
    result = search(index, "ព្រះមហាក្សត្រ OR ការ OR ឃុំ", limit=5)
    snippets = [page["snippet"] for doc in result["results"] for page in doc["pages"]]
    assert len(snippets) >= 5
    for html in snippets:
        assert "<" not in re.sub("</?mark>", "", html)
        for piece in re.split("</?mark>", html):
            piece = piece.removeprefix("…").removesuffix("…")
            assert not attaching.match(piece), piece  # nothing dangles at a cut or a mark
            assert not piece.endswith("\u17d2"), piece


def test_human_output_lists_ranks_pages_and_facets(index):
    text = format_results_text(search(index, "ផ្ដល់", limit=2))
    assert "1. " in text and "p. " in text and "«ផ្តល់»" in text
    assert "By type:" in text
    assert "No documents match" in format_results_text(search(index, "zzzzqqq"))


def test_a_commit_is_seen_by_the_next_search(tmp_path, corpus_documents):
    index_dir = tmp_path / "index"
    speech = corpus_documents[0]
    open_engine(index_dir).apply_changes([speech], [])
    assert ids(search(index_dir, "ផ្ដល់")) == ["speech"]
    open_engine(index_dir).apply_changes([], ["speech"])
    assert search(index_dir, "ផ្ដល់")["total"] == 0
    assert open_engine(index_dir).stats() == {"documents": 0, "pages": 0, "pages_by_method": {}}


def test_an_index_with_nothing_in_it_answers_every_search_with_no_results(tmp_path):
    """An index before the first document (or a library folder with no PDFs) has no segments:
    Whoosh gives it an empty reader, which has no segment to key caches on."""
    index_dir = tmp_path / "index"
    open_engine(index_dir).apply_changes([], [])
    assert open_engine(index_dir).stats() == {"documents": 0, "pages": 0, "pages_by_method": {}}
    for query in ["ផ្ដល់", '"ក្រុមប្រឹក្សា ឃុំ"', "commune -council", "title:law*", ""]:
        for sort in ["relevance", "newest"]:
            result = search(index_dir, query, type="prakas", year="2001..2020", sort=sort)
            assert (result["total"], result["results"]) == (0, [])
    assert open_engine(index_dir).document("speech") is None
    assert open_engine(index_dir).pages("speech") == []
    assert open_engine(index_dir).fingerprints() == {}
    assert matching_pages(index_dir, "speech", "ផ្ដល់") == []


def test_matching_pages_of_one_document(index, corpus_documents):
    pages = matching_pages(index, "constitution", "សម្ដេច")
    expected = {
        page.number
        for page in corpus_documents[1].pages
        if "សម្ដេច" in page.text or "សម្តេច" in page.text
    }
    assert {page["page"] for page in pages} == expected
    assert all("<mark>" in page["snippet"] for page in pages)
    assert matching_pages(index, "constitution", "") == []
    assert matching_pages(index, "speech", "zzzzqqq") == []


def test_pages_holding_a_phrase_words_apart_are_not_shown(tmp_path):
    index_dir = tmp_path / "index"
    pages = [
        Page(1, "The land is wide. We use water.", "text", 1.0),  # both words, apart
        Page(2, "Rules on land use for communes.", "text", 1.0),
    ]
    open_engine(index_dir).apply_changes([Document("d", "h", ["d.pdf"], pages, title="t")], [])
    result = search(index_dir, '"land use"')
    assert [page["page"] for page in result["results"][0]["pages"]] == [2]
    assert [page["page"] for page in matching_pages(index_dir, "d", '"land use"')] == [2]


def test_document_and_pages_read_back(index, corpus_documents):
    doc = open_engine(index).document("speech")
    assert doc["title"].endswith(SPEECH_TITLE) and doc["year"] == 2025
    pages = open_engine(index).pages("speech")
    assert [p["page"] for p in pages] == [p.number for p in corpus_documents[0].pages]
    assert open_engine(index).document("no-such-id") is None
    assert open_engine(index).fingerprints()["speech"] == ""


def test_an_index_of_another_schema_version_asks_for_a_rebuild(tmp_path, corpus_documents):
    index_dir = tmp_path / "index"
    open_engine(index_dir).apply_changes(corpus_documents[:1], [])
    (index_dir / VERSION_FILE).write_text("0\n")
    with pytest.raises(IndexVersionError, match="ddsearch rebuild"):
        open_engine(index_dir).fingerprints()


@pytest.mark.parametrize(
    ("query", "costly"),
    [
        ("commune council", False),
        ('"special economic zone" OR ក្រុមប្រឹក្សាឃុំ', False),
        ("decentrali*", True),
        (" OR ".join(["commune", "council", "budget", "zone", "land"]), True),
        ("ការ" * 30, True),
    ],
)
def test_costly_queries_are_told_from_ordinary_ones(query, costly):
    """The website runs costly searches in a lane of their own (search_web/views.py)."""
    assert is_costly(query) is costly
