"""Token streams for the index, one per field kind, engine-neutral (KNOWLEDGE §1).

Khmer has no spaces between words, so it is indexed twice: as overlapping cluster n-grams
(full recall, matched as phrases) and as segmented words (lifts whole-word hits in the
ranking). Latin-script words and numbers go to a third stream, lower-cased and stemmed. Each
stream yields ``(text, position, start, end)`` with offsets into its input.

As in Whoosh's own ``analysis`` package, a tokenizer and the filters after it compose with
``|``: ``LATIN = Tokenize(latin_words) | Stem()``. The engine adapts these analyzers to its own
protocol; queries are analysed here once (`analyse_query`), and the engine and the
highlighter read the result.

Input is text that went through `khmer.clean` (stored page text, titles, cleaned queries);
the streams apply `khmer.fold` themselves, which keeps offsets valid.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

import Stemmer

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


# --- composing analyzers ---------------------------------------------------------------------


class Analyzer:
    """A token stream: a tokenizer, or a tokenizer followed by filters (``a | filter``)."""

    def __init__(self, stages: tuple[Callable, ...]):
        self.stages = stages

    def __call__(self, text: str) -> Iterator[Token]:
        tokens = self.stages[0](text)
        for stage in self.stages[1:]:
            tokens = stage(tokens)
        return tokens

    def __or__(self, stage: Callable[[Iterable[Token]], Iterator[Token]]) -> Analyzer:
        return Analyzer((*self.stages, stage))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Analyzer) and other.stages == self.stages

    def __hash__(self) -> int:
        return hash(self.stages)

    def terms(self, text: str) -> list[str]:
        return [token[0] for token in self(text)]


def Tokenize(stream: Callable[[str], Iterator[Token]]) -> Analyzer:  # noqa: N802 (as Whoosh)
    """The analyzer that is just one of the token streams above."""
    return Analyzer((stream,))


@dataclass(frozen=True)
class Stem:
    """Porter2 ("english") Snowball stems of Latin tokens (PyStemmer: C, cached)."""

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        for text, position, start, end in tokens:
            yield _stem(text), position, start, end


@lru_cache(maxsize=100_000)
def _stem(word: str) -> str:
    return _STEMMER.stemWord(word) if word.isalpha() else word


_STEMMER = Stemmer.Stemmer("english")


@dataclass(frozen=True)
class Pairs:
    """Overlapping pairs of tokens ("land use"): a two-word phrase becomes one term."""

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        previous = None
        for token in tokens:
            if previous is not None:
                yield f"{previous[0]} {token[0]}", previous[1], previous[2], token[3]
            previous = token


KHMER_NGRAMS = {
    n: Tokenize(stream)
    for n, stream in enumerate((khmer_clusters, khmer_bigrams, khmer_trigrams), start=1)
}
KHMER_WORDS = Tokenize(khmer_words)
LATIN = Tokenize(latin_words) | Stem()
LATIN_PAIRS = LATIN | Pairs()


def latin_terms(text: str) -> list[str]:
    """The index terms (lower-cased, stemmed) of the Latin words and numbers in ``text``."""
    return LATIN.terms(text)


# --- a page's analysis, kept and composed --------------------------------------------------

#: Bump whenever what `page_tokens` gives for a text changes (the normaliser's folds, the
#: cluster rules, khmercut, the stemmer): analyses kept of another version are made again.
ANALYSIS_VERSION = "1"


@dataclass(frozen=True)
class PageTokens:
    """What the analysis makes of one text, from which every token stream above is composed
    without analysing again (`stream`): its Khmer runs as clusters and as segmented words
    (khmercut, most of an index build's analysis), and its Latin index terms."""

    khmer: tuple[tuple[str, ...], ...]  # per Khmer run, its clusters
    words: tuple[tuple[str, ...], ...]  # per Khmer run, its words (empty when not asked for)
    latin: tuple[str, ...]  # stemmed Latin words and numbers, in order

    def encode(self) -> bytes:
        """A compact form to keep: runs on lines, tokens spaced (no token holds either)."""
        parts = (
            "\n".join(" ".join(run) for run in self.khmer),
            "\n".join(" ".join(run) for run in self.words),
            " ".join(self.latin),
        )
        return "\x1e".join(parts).encode("utf-8")

    @classmethod
    def decode(cls, data: bytes) -> PageTokens:
        khmer, words, latin = data.decode("utf-8").split("\x1e")
        return cls(_runs(khmer), _runs(words), tuple(latin.split(" ")) if latin else ())


def _runs(text: str) -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(run.split(" ")) for run in text.split("\n")) if text else ()


def page_tokens(text: str, words: bool = True) -> PageTokens:
    """Analyse a text once; ``words=False`` leaves out the word segmentation (titles)."""
    runs = [run for run, _ in khmer_runs(text)]
    khmer = tuple(tuple(run[start:end] for start, end in clusters(run)) for run in runs)
    segmented = tuple(tuple(segment_words(run)) for run in runs) if words else ()
    return PageTokens(khmer, segmented, tuple(LATIN.terms(text)))


Term = tuple[str, int]  # text, position


def stream(kind: str, texts: Iterable[PageTokens]) -> list[Term]:
    """The terms and positions of one token stream over texts analysed by `page_tokens`,
    exactly what its analyzer gives for the texts joined by line breaks (a document's body
    is its pages): "km1".."km3" (`KHMER_NGRAMS`), "kmw" (`KHMER_WORDS`), "en" (`LATIN`),
    "en2" (`LATIN_PAIRS`)."""
    return _STREAMS[kind](list(texts))


def _ngrams(n: int) -> Callable[[list[PageTokens]], list[Term]]:
    def terms(texts: list[PageTokens]) -> list[Term]:
        found, position = [], 0
        for text in texts:
            for run in text.khmer:
                for i in range(len(run) - n + 1):
                    found.append(("".join(run[i : i + n]), position))
                    position += 1
                position += RUN_GAP
        return found

    return terms


def _words(texts: list[PageTokens]) -> list[Term]:
    found, position = [], 0
    for text in texts:
        for run in text.words:
            for word in run:
                found.append((word, position))
                position += 1
            position += 1
    return found


def _latin(texts: list[PageTokens]) -> list[Term]:
    return [(term, i) for i, term in enumerate(t for text in texts for t in text.latin)]


def _latin_pairs(texts: list[PageTokens]) -> list[Term]:
    terms = [t for text in texts for t in text.latin]
    return [(f"{a} {b}", i) for i, (a, b) in enumerate(zip(terms, terms[1:], strict=False))]


_STREAMS = {
    "km1": _ngrams(1),
    "km2": _ngrams(2),
    "km3": _ngrams(3),
    "kmw": _words,
    "en": _latin,
    "en2": _latin_pairs,
}
STREAMS = tuple(_STREAMS)


# --- a query's text, analysed once ----------------------------------------------------------


@dataclass(frozen=True)
class KhmerRun:
    """One Khmer run of a query: found as a phrase of its n-grams (`khmer_query`), lifted
    by its segmented words, and located on pages by its bigrams."""

    text: str  # folded
    n: int
    ngrams: tuple[str, ...]
    page_ngrams: tuple[str, ...]  # bigrams (pages keep no trigrams)
    words: tuple[str, ...]


@dataclass(frozen=True)
class QueryTerms:
    """Everything the engine and the highlighter need of a query's words."""

    khmer: tuple[KhmerRun, ...]
    latin: tuple[str, ...]  # index terms, in order
    typed_last: str = ""  # the last Latin word as typed (lower-cased): a prefix's other form


PAGE_NGRAM = 2  # pages index cluster n-grams up to this n


def analyse_query(text: str) -> QueryTerms:
    """Analyse a query's words once, for ranking, page finding and highlighting alike."""
    runs = []
    for run in khmer_query_runs(text):
        n, ngrams = khmer_query(run)
        page = cluster_ngrams(run, min(n, PAGE_NGRAM))
        runs.append(KhmerRun(run, n, tuple(ngrams), tuple(page), tuple(segment_words(run))))
    words = text.lower().split()
    return QueryTerms(tuple(runs), tuple(latin_terms(text)), words[-1] if words else "")
