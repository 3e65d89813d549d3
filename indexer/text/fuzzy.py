"""Approximate Khmer phrases: where on a page a phrase occurs with a few clusters misread.

OCR misreads a cluster here and there (រដ្ឋសភា read រន្ឋសភា), which breaks an exact phrase
of cluster n-grams. A page that holds most of the phrase's bigrams (the engine finds those,
`Engine.similar_pages`) is verified here: the phrase is aligned with the page's Khmer letters
(spaces, line breaks and punctuation left out, as a phrase may cross a printed line) by
rapidfuzz's partial-ratio alignment, and the aligned span, widened to whole clusters, is what
the snippet marks. Folding the most frequent single-letter OCR confusions of
indexer/data/ocr_confusions.tsv on both sides first changed no result of the issue-14 query
set (bench/RESULTS.md), so it is not done.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rapidfuzz import fuzz

from indexer.text.khmer import fold, is_khmer
from indexer.text.snippets import is_cluster_boundary


@dataclass(frozen=True)
class Alignment:
    start: int  # offsets into the page text given
    end: int
    score: float  # 0..100: how much of the phrase the span matches


def align(phrase: str, text: str, min_score: float) -> Alignment | None:
    """The span of ``text`` best matching the folded Khmer ``phrase``, if it scores at least
    ``min_score``; its ends fall on cluster boundaries of ``text``."""
    letters, where = _khmer_letters(fold(text))
    needle = "".join(ch for ch in phrase if is_khmer(ch))
    if not needle or len(letters) < len(needle) // 2:
        return None
    found = fuzz.partial_ratio_alignment(needle, letters, score_cutoff=min_score)
    if found is None or found.dest_end <= found.dest_start:
        return None
    start, end = int(where[found.dest_start]), int(where[found.dest_end - 1]) + 1
    while not is_cluster_boundary(text, start):
        start -= 1
    while not is_cluster_boundary(text, end):
        end += 1
    return Alignment(start, end, found.score)


def _khmer_letters(text: str) -> tuple[str, np.ndarray]:
    """The Khmer characters of ``text`` run together, and each one's offset in ``text``
    (as arrays of code points: a page is thousands of characters, verified per query)."""
    points = np.frombuffer(text.encode("utf-32-le"), np.uint32)
    khmer = ((points >= 0x1780) & (points <= 0x17FF)) | ((points >= 0x19E0) & (points <= 0x19FF))
    return points[khmer].tobytes().decode("utf-32-le"), np.flatnonzero(khmer)
