"""The Whoosh engine: open, write in one commit, read back, search; its caches are its own.

Searching follows KNOWLEDGE §4: phrases and facets are Whoosh's slow paths, so documents are
ranked and faceted on the one-record-per-document level (a few thousand records, not a
hundred thousand pages), and pages are looked up only for the documents shown.
"""

from __future__ import annotations

import ctypes
import math
import os
import signal
import threading
import weakref
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein
from whoosh import index
from whoosh import query as wq
from whoosh.codec.whoosh3 import W3Codec
from whoosh.multiproc import MpWriter, SubWriterTask
from whoosh.searching import Searcher

from indexer import querytree as qt
from indexer.engine import DocumentHit, PageCandidate, SearchOutcome, folder
from indexer.engine.columns import Columns
from indexer.engine.fields import PAGE_KHMER, PAGE_LATIN
from indexer.engine.lastused import LastUsed
from indexer.engine.whoosh_backend import terminfo
from indexer.engine.whoosh_backend.matching import all_matches, holding_many
from indexer.engine.whoosh_backend.queries import bounded, document_query, page_query
from indexer.engine.whoosh_backend.schema import SCHEMA_VERSION, build_schema, records
from indexer.engine.whoosh_backend.tables import metadata
from indexer.errors import IndexMissing, IndexVersionError
from indexer.model import Document, Method

VERSION_FILE = "ddsearch-schema-version"
TOC_FILES = "_MAIN_*.toc"  # Whoosh's table of contents of a commit (its default index name)
MAX_OPEN = 4  # searchers kept open per thread (one per index folder seen recently)
BIGRAM_CACHE_BYTES = 64 * 2**20  # whole bigram posting lists kept per process
#: Posting lists this short are kept in their term's entry instead of a block of their own in
#: the postings file (~95 bytes, and a pickle and a zlib call to write, for a one-posting
#: list). Most Khmer n-grams and word pairs are that rare: 12% off the index and 30% off
#: its writing time at 8; written compactly (`terminfo`), 42% off a 500-document index
#: (bench/RESULTS.md, issue 24).
INLINE_POSTINGS = 8

terminfo.install()


_SCHEMA = build_schema()


@dataclass
class Opened:
    """A searcher on one commit, with what is read once per searcher."""

    searcher: Searcher
    commit: tuple  # (folder, generation, segment ids): the key of every per-commit cache
    lengths: dict = field(default_factory=dict)  # field-length arrays, for matching
    _ids: object = None
    close: Callable[[], object] = lambda: None  # closes the searcher, once

    def ids(self):
        """Document id by document number (page records too)."""
        if self._ids is None:
            self._ids = self.searcher.reader().column_reader("id")
        return self._ids


class WhooshEngine:
    """The index at ``location``: a folder, or a symlink to one that `rebuild` swaps."""

    version = SCHEMA_VERSION

    def __init__(self, location: Path):
        self.location = Path(location)
        self._local = threading.local()
        #: Rankings by (commit; query, sort, depth): popular and linked searches skip
        #: matching, most of a search's cost on a large index (bench/RESULTS.md, Web). The
        #: commit is the searcher's own, so a rebuild swapping the link mid-search cannot
        #: file an old ranking under the new index; a new commit is a new key.
        self._rankings = LastUsed(512)
        #: The document table and its columns by commit, shared by the process's threads:
        #: reading the table takes 70 ms at 5,000 documents.
        self._tables = LastUsed(8)
        #: Whole posting lists (document numbers) of Khmer bigrams, by segment and term, for
        #: close matches: a phrase's common bigrams recur from query to query, and reading
        #: them was most of a close-match search (bench/RESULTS.md, OCR tolerance).
        self._bigram_postings = LastUsed(BIGRAM_CACHE_BYTES, weigh=lambda array: array.nbytes)

    # -- the folder and writing ------------------------------------------------------------

    def exists(self) -> bool:
        # From the file names alone: opening the table of contents unpickles the schema, which
        # fails for an index of an older ddsearch whose analyzer classes have moved.
        return _has_index(self.location)

    def create(self) -> None:
        if not self.location.exists():
            folder.point_at(self.location, self._new_folder())
        elif not self.exists():  # a folder given by the caller, still empty
            self._create_in(self.location)

    def apply_changes(
        self, upserts: Iterable[Document], delete_ids: Iterable[str], *, jobs: int = 1
    ) -> None:
        self.create()
        _write(self._open_index(self.location), upserts, delete_ids, jobs)

    def rebuild(self, documents: Iterable[Document], *, jobs: int = 1) -> None:
        fresh = self._new_folder()
        _write(self._open_index(fresh), documents, [], jobs)
        folder.point_at(self.location, fresh)

    def _new_folder(self) -> Path:
        fresh = folder.new_beside(self.location)
        self._create_in(fresh)
        return fresh

    @staticmethod
    def _create_in(where: Path) -> None:
        index.create_in(str(where), build_schema())
        (where / VERSION_FILE).write_text(SCHEMA_VERSION + "\n")

    def _open_index(self, where: Path) -> index.Index:
        """Open the index in ``where``, refusing one of another schema version."""
        if not _has_index(where):
            raise IndexMissing(f"No index in {where}: run `ddsearch index PATH` first.")
        version_file = where / VERSION_FILE
        found = version_file.read_text().strip() if version_file.exists() else "1"
        if found != SCHEMA_VERSION:
            raise IndexVersionError(
                f"The index in {where} was built by another version of ddsearch "
                f"(schema {found}, this one uses {SCHEMA_VERSION}): run `ddsearch rebuild`."
            )
        # Our own schema, not the one pickled in the index: its version is checked above, and
        # an older ddsearch pickled analyzer classes that have since moved.
        return index.open_dir(str(where), schema=_SCHEMA)

    # -- reading ---------------------------------------------------------------------------

    def fingerprints(self) -> dict[str, str]:
        if not self.exists():
            return {}
        searcher = self._opened().searcher
        return {fields["id"]: fields["fingerprint"] for fields in searcher.documents(kind="doc")}

    def stats(self) -> dict:
        if not self.exists():
            return {"documents": 0, "pages": 0, "pages_by_method": {}}
        searcher = self._opened().searcher
        documents = sum(1 for _ in searcher.document_numbers(kind="doc"))
        methods = {
            method.value: sum(1 for _ in searcher.document_numbers(kind="page", method=method))
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
        searcher = self._opened().searcher
        contents = {fields["id"]: Counter() for fields in searcher.documents(kind="doc")}
        for fields in searcher.documents(kind="page"):
            contents.setdefault(fields["id"], Counter())[fields["page"]] += 1
        return contents

    def document(self, doc_id: str) -> dict | None:
        searcher = self._opened().searcher
        docnum = searcher.document_number(key=f"doc:{doc_id}")
        return None if docnum is None else metadata(searcher.stored_fields(docnum))

    def pages(self, doc_id: str) -> list[dict]:
        searcher = self._opened().searcher
        pages = (
            searcher.stored_fields(docnum)
            for docnum in searcher.document_numbers(kind="page", id=doc_id)
        )
        return sorted(
            ({"page": p["page"], "text": p["text"], "method": p["method"]} for p in pages),
            key=lambda p: p["page"],
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
        opened = self._opened()
        table = self._table(opened)
        key = (opened.commit, node, sort, offset + limit)
        ranking = self._rankings.get(key)
        if ranking is None:
            ranking = self._rankings.put(key, self._rank(opened, table, node, sort, offset + limit))
        total, ranked, facets, capped = ranking
        shown = ranked[offset:]
        shown_ids = [table[docnum]["id"] for _, docnum in shown]
        pages = _best_pages(opened, node, shown_ids, pages_per_document)
        hits = [
            DocumentHit(table[docnum], score, pages.get(table[docnum]["id"], []))
            for score, docnum in shown
        ]
        facets = {name: dict(counts) for name, counts in facets.items()}
        return SearchOutcome(total, hits, facets, capped)

    def candidate_pages(self, node: qt.Node | None, doc_id: str) -> list[tuple[int, str]]:
        opened = self._opened()
        return _best_pages(opened, node, [doc_id], per_document=1_000_000).get(doc_id, [])

    def similar_pages(
        self, bigrams: list[str], *, min_share: float, limit: int
    ) -> list[PageCandidate]:
        distinct = sorted(set(bigrams))
        if not distinct or not self.exists():
            return []
        need = max(1, math.ceil(min_share * len(distinct)))
        opened = self._opened()
        docnums, weights = holding_many(
            opened.searcher, PAGE_KHMER[2], distinct, need, self._bigram_postings
        )
        order = np.lexsort((docnums, -weights))[:limit]
        stored = opened.searcher.stored_fields
        return [
            PageCandidate(f["id"], f["page"], f["text"], weight)
            for f, weight in zip(
                map(stored, docnums[order].tolist()), weights[order].tolist(), strict=True
            )
        ]

    def similar_terms(self, term: str, *, maxdist: int, limit: int) -> list[tuple[str, int]]:
        if not self.exists():
            return []
        opened = self._opened()
        reader = opened.searcher.reader()
        if maxdist == 0:
            held = reader.doc_frequency(PAGE_LATIN, term)
            return [(term, held)] if held else []
        terms = self._vocabulary(opened)
        near = process.extract(
            term, terms, scorer=Levenshtein.distance, score_cutoff=maxdist, limit=None
        )
        found = [(terms[i], reader.doc_frequency(PAGE_LATIN, terms[i])) for _, _, i in near]
        return sorted(found, key=lambda pair: (-pair[1], pair[0]))[:limit]

    def _vocabulary(self, opened: Opened) -> list[str]:
        """The Latin terms of page text, read once per commit: Whoosh's own terms_within
        compares every term in Python (seconds per word); rapidfuzz does it in C."""
        key = ("vocabulary", opened.commit)
        terms = self._tables.get(key)
        if terms is None:
            lexicon = opened.searcher.reader().lexicon(PAGE_LATIN)
            terms = self._tables.put(
                key, [t.decode() if isinstance(t, bytes) else t for t in lexicon]
            )
        return terms

    def _rank(self, opened: Opened, table: dict, node: qt.Node | None, sort: str, depth: int):
        """(total, the first ``depth`` (score, docnum) pairs in order, facet counts)."""
        columns = self._columns(opened, table)
        text_query, capped = document_query(node), False
        if text_query is None:
            docnums, scores = columns.docnums, np.zeros(len(columns.docnums))
        else:  # its fields are on documents only
            text_query, capped = bounded(text_query, opened.searcher.reader())
            docnums, scores = all_matches(opened.searcher, text_query, opened.lengths)
        order = columns.order(docnums, scores, sort)[:depth]
        ranked = list(zip(scores[order].tolist(), docnums[order].tolist(), strict=True))
        return len(docnums), ranked, columns.facets(docnums), capped

    def _table(self, opened: Opened) -> dict[int, dict]:
        """Metadata of every document record by document number, read once per commit."""
        key = ("table", opened.commit)
        table = self._tables.get(key)
        if table is None:
            searcher = opened.searcher
            table = {
                docnum: metadata(searcher.stored_fields(docnum))
                for docnum in searcher.document_numbers(kind="doc")
            }
            self._tables.put(key, table)
        return table

    def _columns(self, opened: Opened, table: dict[int, dict]) -> Columns:
        key = ("columns", opened.commit)
        columns = self._tables.get(key)
        if columns is None:
            columns = self._tables.put(key, Columns.of(table))
        return columns

    # -- open searchers ----------------------------------------------------------------------

    def _opened(self) -> Opened:
        """A searcher on the newest commit, kept open per thread: opening costs far more
        than a query, and a fresh searcher sees what a writer committed since."""
        cached: dict[str, Opened] = self._local.__dict__.setdefault("opened", {})
        folder_now = str(self.location.resolve())
        opened = cached.pop(folder_now, None)
        if opened is not None and not _up_to_date(opened.searcher):
            # Not searcher.refresh(): it reuses segment readers and misses their new deletions.
            opened.close()
            opened = None
        if opened is None:
            opened = self._open_searcher()
            # A rebuild swapped in a new folder and deleted the old one: let its files go now.
            for gone in [other for other in cached if not Path(other).exists()]:
                cached.pop(gone).close()
            # Opened after the link moved on, to a folder already open: one searcher is enough.
            if (twin := cached.pop(opened.commit[0], None)) is not None:
                twin.close()
        cached[opened.commit[0]] = opened  # most recently used last
        while len(cached) > MAX_OPEN:
            cached.pop(next(iter(cached))).close()
        return opened

    def _open_searcher(self) -> Opened:
        """A searcher on the folder the index link names now, not on the link: a reader
        opens some files lazily, and after a rebuild swaps the link they must still come
        from the index it was opened on. A rebuild may delete that folder between resolving
        and opening: then the link is followed again."""
        attempts = 3
        while True:
            where = self.location.resolve()
            try:
                searcher = self._open_index(where).searcher()
                break
            except (OSError, index.EmptyIndexError, IndexMissing):
                attempts -= 1
                if not attempts or self.location.resolve() == where:
                    raise
        # An index without segments (nothing indexed yet) has an empty reader: segments() None.
        reader = searcher.reader()
        segments = tuple(segment.segment_id() for segment in reader.segments() or ())
        opened = Opened(searcher, (str(where), reader.generation(), segments))
        # Kept per thread: a thread that ends drops its searcher, whose files close with it.
        opened.close = weakref.finalize(opened, searcher.close)
        return opened


def _write(ix: index.Index, upserts: Iterable[Document], delete_ids: Iterable[str], jobs: int):
    # One file per segment part, not Whoosh's compound segment file: a reader opens a part of
    # a compound file through BytesIO, which copies it whole into memory (3 GB per searcher,
    # and per server thread, at 100,000 pages); plain files are read from the page cache.
    options = {"timeout": 60, "compound": False, "codec": W3Codec(inlinelimit=INLINE_POSTINGS)}
    if jobs > 1:
        writer = _ParallelWriter(ix, procs=jobs, multisegment=True, limitmb=256, **options)
    else:
        writer = ix.writer(**options)
    try:
        for doc_id in delete_ids:
            writer.delete_by_term("id", doc_id)
        for doc in upserts:
            writer.delete_by_term("id", doc.id)
            for record in records(doc):
                writer.add_document(**record)
    except BaseException:
        writer.cancel()
        raise
    # Small segments are merged as they pile up (Whoosh's MERGE_SMALL): an index committed
    # every few documents for years would otherwise search hundreds of segments.
    writer.commit()


class _Task(SubWriterTask):
    """A writer process of a parallel build that dies with the process that started it: a
    killed rebuild's would otherwise wait for work forever, holding the data folder's writer
    lock (an flock, shared with the processes forked while it is held)."""

    def __init__(self, *args):
        super().__init__(*args)
        self.starter = os.getpid()

    def run(self):
        ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != self.starter:  # it died before the request was made
            os._exit(1)
        super().run()


_PR_SET_PDEATHSIG = 1  # linux/prctl.h


class _ParallelWriter(MpWriter):
    """Whoosh's parallel writer, its processes `_Task`s."""

    def _new_task(self):
        args = self.storage, self.indexname, self.jobqueue, self.resultqueue
        task = _Task(*args, self.subargs, self.multisegment)
        self.tasks.append(task)
        task.start()
        return task


def _has_index(where: Path) -> bool:
    return any(where.glob(TOC_FILES))


def _up_to_date(searcher: Searcher) -> bool:
    try:
        return searcher.up_to_date()
    except OSError:  # its folder was deleted by a rebuild
        return False


def _best_pages(
    opened: Opened, node: qt.Node | None, doc_ids: list[str], per_document: int
) -> dict[str, list[tuple[int, str]]]:
    """For the documents shown, their best-scoring pages holding the searched terms: one
    query for all of them, and stored text read only for the pages kept."""
    searcher = opened.searcher
    reader = searcher.reader()
    leaves = [q for text in qt.positive_texts(node) if (q := page_query(text, reader)) is not None]
    if not doc_ids or not leaves:
        return {}
    ids = wq.Or([wq.Term("id", doc_id) for doc_id in doc_ids])
    query, _ = bounded(wq.And([ids, wq.Or(leaves)]), reader)  # page fields: page records only
    docnums, scores = all_matches(searcher, query, opened.lengths)
    if not len(docnums):  # an empty index has no id column to read
        return {}
    page_ids = opened.ids()
    kept: dict[str, list[int]] = {}
    for docnum in docnums[np.lexsort((docnums, -scores))].tolist():  # best first
        pages = kept.setdefault(page_ids[docnum], [])
        if len(pages) < per_document:
            pages.append(docnum)
    return {
        doc_id: [(f["page"], f["text"]) for f in map(searcher.stored_fields, docnums)]
        for doc_id, docnums in kept.items()
    }
