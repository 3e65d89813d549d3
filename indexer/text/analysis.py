"""Token streams for the index, one per field kind, engine-neutral (KNOWLEDGE §1).

Khmer has no spaces between words, so it is indexed twice: as overlapping cluster n-grams
(full recall, matched as phrases) and as segmented words (lifts whole-word hits in the
ranking). Latin-script words and numbers go to a third stream that the schema lower-cases
and stems. Each stream yields ``(text, position, start, end)`` with offsets into its input.

Input is text that went through `khmer.clean` (stored page text, titles, cleaned queries);
the streams apply `khmer.fold` themselves, which keeps offsets valid.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from indexer.text.khmer import clusters, fold, script_runs, segment_words

Token = tuple[str, int, int, int]  # text, position, start, end


def khmer_runs(text: str) -> Iterator[tuple[str, int]]:
    """Each run of Khmer letters in the folded text, with its offset."""
    folded = fold(text)
    for script, start, end in script_runs(folded):
        if script == "khmer":
            yield folded[start:end], start


RUN_GAP = 3  # empty positions between Khmer runs: at least the step of a trigram cover


def khmer_ngrams(text: str, n: int) -> Iterator[Token]:
    """Cluster n-grams: clusters i..i+n-1 make one token at position i of the text's Khmer.

    A query of c clusters is then found, inside longer words too, as one n-gram (c <= 3) or
    as a phrase of its trigrams (`khmer_query`). No n-gram spans two runs, and runs are
    RUN_GAP positions apart, so no phrase (nor the cover the engine checks) spans two.
    """
    position = 0
    for run, offset in khmer_runs(text):
        spans = clusters(run)
        for i in range(len(spans) - n + 1):
            start, end = spans[i][0], spans[i + n - 1][1]
            yield run[start:end], position, offset + start, offset + end
            position += 1
        position += RUN_GAP


def khmer_clusters(text: str) -> Iterator[Token]:
    return khmer_ngrams(text, 1)


def khmer_bigrams(text: str) -> Iterator[Token]:
    return khmer_ngrams(text, 2)


def khmer_trigrams(text: str) -> Iterator[Token]:
    return khmer_ngrams(text, 3)


def khmer_query(run: str) -> tuple[int, list[str]]:
    """What finds one Khmer run of c clusters: (n, terms) with n = min(c, 3) and terms its
    cluster n-grams, one term unless c > 3 (then a phrase of trigrams).

    Overlapping n-grams matched as a phrase keep recall at 1.0 (KNOWLEDGE §1); trigrams make
    the terms rare enough that most words need no positions at all (KNOWLEDGE §4: phrases
    are Whoosh's slow path).
    """
    n = min(len(clusters(run)), 3)
    return n, cluster_ngrams(run, n)


def cluster_ngrams(run: str, n: int) -> list[str]:
    """The overlapping cluster n-grams of one run (the run itself when it is shorter)."""
    spans = clusters(run)
    n = min(n, len(spans))
    return [run[spans[i][0] : spans[i + n - 1][1]] for i in range(len(spans) - n + 1)]


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
