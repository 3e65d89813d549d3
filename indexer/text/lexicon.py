"""A lexicon of Khmer words from clean text, and correcting misread words towards it.

A word the lexicon does not know, one edit away from words it knows, becomes the most frequent
of them. An edit is of one glyph: a subscript consonant (coeng and consonant, two code points)
counts as one, so that a subscript OCR lost or misread is one edit too (រដ្ឋមន្រី → រដ្ឋមន្ត្រី,
ក្របខ័ណួ → ក្របខ័ណ្ឌ). Only Khmer runs are touched, segmented by khmercut; the OCR recipe
corrects only the words it read unsure (indexer/extract/ocr.py), the catalogue weighs title
words by it (indexer/library/metadata/words.py). The lexicon (indexer/data/khmer_lexicon.tsv) is
built by bench/build_lexicon.py from clean Unicode text; on the Gazette set this cut the error
rate from 0.069 to 0.056 (bench/RESULTS.md).
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import cache, lru_cache
from importlib import resources

import khmercut
from rapidfuzz.distance import Levenshtein

#: A correction must be a word seen at least this often in the clean text.
MIN_COUNT = 2
MIN_LENGTH = 3  # characters; shorter words have too many neighbours to choose from
_KHMER_RUN = re.compile("([\u1780-\u17d3]+)")
_SUBSCRIPT = re.compile("\u17d2([\u1780-\u17b3])")
_GLYPH = re.compile("[\ue000-\ue033]")  # a subscript as one private-use character


def glyphs(word: str) -> str:
    """The word with each subscript consonant as one character, so that edits are of glyphs."""
    return _SUBSCRIPT.sub(lambda found: chr(0xE000 + ord(found[1]) - 0x1780), word)


def letters(shape: str) -> str:
    """A word in glyphs (`glyphs`) written in letters again."""
    return _GLYPH.sub(lambda found: "\u17d2" + chr(ord(found[0]) - 0xE000 + 0x1780), shape)


@cache
def _lexicon() -> tuple[dict[str, int], dict[str, int], dict[str, list[str]]]:
    """Word counts; those a correction may give (seen often enough, long enough), by glyphs;
    and for each of these with one glyph deleted the words it came from."""
    counts: dict[str, int] = {}
    source = resources.files("indexer.data").joinpath("khmer_lexicon.tsv")
    for line in source.read_text("utf-8").splitlines():
        if line and not line.startswith("#"):
            word, count = line.split("\t")
            counts[word] = int(count)
    givable = {
        glyphs(word): count
        for word, count in counts.items()
        if count >= MIN_COUNT and len(word) >= MIN_LENGTH
    }
    deleted: dict[str, list[str]] = defaultdict(list)
    for shape in givable:
        for variant in _deletions(shape):
            deleted[variant].append(shape)
    return counts, givable, dict(deleted)


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def known_words() -> dict[str, int]:
    """Every word of the lexicon with its count in the clean text."""
    return _lexicon()[0]


def best_word(word: str) -> str:
    """The lexicon's most frequent word one glyph edit from an unknown ``word``, or ``word``."""
    counts, givable, deleted = _lexicon()
    if len(word) < MIN_LENGTH or word in counts:
        return word
    shape = glyphs(word)
    near = set(deleted.get(shape, []))  # OCR dropped a glyph
    for variant in _deletions(shape):
        if variant in givable:
            near.add(variant)  # OCR added one
        near.update(deleted.get(variant, []))  # OCR changed one
    near = {candidate for candidate in near if Levenshtein.distance(candidate, shape) == 1}
    return letters(max(sorted(near), key=givable.__getitem__)) if near else word


def correct_text(text: str) -> str:
    """Correct every unknown word of the Khmer runs in ``text``."""
    parts = _KHMER_RUN.split(text)
    for i in range(1, len(parts), 2):  # the Khmer runs
        parts[i] = _corrected_run(parts[i])
    return "".join(parts)


@lru_cache(maxsize=2**16)
def _corrected_run(run: str) -> str:
    """One Khmer run corrected, remembered: OCR reads the same words page after page, and
    segmenting them was most of what correcting costs (bench/RESULTS.md)."""
    return "".join(_corrected(khmercut.tokenize(run)))


def _corrected(tokens: list[str]) -> list[str]:
    """An unknown token is first tried together with its neighbour: a misread word is often
    segmented in two (ស្ទីពី → ស្ទី ពី, which alone would become ស្រី ពី, not ស្តីពី)."""
    counts = _lexicon()[0]
    out, i = [], 0
    while i < len(tokens):
        pair = "".join(tokens[i : i + 2])
        unknown = any(token not in counts for token in tokens[i : i + 2])
        if i + 1 < len(tokens) and unknown and (merged := best_word(pair)) != pair:
            out.append(merged)
            i += 2
            continue
        out.append(best_word(tokens[i]))
        i += 1
    return out


def known_share(text: str) -> float:
    """The share of the Khmer letters of ``text`` in words (of two letters or more) that the
    lexicon knows: high for Khmer however badly read, near 0 for a page read turned."""
    counts = _lexicon()[0]
    known = total = 0
    for run in _KHMER_RUN.findall(text):
        for token in khmercut.tokenize(run):
            total += len(token)
            known += len(token) if len(token) >= 2 and token in counts else 0
    return known / total if total else 0.0
