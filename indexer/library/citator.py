"""The citator: each document's citations, kept in library.sqlite, and the links they make
between the library's documents — "legal basis" and "cited by", "amends" and "amended by".

Citations are parsed from the stored page text at sync time (no OCR again) and kept per content
hash, so a rename, a `rebuild` or a catalogue correction never needs them parsed again. Links
are resolved when asked, over the live documents with the librarian's corrections applied: a
document added or removed, or a number corrected in catalog.csv, changes the links at once,
and a removed document links to nothing and from nothing.

A citation resolves to a document by its number first (canonical, `numbers`), then by a
compatible type, the same year and its title words, tolerant of OCR errors.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from indexer.library import catalog, numbers
from indexer.library.citations import Citation, document_citations
from indexer.library.metadata.lines import loose

#: Bump when the parser changes: citations stored by an older one are parsed again at sync.
PARSER_VERSION = 1
#: Title words this similar (0-100, on the subjects) name the same instrument.
MIN_TITLE_SCORE = 75
#: When the years differ in one digit (an OCR slip in one of them), titles must be closer.
MIN_TITLE_SCORE_OFF_YEAR = 80
#: When the numbers on both sides differ (an OCR slip, or another instrument), titles must be.
MIN_TITLE_SCORE_AGAINST_NUMBER = 92

SCHEMA = """
CREATE TABLE IF NOT EXISTS citations (
    hash TEXT NOT NULL,
    seq INTEGER NOT NULL,
    relation TEXT NOT NULL,
    type TEXT NOT NULL,
    number TEXT NOT NULL,
    date TEXT NOT NULL,
    title TEXT NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (hash, seq)
);
CREATE TABLE IF NOT EXISTS citations_parsed (
    hash TEXT PRIMARY KEY,
    version INTEGER NOT NULL,
    title TEXT NOT NULL
);
"""

#: A royal kram is cited for the law it promulgates, and the library files that law as a law.
_FAMILY = {"royal-kram": "law"}


@dataclass(frozen=True)
class Target:
    """What resolution knows of a document: id, type, canonical number, year, title (and its
    date, to show)."""

    id: str
    type: str
    number: str
    year: int | None
    title: str
    date: str = ""


@dataclass(frozen=True)
class CitedNumber:
    """A number a document does not print (or OCR could not read) but another document's
    citation gives it: the canonical number and the id of the citing document."""

    number: str
    cited_in: str


def compatible(cited: str, document: str) -> bool:
    """Whether a citation of type ``cited`` may name a document of type ``document``."""
    return bool(cited and document) and _FAMILY.get(cited, cited) == _FAMILY.get(document, document)


@lru_cache(maxsize=65536)
def _subject(title: str) -> str:
    """A title's subject, loose: what follows its ស្តីពី ("on"), or all of it (kept: each
    document's title is compared with many citations)."""
    folded = loose(title)
    about = re.search(f"{loose('ស្តីពី')}|{loose('ស្តីអំពី')}", folded)
    return folded[about.end() :] if about else folded


#: Khmer digits OCR confuses: ៩/៥ and ៤/៨ (1994 read as 1954 or 1998).
_DIGIT_SLIPS = frozenset({("9", "5"), ("5", "9"), ("4", "8"), ("8", "4")})


def _one_slip(year: int, other: int) -> bool:
    """Whether two years differ in one digit that OCR confuses with the other."""
    return other in _slipped_years(year)


@dataclass(frozen=True)
class Pool:
    """Documents with their title subjects, worked out once for the many citations that are
    compared with the same documents (those of one type family and year)."""

    documents: tuple[Target, ...]
    subjects: tuple[str, ...]

    @classmethod
    def of(cls, documents: Iterable[Target]) -> Pool:
        documents = tuple(documents)
        return cls(documents, tuple(_subject(document.title) for document in documents))


def resolve(
    citation: Citation, documents: Sequence[Target] | Pool, self_id: str = ""
) -> str | None:
    """The id of the document a citation names, or None when the library holds none."""
    pool = documents if isinstance(documents, Pool) else Pool.of(documents)
    if citation.number:
        same = [d for d in pool.documents if d.number == citation.number and d.id != self_id]
        typed = [d for d in same if compatible(citation.type, d.type)] or same
        if typed:
            return typed[0].id
    return _best(title_matches(citation, pool, exclude=self_id))


def _best(matched: dict[str, float]) -> str | None:
    """The id of the best title match (the first of equal scores), or None."""
    return max(matched, key=matched.get) if matched else None


def title_matches(
    citation: Citation, documents: Sequence[Target] | Pool, exclude: str = ""
) -> dict[str, float]:
    """The documents (but ``exclude``) a citation names by a compatible type, its year and its
    title words: each id with its title score (the best is what it resolves to; more than
    one, an ambiguity)."""
    if not citation.title:
        return {}
    year = citation.year
    subject = _subject(citation.title)
    if len(subject) < 4:
        return {}
    pool = documents if isinstance(documents, Pool) else Pool.of(documents)
    # Scored in one call (rapidfuzz, in C), then the per-document tests on those that pass
    # the lowest threshold, in the documents' order (the first of equal scores wins).
    found = process.extract(
        subject,
        pool.subjects,
        scorer=fuzz.ratio,
        processor=None,
        score_cutoff=MIN_TITLE_SCORE,
        limit=None,
    )
    matched = {}
    for _, score, i in sorted(found, key=lambda item: item[2]):
        document = pool.documents[i]
        if document.id == exclude or not compatible(citation.type, document.type):
            continue
        off_year = bool(year and document.year and year != document.year)
        if off_year and not _one_slip(year, document.year):
            continue
        numbered = citation.number and document.number and citation.number != document.number
        needed = MIN_TITLE_SCORE_AGAINST_NUMBER if numbered else MIN_TITLE_SCORE
        needed = max(needed, MIN_TITLE_SCORE_OFF_YEAR) if off_year else needed
        if score >= needed:
            matched[document.id] = score
    return matched


# --- storage ---------------------------------------------------------------------------------


def ensure_schema(db: sqlite3.Connection) -> None:
    db.executescript(SCHEMA)


def sync(
    db: sqlite3.Connection,
    documents: Iterable[tuple[str, str]],
    pages_of: Callable[[str], Sequence[str]],
) -> int:
    """Parse the citations of the (content hash, title) pairs this parser has not read with that
    title yet, from their stored page texts; returns how many were parsed."""
    ensure_schema(db)
    done = dict(
        db.execute("SELECT hash, title FROM citations_parsed WHERE version = ?", (PARSER_VERSION,))
    )
    todo = [(h, title) for h, title in documents if done.get(h) != title]
    for content_hash, title in todo:
        record(db, content_hash, pages_of(content_hash), title)
    return len(todo)


def record(db: sqlite3.Connection, content_hash: str, pages: Sequence[str], title: str) -> None:
    """Parse and keep a content's citations (its legal basis, and what its title says it
    amends), replacing what was kept before, in one transaction."""
    found = document_citations(pages, title)
    with db:
        db.execute("BEGIN")
        db.execute("DELETE FROM citations WHERE hash = ?", (content_hash,))
        db.executemany(
            "INSERT INTO citations (hash, seq, relation, type, number, date, title, text) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (content_hash, i, c.relation, c.type, c.number, c.date, c.title, c.text)
                for i, c in enumerate(found)
            ],
        )
        db.execute(
            "INSERT OR REPLACE INTO citations_parsed (hash, version, title) VALUES (?, ?, ?)",
            (content_hash, PARSER_VERSION, title),
        )


def _stored(db: sqlite3.Connection) -> dict[str, list[Citation]]:
    """Every kept citation by content hash (none for a library that has no citator tables yet,
    read by a reader that may not create them)."""
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "citations" not in tables:
        return {}
    rows = db.execute(
        "SELECT hash, relation, type, number, date, title, text FROM citations ORDER BY hash, seq"
    )
    kept: dict[str, list[Citation]] = {}
    for content_hash, relation, kind, number, date, title, text in rows:
        kept.setdefault(content_hash, []).append(
            Citation(kind, number, date, title, relation, text)
        )
    return kept


# --- links -----------------------------------------------------------------------------------


class Library:
    """The live documents as resolution sees them, with each one's citations and, worked out
    once, what each citation resolves to."""

    def __init__(self, targets: Sequence[Target], hashes: dict[str, str], kept: dict):
        self.targets = tuple(targets)
        self.hashes = hashes
        self.citations: dict[str, list[Citation]] = kept
        self._by_id = {target.id: target for target in self.targets}
        self._resolved: dict[str, list[str | None]] | None = None
        self._pools: dict[tuple, Pool] = {}
        self._by_year: dict[int | None, list[Target]] | None = None
        self._cited_numbers: dict[str, CitedNumber] | None = None

    def target(self, doc_id: str) -> Target | None:
        return self._by_id.get(doc_id)

    def citations_of(self, doc_id: str) -> list[Citation]:
        return self.citations.get(self.hashes.get(doc_id, ""), [])

    def cited_numbers(self) -> dict[str, CitedNumber]:
        """`cited_numbers` of this library, worked out once."""
        if self._cited_numbers is None:
            self._cited_numbers = cited_numbers(self)
        return self._cited_numbers

    def resolved(self) -> dict[str, list[str | None]]:
        """Per document id, the id each of its citations resolves to (None: not in the library).

        A citation is resolved among the documents of its number and those of its type's
        family whose year it may name (`_near_years`): the others fail `title_matches`' year
        test anyway, and comparing every pair took 40 s at 5,000 documents."""
        if self._resolved is None:
            by_number: dict[str, list[Target]] = {}
            for target in self.targets:
                if target.number:
                    by_number.setdefault(target.number, []).append(target)
            self._resolved = {
                target.id: [
                    self._resolve(citation, by_number.get(citation.number, []), target.id)
                    for citation in self.citations_of(target.id)
                ]
                for target in self.targets
            }
        return self._resolved

    def _resolve(self, citation: Citation, numbered: list[Target], self_id: str) -> str | None:
        """`resolve` among the documents of the citation's number, else by title among its
        `family_pool` (which holds none of that number but the citing document)."""
        if any(document.id != self_id for document in numbered):
            return resolve(citation, numbered, self_id)
        return _best(title_matches(citation, self.family_pool(citation), exclude=self_id))

    def family_pool(self, citation: Citation) -> Pool:
        """The documents a citation may name by title: of its type's family and, when it is
        dated, of the years it may name; in library order, so that ties resolve alike."""
        family = _FAMILY.get(citation.type, citation.type)
        years = _near_years(citation.year) if citation.year else None
        key = ("family", family, years)
        if key not in self._pools:
            self._pools[key] = Pool.of(
                target
                for target in self.targets
                if _FAMILY.get(target.type, target.type) == family
                and (years is None or target.year in years)
            )
        return self._pools[key]

    def year_pool(self, year: int) -> Pool:
        """The documents of the years a citation of ``year`` may name, any type."""
        key = ("year", year)
        if key not in self._pools:
            if self._by_year is None:
                self._by_year = {}
                for target in self.targets:
                    self._by_year.setdefault(target.year, []).append(target)
            near = _near_years(year)
            self._pools[key] = Pool.of(t for y in near for t in self._by_year.get(y, []))
        return self._pools[key]


def load(db: sqlite3.Connection) -> Library:
    """The live documents of a library.sqlite (catalogue corrections applied) and their
    citations."""
    rows = db.execute("SELECT id, hash, detected, overrides FROM documents WHERE live = 1")
    targets, hashes = [], {}
    for doc_id, content_hash, detected, overrides in rows:
        meta, _ = catalog.apply(json.loads(detected), json.loads(overrides))
        targets.append(
            Target(
                doc_id,
                meta.get("type", ""),
                numbers.canonical(meta.get("number", "") or ""),
                meta.get("year"),
                meta.get("title", ""),
                meta.get("date", ""),
            )
        )
        hashes[doc_id] = content_hash
    return Library(tuple(targets), hashes, _stored(db))


def _entry(citation: Citation, doc_id: str | None) -> dict:
    entry = {
        "type": citation.type,
        "number": citation.number,
        "date": citation.date,
        "title": citation.title,
    }
    return {"id": doc_id, **entry} if doc_id else entry


def _document_entry(target: Target) -> dict:
    return {
        "id": target.id,
        "type": target.type,
        "number": target.number,
        "date": target.date or str(target.year or ""),
        "title": target.title,
    }


def links(library: Library, doc_id: str) -> dict[str, list[dict]]:
    """A document's ``legal_basis`` and ``amends`` (its citations, with the id of the document
    each resolves to), its ``cited_by`` and ``amended_by`` (the documents whose citations
    resolve to it): each a list of ``{id (when resolved), type, number, date, title}``; and,
    when its number is one another document cites it by (`cited_numbers`), ``number_cited_in``:
    that document, with the number it ``cited``."""
    result: dict[str, list[dict]] = {
        "legal_basis": [],
        "amends": [],
        "cited_by": [],
        "amended_by": [],
    }
    resolved = library.resolved()
    cited = library.cited_numbers().get(doc_id)
    if cited and (citing_target := library.target(cited.cited_in)):
        result["number_cited_in"] = [{**_document_entry(citing_target), "cited": cited.number}]
    for citation, target in zip(
        library.citations_of(doc_id), resolved.get(doc_id, []), strict=True
    ):
        key = "amends" if citation.relation == "amends" else "legal_basis"
        result[key].append(_entry(citation, target))
    for other in library.targets:
        if other.id == doc_id:
            continue
        for citation, target in zip(
            library.citations_of(other.id), resolved[other.id], strict=True
        ):
            key = "amended_by" if citation.relation == "amends" else "cited_by"
            if target == doc_id and all(entry["id"] != other.id for entry in result[key]):
                result[key].append(_document_entry(other))
    return result


#: A number cited this many times more than every other number given to the same document
#: together is the one OCR read right in most citing documents (០២/នស/៩៤, and ៩៨ in a few).
MAJORITY = 2


def cited_numbers(library: Library) -> dict[str, CitedNumber]:
    """Per document with no number of its own (detected or catalogued), the number other
    documents cite it by: only from citations whose number no document has, dated so that the
    number fits, that name by type, year and title this document and no other; and only when
    one number is given at least MAJORITY times as often as all the others together.

    A sync works this out each time, so only the documents of the cited year (or of a year
    one OCR slip away, or of none) are compared with each citation, not the whole library."""
    taken = {target.number for target in library.targets if target.number}
    votes: dict[str, dict[str, list[str]]] = {}  # id -> number -> citing ids
    for citing_target in library.targets:
        for citation in library.citations_of(citing_target.id):
            year = citation.year
            if not citation.number or citation.number in taken:
                continue  # no number to give, or the number is another document's
            if not year or not numbers.plausible(citation.number, year):
                continue
            pool = library.year_pool(year)
            matched = title_matches(citation, pool, exclude=citing_target.id)
            if len(matched) != 1:
                continue  # none, or another document fits the citation as well
            (doc_id,) = matched
            if not library.target(doc_id).number:
                votes.setdefault(doc_id, {}).setdefault(citation.number, []).append(
                    citing_target.id
                )
    adopted = {}
    for doc_id, given in votes.items():
        number, citing_ids = max(given.items(), key=lambda item: len(item[1]))
        others = sum(len(ids) for other, ids in given.items() if other != number)
        if len(citing_ids) >= MAJORITY * others:
            adopted[doc_id] = CitedNumber(number, citing_ids[0])
    return adopted


@dataclass(frozen=True)
class CitedDate:
    """The full date the library's citations give a document, and how many agree on it."""

    date: str
    citations: int


def cited_dates(library: Library) -> dict[str, CitedDate]:
    """Per document that citations resolve to, the full date (YYYY-MM-DD) they give it, when
    one date is given at least MAJORITY times as often as all the others together: a day OCR
    misread or lost on the document is read in the documents that cite it."""
    given: dict[str, list[str]] = {}
    resolved = library.resolved()
    for citing_id, targets in resolved.items():
        for citation, target in zip(library.citations_of(citing_id), targets, strict=True):
            if target and target != citing_id and len(citation.date) == 10:
                given.setdefault(target, []).append(citation.date)
    adopted = {}
    for doc_id, dates in given.items():
        best = max(set(dates), key=dates.count)
        if dates.count(best) >= MAJORITY * (len(dates) - dates.count(best)):
            adopted[doc_id] = CitedDate(best, dates.count(best))
    return adopted


def dated_by_citations(own: str, cited: CitedDate) -> str | None:
    """The date a document takes from its citations: theirs where its own pages give the same
    month (or year, where the month is not settled) but no day or another day (its month
    alone when a single citation gives another day: neither reading is surer); None when its
    own date stands (the same, empty, or of another month: an OCR slip on either side)."""
    if own == cited.date or not own or not cited.date.startswith(own[:7]):
        return None
    if len(own) == 10 and cited.citations < MAJORITY:
        return own[:7]  # one citation against the document's own day: neither is surer
    return cited.date


@lru_cache(maxsize=4096)
def _slipped_years(year: int) -> tuple[int, ...]:
    """The years one OCR digit slip away from ``year`` (1994: 1954, 1998)."""
    digits = str(year)
    return tuple(
        int(digits[:i] + other + digits[i + 1 :])
        for i, digit in enumerate(digits)
        for read, other in _DIGIT_SLIPS
        if read == digit
    )


def _near_years(year: int) -> tuple[int | None, ...]:
    """The document years a citation of ``year`` may name: its own, none, one slip away."""
    return (year, None, *_slipped_years(year))


def citing(library: Library, doc_id: str) -> set[str]:
    """Ids of the documents that cite (or amend) ``doc_id``."""
    return {
        other
        for other, targets in library.resolved().items()
        if other != doc_id and doc_id in targets
    }
