"""Khmer words of a detected field weighed against the lexicon: how much of a title OCR read
into words the language has."""

from __future__ import annotations

import re
from functools import cache

import khmercut
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from indexer.text.lexicon import glyphs as _glyphs
from indexer.text.lexicon import known_words
from indexer.text.lexicon import letters as _letters

_KHMER_RUN = re.compile("[\u1780-\u17d3]+")


def known_share(text: str) -> float:
    """Share of the Khmer letters of ``text`` in words the lexicon knows (1.0 when it has no
    Khmer: Latin titles are not weighed here)."""
    known = total = 0
    words = known_words()
    for run in _KHMER_RUN.findall(text):
        for token in khmercut.tokenize(run):
            total += len(token)
            known += len(token) if token in words or len(token) <= 2 else 0
    return known / total if total else 1.0


#: Glyph edits a title word may be corrected by: one in short words, two in long ones.
def _allowed_edits(glyphs: str) -> int:
    return 0 if len(glyphs) < 5 else 1 if len(glyphs) < 8 else 2


def clean_words(text: str) -> str:
    """``text`` with each Khmer word no lexicon knows replaced by the lexicon's word closest
    to it, when exactly one is closest within a glyph or two (two for long words) and the
    lexicon has it often: OCR's misread letters mended, nothing invented — a stretch with no
    such word stays as read."""
    return _KHMER_RUN.sub(lambda run: "".join(_mended(khmercut.tokenize(run.group()))), text)


def _mended(tokens: list[str]) -> list[str]:
    words = known_words()
    return [token if token in words else _closest(token) or token for token in tokens]


#: The closest word must be this many times as frequent as a rival just as close.
CLEAR_LEAD = 5
MIN_COUNT = 3


def _closest(word: str) -> str | None:
    glyphs = _glyphs(word)
    allowed = _allowed_edits(glyphs)
    if not allowed:
        return None
    counts = _givable()
    found = process.extract(
        glyphs, list(counts), scorer=Levenshtein.distance, score_cutoff=allowed, limit=8
    )
    if not found:
        return None
    # OCR loses and misreads glyphs more than it adds them: a correction never shortens
    found = [item for item in found if len(item[0]) >= len(glyphs)]
    if not found:
        return None
    best = min(distance for _, distance, _ in found)
    closest = sorted(
        ((counts[key], key) for key, distance, _ in found if distance == best), reverse=True
    )
    if len(closest) > 1 and closest[0][0] < CLEAR_LEAD * closest[1][0]:
        return None
    return _letters(closest[0][1])


@cache
def _givable() -> dict[str, int]:
    """The lexicon's words a title word may become (seen MIN_COUNT times or more), by glyphs."""
    return {
        _glyphs(word): count
        for word, count in known_words().items()
        if count >= MIN_COUNT and len(word) >= 3
    }
