"""The Khmer ⇄ English D&D glossary (indexer/data/glossary.tsv): the other language's terms for
the glossary entries a query contains, so that a search can look in both languages' documents.

English is matched on words, lower-cased, with -ise/-isation spelt -ize/-ization and plurals cut
to the singular, so "Commune Councils" meets "commune council". Khmer is matched on the
normalised text (`khmer.normalize`: spaces between Khmer words and ្ដ/្ត do not matter), at
cluster edges only, so a term never matches half a cluster. Longer entries win: "commune
council budget" is commune council + budget, not commune + council + budget.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from indexer.text.khmer import clusters, normalize

GLOSSARY = Path(__file__).resolve().parents[1] / "data" / "glossary.tsv"

_WORD = re.compile(r"[a-z0-9]+")
_BRITISH_ISE = re.compile(r"(?<=[a-z]{3})is(?=e|ed|es|ing|ation|ations)$")


@dataclass(frozen=True)
class Entry:
    """One concept: its English and Khmer terms (preferred first) and its domain."""

    en: tuple[str, ...]
    km: tuple[str, ...]
    domain: str


@cache
def entries(path: Path = GLOSSARY) -> tuple[Entry, ...]:
    """The glossary, parsed once per process; "#" lines are its description."""
    with path.open(encoding="utf-8") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return tuple(
        Entry(tuple(row["en"].split("|")), tuple(row["km"].split("|")), row["domain"])
        for row in csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
    )


def latin_key(text: str) -> tuple[str, ...]:
    """The words English is matched on: lower case, -ize spelling, singular."""
    return tuple(_singular(_BRITISH_ISE.sub("iz", word)) for word in _WORD.findall(text.lower()))


def khmer_key(text: str) -> tuple[str, ...]:
    """The clusters Khmer is matched on: of the normalised text, whitespace left out."""
    text = normalize(text)
    return tuple(text[a:b] for a, b in clusters(text) if not text[a:b].isspace())


def expand(query_text: str) -> list[tuple[str, str]]:
    """The other language's terms for the glossary entries in a query, as (term, language)
    pairs ("km" or "en"), in query order, without duplicates and without terms the query
    already holds. ``expand("commune council budget")`` gives the Khmer of commune council
    and of budget; a Khmer query gives English."""
    latin, khmer = latin_key(query_text), khmer_key(query_text)
    found = [(entry, "km") for entry in _longest_matches(latin, _index("en"))]
    found += [(entry, "en") for entry in _longest_matches(khmer, _index("km"))]
    added: list[tuple[str, str]] = []
    seen: set[tuple[str, ...]] = set()
    for entry, language in found:
        key_of, held = (khmer_key, khmer) if language == "km" else (latin_key, latin)
        for term in entry.km if language == "km" else entry.en:
            key = key_of(term)
            if key not in seen and not _contains(held, key):
                seen.add(key)
                added.append((term, language))
    return added


@cache
def _index(language: str) -> dict[str, list[tuple[tuple[str, ...], Entry]]]:
    """Each term's key by its first word or cluster, longest first."""
    key_of = latin_key if language == "en" else khmer_key
    index: dict[str, list[tuple[tuple[str, ...], Entry]]] = {}
    for entry in entries():
        for term in entry.en if language == "en" else entry.km:
            key = key_of(term)
            if key:
                index.setdefault(key[0], []).append((key, entry))
    for keyed in index.values():
        keyed.sort(key=lambda pair: -len(pair[0]))
    return index


def _longest_matches(
    tokens: tuple[str, ...], index: dict[str, list[tuple[tuple[str, ...], Entry]]]
) -> list[Entry]:
    """Entries found left to right, each the longest term starting at that point."""
    return list(dict.fromkeys(_occurrences(tokens, index)))


def _occurrences(
    tokens: tuple[str, ...], index: dict[str, list[tuple[tuple[str, ...], Entry]]]
) -> Iterator[Entry]:
    """Every occurrence of an entry, left to right, the longest term at each point."""
    i = 0
    while i < len(tokens):
        for key, entry in index.get(tokens[i], ()):
            if tokens[i : i + len(key)] == key:
                yield entry
                i += len(key)
                break
        else:
            i += 1


def concepts(text: str) -> Counter[int]:
    """How often the text names each glossary entry (by its position in `entries`), in
    either language: a language-neutral account of what a text is about, which a Khmer text
    and its English translation share."""
    numbers = _entry_numbers()
    found: Counter[int] = Counter()
    for language, key_of in (("en", latin_key), ("km", khmer_key)):
        found.update(numbers[entry] for entry in _occurrences(key_of(text), _index(language)))
    return found


@cache
def _entry_numbers() -> dict[Entry, int]:
    return {entry: number for number, entry in enumerate(entries())}


def _contains(tokens: tuple[str, ...], key: tuple[str, ...]) -> bool:
    return any(tokens[i : i + len(key)] == key for i in range(len(tokens) - len(key) + 1))


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def groups(query_text: str) -> list[tuple[str, ...]]:
    """The terms `expand` adds, grouped by the entry they come from: any one term of a
    group names that concept (a search needs every concept, by any of its terms)."""
    by_term: dict[str, Entry] = {}
    for entry in entries():
        for term in (*entry.en, *entry.km):
            by_term.setdefault(term, entry)
    grouped: dict[Entry, list[str]] = {}
    for term, _language in expand(query_text):
        grouped.setdefault(by_term[term], []).append(term)
    return [tuple(terms) for terms in grouped.values()]
