"""Highlighted snippets cut from stored page text, safe for Khmer and for HTML.

A snippet is HTML: the page text HTML-escaped, whitespace collapsed, matches wrapped in
``<mark>``…``</mark>``, and "…" where the fragment cuts the page. Every cut and every mark
falls on an orthographic-cluster boundary, so no cluster is split and no COENG or vowel sign
is left dangling (`is_cluster_boundary`).
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from indexer.text.khmer import COENG, fold

# Characters that attach to the character before them: Khmer vowels, signs, shifters and
# COENG (U+17B4-U+17D3, U+17DD), ZWNJ/ZWJ, and Latin combining accents.
_ATTACHING = re.compile("[\u17b4-\u17d3\u17dd\u200c\u200d\u0300-\u036f]")
_WHITESPACE = re.compile(r"\s+")
_SOFT_EDGE = re.compile(r"[\s។៕៖,.;:!?()\[\]]")  # where a fragment reads best to start or end
ELLIPSIS = "…"


@dataclass(frozen=True)
class Highlight:
    """What to mark: folded Khmer strings, phrases of Latin index terms (a word is a phrase
    of one), and Latin prefixes."""

    khmer: tuple[str, ...] = ()
    latin: tuple[tuple[str, ...], ...] = ()
    prefixes: tuple[str, ...] = ()
    term_of: Callable[[str], str] = field(default=str.lower, compare=False)  # word -> term


def is_cluster_boundary(text: str, i: int) -> bool:
    """Whether a cut before ``text[i]`` keeps every cluster whole.

    Stricter than `khmer.clusters` on broken text (a stray mark after punctuation), never
    looser: the character at i must not attach to the one before, nor follow a COENG.
    """
    if i <= 0 or i >= len(text):
        return True
    return text[i - 1] != COENG and not _ATTACHING.match(text, i)


def match_spans(text: str, highlight: Highlight) -> list[tuple[int, int]]:
    """The (start, end) offsets in ``text`` of every highlighted match, merged and sorted."""
    folded = fold(text)
    spans = []
    for needle in highlight.khmer:
        start = folded.find(needle)
        while start >= 0:
            end = start + len(needle)
            if is_cluster_boundary(folded, start) and is_cluster_boundary(folded, end):
                spans.append((start, end))
            start = folded.find(needle, start + 1)
    if highlight.latin or highlight.prefixes:
        spans += _latin_spans(folded, highlight)
    return _merged(spans)


def snippet(
    text: str,
    highlight: Highlight,
    *,
    width: int = 240,
    spans: list[tuple[int, int]] | None = None,
) -> str:
    """An HTML fragment of about ``width`` characters around the densest cluster of matches
    (the page's start when nothing matches); pass ``spans`` if already found."""
    if spans is None:
        spans = match_spans(text, highlight)
    start, end = best_fragment(text, spans, width)
    return render(text, start, end, spans)


def best_fragment(text: str, spans: list[tuple[int, int]], width: int) -> tuple[int, int]:
    """A window of about ``width`` characters holding the most matches, its edges moved to
    cluster boundaries (to a space or punctuation when one is near) and never cutting a match."""
    if len(text) <= width:
        return 0, len(text)
    lead = width // 4
    best, best_count = 0, -1
    for anchor, _ in spans:
        window_start = max(0, anchor - lead)
        count = sum(1 for s, e in spans if s >= window_start and e <= window_start + width)
        if count > best_count:
            best, best_count = window_start, count
    start, end = best, min(len(text), best + width)
    for s, e in spans:  # widen to whole matches at both edges
        if s < start < e:
            start = s
        if s < end < e:
            end = e
    return _edge(text, start, -1), _edge(text, end, +1)


def render(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> str:
    """HTML for ``text[start:end]`` with the spans inside it marked."""
    parts = [ELLIPSIS] if start > 0 else []
    position = start
    for s, e in spans:
        if s < start or e > end:
            continue
        parts += [_escaped(text[position:s]), "<mark>", _escaped(text[s:e]), "</mark>"]
        position = e
    parts.append(_escaped(text[position:end]))
    if end < len(text):
        parts.append(ELLIPSIS)
    return "".join(parts).strip()


def marked(text: str, highlight: Highlight) -> str:
    """HTML of a whole text with its matches in ``<mark>``, whitespace kept (a page shown
    as text, where no page image can carry the hits)."""
    parts, position = [], 0
    for s, e in match_spans(text, highlight):
        parts += [html.escape(text[position:s], quote=False), "<mark>"]
        parts += [html.escape(text[s:e], quote=False), "</mark>"]
        position = e
    parts.append(html.escape(text[position:], quote=False))
    return "".join(parts)


def _escaped(text: str) -> str:
    return html.escape(_WHITESPACE.sub(" ", text), quote=False)


def _edge(text: str, i: int, direction: int, reach: int = 24) -> int:
    """Move a cut at i outwards to a soft edge within ``reach``, else to a cluster boundary."""
    limit = max(0, i - reach) if direction < 0 else min(len(text), i + reach)
    j = i
    while j != limit:
        soft = _SOFT_EDGE.match(text, j if direction > 0 else j - 1)
        if soft and is_cluster_boundary(text, j):
            return j
        j += direction
    while not is_cluster_boundary(text, i):
        i += direction
    return i


def _latin_spans(folded: str, highlight: Highlight) -> list[tuple[int, int]]:
    """Runs of Latin words whose index terms make a searched phrase (a word is a phrase of
    one), and words that start with a searched prefix.

    A regular expression finds the candidates: a stem keeps all but (at most) the last two
    letters of its word, so each phrase word must start with that much of its term; only the
    words of a candidate are then stemmed and compared.
    """
    spans = [m.span() for m in _prefix_pattern(highlight.prefixes).finditer(folded)]
    known: dict[str, str] = {}
    for phrase in highlight.latin:
        for candidate in _phrase_pattern(phrase).finditer(folded):
            words = _LATIN_WORD.findall(candidate.group())
            for word in words:
                if word not in known:
                    known[word] = highlight.term_of(word)
            if [known[word] for word in words] == list(phrase):
                spans.append(candidate.span())
    return spans


_LETTER = "[^\\W\\d_\u1780-\u17ff\u19e0-\u19ff]"  # as khmer.script_runs' "latin" runs
_LATIN_WORD = re.compile(f"{_LETTER}+|[0-9]+")
_NOT_WORD = f"(?:(?!{_LETTER})[^0-9])+"  # what the index skips between two Latin words


def _word_pattern(term: str) -> str:
    if term.isdigit():
        return f"(?<![0-9]){term}(?![0-9])"
    head = re.escape(term[: max(1, len(term) - 2)])
    return f"(?<!{_LETTER}){head}{_LETTER}*(?!{_LETTER})"


@lru_cache(maxsize=256)
def _phrase_pattern(phrase: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile(_NOT_WORD.join(_word_pattern(term) for term in phrase), re.DOTALL)


@lru_cache(maxsize=256)
def _prefix_pattern(prefixes: tuple[str, ...]) -> re.Pattern[str]:
    if not prefixes:
        return re.compile("(?!)")  # matches nothing
    alternatives = "|".join(re.escape(prefix) for prefix in prefixes)
    return re.compile(f"(?<!{_LETTER})(?:{alternatives}){_LETTER}*")


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
