"""Pieces of Tesseract's lines for the neural recogniser, and its reading put back on the words.

A piece is a run of a line's words, left to right, no wider than the model's input aspect
(512 x 48): a whole line squashed into that input reads with 1.3x the errors, a piece read at
its own aspect does not (bench/RESULTS.md, issue 22). The recogniser says where it read each
character (the x of the CTC output step that gave it), so every character cluster (a base
letter with its vowels, signs and subscripts) goes to the word whose box holds that x, or the
nearest: every word keeps Tesseract's pixel box, and its text is the recogniser's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import numpy as np

from indexer.extract.neural import LineReading
from indexer.extract.words import Word

ASPECT = 512 / 48  # the model's training input: wider pieces are cut between words
#: Pixels kept round a piece's words: whole strokes, and a margin like the training lines'
#: (12 px above and below: Gazette CER 0.0195, 6 px: 0.0217; bench/RESULTS.md).
PAD_X, PAD_Y = 8, 12
#: A word read less sure than this (0-100) is junk: Gazette CER unchanged, tuning half
#: 0.0523 -> 0.0509 (50: the Gazette pages lose real words; bench/RESULTS.md).
JUNK_BELOW = 40
#: A character cluster: a base with its dependent vowels, signs and subscripts (coeng + letter).
_CLUSTER = re.compile(
    "(?:\u17d2.|[^\u17b4-\u17d3\u17dd])(?:\u17d2.|[\u17b4-\u17d1\u17d3\u17dd])*", re.S
)


@dataclass(frozen=True)
class Piece:
    """Words of one line (indexes into the page's words) read as one crop, and the crop's box."""

    words: tuple[int, ...]
    box: tuple[int, int, int, int]


def cut(found: list[Word], chosen: list[bool], width: int, height: int) -> list[Piece]:
    """The pieces of the chosen words: runs of a line's chosen words, left to right (a word
    not chosen, such as a Latin one Tesseract keeps, ends a run), cut at the model's aspect."""
    lines: dict[int, list[int]] = {}
    for i, word in enumerate(found):
        lines.setdefault(word.line, []).append(i)
    pieces = []
    for indexes in lines.values():
        indexes.sort(key=lambda i: found[i].x0)
        run: list[int] = []
        for i in [*indexes, None]:
            if i is not None and chosen[i]:
                run.append(i)
            elif run:
                pieces += _split(found, run, width, height)
                run = []
    return pieces


def _split(found: list[Word], run: list[int], width: int, height: int) -> list[Piece]:
    top = min(found[i].y0 for i in run) - PAD_Y
    bottom = max(found[i].y1 for i in run) + PAD_Y
    groups, group = [], []
    for i in run:
        if group and found[i].x1 - found[group[0]].x0 + 2 * PAD_X > ASPECT * (bottom - top):
            groups.append(group)
            group = []
        group.append(i)
    groups.append(group)
    return [Piece(tuple(group), _box(found, group, width, height)) for group in groups]


def _box(found: list[Word], group: list[int], width: int, height: int) -> tuple[int, ...]:
    return (
        max(0, min(found[i].x0 for i in group) - PAD_X),
        max(0, min(found[i].y0 for i in group) - PAD_Y),
        min(width, max(found[i].x1 for i in group) + PAD_X),
        min(height, max(found[i].y1 for i in group) + PAD_Y),
    )


def crop(page: np.ndarray, piece: Piece) -> np.ndarray:
    x0, y0, x1, y1 = piece.box
    return page[y0:y1, x0:x1]


def assign(found: list[Word], piece: Piece, reading: LineReading) -> dict[int, Word]:
    """The piece's words with the recogniser's text, each cluster given to the word whose box
    holds it (or the nearest); confidence 0-100 is the mean over the word's clusters of the
    least sure character of each. A word given no cluster (a speck), or read less sure than
    JUNK_BELOW (a seal, a stamp, a scrawl), is left out."""
    given: dict[int, tuple[list[str], list[float]]] = {i: ([], []) for i in piece.words}
    for match in _CLUSTER.finditer(reading.text):
        start, end = match.span()
        if match[0].isspace():
            continue
        x = piece.box[0] + reading.positions[start]
        nearest = min(piece.words, key=lambda i: _distance(found[i], x))
        given[nearest][0].append(match[0])
        given[nearest][1].append(min(reading.probabilities[start:end]))
    read = {
        i: replace(found[i], text="".join(texts), confidence=100 * sum(sure) / len(sure))
        for i, (texts, sure) in given.items()
        if texts
    }
    return {i: word for i, word in read.items() if word.confidence >= JUNK_BELOW}


def _distance(word: Word, x: float) -> float:
    return max(word.x0 - x, x - word.x1, 0)
