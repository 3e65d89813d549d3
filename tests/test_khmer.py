"""Khmer normalisation, clusters, script runs and word segmentation, on rules and real text."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.text.khmer import (
    clean,
    clusters,
    fold,
    is_khmer,
    is_valid_cluster,
    khmer_share,
    normalize,
    script_runs,
    segment_words,
)

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"

BASES = "កខគងចជញដណតទធនបពភមយរលវសហអឥឧឯឱ"
MARKS = "\u17d2ាិីឹឺុូួើឿៀេែៃោៅំះៈ៉៊់៌៍័៏"
# Khmer letters, marks, digits and punctuation, Latin, spaces and the invisibles clean() drops.
TEXT_ALPHABET = list(BASES + MARKS + "០១២៩។៕ៗ aBzÉé09-\n\t\r\u200b\u200c\u200d\ufeff\u00ad")
TEXT_ALPHABET += ["\u17b4", "\u17b5", "េី", "េា", "e\u0301", "İ", "ß"]
texts = st.lists(st.sampled_from(TEXT_ALPHABET), max_size=40).map("".join)


def cluster_strings(text):
    return [text[start:end] for start, end in clusters(text)]


# clean ---------------------------------------------------------------------------------------


def test_clean_applies_nfc():
    assert clean("Cafe\u0301") == "Café"


@pytest.mark.parametrize("invisible", ["\u200b", "\u200c", "\u200d", "\ufeff", "\u00ad"])
def test_clean_deletes_zero_width_characters_and_soft_hyphens(invisible):
    assert clean(f"ការ{invisible}ងារ") == "ការងារ"
    assert clean(f"infor{invisible}mation") == "information"


def test_clean_deletes_invisible_khmer_vowels():
    assert clean("ក\u17b4ខ\u17b5គ") == "កខគ"


def test_clean_joins_two_part_vowels():
    assert clean("ចំរេីន") == "ចំរើន"  # េ + ី → ើ
    assert clean("ពេល") == "ពេល"
    assert clean("ដេាះ") == "ដោះ"  # េ + ា → ោ


def test_clean_removes_spaces_and_breaks_that_extraction_put_inside_words():
    # pdftotext -raw output of a LibreOffice PDF (corpus fixture quality_samples.json)
    assert clean("អាជ្ញា ធរមូលដ្ឋា ន") == "អាជ្ញាធរមូលដ្ឋាន"
    assert clean("ការចុះបញ\n្ជ ីនិង") == "ការចុះបញ្ជីនិង"
    assert clean("បន្តបន្\nទាប់") == "បន្តបន្ទាប់"
    assert clean("ក្ ត") == "ក្ត"


def test_clean_merges_khmer_phrases_but_keeps_spaces_next_to_latin_digits_and_punctuation():
    assert clean("ហេង សំរិន") == "ហេងសំរិន"
    assert clean("លោក Tag បាន") == "លោក Tag បាន"
    assert clean("ថ្ងៃទី ២២ ខែតុលា") == "ថ្ងៃទី ២២ ខែតុលា"
    assert clean("ភ្នំពេញ ៖ កិច្ចប្រជុំ") == "ភ្នំពេញ ៖ កិច្ចប្រជុំ"
    # A line break between two whole clusters is a line end and stays (titles are lines).
    assert clean("ក្រុង\nព្រះសីហនុ។\nគ្រា") == "ក្រុង\nព្រះសីហនុ។\nគ្រា"


def test_clean_tidies_whitespace_and_keeps_lines():
    text = "  Article 1 \r\nThe  law\u00a0applies\t here.\r\n\r\n\r\n\fArticle 2  \n"
    assert clean(text) == "Article 1\nThe law applies here.\n\nArticle 2"


@settings(max_examples=500)
@given(texts)
def test_clean_is_idempotent(text):
    once = clean(text)
    assert clean(once) == once


# fold ----------------------------------------------------------------------------------------


def test_fold_coeng_da_to_coeng_ta_and_qoo():
    assert fold("ផ្ដល់") == "ផ្តល់"
    assert fold("ដល់") == "ដល់"  # only the subscript is folded
    assert fold("ឲ្យ") == "ឱ្យ"


def test_fold_khmer_digits_and_case():
    assert fold("២០០១") == "2001"
    assert fold("០១២៣៤៥៦៧៨៩") == "0123456789"
    assert fold("Sub-Decree NS/RKM") == "sub-decree ns/rkm"


def test_fold_leaves_characters_whose_lower_case_is_longer():
    assert fold("İZMİR") == "İzmİr"


@settings(max_examples=500)
@given(st.one_of(texts, st.text(max_size=40)))
def test_fold_preserves_length_and_positions(text):
    folded = fold(text)
    assert len(folded) == len(text)
    for original, after in zip(text, folded, strict=True):
        assert fold(original) == after or original in "ដ"


def test_normalize_equates_spelling_variants():
    assert normalize("ផ្ដល់") == normalize("ផ្តល់")
    assert normalize("ឲ្យ") == normalize("ឱ្យ")
    assert normalize("ឆ្នាំ២០០១") == "ឆ្នាំ2001"
    assert normalize("អនុក្រឹត្យ​ លេខ ៤០") == "អនុក្រឹត្យលេខ 40"


@settings(max_examples=300)
@given(texts)
def test_normalize_is_idempotent(text):
    once = normalize(text)
    assert normalize(once) == once


# clusters ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "word, expected",
    [
        ("ស្ត្រី", ["ស្ត្រី"]),  # two subscripts and a vowel: one cluster
        ("ការធ្វើវិមជ្ឈការ", ["កា", "រ", "ធ្វើ", "វិ", "ម", "ជ្ឈ", "កា", "រ"]),
        ("ព្រះរាជក្រឹត្យ", ["ព្រះ", "រា", "ជ", "ក្រឹ", "ត្យ"]),
        ("ប៉ុន្តែ", ["ប៉ុ", "ន្តែ"]),
        ("ធម៌", ["ធ", "ម៌"]),
        ("ឯកសារ", ["ឯ", "ក", "សា", "រ"]),
        ("សង្កាត់ ២០០១", ["ស", "ង្កា", "ត់", " ", "២", "០", "០", "១"]),
    ],
)
def test_clusters_of_real_words(word, expected):
    assert cluster_strings(word) == expected


def test_clusters_of_broken_text():
    assert cluster_strings("ាក") == ["ា", "ក"]  # a vowel with no base stands alone
    assert cluster_strings("ក្") == ["ក្"]  # a dangling COENG stays with its base
    assert cluster_strings("ក ្ក") == ["ក", " ", "្", "ក"]
    assert cluster_strings("ក\u200cា") == ["ក\u200cា"]  # ZWNJ inside a cluster
    assert cluster_strings("ក\u200bា") == ["ក", "\u200b", "ា"]  # ZWSP is a separator


def test_clusters_keep_latin_accents_with_their_letter():
    assert cluster_strings("e\u0301a") == ["e\u0301", "a"]


@settings(max_examples=1000)
@given(texts)
def test_clusters_cover_the_text_and_never_strand_a_mark(text):
    spans = clusters(text)
    assert "".join(text[start:end] for start, end in spans) == text
    assert all(start < end for start, end in spans)
    for start, _end in spans:
        if text[start] in MARKS and start > 0:
            assert text[start - 1] not in BASES + MARKS  # only marks with nothing to sit on


@pytest.mark.parametrize("cluster", ["ស្ត្រី", "ប៉ុ", "ប៊ី", "ប៊ិ", "ធ្វើ", "ម៌", "ក្ស", "ចុះ", "ល់", "គឺ", "ឯ"])
def test_valid_clusters(cluster):
    assert is_valid_cluster(cluster)


@pytest.mark.parametrize("cluster", ["ា", "ក្", "កិេ", "កំុ", "ប់េ", "ក្ក្ក្ក្ក"])
def test_invalid_clusters(cluster):
    assert not is_valid_cluster(cluster)


def test_clusters_of_clean_constitution_text_are_valid():
    text = clean((CORPUS / "ocr_gt/constitution_2015/constitution_2015_clean.md").read_text())
    khmer = [c for c in cluster_strings(text) if is_khmer(c[0]) and c[0] < "\u17d4"]
    valid = sum(map(is_valid_cluster, khmer)) / len(khmer)
    assert len(khmer) > 20_000
    assert valid > 0.999


# scripts and words ---------------------------------------------------------------------------


def test_script_runs_split_mixed_text():
    text = fold(clean("អនុក្រឹត្យលេខ ៤០ (Sub-Decree 40, ២០០១)។ Café ក្រុមប្រឹក្សា"))
    runs = [(script, text[start:end]) for script, start, end in script_runs(text)]
    assert runs == [
        ("khmer", "អនុក្រឹត្យលេខ"),
        ("digit", "40"),
        ("latin", "sub"),
        ("latin", "decree"),
        ("digit", "40"),
        ("digit", "2001"),
        ("latin", "café"),
        ("khmer", "ក្រុមប្រឹក្សា"),
    ]


def test_script_runs_stop_at_khmer_punctuation_and_script_changes():
    text = "ក្រុង។ឃុំៗABCក"
    runs = [(script, text[start:end]) for script, start, end in script_runs(text)]
    assert runs == [("khmer", "ក្រុង"), ("khmer", "ឃុំ"), ("latin", "ABC"), ("khmer", "ក")]


def test_khmer_share():
    assert khmer_share("ការធ្វើវិមជ្ឈការ") == 1.0
    assert khmer_share("Decentralisation 2001") == 0.0
    assert khmer_share("១២៣ ... 456") == 0.0
    assert khmer_share("ការធ្វើ commune") == 4 / 11  # ក រ ធ វ against c o m m u n e


def test_segment_words_cuts_a_run_into_words_that_join_back():
    run = "ការធ្វើវិមជ្ឈការនិងវិសហមជ្ឈការក្រុមប្រឹក្សាឃុំសង្កាត់"
    words = segment_words(run)
    assert "".join(words) == run
    assert {"វិមជ្ឈការ", "ក្រុមប្រឹក្សា", "សង្កាត់"} <= set(words)
    assert segment_words("") == []
