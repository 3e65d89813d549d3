"""The token streams and analyzers: Khmer cluster n-grams and words, Latin words, stems and
pairs, and a query analysed once."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from indexer.text import analysis
from indexer.text.analysis import (
    KHMER_NGRAMS,
    KHMER_WORDS,
    LATIN,
    LATIN_PAIRS,
    analyse_query,
    cluster_ngrams,
    khmer_bigrams,
    khmer_clusters,
    khmer_query,
    khmer_query_runs,
    khmer_trigrams,
    khmer_words,
    latin_words,
)

STREAM_ANALYZERS = {
    **{f"km{n}": KHMER_NGRAMS[n] for n in (1, 2, 3)},
    "kmw": KHMER_WORDS,
    "en": LATIN,
    "en2": LATIN_PAIRS,
}
#: Khmer letters and signs, ្ដ, Khmer digits, Latin, digits, spaces, line breaks, punctuation.
MIXED = "កខគរស្ដតាិុំះ៉០១២ ABCdeisationz09\n។,.-"


def test_ngrams_overlap_one_position_apart():
    assert [t[0] for t in khmer_clusters("ការធ្វើ")] == ["កា", "រ", "ធ្វើ"]
    assert list(khmer_bigrams("ការធ្វើ")) == [("ការ", 0, 0, 3), ("រធ្វើ", 1, 2, 7)]
    assert list(khmer_trigrams("ការធ្វើការ")) == [
        ("ការធ្វើ", 0, 0, 7),
        ("រធ្វើកា", 1, 2, 9),
        ("ធ្វើការ", 2, 3, 10),
    ]


def test_query_is_one_ngram_or_a_phrase_of_trigrams():
    assert khmer_query("ឃុំ") == (1, ["ឃុំ"])
    assert khmer_query("ការ") == (2, ["ការ"])
    assert khmer_query("សង្កាត់") == (3, ["សង្កាត់"])
    assert khmer_query("ក្រុមប្រឹក្សា") == (3, ["ក្រុមប្រឹ", "មប្រឹក្សា"])


def test_no_ngram_spans_two_runs_and_runs_are_three_positions_apart():
    tokens = list(khmer_bigrams("ឃុំសង្កាត់។ស្រុក ABC ខេត្ត"))
    assert [t[0] for t in tokens] == ["ឃុំស", "សង្កា", "ង្កាត់", "ស្រុក", "ខេត្ត"]
    assert [t[1] for t in tokens] == [0, 1, 2, 6, 10]
    assert khmer_query_runs("ឃុំ។សង្កាត់ abc") == ["ឃុំ", "សង្កាត់"]


def test_spelling_variants_give_the_same_tokens():
    assert list(khmer_bigrams("ផ្ដល់ឲ្យ")) == list(khmer_bigrams("ផ្តល់ឱ្យ"))
    assert [t[0] for t in latin_words("ឆ្នាំ២០០១")] == ["2001"]


def test_offsets_point_into_the_input():
    text = "សេចក្ដីសម្រេច on Decentralisation ២០០៥"
    for stream in (khmer_clusters, khmer_bigrams, khmer_trigrams, khmer_words):
        for token, _, start, end in stream(text):
            assert text[start:end].replace("ដ", "ត") == token.replace("ដ", "ត")
    assert [text[start:end] for _, _, start, end in latin_words(text)] == [
        "on",
        "Decentralisation",
        "២០០៥",
    ]


def test_khmer_words_are_segmented_with_a_gap_between_runs():
    tokens = list(khmer_words("ក្រុមប្រឹក្សាឃុំ។សង្កាត់"))
    assert [t[0] for t in tokens] == ["ក្រុមប្រឹក្សា", "ឃុំ", "សង្កាត់"]
    assert [t[1] for t in tokens] == [0, 1, 3]


def test_latin_words_lower_cased_and_british_spelling_folded():
    assert [t[0] for t in latin_words("Organisation DECENTRALISED law")] == [
        "organization",
        "decentralized",
        "law",
    ]


def test_english_stems_meet():
    stems = {word: LATIN.terms(word) for word in ("council", "councils")}
    assert stems["council"] == stems["councils"] == ["council"]
    assert LATIN.terms("decentralisation decentralization") == ["decentr", "decentr"]
    assert LATIN.terms("planning planned plans") == ["plan", "plan", "plan"]


def test_word_pairs_are_one_term_at_the_first_word():
    assert list(LATIN_PAIRS("land use planning")) == [
        ("land use", 0, 0, 8),
        ("use plan", 1, 5, 17),
    ]


def test_a_query_is_analysed_once_into_what_the_engine_and_highlighter_read():
    terms = analyse_query("ក្រុមប្រឹក្សាឃុំ Budgets")
    (run,) = terms.khmer
    assert run.n == 3 and run.ngrams == tuple(cluster_ngrams(run.text, 3))
    assert run.page_ngrams == tuple(cluster_ngrams(run.text, 2))
    assert run.words == ("ក្រុមប្រឹក្សា", "ឃុំ")
    assert terms.latin == ("budget",) and terms.typed_last == "budgets"


@given(st.lists(st.text(alphabet=MIXED, max_size=40), min_size=1, max_size=4))
def test_streams_composed_from_kept_page_analyses_are_the_analyzers_own(pages):
    """A rebuild composes a document's fields from its pages' kept analyses: the same terms
    at the same positions as analysing the pages joined, and the same after keeping."""
    kept = [analysis.PageTokens.decode(analysis.page_tokens(page).encode()) for page in pages]
    body = "\n".join(pages)
    for kind, analyzer in STREAM_ANALYZERS.items():
        expected = [(term, position) for term, position, _, _ in analyzer(body)]
        assert analysis.stream(kind, kept) == expected, kind
