"""Which stored words of a page a query matched, and which part of each: the boxes to draw.

The page's words (OCR words, text-layer words, converted legacy runs) are joined into one text
the way the store joins a page (words by spaces, lines by newlines, no space between two Khmer
letters, see `khmer.clean`), and matched with the snippets' own matcher (`snippets.match_spans`)
so that the page view boxes exactly what the result list marks. A Khmer phrase the page holds
only with a few clusters misread is aligned as the tolerant search aligns it (`fuzzy.align`).
OCR reads a Khmer phrase as one "word" or several, so a match is cut out of each word it
overlaps, in proportion to the clusters matched.
"""

from __future__ import annotations

from dataclasses import dataclass

from indexer.text.fuzzy import align
from indexer.text.khmer import clean, clusters, is_khmer
from indexer.text.snippets import Highlight, match_spans

#: Alignment score (0..100) an approximate phrase must reach, as in the tolerant search.
APPROXIMATE_SCORE = 80.0


@dataclass(frozen=True)
class WordHit:
    """Part of one word that a query matched: clusters ``start``..``end`` of its text of
    ``length`` clusters (a Khmer cluster is printed about as wide as a Latin letter; its
    subscripts and vowels take no width of their own)."""

    word: int  # index into the page's words
    start: int
    end: int
    length: int

    def box(self, x0: int, y0: int, x1: int, y1: int) -> tuple[int, int, int, int]:
        """The matched part of the word box (x0..x1 cut in proportion to the clusters)."""
        width = x1 - x0
        left = x0 + width * self.start // max(self.length, 1)
        right = x0 + -(-width * self.end // max(self.length, 1))
        return left, y0, max(right, left + 1), y1


def joined(texts: list[str], lines: list[int]) -> tuple[str, list[tuple[int, int]]]:
    """The words as one page text, and each word's (start, end) in it."""
    parts: list[str] = []
    spans = []
    position = 0
    previous_line = None
    for text, line in zip(texts, lines, strict=True):
        if parts:
            if line != previous_line and line >= 0:
                separator = "\n"
            elif is_khmer(parts[-1][-1]) and is_khmer(text[0]):
                separator = ""
            else:
                separator = " "
            parts.append(separator)
            position += len(separator)
        parts.append(text)
        spans.append((position, position + len(text)))
        position += len(text)
        previous_line = line
    return "".join(parts), spans


def word_hits(
    words: list[list], highlight: Highlight, phrases: tuple[str, ...] = ()
) -> list[WordHit]:
    """The parts of ``words`` (store rows ``[text, confidence, x0, y0, x1, y1, line]``) that
    the highlight matches, and, when it matches nothing, the best alignment of each Khmer phrase of
    ``phrases`` (folded, long enough to align)."""
    kept = [(i, clean(row[0])) for i, row in enumerate(words)]
    kept = [(i, text) for i, text in kept if text]
    text, spans = joined([t for _, t in kept], [words[i][6] for i, _ in kept])
    matched = match_spans(text, highlight)
    if not matched:  # as in the search: close matches only where the exact ones fail
        for phrase in phrases:
            found = align(phrase, text, APPROXIMATE_SCORE)
            if found is not None:
                matched.append((found.start, found.end))
    hits = []
    for (index, word), (start, end) in zip(kept, spans, strict=True):
        overlaps = [(max(s, start) - start, min(e, end) - start) for s, e in matched]
        overlaps = [(s, e) for s, e in overlaps if s < e]
        if overlaps:
            ends = [cluster_end for _, cluster_end in clusters(word)]
            for s, e in overlaps:
                first = sum(1 for cluster_end in ends if cluster_end <= s)
                last = sum(1 for cluster_end in ends if cluster_end < e) + 1
                hits.append(WordHit(index, first, last, len(ends)))
    return hits
