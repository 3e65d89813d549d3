"""The Tantivy engine (PyPI ``tantivy``): the same contract, fields and records as the Whoosh
engine, with matching, phrases, BM25 and facets done by Tantivy in Rust.

A commit is Tantivy's own (its ``meta.json`` replaced at once), so a kill leaves the old or the
new state; a rebuild writes a new folder beside the old and swaps the ``index`` link
(`indexer.engine.folder`), as with Whoosh. One searcher per commit serves all of a process's
threads (Tantivy searchers are thread-safe).
"""

from __future__ import annotations

import json
import math
import threading
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import tantivy
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from indexer import querytree as qt
from indexer.engine import DocumentHit, PageCandidate, SearchOutcome, folder
from indexer.engine.columns import Columns
from indexer.engine.fields import DOCUMENT, PAGE, PAGE_KHMER, PAGE_LATIN, metadata
from indexer.engine.lastused import LastUsed
from indexer.engine.tantivy_backend.queries import Queries, _all
from indexer.engine.tantivy_backend.schema import META, SCHEMA_VERSION, build_schema, documents
from indexer.errors import IndexMissing, IndexVersionError
from indexer.model import Document, Method

VERSION_FILE = "ddsearch-schema-version"
META_FILE = "meta.json"  # Tantivy's list of the committed segments
WRITER_HEAP = 256_000_000  # bytes the writer buffers before it writes a segment
ALL = 10_000_000  # "every match" for Tantivy's top-k collector


def holds_index(where: Path) -> bool:
    return (where / META_FILE).exists()


@dataclass
class Opened:
    """A searcher on one commit, with what is read once per commit."""

    searcher: tantivy.Searcher
    commit: tuple  # (folder, meta.json's change time and size): the key of per-commit caches
    cache: dict = field(default_factory=dict)


class TantivyEngine:
    """The index at ``location``: a folder, or a symlink to one that `rebuild` swaps."""

    version = SCHEMA_VERSION

    def __init__(self, location: Path):
        self.location = Path(location)
        self.schema = build_schema()
        self._lock = threading.Lock()
        self._index: tuple[str, tantivy.Index] | None = None
        self._opened: Opened | None = None
        self._rankings = LastUsed(512)

    # -- the folder and writing ------------------------------------------------------------

    def exists(self) -> bool:
        return holds_index(self.location)

    def create(self) -> None:
        if not self.location.exists():
            folder.point_at(self.location, self._new_folder())
        elif not self.exists():  # a folder given by the caller, still empty
            self._create_in(self.location)

    def apply_changes(
        self, upserts: Iterable[Document], delete_ids: Iterable[str], *, jobs: int = 1
    ) -> None:
        self.create()
        _write(self._open_index(self.location.resolve()), upserts, delete_ids, jobs)

    def rebuild(self, documents: Iterable[Document], *, jobs: int = 1) -> None:
        fresh = self._new_folder()
        _write(self._open_index(fresh), documents, [], jobs)
        folder.point_at(self.location, fresh)

    def _new_folder(self) -> Path:
        fresh = folder.new_beside(self.location)
        self._create_in(fresh)
        return fresh

    def _create_in(self, where: Path) -> None:
        tantivy.Index(self.schema, path=str(where), reuse=False)
        (where / VERSION_FILE).write_text(SCHEMA_VERSION + "\n")

    def _open_index(self, where: Path) -> tantivy.Index:
        if not holds_index(where):
            raise IndexMissing(f"No index in {where}: run `ddsearch index PATH` first.")
        version_file = where / VERSION_FILE
        found = version_file.read_text().strip() if version_file.exists() else "?"
        if found != SCHEMA_VERSION:
            raise IndexVersionError(
                f"The index in {where} was built by another version of ddsearch "
                f"(schema {found}, this one uses {SCHEMA_VERSION}): run `ddsearch rebuild`."
            )
        return tantivy.Index.open(str(where))

    # -- reading ---------------------------------------------------------------------------

    def fingerprints(self) -> dict[str, str]:
        if not self.exists():
            return {}
        return {meta["id"]: meta["fingerprint"] for meta in self._table(self._open())}

    def stats(self) -> dict:
        if not self.exists():
            return {"documents": 0, "pages": 0, "pages_by_method": {}}
        opened = self._open()
        queries = Queries(self.schema, opened.searcher)
        documents = self._count(opened, queries.kind(DOCUMENT))
        methods = {
            method.value: self._count(
                opened, _all([queries.kind(PAGE), queries.filter("method", method.value)])
            )
            for method in Method
        }
        return {
            "documents": documents,
            "pages": sum(methods.values()),
            "pages_by_method": {method: n for method, n in methods.items() if n},
        }

    def inventory(self) -> dict[str, Counter]:
        if not self.exists():
            return {}
        opened = self._open()
        contents = {meta["id"]: Counter() for meta in self._table(opened)}
        queries = Queries(self.schema, opened.searcher)
        for record in self._records(opened, queries.kind(PAGE)):
            contents.setdefault(record["id"][0], Counter())[record["page"][0]] += 1
        return contents

    def document(self, doc_id: str) -> dict | None:
        if not self.exists():
            return None
        opened = self._open()
        row = self._rows(opened).get(doc_id)
        return None if row is None else metadata(self._table(opened)[row])

    def pages(self, doc_id: str) -> list[dict]:
        if not self.exists():
            return []
        opened = self._open()
        queries = Queries(self.schema, opened.searcher)
        found = self._records(opened, _all([queries.kind(PAGE), queries.filter("id", doc_id)]))
        return sorted(
            (
                {
                    "page": r["page"][0],
                    "text": bytes(r["text"][0]).decode(),
                    "method": r["method"][0],
                }
                for r in found
            ),
            key=lambda page: page["page"],
        )

    # -- searching -------------------------------------------------------------------------

    def search_documents(
        self,
        node: qt.Node | None,
        *,
        sort: str = "relevance",
        limit: int = 10,
        offset: int = 0,
        pages_per_document: int = 10,
    ) -> SearchOutcome:
        opened = self._open()
        key = (opened.commit, node, sort, offset + limit)
        ranking = self._rankings.get(key)
        if ranking is None:
            ranking = self._rankings.put(key, self._rank(opened, node, sort, offset + limit))
        total, ranked, facets, capped = ranking
        table = self._table(opened)
        queries = Queries(self.schema, opened.searcher)
        hits = [
            DocumentHit(
                metadata(table[row]),
                score,
                self._best_pages(opened, queries, node, table[row]["id"], pages_per_document),
            )
            for score, row in ranked[offset:]
        ]
        return SearchOutcome(total, hits, {name: dict(c) for name, c in facets.items()}, capped)

    def candidate_pages(self, node: qt.Node | None, doc_id: str) -> list[tuple[int, str]]:
        if not self.exists():
            return []
        opened = self._open()
        queries = Queries(self.schema, opened.searcher)
        return self._best_pages(opened, queries, node, doc_id, ALL)

    def similar_pages(
        self, bigrams: list[str], *, min_share: float, limit: int
    ) -> list[PageCandidate]:
        distinct = sorted(set(bigrams))
        if not distinct or not self.exists():
            return []
        need = max(1, math.ceil(min_share * len(distinct)))
        searcher = self._open().searcher
        total = max(1, searcher.num_docs)
        # Each bigram held adds its rarity (idf), as the Whoosh engine weighs candidates.
        held = [
            tantivy.Query.const_score_query(
                tantivy.Query.term_query(self.schema, PAGE_KHMER[2], gram),
                math.log(total / (1 + searcher.doc_freq(PAGE_KHMER[2], gram))),
            )
            for gram in distinct
        ]
        query = tantivy.Query.boolean_query(
            [(tantivy.Occur.Should, q) for q in held], minimum_number_should_match=need
        )
        found = []
        for weight, address in searcher.search(query, limit=limit, count=False).hits:
            record = searcher.doc(address)
            text = _text(record)
            found.append(PageCandidate(record["id"][0], record["page"][0], text, weight))
        return found

    def similar_terms(self, term: str, *, maxdist: int, limit: int) -> list[tuple[str, int]]:
        if not self.exists():
            return []
        opened = self._open()
        if maxdist == 0:
            held = opened.searcher.doc_freq(PAGE_LATIN, term)
            return [(term, held)] if held else []
        vocabulary = opened.cache.get("vocabulary")
        if vocabulary is None:
            found = opened.searcher.terms_with_prefix(PAGE_LATIN, "", limit=None)
            vocabulary = opened.cache["vocabulary"] = ([t for t, _ in found], dict(found))
        terms, frequency = vocabulary
        near = process.extract(
            term, terms, scorer=Levenshtein.distance, score_cutoff=maxdist, limit=None
        )
        found = [(terms[i], frequency[terms[i]]) for _, _, i in near]
        return sorted(found, key=lambda pair: (-pair[1], pair[0]))[:limit]

    def _rank(self, opened: Opened, node: qt.Node | None, sort: str, depth: int):
        """(total, the first ``depth`` (score, row) pairs in order, facet counts, capped)."""
        queries = Queries(self.schema, opened.searcher)
        query = queries.documents(node)
        rows = self._rows(opened)
        found = opened.searcher.search(query, limit=max(1, len(rows)), count=False).hits
        addresses = self._addresses(opened)
        scores = np.fromiter((score for score, _ in found), np.float64, len(found))
        matched = np.fromiter(
            (addresses[a.segment_ord, a.doc] for _, a in found), np.int64, len(found)
        )
        columns = self._columns(opened)
        order = columns.order(matched, scores, sort)[:depth]
        ranked = list(zip(scores[order].tolist(), matched[order].tolist(), strict=True))
        return len(matched), ranked, columns.facets(matched), queries.budget.capped

    def _best_pages(
        self, opened: Opened, queries: Queries, node, doc_id: str, per_document: int
    ) -> list[tuple[int, str]]:
        query = queries.pages(node, doc_id) if per_document > 0 else None
        if query is None:
            return []
        searcher = opened.searcher
        found = searcher.search(query, limit=per_document, count=False).hits
        records = [searcher.doc(address) for _, address in found]
        return [(r["page"][0], _text(r)) for r in records]

    # -- per-commit tables -------------------------------------------------------------------

    def _table(self, opened: Opened) -> list[dict]:
        """Every document record's stored metadata, by row (rows in index order)."""
        if "table" not in opened.cache:
            queries = Queries(self.schema, opened.searcher)
            hits = opened.searcher.search(queries.kind(DOCUMENT), limit=ALL, count=False).hits
            addresses = sorted((a.segment_ord, a.doc) for _, a in hits)
            table = [
                json.loads(bytes(opened.searcher.doc(tantivy.DocAddress(*a))[META][0]))
                for a in addresses
            ]
            opened.cache["addresses"] = {address: row for row, address in enumerate(addresses)}
            opened.cache["rows"] = {meta["id"]: row for row, meta in enumerate(table)}
            opened.cache["table"] = table
        return opened.cache["table"]

    def _addresses(self, opened: Opened) -> dict[tuple[int, int], int]:
        self._table(opened)
        return opened.cache["addresses"]

    def _rows(self, opened: Opened) -> dict[str, int]:
        self._table(opened)
        return opened.cache["rows"]

    def _columns(self, opened: Opened) -> Columns:
        if "columns" not in opened.cache:
            table = self._table(opened)
            rows = {row: metadata(meta) for row, meta in enumerate(table)}
            opened.cache["columns"] = Columns.of(rows)
        return opened.cache["columns"]

    def _records(self, opened: Opened, query) -> list:
        searcher = opened.searcher
        return [searcher.doc(a) for _, a in searcher.search(query, limit=ALL, count=False).hits]

    def _count(self, opened: Opened, query) -> int:
        return opened.searcher.search(query, limit=1, count=True).count

    # -- the open commit ---------------------------------------------------------------------

    def _open(self) -> Opened:
        """A searcher on the newest commit: the link is followed and meta.json looked at on
        every call (a stat), and a new commit or folder opens a new searcher."""
        with self._lock:
            for _ in range(3):
                where = self.location.resolve()
                try:
                    stat = (where / META_FILE).stat()
                except FileNotFoundError:  # a rebuild swapped and deleted it: follow again
                    continue
                commit = (str(where), stat.st_mtime_ns, stat.st_size)
                if self._opened is None or self._opened.commit != commit:
                    if self._index is None or self._index[0] != str(where):
                        self._index = (str(where), self._open_index(where))
                    index = self._index[1]
                    index.reload()
                    self._opened = Opened(index.searcher(), commit)
                return self._opened
            raise IndexMissing(f"No index in {self.location}: run `ddsearch index PATH` first.")


def _text(record: tantivy.Document) -> str:
    return bytes(record["text"][0]).decode("utf-8")


def _write(index: tantivy.Index, upserts, delete_ids, jobs: int) -> None:
    """Every change in one commit; an exception discards them all."""
    writer = index.writer(heap_size=WRITER_HEAP, num_threads=max(1, jobs))
    try:
        for doc_id in delete_ids:
            writer.delete_documents_by_term("id", doc_id)
        for doc in upserts:
            writer.delete_documents_by_term("id", doc.id)
            for record in documents(doc):
                writer.add_document(record)
        writer.commit()
        writer.wait_merging_threads()
    except BaseException:
        writer.rollback()
        raise
