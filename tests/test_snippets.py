"""Snippets: marks and cuts on cluster boundaries, escaped HTML, the densest window."""

from __future__ import annotations

import html
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.text.analysis import khmer_query_runs
from indexer.text.khmer import clusters
from indexer.text.snippets import (
    Highlight,
    best_fragment,
    is_cluster_boundary,
    match_spans,
    render,
    snippet,
)

# Khmer letters, vowels, signs, COENG, punctuation and digits, in any order (so broken text
# too), with some Latin, spaces and HTML-special characters.
KHMER = [chr(c) for c in range(0x1780, 0x17DE)] + [chr(c) for c in range(0x17E0, 0x17EA)]
ALPHABET = KHMER * 3 + list("ab <&>\n") + ["\u17d2"] * 10
khmer_text = st.text(alphabet=ALPHABET, min_size=1, max_size=600)


def boundaries(text: str) -> set[int]:
    return {start for start, _ in clusters(text)} | {len(text)}


@st.composite
def text_and_needles(draw):
    text = draw(khmer_text)
    needles = []
    for _ in range(draw(st.integers(1, 3))):
        start = draw(st.integers(0, len(text) - 1))
        end = draw(st.integers(start + 1, min(len(text), start + 12)))
        needles += khmer_query_runs(text[start:end])
    return text, Highlight(khmer=tuple(needles))


@settings(max_examples=300, deadline=None)
@given(khmer_text, st.integers(0, 600))
def test_a_boundary_never_splits_a_cluster(text, i):
    if is_cluster_boundary(text, i):
        assert min(i, len(text)) in boundaries(text)


@settings(max_examples=300, deadline=None)
@given(text_and_needles(), st.integers(20, 300))
def test_marks_and_cuts_fall_on_cluster_boundaries(case, width):
    text, highlight = case
    allowed = boundaries(text)
    spans = match_spans(text, highlight)
    for start, end in spans:
        assert start in allowed and end in allowed
    start, end = best_fragment(text, spans, width)
    assert start in allowed and end in allowed
    shown = render(text, start, end, spans)
    unmarked = html.unescape(re.sub("</?mark>", "", shown))
    assert unmarked.strip("…").strip() == re.sub(r"\s+", " ", text[start:end]).strip()
    for marked_text in re.findall("<mark>(.*?)</mark>", shown):
        assert html.unescape(marked_text) in [text[s:e] for s, e in spans]


def test_both_spellings_are_marked_in_the_page_own_spelling():
    page = "ការផ្ដល់សេវា និងការផ្តល់ព័ត៌មាន"
    highlight = Highlight(khmer=tuple(khmer_query_runs("ផ្ដល់")))
    assert re.findall("<mark>(.*?)</mark>", snippet(page, highlight)) == ["ផ្ដល់", "ផ្តល់"]


def test_a_base_letter_inside_a_cluster_is_not_a_match():
    # ក is the base of ក្រ in ក្រុម: marking it would split the cluster.
    assert match_spans("ក្រុម ក", Highlight(khmer=("ក",))) == [(6, 7)]


def test_latin_words_marked_by_stem_and_prefix():
    page = "The Councils and the council's decentralised powers. Counsel."
    highlight = Highlight(
        latin=(("council",),),
        prefixes=("decentral",),
        term_of=lambda word: word.removesuffix("s"),
    )
    marks = re.findall("<mark>(.*?)</mark>", snippet(page, highlight))
    assert marks == ["Councils", "council", "decentralised"]


def test_a_latin_phrase_is_marked_only_where_its_words_follow_each_other():
    page = "Land is wide; we use it. Rules on land use, and LAND, USE."
    marks = re.findall("<mark>(.*?)</mark>", snippet(page, Highlight(latin=(("land", "use"),))))
    assert marks == ["land use", "LAND, USE"]


def test_html_is_escaped_and_whitespace_collapsed():
    page = "a <b>&\n\n council"
    out = snippet(page, Highlight(latin=(("council",),)))
    assert out == "a &lt;b&gt;&amp; <mark>council</mark>"


def test_long_page_is_cut_around_the_densest_matches():
    filler = "ការប្រជុំ " * 60
    page = filler + "ឃុំ សង្កាត់ ឃុំ " + filler
    out = snippet(page, Highlight(khmer=("ឃុំ", "សង្កាត់")), width=120)
    assert out.startswith("…") and out.endswith("…")
    assert out.count("<mark>") == 3
    assert len(out) < 220


def test_no_match_shows_the_start_of_the_page():
    out = snippet("ឃុំ " * 200, Highlight(latin=(("council",),)), width=50)
    assert out.startswith("ឃុំ") and out.endswith("…") and "<mark>" not in out
