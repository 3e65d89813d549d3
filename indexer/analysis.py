"""Token streams for the index, one per field kind, engine-neutral (KNOWLEDGE §1).

Khmer has no spaces between words, so it is indexed twice: as overlapping cluster bigrams
(full recall, matched as phrases) and as segmented words (lifts whole-word hits in the
ranking). Latin-script words and numbers go to a third stream that the schema lower-cases
and stems. Each stream yields ``(text, position, start, end)`` with offsets into its input.

Input is text that went through `khmer.clean` (stored page text, titles, cleaned queries);
the streams apply `khmer.fold` themselves, which keeps offsets valid.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from indexer.khmer import clusters, fold, script_runs, segment_words

Token = tuple[str, int, int, int]  # text, position, start, end


def khmer_runs(text: str) -> Iterator[tuple[str, int]]:
    """Each run of Khmer letters in the folded text, with its offset."""
    folded = fold(text)
    for script, start, end in script_runs(folded):
        if script == "khmer":
            yield folded[start:end], start


def khmer_bigrams(text: str) -> Iterator[Token]:
    """Overlapping cluster bigrams: clusters i and i+1 make one token at position i.

    A query of n clusters matches as a phrase of its n-1 bigrams wherever it occurs, inside
    longer words too (`khmer_query`). Runs are two empty positions apart, so no phrase, nor
    the every-other-bigram cover the engine checks, spans two runs.
    """
    position = 0
    for run, offset in khmer_runs(text):
        spans = clusters(run)
        for (start, _), (_, end) in zip(spans, spans[1:], strict=False):
            yield run[start:end], position, offset + start, offset + end
            position += 1
        position += 2


def khmer_clusters(text: str) -> Iterator[Token]:
    """Single clusters, for the one-cluster queries bigrams cannot answer (ឃុំ, ខេត្ត)."""
    position = 0
    for run, offset in khmer_runs(text):
        for start, end in clusters(run):
            yield run[start:end], position, offset + start, offset + end
            position += 1


def khmer_query(run: str) -> tuple[str, list[str]]:
    """What finds one Khmer run: ("bigrams", its bigrams as a phrase), or ("cluster", [run])
    when it is a single cluster.

    Bigrams alone keep recall at 1.0 (KNOWLEDGE §1); the single-cluster words, common in
    Khmer, need the cluster index.
    """
    spans = clusters(run)
    if len(spans) == 1:
        return "cluster", [run]
    return "bigrams", [
        run[start:end] for (start, _), (_, end) in zip(spans, spans[1:], strict=False)
    ]


def khmer_query_runs(text: str) -> list[str]:
    """The folded Khmer runs of a query: each becomes a phrase of its own."""
    return [run for run, _ in khmer_runs(text)]


def khmer_words(text: str) -> Iterator[Token]:
    """Segmented Khmer words, with a one-position gap between runs so no phrase spans two."""
    position = 0
    for run, offset in khmer_runs(text):
        start = 0
        for word in segment_words(run):
            yield word, position, offset + start, offset + start + len(word)
            start += len(word)
            position += 1
        position += 1


def latin_words(text: str) -> Iterator[Token]:
    """Latin-script words and numbers (Khmer digits folded to ASCII), lower-cased, with
    British -ise/-isation spelt -ize/-ization so that both spellings meet."""
    folded = fold(text)
    for position, (_script, start, end) in enumerate(
        run for run in script_runs(folded) if run[0] != "khmer"
    ):
        yield _BRITISH_ISE.sub("iz", folded[start:end]), position, start, end


_BRITISH_ISE = re.compile(r"(?<=[a-z]{4})is(?=(?:e|ed|es|ing|ation|ations|er|ers)$)")
