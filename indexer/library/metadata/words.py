"""Khmer words of a detected field weighed against the lexicon: how much of a title OCR read
into words the language has."""

from __future__ import annotations

import re

import khmercut

from indexer.extract.lexicon import known_words

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
