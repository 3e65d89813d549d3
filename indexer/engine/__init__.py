"""The one door to the index: what the indexing run and the query layer may ask of it.

`Engine` is the contract; `open_engine` gives the engine of an index location (the ``index``
link of a data folder, or any folder), one object per location and process, so its caches
(open searchers, the document table, rankings) live as long as the process serves. The
Whoosh implementation is `indexer.engine.whoosh_backend`, the only code that imports Whoosh;
`indexer.engine.tantivy_backend` implements the same protocol on Tantivy, the only code that
imports it. Both build their schemas from one field table (`indexer.engine.fields`) and run
through the same contract tests (tests/test_engine.py). A data folder's backend is chosen by
`ddsearch index --engine` and known from its index folder (`backend_of`).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from indexer import querytree as qt
from indexer.model import Document

SORTS = ("relevance", "newest", "oldest", "added")


@dataclass
class DocumentHit:
    metadata: dict  # id, title, type, year, languages, number, issuer, paths, added, updated,
    #                 and the librarian-only fields (model.LIBRARIAN_ONLY, "" when not given)
    score: float
    pages: list[tuple[int, str]]  # (page number, stored text) of candidate pages, best first


@dataclass
class SearchOutcome:
    total: int
    hits: list[DocumentHit]
    facets: dict[str, dict[str, int]]  # "type", "year", "language": value -> documents
    capped: bool = False  # a prefix stood for only its most frequent terms (bounded cost)


@dataclass
class PageCandidate:
    """A page holding many of an approximate phrase's cluster bigrams."""

    doc_id: str
    page: int
    text: str  # stored page text
    weight: float  # the summed rarity (idf) of the phrase's bigrams the page holds


class Engine(Protocol):
    """An index of documents and their pages, written in whole commits, read by many."""

    #: Changes whenever fields or analysis change: part of every document's fingerprint,
    #: and an index of another version is rebuilt (IndexVersionError until then).
    version: str

    def exists(self) -> bool:
        """Whether an index has been created at this location (it may hold nothing yet)."""

    def create(self) -> None:
        """Create an empty index here unless one exists."""

    def apply_changes(
        self, upserts: Iterable[Document], delete_ids: Iterable[str], *, jobs: int = 1
    ) -> None:
        """Replace and delete documents in ONE commit: a crash leaves the old or the new
        state. ``jobs`` > 1 analyses in that many processes (worth it for big batches)."""

    def rebuild(self, documents: Iterable[Document], *, jobs: int = 1) -> None:
        """Build a complete new index from ``documents`` beside the old one and swap it in
        at once; readers of the old one carry on."""

    def fingerprints(self) -> dict[str, str]:
        """Every indexed document id with the fingerprint it was indexed with."""

    def stats(self) -> dict:
        """``documents``, ``pages`` and ``pages_by_method`` (method -> pages)."""

    def inventory(self) -> dict[str, Counter]:
        """Every document id with how many page records it has of each page number,
        page records without their document included: what a consistency check reads."""

    def document(self, doc_id: str) -> dict | None:
        """One document's metadata (as in `DocumentHit.metadata`), or None."""

    def pages(self, doc_id: str) -> list[dict]:
        """``{"page", "text", "method"}`` of every page of a document, in page order."""

    def search_documents(
        self,
        node: qt.Node | None,
        *,
        sort: str = "relevance",
        limit: int = 10,
        offset: int = 0,
        pages_per_document: int = 10,
    ) -> SearchOutcome:
        """Rank the documents matching ``node`` (None: all), count facets over all of them,
        and give up to ``pages_per_document`` candidate pages of each document shown.
        Pages are matched on terms, not positions: the caller keeps those whose text really
        matches (`snippets.match_spans`)."""

    def candidate_pages(self, node: qt.Node | None, doc_id: str) -> list[tuple[int, str]]:
        """Every page of one document holding the searched terms, (number, text), best
        first."""

    def similar_pages(
        self, bigrams: list[str], *, min_share: float, limit: int
    ) -> list[PageCandidate]:
        """Pages holding at least ``min_share`` of the distinct Khmer cluster ``bigrams``
        (anywhere on the page), those holding the rarest first, at most ``limit``: the
        candidates of an approximate phrase, which the caller verifies on the text
        (`indexer.text.fuzzy`)."""

    def similar_terms(self, term: str, *, maxdist: int, limit: int) -> list[tuple[str, int]]:
        """Latin index terms (stemmed) of page text within ``maxdist`` edits of ``term``,
        itself included when indexed, with the pages holding each, most frequent first:
        corrections of misspelt or misread words."""


def _whoosh(location: Path) -> Engine:
    from indexer.engine.whoosh_backend import WhooshEngine

    return WhooshEngine(location)


def _tantivy(location: Path) -> Engine:
    from indexer.engine.tantivy_backend import TantivyEngine

    return TantivyEngine(location)


#: The backends by name; tests/test_engine.py runs its contract over every one. Whoosh is the
#: default (the project's design); Tantivy is for libraries that outgrow it (docs/scaling.md).
BACKENDS = {"whoosh": _whoosh, "tantivy": _tantivy}
DEFAULT = "whoosh"
#: What tells each backend's index folder (no engine is imported to tell).
_MARKS = {"whoosh": "_MAIN_*.toc", "tantivy": "meta.json"}

_engines: dict[tuple[str, str], Engine] = {}
_engines_lock = threading.Lock()


def backend_of(location: Path) -> str | None:
    """The backend whose index is at ``location`` now (the folder its link names), or None."""
    where = Path(location)
    for name, mark in _MARKS.items():
        if any(where.glob(mark)):
            return name
    return None


def open_engine(location: Path, backend: str | None = None) -> Engine:
    """The engine of the index at ``location``, one per location, backend and process;
    without ``backend``, that of the index there (the default when there is none yet)."""
    backend = backend or backend_of(location) or DEFAULT
    key = (backend, str(Path(location).absolute()))
    with _engines_lock:
        engine = _engines.get(key)
        if engine is None:
            engine = _engines[key] = BACKENDS[backend](Path(location))
        return engine
