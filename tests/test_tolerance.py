"""Tolerant search (issue 14) over real text: the transcribed Royal Gazette pages of
../shared/corpus/ocr_gt/gazette (each split into two pages), one of them also as OCR would
misread it, and an English law translation. Approximate Khmer phrases, exact matches first,
"did you mean", the glossary's other-language terms, capped prefixes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import SEZ_TRANSLATION, SHARED, text_pages
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indexer.engine import open_engine
from indexer.model import Document, Page
from indexer.query.search import search
from indexer.text.khmer import clean

GAZETTE = SHARED / "ocr_gt" / "gazette"
MISREAD = ("រដ្ឋសភា", "រន្ឋសភា")  # a confusion OCR makes on these pages (KNOWLEDGE §2)
PRINTED = "ដែលរដ្ឋសភាបានអនុម័ត"  # in two of the laws (and in the misread copy, misread)
READ = PRINTED.replace(*MISREAD)


def _halves(text: str) -> list[Page]:
    lines = clean(text).split("\n")
    middle = len(lines) // 2
    return [
        Page(1, "\n".join(lines[:middle]), "ocr", 1.0),
        Page(2, "\n".join(lines[middle:]), "ocr", 1.0),
    ]


@pytest.fixture(scope="module")
def texts() -> dict[str, str]:
    return {path.name.split(".")[0]: path.read_text() for path in sorted(GAZETTE.glob("*.gt.txt"))}


@pytest.fixture(scope="module")
def index(tmp_path_factory, texts, backend) -> Path:
    docs = [
        Document(name, f"f-{name}", [f"{name}.pdf"], _halves(text), languages=["km"])
        for name, text in texts.items()
    ]
    original = texts["law2003_fin26-p1"]
    assert MISREAD[0] in original
    docs.append(
        Document(
            "misread", "f-misread", ["m.pdf"], _halves(original.replace(*MISREAD)), languages=["km"]
        )
    )
    english = (SHARED / "text" / "en" / SEZ_TRANSLATION).read_text()
    docs.append(Document("sez", "f-sez", ["sez.pdf"], text_pages(english), languages=["en"]))
    index_dir = tmp_path_factory.mktemp("tolerance") / "index"
    open_engine(index_dir, backend).apply_changes(docs, [])
    return index_dir


def _ids(result: dict) -> list[str]:
    return [doc["id"] for doc in result["results"]]


def _line_of(text: str, page: int) -> str:
    """A long line of a page's text (as `_halves` cuts it), Khmer letters only."""
    lines = _halves(text)[page - 1].text.split("\n")
    line = max(lines, key=len)
    return "".join(re.findall("[\u1780-\u17ff]+", line))[:24]


def test_a_phrase_with_one_misread_cluster_finds_its_page(index, texts):
    phrase = _line_of(texts["law2000_audit-p4"], 2)
    misread = phrase[:8] + "គ" + phrase[9:]  # one letter read as another
    assert search(index, misread, tolerant=False)["total"] == 0
    result = search(index, misread)
    assert _ids(result)[0] == "law2000_audit-p4"
    first = result["results"][0]
    assert first["approximate"] is True
    assert first["pages"][0]["page"] == 2
    assert "<mark>" in first["pages"][0]["snippet"]


def test_an_exact_match_outranks_an_approximate_one(index):
    result = search(index, PRINTED, limit=50)
    exact = [doc["id"] for doc in result["results"] if not doc["approximate"]]
    close = [doc["id"] for doc in result["results"] if doc["approximate"]]
    assert "law2003_fin26-p1" in exact and "misread" in close
    assert _ids(result) == exact + close
    assert exact == _ids(search(index, PRINTED, limit=50, tolerant=False))
    assert result["total"] == len(exact) + len(close)


def test_an_ocr_misread_page_is_found_by_the_printed_phrase(index):
    result = search(index, PRINTED, limit=50)
    misread = next(doc for doc in result["results"] if doc["id"] == "misread")
    assert any(MISREAD[1] in page["snippet"] for page in misread["pages"])
    assert result["suggestions"] == []  # the typed phrase is in the library


def test_did_you_mean_offers_the_right_word_for_a_misspelt_one(index):
    result = search(index, "economic councl")
    assert result["suggestions"] == ["economic council"]
    assert "sez" in _ids(result)
    assert all(doc["approximate"] for doc in result["results"])
    assert search(index, "economic council")["suggestions"] == []


def test_a_misread_phrase_suggests_the_librarys_spelling(index):
    result = search(index, READ)  # exact in the misread copy only
    assert _ids(result)[0] == "misread"
    assert result["suggestions"] == [PRINTED]


def test_the_glossary_finds_a_khmer_document_from_an_english_query_and_says_so(index):
    plain = search(index, "commune council", lang="km")
    assert plain["total"] == 0 and plain["also_searched"] == []
    crossed = search(index, "commune council", lang="km", cross=True)
    assert "ក្រុមប្រឹក្សាឃុំ" in crossed["also_searched"]
    assert {"law2006_ccelec-p1", "law2006_ccelec-p3"} <= set(_ids(crossed))


def test_a_one_letter_prefix_is_capped_and_says_so(index):
    result = search(index, "a*")
    assert result["total"] >= 1
    assert "prefix" in result["cut_short"]
    assert search(index, "investment")["cut_short"] is None


def test_no_time_left_returns_the_exact_matches_and_says_so(index, texts):
    phrase = _line_of(texts["law2000_audit-p4"], 2)
    result = search(index, phrase[:8] + "គ" + phrase[9:], budget=0.0)
    assert result["total"] == 0 and "cut short" in result["cut_short"]


_WORDS = st.sampled_from(
    ["រដ្ឋសភា", "រន្ឋសភា", "ក្រុមប្រឹក្សាឃុំ", "ព្រះរាជក្រឹត្យ", "council", "econmic", "zone*",
     "a*", "-", '"', "OR", "NOT", "(", ")", "title:", "ឃុំ", "x"]
)  # fmt: skip


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(words=st.lists(_WORDS | st.text(max_size=6), max_size=4), cross=st.booleans())
def test_tolerance_never_raises_and_never_drops_an_exact_match(index, words, cross):
    query = " ".join(words)
    exact = search(index, query, limit=100, tolerant=False, cross=cross)
    tolerant = search(index, query, limit=100, cross=cross)
    assert _ids(tolerant)[: len(exact["results"])] == _ids(exact)
    assert tolerant["total"] >= exact["total"]
    flags = [doc["approximate"] for doc in tolerant["results"]]
    assert flags == sorted(flags)


@pytest.mark.parametrize(
    "extra",
    ["", " lang:km", " year:1990..2030", " ច្បាប់", " OR commune", " -ច្បាប់", " econmic"],
)
def test_close_only_finds_what_relaxing_adds_with_the_same_scores(index, extra):
    """What the search lists after the exact matches: the cheap tree must give exactly what the
    relaxed query adds (documents, order, scores, facets), however the phrase is combined."""
    import time

    from indexer.query import language as ql
    from indexer.query import tolerant

    engine = open_engine(index)
    node = ql.parse(PRINTED.replace(*MISREAD) + extra).node
    found = tolerant.find(engine, node, time.monotonic() + 10)
    assert found.phrases, "the misread phrase should have close matches"
    outcomes = [
        engine.search_documents(ql.And((tree, ql.Not(node))), limit=50)
        for tree in (tolerant.relax(node, found), tolerant.close_only(node, found))
    ]
    relaxed, cheap = ([(hit.metadata["id"], hit.score) for hit in o.hits] for o in outcomes)
    assert cheap == relaxed
    assert outcomes[0].total == outcomes[1].total and outcomes[0].facets == outcomes[1].facets
