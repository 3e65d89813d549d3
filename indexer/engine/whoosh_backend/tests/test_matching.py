"""The array matcher (matching.py) against Whoosh's own matchers, on an index of real
documents from ../shared/corpus: the same documents, the same scores, the same order.

The index has two segments and deletions, as one gets after the librarian re-indexes a few
changed files, so the per-segment offsets and the dropping of deleted records are exercised.
"""

from __future__ import annotations

import numpy as np
import pytest
from whoosh import query as wq

from indexer import querytree as qt
from indexer.engine import open_engine
from indexer.engine.fields import DOC_LATIN, PAGE_KHMER, PAGE_LATIN
from indexer.engine.lastused import LastUsed
from indexer.engine.whoosh_backend import matching
from indexer.engine.whoosh_backend.backend import WhooshEngine
from indexer.engine.whoosh_backend.queries import document_query
from indexer.query import language as ql
from indexer.text.analysis import KHMER_NGRAMS

USER_QUERIES = [
    "រដ្ឋធម្មនុញ្ញ",
    "ការគ្រប់គ្រងរដ្ឋបាល",
    "ការគ្រប់គ្រង រដ្ឋបាល",
    "គ្រូបង្រៀន OR រដ្ឋធម្មនុញ្ញ",
    "ព្រះមហាក្សត្រ -រដ្ឋធម្មនុញ្ញ",
    "title:សុន្ទរកថា",
    "commune",
    "special economic zone",
    '"special economic zone"',
    "investment OR budget",
    "council -commune",
    "develop*",
    "econ*",
    "special economic zo*",
    "title:sub decree",
    "zone budget commune",
]
FILTERS = [("law", None), (None, "1990..2010"), ("sub-decree", "2000..2030")]


@pytest.fixture(scope="module")
def searcher(tmp_path_factory, corpus_documents):
    index_dir = tmp_path_factory.mktemp("matching") / "index"
    open_engine(index_dir).apply_changes(corpus_documents, [])
    changed = corpus_documents[:2] + corpus_documents[-3:]
    open_engine(index_dir).apply_changes(changed, [corpus_documents[5].id])
    opened = WhooshEngine(index_dir)._opened()
    searcher = opened.searcher
    assert len(searcher.leaf_searchers()) == 2
    assert any(leaf.reader().has_deletions() for leaf, _ in searcher.leaf_searchers())
    yield searcher
    opened.close()


def whoosh_matches(searcher, query: wq.Query) -> dict[int, float]:
    """Document number -> score, by Whoosh's matchers one posting at a time."""
    found = {}
    for leaf, offset in searcher.leaf_searchers():
        matcher = query.matcher(leaf, searcher.context())
        while matcher.is_active():
            found[matcher.id() + offset] = matcher.score()
            matcher.next()
    return found


def array_matches(searcher, query: wq.Query) -> dict[int, float]:
    docnums, scores = matching.all_matches(searcher, query, {})
    assert list(docnums) == sorted(set(docnums))  # ascending within a segment, no repeats
    return dict(zip(docnums.tolist(), scores.tolist(), strict=True))


@pytest.mark.parametrize("text", USER_QUERIES)
def test_text_queries_match_the_same_documents_with_the_same_scores(searcher, text):
    query = document_query(ql.parse(text).node)
    expected, found = whoosh_matches(searcher, query), array_matches(searcher, query)
    assert expected, f"{text!r} should match something in the corpus"
    assert found.keys() == expected.keys()
    for docnum, score in expected.items():
        assert found[docnum] == pytest.approx(score, rel=1e-12)


@pytest.mark.parametrize(("type", "year"), FILTERS)
def test_filters_match_the_same_documents_and_add_nothing_to_the_score(searcher, type, year):
    text = document_query(ql.parse("commune").node)
    fields = (("type", type), ("year", year))
    filters = ql.parse(" ".join(f"{name}:{value}" for name, value in fields if value)).node
    query = document_query(qt.And((ql.parse("commune").node, filters)))
    expected, found = whoosh_matches(searcher, query), array_matches(searcher, query)
    assert expected and len(expected) < len(whoosh_matches(searcher, text))
    assert found.keys() == expected.keys()
    unfiltered = array_matches(searcher, text)
    # Whoosh scores ConstantScoreQuery(q, 0.0) as 1.0 per filter; a filter should not count.
    for docnum in expected:
        assert found[docnum] == pytest.approx(unfiltered[docnum], rel=1e-12)


def test_page_queries_rank_pages_as_whoosh_does(searcher):
    stored = (searcher.stored_fields(docnum) for docnum in searcher.document_numbers(kind="doc"))
    ids = ["constitution", *(fields["id"] for fields in stored)][:6]
    words = wq.Or([wq.Term(PAGE_LATIN, "commune"), wq.Term(PAGE_LATIN, "council")])
    query = wq.And([wq.Or([wq.Term("id", doc_id) for doc_id in ids]), words])
    expected = [docnum for _, docnum in searcher.search(query, limit=None).top_n]
    docnums, scores = matching.all_matches(searcher, query, {})
    ranked = sorted(
        zip(scores.tolist(), docnums.tolist(), strict=True), key=lambda m: (-m[0], m[1])
    )
    assert len(expected) > 10
    assert [docnum for _, docnum in ranked] == expected


def test_a_query_on_a_missing_field_or_term_matches_nothing(searcher):
    for query in (wq.Term("no-such-field", "x"), wq.Term(PAGE_LATIN, "zzzzqqq"), wq.NullQuery):
        docnums, scores = matching.all_matches(searcher, query, {})
        assert len(docnums) == len(scores) == 0


def test_unknown_query_types_fall_back_to_whoosh(searcher):
    query = wq.Or([wq.Term(DOC_LATIN, "commune"), wq.Term(DOC_LATIN, "council")], scale=0.5)
    assert array_matches(searcher, query) == pytest.approx(whoosh_matches(searcher, query))


def page_bigrams(searcher) -> dict[int, set[str]]:
    """Each live page record's Khmer bigrams, from the stored text through the analyzer."""
    held = {}
    for docnum, stored in searcher.iter_docs():
        if stored["kind"] == "page":
            held[docnum] = set(KHMER_NGRAMS[2].terms(stored["text"]))
    return held


def test_holding_many_finds_every_live_page_holding_enough_of_the_terms(searcher):
    held = page_bigrams(searcher)
    common = sorted({gram for grams in held.values() for gram in grams})
    terms = [gram for gram in common if sum(gram in grams for grams in held.values()) > 3][:6]
    total = searcher.doc_count_all()
    cache = LastUsed(2**20, weigh=lambda array: array.nbytes)
    for _ in range(2):  # the second time from the cache
        docnums, scores = matching.holding_many(searcher, PAGE_KHMER[2], terms, 3, cache)
        expected = {
            docnum: sum(
                np.log(total / (1 + searcher.doc_frequency(PAGE_KHMER[2], term)))
                for term in terms
                if term in grams
            )
            for docnum, grams in held.items()
            if len(grams & set(terms)) >= 3
        }
        assert expected
        assert dict(zip(docnums.tolist(), scores.tolist(), strict=True)) == pytest.approx(expected)


def test_last_used_forgets_the_oldest_once_over_its_weight():
    cache = LastUsed(100, weigh=len)
    cache.put("a", "x" * 60)
    cache.put("b", "x" * 30)
    cache.get("a")
    cache.put("c", "x" * 30)  # 120 > 100: b, the least recently used, goes
    assert set(cache.entries) == {"a", "c"} and cache.weight == 90
    cache.put("d", "x" * 500)  # heavier than it all: kept alone
    assert set(cache.entries) == {"d"}
