"""Correcting unsure OCR words towards the lexicon (indexer/text/lexicon.py), on misreadings
seen on real Gazette pages (ocr_gt/gazette, r3 readings)."""

from __future__ import annotations

import pytest

from indexer.extract import ocr
from indexer.extract.words import Word
from indexer.text import lexicon


@pytest.mark.parametrize(
    ("read", "meant"),
    [
        ("រដ្ឋមន្រី", "រដ្ឋមន្ត្រី"),  # a subscript lost: one glyph, two code points
        ("ក្របខ័ណួ", "ក្របខ័ណ្ឌ"),  # a subscript read as a vowel
        ("អត្រានុកួលដ្ឋាន", "អត្រានុកូលដ្ឋាន"),  # a vowel misread, in a word of the laws
        ("គ្រូវ", "ត្រូវ"),  # a base consonant misread
    ],
)
def test_an_unknown_word_one_glyph_from_a_known_one_is_corrected(read, meant):
    assert lexicon.best_word(read) == meant


@pytest.mark.parametrize("word", ["មន្ត្រី", "ប្អូន", "និង", "ពី"])
def test_known_and_short_words_stay_as_read(word):
    assert lexicon.best_word(word) == word


def test_a_word_split_in_two_by_the_segmenter_is_corrected_whole():
    assert lexicon.correct_text("ស្ទីពីការគ្រប់គ្រង") == "ស្តីពីការគ្រប់គ្រង"


def test_only_unsure_words_are_touched_and_latin_is_left_alone():
    unsure = Word("រដ្ឋមន្រី Gehl", 40.0, 0, 0, 10, 10, 1)
    sure = Word("រដ្ឋមន្រី", 95.0, 0, 0, 10, 10, 1)
    found = ocr.corrected([unsure, sure])
    assert [word.text for word in found] == ["រដ្ឋមន្ត្រី Gehl", "រដ្ឋមន្រី"]
