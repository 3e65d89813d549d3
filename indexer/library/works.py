"""A work in two languages: an English translation and its Khmer original linked as one work.

Two documents are versions of one work when they are of one instrument type (a law and the
royal kram that promulgates it count as one), of one year (a year apart, one OCR digit slip, or
a year the English title names: a translation may be dated by its own publication), when their
numbers, if both state one, are the same, and when their texts share their vocabulary: the
glossary entries (indexer/data/glossary.tsv gives Khmer and English terms one entry) each text
names, weighed by how rare they are in the library, must be alike (cosine), and very much alike
unless the same number or the same title words vouch for the pair. Title words are compared
through the glossary too, and a title also counts as named when the other document's opening
pages name it (a scan's OCR'd title is often garbled). A document whose year is unknown needs
both the title and a very similar text. Among the pairs that pass, a Khmer document is linked
to the English one it fits best, when no other fits as well and that English one fits no other
Khmer document clearly better: two Khmer laws of a year never share a translation by default.
A wrong link is worse than none: every test must pass.

The librarian has the last word: a document's ``work`` cell in catalog.csv lists the ids of
its other versions (a link set or confirmed), or "-" for none (a link removed). Links are
kept in library.sqlite and worked out again at each sync from the stored text (each text's
glossary entries are counted once per content and detector version), so they follow new
documents and catalogue corrections.
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from indexer.library import numbers
from indexer.library.citator import compatible
from indexer.text.glossary import concepts, entries

#: Bump when the terms counted change: they are counted again at the next sync.
TERMS_VERSION = "2"
#: The pages whose glossary entries stand for a document's title too: a scan's OCR'd title is
#: often garbled, but its opening names the instrument again (the kram "promulgating the law on
#: investment").
OPENING_PAGES = 2
#: The titles must share this share of their glossary entries (Jaccard, instrument types out).
MIN_TITLE_SHARE = 0.5
#: The texts' glossary entries, weighed by rarity, must be this alike (cosine) ...
MIN_TEXT_SIMILARITY = 0.5
#: ... and this alike when neither the number nor the title says they are one work (the title
#: of an OCR'd scan is often too garbled to share words with its translation's).
SAME_TEXT_SIMILARITY = 0.65
#: A Khmer document is linked to the English one it fits best when that English one fits no
#: other Khmer document better by more than this (a second Khmer file of the same law).
NEARLY_BEST = 0.1
#: OCR confuses these Khmer digits in years (1994 read 1998): a year one such slip away fits.
_SLIPS = {"4": "8", "8": "4", "5": "9", "9": "5"}
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")

SCHEMA = """
CREATE TABLE IF NOT EXISTS work_terms (
    hash TEXT PRIMARY KEY,
    version TEXT NOT NULL,
    terms TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS works (
    id TEXT NOT NULL,
    other TEXT NOT NULL,
    how TEXT NOT NULL,
    PRIMARY KEY (id, other)
);
"""


@dataclass(frozen=True)
class Version:
    """What linking knows of a document: its metadata and its text's glossary entries."""

    id: str
    language: str  # "en" or "km"; bilingual documents are not linked
    type: str
    year: int | None
    number: str
    title: str
    terms: Counter[int]
    opening: Counter[int]  # the glossary entries of its first pages

    @property
    def years(self) -> set[int]:
        """Its year, the years one OCR slip away, and the years its title names."""
        found = {int(y) for y in _YEAR.findall(self.title)}
        if self.year:
            text = str(self.year)
            found |= {self.year - 1, self.year, self.year + 1}
            found |= {
                int(text[:i] + _SLIPS[d] + text[i + 1 :]) for i, d in enumerate(text) if d in _SLIPS
            }
        return found


def language_of(languages: Sequence[str]) -> str:
    """ "en" or "km" for a document in one of them, "" for a bilingual or unknown one."""
    return languages[0] if len(languages) == 1 and languages[0] in ("en", "km") else ""


def link(versions: Sequence[Version]) -> set[frozenset[str]]:
    """The pairs of ids (one English, one Khmer) that are versions of one work: each Khmer
    document with the English one it is most like, when that English one is most like it
    too, or nearly (two Khmer files of one law, a constitution as amended twice)."""
    weights = _rarity(versions)
    english = [v for v in versions if v.language == "en"]
    by_year: dict[int | None, list[Version]] = {}  # Khmer documents by each year they fit
    for version in versions:
        if version.language == "km":
            for year in version.years or {None}:
                by_year.setdefault(year, []).append(version)
    scores: dict[tuple[str, str], float] = {}
    for en in english:
        years = en.years or set(by_year)  # an undated one is compared with every year
        candidates = {v.id: v for y in (*years, None) for v in by_year.get(y, [])}
        for km in candidates.values():
            score = _pair_score(en, km, weights)
            if score is not None:
                scores[en.id, km.id] = score
    best_english: dict[str, list[tuple[float, str]]] = {}
    best_of_english: dict[str, float] = {}
    for (en, km), score in scores.items():
        best_english.setdefault(km, []).append((score, en))
        best_of_english[en] = max(best_of_english.get(en, 0.0), score)
    pairs = set()
    for km, candidates in best_english.items():
        candidates.sort(reverse=True)
        if len(candidates) > 1 and candidates[1][0] == candidates[0][0]:
            continue  # two translations fit as well: none
        score, en = candidates[0]
        if score >= best_of_english[en] - NEARLY_BEST:
            pairs.add(frozenset((en, km)))
    return pairs


def _pair_score(en: Version, km: Version, weights: dict[int, float]) -> float | None:
    """How alike an English and a Khmer document are, None when they cannot be one work:
    another type or year, other numbers, or too little in common (the same number, the same
    title words, or texts very much alike; and texts alike in any case)."""
    if not compatible(en.type, km.type):
        return None
    dated = bool(en.years and km.years)
    if dated and not en.years & km.years:
        return None
    same_number = bool(en.number and km.number) and (
        numbers.canonical(en.number) == numbers.canonical(km.number)
    )
    if en.number and km.number and not same_number:
        return None
    title = max(_title_share(en.title, km.title), _named(en, km), _named(km, en))
    text = _cosine(en.terms, km.terms, weights)
    if text < MIN_TEXT_SIMILARITY:
        return None
    vouched = same_number or title >= MIN_TITLE_SHARE
    alike = text >= SAME_TEXT_SIMILARITY
    # a pair whose years cannot be compared needs both the title and the text
    if not (vouched or alike) or not dated and not (vouched and alike):
        return None
    return text + title + (1.0 if same_number else 0.0)


def _title_share(first: str, second: str) -> float:
    """The share of glossary entries two titles have in common (instrument types left out:
    the type is compared apart)."""
    subjects = [set(concepts(title)) - _instrument_entries() for title in (first, second)]
    union = subjects[0] | subjects[1]
    return len(subjects[0] & subjects[1]) / len(union) if union else 0.0


def _named(one: Version, other: Version) -> float:
    """The share of the glossary entries of one's title (instrument types left out) that the
    other's opening pages name."""
    subject = set(concepts(one.title)) - _instrument_entries()
    return len(subject & set(other.opening)) / len(subject) if subject else 0.0


_INSTRUMENTS: set[int] = set()


def _instrument_entries() -> set[int]:
    if not _INSTRUMENTS:
        _INSTRUMENTS.update(i for i, e in enumerate(entries()) if e.domain == "instrument")
    return _INSTRUMENTS


def _rarity(versions: Sequence[Version]) -> dict[int, float]:
    """Each glossary entry's weight: rarer in the library's documents, heavier."""
    held = Counter(term for version in versions for term in version.terms)
    total = len(versions)
    return {term: math.log(1 + total / count) for term, count in held.items()}


def _cosine(first: Counter[int], second: Counter[int], weights: dict[int, float]) -> float:
    def vector(terms: Counter[int]) -> dict[int, float]:
        return {t: (1 + math.log(n)) * weights.get(t, 0.0) for t, n in terms.items()}

    a, b = vector(first), vector(second)
    dot = sum(value * b.get(term, 0.0) for term, value in a.items())
    norm = math.sqrt(sum(v * v for v in a.values()) * sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


# --- storage and sync -------------------------------------------------------------------------


def sync(
    db: sqlite3.Connection,
    records: dict[str, dict],
    hashes: dict[str, str],
    overrides: dict[str, list[str]],
    pages_of: Callable[[str], Sequence[str]],
) -> dict[str, list[str]]:
    """Link the live documents (id -> effective metadata, content hash) into works, with the
    catalogue's ``work`` cells (id -> the other versions' ids) laid over detection; keep the
    links and return each document's other versions."""
    db.executescript(SCHEMA)
    terms = _terms(db, {hashes[doc_id] for doc_id in records}, pages_of)
    versions = [
        Version(
            doc_id,
            language_of(fields.get("languages") or []),
            fields.get("type", ""),
            fields.get("year"),
            fields.get("number", ""),
            fields.get("title", ""),
            *terms[hashes[doc_id]],
        )
        for doc_id, fields in records.items()
    ]
    detected = link([v for v in versions if v.language])
    pairs = {pair: "detected" for pair in detected}
    for doc_id, others in overrides.items():
        for pair in [p for p in pairs if doc_id in p and not (p - {doc_id}) <= set(others)]:
            del pairs[pair]  # the librarian removed it
        for other in others:
            if other in records and other != doc_id:
                pairs[frozenset((doc_id, other))] = "catalogue"
    linked: dict[str, list[str]] = {}
    with db:
        db.execute("BEGIN")
        db.execute("DELETE FROM works")
        for pair, how in sorted(pairs.items(), key=lambda item: sorted(item[0])):
            for one in pair:
                (other,) = pair - {one}
                db.execute("INSERT INTO works (id, other, how) VALUES (?, ?, ?)", (one, other, how))
                linked.setdefault(one, []).append(other)
    return {doc_id: sorted(others) for doc_id, others in linked.items()}


def _terms(
    db: sqlite3.Connection, wanted: set[str], pages_of: Callable[[str], Sequence[str]]
) -> dict[str, tuple[Counter[int], Counter[int]]]:
    """The glossary entries of each content's text and of its opening pages, counted once
    per terms version."""
    rows = db.execute("SELECT hash, terms FROM work_terms WHERE version = ?", (TERMS_VERSION,))
    kept = {h: _counters(json.loads(t)) for h, t in rows if h in wanted}
    for content_hash in sorted(wanted - kept.keys()):
        pages = pages_of(content_hash)
        counted = (concepts("\n".join(pages)), concepts("\n".join(pages[:OPENING_PAGES])))
        kept[content_hash] = counted
        with db:
            db.execute(
                "INSERT OR REPLACE INTO work_terms (hash, version, terms) VALUES (?, ?, ?)",
                (content_hash, TERMS_VERSION, json.dumps(counted)),
            )
    return kept


def _counters(stored: list[dict]) -> tuple[Counter[int], Counter[int]]:
    return tuple(Counter({int(k): v for k, v in counts.items()}) for counts in stored)


def stored(db: sqlite3.Connection, how: str = "") -> dict[str, list[str]]:
    """Each document's other versions as the last sync linked them (none before any); with
    ``how`` ("detected" or "catalogue"), only the links made so."""
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "works" not in tables:
        return {}
    linked: dict[str, list[str]] = {}
    rows = db.execute("SELECT id, other, how FROM works ORDER BY id, other")
    for doc_id, other, made in rows:
        if not how or made == how:
            linked.setdefault(doc_id, []).append(other)
    return linked
