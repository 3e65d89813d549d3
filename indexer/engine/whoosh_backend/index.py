"""Everything that touches the Whoosh index: open, write in one commit, read back, search.

Searching follows KNOWLEDGE §4: phrases and facets are Whoosh's slow paths, so documents are
ranked and faceted on the one-record-per-document level (a few thousand records, not a
hundred thousand pages), and pages are looked up only for the documents shown.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from whoosh import index
from whoosh import query as wq
from whoosh.searching import Searcher

from indexer.engine.whoosh_backend.matching import PositionsPhrase, all_matches
from indexer.engine.whoosh_backend.schema import (
    DOC_KHMER,
    DOC_KHMER_WORDS,
    DOC_LATIN,
    DOC_LATIN_PAIRS,
    PAGE_KHMER,
    PAGE_LATIN,
    SCHEMA_VERSION,
    TITLE_BOOST,
    TITLE_KHMER,
    TITLE_LATIN,
    build_schema,
    latin_analyzer,
    records,
)
from indexer.model import Document, Method
from indexer.query import language as ql
from indexer.text.analysis import cluster_ngrams, khmer_query, khmer_query_runs
from indexer.text.khmer import segment_words

VERSION_FILE = "ddsearch-schema-version"
WORD_LIFT = 4.0  # weight of a whole-word Khmer match over its bigram match (measured: tests)
SORTS = ("relevance", "newest", "oldest", "added")


class IndexVersionError(RuntimeError):
    """The index on disk was built with other fields or analyzers than this version's."""


def open_index(index_dir: Path, create: bool = True) -> index.Index:
    """Open the index in ``index_dir``, creating an empty one there when ``create`` allows."""
    index_dir = Path(index_dir)
    if index.exists_in(str(index_dir)):
        version_file = index_dir / VERSION_FILE
        found = version_file.read_text().strip() if version_file.exists() else "1"
        if found != SCHEMA_VERSION:
            raise IndexVersionError(
                f"The index in {index_dir} was built by another version of ddsearch "
                f"(schema {found}, this one uses {SCHEMA_VERSION}): run `ddsearch rebuild`."
            )
        return index.open_dir(str(index_dir))
    if not create:
        raise FileNotFoundError(f"No index in {index_dir}: run `ddsearch index PATH` first.")
    index_dir.mkdir(parents=True, exist_ok=True)
    ix = index.create_in(str(index_dir), build_schema())
    (index_dir / VERSION_FILE).write_text(SCHEMA_VERSION + "\n")
    return ix


def apply_changes(
    index_dir: Path, upserts: Iterable[Document], delete_ids: Iterable[str], *, jobs: int = 1
) -> None:
    """Replace and delete documents in ONE commit, so a crash leaves the old or the new state.

    ``jobs`` > 1 analyzes in that many processes, each writing its own segment (KNOWLEDGE §4:
    worth it for a full build, not for a few documents).
    """
    ix = open_index(index_dir)
    # One file per segment part, not Whoosh's compound segment file: a reader opens a part of
    # a compound file through BytesIO, which copies it whole into memory (3 GB per searcher,
    # and per server thread, at 100,000 pages); plain files are read from the page cache.
    options = {"timeout": 60, "compound": False}
    if jobs > 1:
        options.update(procs=jobs, multisegment=True, limitmb=256)
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


def indexed_fingerprints(index_dir: Path) -> dict[str, str]:
    """Map every indexed document id to the fingerprint it was indexed with."""
    if not index.exists_in(str(index_dir)):
        return {}
    searcher = _searcher(index_dir)
    return {fields["id"]: fields["fingerprint"] for fields in searcher.documents(kind="doc")}


def index_stats(index_dir: Path) -> dict:
    """Counts of documents and pages, and pages by how their text was obtained."""
    if not index.exists_in(str(index_dir)):
        return {"documents": 0, "pages": 0, "pages_by_method": {}}
    searcher = _searcher(index_dir)
    documents = sum(1 for _ in searcher.document_numbers(kind="doc"))
    methods = {
        method: sum(1 for _ in searcher.document_numbers(kind="page", method=method))
        for method in Method
    }
    return {
        "documents": documents,
        "pages": sum(methods.values()),
        "pages_by_method": {method: n for method, n in methods.items() if n},
    }


def get_document(index_dir: Path, doc_id: str) -> dict | None:
    """The metadata of one document (as in a search result, without score or pages), or None."""
    searcher = _searcher(index_dir, create=False)
    docnum = searcher.document_number(key=f"doc:{doc_id}")
    return None if docnum is None else _metadata(searcher.stored_fields(docnum))


def get_page_texts(index_dir: Path, doc_id: str) -> list[dict]:
    """Page number, text and method of every page of a document, in page order."""
    searcher = _searcher(index_dir, create=False)
    pages = (
        searcher.stored_fields(docnum)
        for docnum in searcher.document_numbers(kind="page", id=doc_id)
    )
    return sorted(
        ({"page": p["page"], "text": p["text"], "method": p["method"]} for p in pages),
        key=lambda p: p["page"],
    )


# --- searching --------------------------------------------------------------------------------


@dataclass
class DocumentHit:
    metadata: dict  # id, title, type, year, languages, number, issuer, paths, added
    score: float
    pages: list[tuple[int, str]]  # (page number, stored text) of candidate pages, best first


@dataclass
class SearchOutcome:
    total: int
    hits: list[DocumentHit]
    facets: dict[str, dict[str, int]]  # "type", "year", "language": value -> documents


def search_documents(
    index_dir: Path,
    node: ql.Node | None,
    *,
    sort: str = "relevance",
    limit: int = 10,
    offset: int = 0,
    pages_per_document: int = 10,
) -> SearchOutcome:
    """Rank the documents that match ``node`` (None: all), count facets over all of them, and
    find up to ``pages_per_document`` pages holding the searched terms for each of the ``limit``
    documents shown from ``offset`` on. Pages are matched on terms, not positions: the caller
    keeps those whose text really matches (`snippets.match_spans`)."""
    searcher = _searcher(index_dir, create=False)
    table = _document_table(searcher)
    key = (searcher._ddsearch_commit, node, sort, offset + limit)
    ranking = _RANKINGS.get(key)
    if ranking is None:
        ranking = _RANKINGS.put(key, _rank(searcher, table, node, sort, offset + limit))
    total, ranked, facets = ranking
    shown = ranked[offset:]
    shown_ids = [table[docnum]["id"] for _, docnum in shown]
    pages = _best_pages(searcher, node, shown_ids, pages_per_document)
    hits = [
        DocumentHit(table[docnum], score, pages.get(table[docnum]["id"], []))
        for score, docnum in shown
    ]
    return SearchOutcome(total, hits, {name: dict(counts) for name, counts in facets.items()})


class _LastUsed:
    """A small thread-safe cache that forgets its least recently used entry first."""

    def __init__(self, size: int):
        self.size, self.entries, self.lock = size, OrderedDict(), threading.Lock()

    def get(self, key):
        with self.lock:
            if key in self.entries:
                self.entries.move_to_end(key)
            return self.entries.get(key)

    def put(self, key, value):
        with self.lock:
            self.entries[key] = value
            if len(self.entries) > self.size:
                self.entries.popitem(last=False)
        return value


#: Rankings by (the searcher's index folder, commit generation and segments; query, sort,
#: depth): popular and linked searches skip matching, which is most of a search's cost on a
#: large index (bench/RESULTS.md, Web). The commit is the one the ranking was computed on, taken
#: from the searcher itself, so a rebuild swapping the index link mid-search cannot file an old
#: ranking under the new index; a new commit is a new key, so nothing stale is ever served.
_RANKINGS = _LastUsed(512)


def _rank(searcher: Searcher, table: dict, node: ql.Node | None, sort: str, depth: int) -> tuple:
    """(total, the first ``depth`` (score, docnum) pairs in order, facet counts)."""
    columns = _columns(searcher, table)
    text_query = _document_query(node)
    if text_query is None:
        docnums, scores = columns.docnums, np.zeros(len(columns.docnums))
    else:  # its fields are on documents only
        docnums, scores = all_matches(searcher, text_query)
    order = _order(docnums, scores, columns, sort)[:depth]
    ranked = list(zip(scores[order].tolist(), docnums[order].tolist(), strict=True))
    return len(docnums), ranked, _facets(docnums, columns)


def candidate_pages(index_dir: Path, node: ql.Node | None, doc_id: str) -> list[tuple[int, str]]:
    """Every page of one document holding the searched terms, as (number, text), best first."""
    searcher = _searcher(index_dir, create=False)
    return _best_pages(searcher, node, [doc_id], per_document=1_000_000).get(doc_id, [])


def latin_terms(text: str) -> list[str]:
    """The index terms (lower-cased, stemmed) of the Latin words and numbers in ``text``."""
    return [token.text for token in _LATIN_ANALYZER(text, mode="query")]


_LATIN_ANALYZER = latin_analyzer()


def _order(docnums: np.ndarray, scores: np.ndarray, columns: _Columns, sort: str) -> np.ndarray:
    """Indices of the matches in order (best score first; ties by document number); undated
    documents go last when sorting by year."""
    if sort == "relevance":
        return np.lexsort((docnums, -scores))
    if sort == "added":
        return np.lexsort((docnums, -scores, -columns.added[docnums]))
    sign = -1 if sort == "newest" else 1
    years = columns.year[docnums]
    return np.lexsort((docnums, -scores, sign * years, years == _NO_YEAR))


def _facets(docnums: np.ndarray, columns: _Columns) -> dict[str, dict[str, int]]:
    """Documents by type and language (most first, ties by name) and by year (newest first)."""

    def by_count(names: list[str], counts: np.ndarray) -> dict[str, int]:
        pairs = sorted(zip(names, counts.tolist(), strict=True), key=lambda p: (-p[1], p[0]))
        return {name: count for name, count in pairs if count}

    types = np.bincount(columns.type[docnums], minlength=len(columns.types))
    years = dict(zip(*np.unique(columns.year[docnums], return_counts=True), strict=True))
    languages = columns.languages[:, docnums].sum(axis=1)
    return {
        "type": by_count(columns.types, types),
        "year": {str(y): int(n) for y, n in sorted(years.items(), reverse=True) if y != _NO_YEAR},
        "language": by_count(columns.language_names, languages),
    }


def _best_pages(
    searcher: Searcher, node: ql.Node | None, doc_ids: list[str], per_document: int
) -> dict[str, list[tuple[int, str]]]:
    """For the documents shown, their best-scoring pages holding the searched terms: one
    query for all of them, and stored text read only for the pages kept."""
    reader = searcher.reader()
    texts = ql.positive_texts(node)
    leaves = [q for text in texts if (q := _page_query(text, reader)) is not None]
    if not doc_ids or not leaves:
        return {}
    ids = wq.Or([wq.Term("id", doc_id) for doc_id in doc_ids])
    query = wq.And([ids, wq.Or(leaves)])  # page fields exist on page records only
    docnums, scores = all_matches(searcher, query)
    if not len(docnums):  # an empty index has no id column to read
        return {}
    page_ids = _id_column(searcher)
    kept: dict[str, list[int]] = {}
    for docnum in docnums[np.lexsort((docnums, -scores))].tolist():  # best first
        pages = kept.setdefault(page_ids[docnum], [])
        if len(pages) < per_document:
            pages.append(docnum)
    return {
        doc_id: [(f["page"], f["text"]) for f in map(searcher.stored_fields, docnums)]
        for doc_id, docnums in kept.items()
    }


# --- from the query tree to Whoosh queries -----------------------------------------------------


def _document_query(node: ql.Node | None) -> wq.Query | None:
    """The Whoosh query over document records; None when the tree puts no condition."""
    if node is None:
        return None
    if isinstance(node, ql.Text):
        return _text_query(node)
    if isinstance(node, ql.Facet):
        field = "languages" if node.field == "lang" else node.field
        return wq.ConstantScoreQuery(wq.Term(field, node.value), 0.0)
    if isinstance(node, ql.YearRange):
        return wq.ConstantScoreQuery(wq.NumericRange("year", node.start, node.end), 0.0)
    if isinstance(node, ql.Not):
        child = _document_query(node.child)
        return None if child is None else wq.AndNot(wq.Term("kind", "doc"), child)
    if isinstance(node, ql.Or):
        if not node.children:
            return wq.NullQuery
        children = [q for child in node.children if (q := _document_query(child)) is not None]
        return wq.Or(children) if children else None
    positives = [_document_query(c) for c in node.children if not isinstance(c, ql.Not)]
    negatives = [_document_query(c.child) for c in node.children if isinstance(c, ql.Not)]
    positives = [q for q in positives if q is not None]
    negatives = [q for q in negatives if q is not None]
    if not positives and not negatives:
        return None
    required = wq.And(positives) if positives else wq.Term("kind", "doc")
    return wq.AndNot(required, wq.Or(negatives)) if negatives else required


def _text_query(text: ql.Text) -> wq.Query | None:
    """Khmer runs as bigram phrases (with a whole-word lift), Latin words as a stemmed
    phrase, in body or title (title weighted higher), all parts required."""
    parts = []
    for run in khmer_query_runs(text.text):
        n, terms = khmer_query(run)
        body = _ngram_query(DOC_KHMER[n], terms, 3)
        title = _ngram_query(TITLE_KHMER[n], terms, 3)
        title.boost = TITLE_BOOST
        if text.title_only:
            parts.append(title)
            continue
        words = _phrase(DOC_KHMER_WORDS, segment_words(run), boost=WORD_LIFT)
        parts.append(wq.AndMaybe(wq.Or([body, title]), words))
    title = _latin_query(text, in_title=True)
    if title is not None:
        parts.append(title if text.title_only else wq.Or([_latin_query(text), title]))
    return _all(parts)


def _page_query(text: ql.Text, reader) -> wq.Query | None:
    """The same words over page records, as plain terms (pages keep no positions), and of
    each phrase only its two rarest terms: enough to narrow a document to a few candidate
    pages cheaply; snippets then check the exact text."""
    if text.title_only:
        return None
    parts = []
    for run in khmer_query_runs(text.text):
        n = min(khmer_query(run)[0], max(PAGE_KHMER))
        field, terms = PAGE_KHMER[n], cluster_ngrams(run, n)
        parts += [wq.Term(field, term) for term in _rarest(reader, field, terms)]
    terms = latin_terms(text.text)
    if text.prefix and terms:
        parts.append(wq.Prefix(PAGE_LATIN, terms.pop()))
    parts += [wq.Term(PAGE_LATIN, term) for term in _rarest(reader, PAGE_LATIN, terms)]
    return _all(parts)


def _rarest(reader, field: str, terms: list[str], keep: int = 2) -> list[str]:
    return sorted(set(terms), key=lambda term: reader.doc_frequency(field, term))[:keep]


def _latin_query(text: ql.Text, in_title: bool = False) -> wq.Query | None:
    """Stemmed Latin words as a phrase (its last word a prefix when typed word*)."""
    terms = latin_terms(text.text)
    if not terms:
        return None
    boost = TITLE_BOOST if in_title else 1.0
    words = terms[:-1] if text.prefix else terms
    parts = []
    if words:
        parts.append(_phrase(TITLE_LATIN, words, boost) if in_title else _body_words(words))
    if text.prefix:
        typed = text.text.lower().split()[-1] if text.text.split() else terms[-1]
        stems = {terms[-1], typed} if typed.isalnum() else {terms[-1]}
        field = TITLE_LATIN if in_title else DOC_LATIN
        parts.append(wq.Or([wq.Prefix(field, stem, boost=boost) for stem in sorted(stems)]))
    return _all(parts)


def _body_words(terms: list[str]) -> wq.Query:
    """One word, or a phrase as its overlapping word pairs: two words are one term, longer
    phrases check positions of pairs only (common English words make long position lists)."""
    if len(terms) == 1:
        return wq.Term(DOC_LATIN, terms[0])
    pairs = [f"{a} {b}" for a, b in zip(terms, terms[1:], strict=False)]
    return _ngram_query(DOC_LATIN_PAIRS, pairs, 2)


def _phrase(field: str, terms: list[str], boost: float = 1.0) -> wq.Query:
    if len(terms) == 1:
        return wq.Term(field, terms[0], boost=boost)
    return PositionsPhrase(field, terms, boost=boost)


def _ngram_query(field: str, ngrams: list[str], n: int) -> wq.Query:
    """One n-gram, or a phrase of overlapping n-grams. Every n-th one and the last already
    cover the whole phrase, so only their positions are checked (Khmer runs are
    analysis.RUN_GAP = 3 positions apart, so a cover cannot straddle two runs)."""
    if len(ngrams) == 1:
        return wq.Term(field, ngrams[0])
    cover = sorted({*range(0, len(ngrams), n), len(ngrams) - 1})
    return PositionsPhrase(field, ngrams, verify=cover)


def _all(parts: list[wq.Query]) -> wq.Query | None:
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.And(parts)


# --- open searchers and the per-generation document table --------------------------------------

_local = threading.local()
_MAX_OPEN = 4


def _searcher(index_dir: Path, create: bool = True) -> Searcher:
    """A searcher on the newest commit, kept open per thread: opening costs far more than a
    query, and a refreshed searcher sees what a writer committed since."""
    key = str(Path(index_dir).resolve())
    open_searchers: dict[str, Searcher] = _local.__dict__.setdefault("searchers", {})
    searcher = open_searchers.pop(key, None)
    if searcher is not None and not _up_to_date(searcher):
        # Not searcher.refresh(): it reuses segment readers and misses their new deletions.
        searcher.close()
        searcher = None
    if searcher is None:
        key, searcher = _open_searcher(Path(index_dir), create)
        # A rebuild swapped in a new directory and deleted the old one: let its files go now.
        for gone in [other for other in open_searchers if not Path(other).exists()]:
            open_searchers.pop(gone).close()
        # Opened through a link to a folder already open under its own name: one is enough.
        if (twin := open_searchers.pop(key, None)) is not None:
            twin.close()
    open_searchers[key] = searcher  # most recently used last
    while len(open_searchers) > _MAX_OPEN:
        open_searchers.pop(next(iter(open_searchers))).close()
    return searcher


def _up_to_date(searcher: Searcher) -> bool:
    try:
        return searcher.up_to_date()
    except OSError:  # its folder was deleted by a rebuild
        return False


def _open_searcher(index_dir: Path, create: bool) -> tuple[str, Searcher]:
    """A searcher on the folder the index link names now, not on the link: a reader opens
    some files lazily, and after a rebuild swaps the link they must still come from the index
    it was opened on. A rebuild may delete that folder between resolving and opening: then
    the link is followed again."""
    attempts = 3
    while True:
        folder = index_dir.resolve()
        try:
            searcher = open_index(folder, create=create and not index_dir.is_symlink()).searcher()
            break
        except (OSError, index.EmptyIndexError):
            attempts -= 1
            if not attempts or index_dir.resolve() == folder:
                raise
    # An index without segments (nothing indexed yet) has an empty reader: segments() is None.
    segments = tuple(segment.segment_id() for segment in searcher.reader().segments() or ())
    searcher._ddsearch_commit = (str(folder), searcher.reader().generation(), segments)
    return str(folder), searcher


#: The document table and its arrays by commit (a searcher's folder, generation and segments),
#: shared by the threads of a process: reading the table takes 70 ms at 5,000 documents, which
#: each thread's first search on a new commit would otherwise pay.
_TABLES = _LastUsed(8)


def _document_table(searcher: Searcher) -> dict[int, dict]:
    """Metadata of every document record by document number, read once per commit: facet
    counts and sorting then never touch the index."""
    key = ("table", searcher._ddsearch_commit)
    table = _TABLES.get(key)
    if table is None:
        table = {
            docnum: _metadata(searcher.stored_fields(docnum))
            for docnum in searcher.document_numbers(kind="doc")
        }
        _TABLES.put(key, table)
    return table


_NO_YEAR = -1


@dataclass
class _Columns:
    """The document table as arrays by document number, for sorting and facet counts."""

    docnums: np.ndarray  # of every document record, ascending
    types: list[str]
    type: np.ndarray  # index into types
    year: np.ndarray  # _NO_YEAR when undated
    added: np.ndarray
    language_names: list[str]
    languages: np.ndarray  # [language, docnum]: whether the document is in that language


def _columns(searcher: Searcher, table: dict[int, dict]) -> _Columns:
    """Built once per commit, like the table."""
    key = ("columns", searcher._ddsearch_commit)
    columns = _TABLES.get(key)
    if columns is None:
        size = max(table, default=-1) + 1
        types = sorted({row["type"] for row in table.values()})
        names = sorted({lang for row in table.values() for lang in row["languages"]})
        columns = _Columns(
            np.fromiter(table, np.int64, len(table)),
            types,
            np.zeros(size, np.int64),
            np.full(size, _NO_YEAR, np.int64),
            np.zeros(size),
            names,
            np.zeros((len(names), size), bool),
        )
        for docnum, row in table.items():
            columns.type[docnum] = types.index(row["type"])
            columns.year[docnum] = _NO_YEAR if row["year"] is None else row["year"]
            columns.added[docnum] = row["added"]
            for lang in row["languages"]:
                columns.languages[names.index(lang), docnum] = True
        _TABLES.put(key, columns)
    return columns


def _id_column(searcher: Searcher):
    """Document id by document number (page records too), read once per searcher."""
    column = getattr(searcher, "_ddsearch_ids", None)
    if column is None:
        column = searcher._ddsearch_ids = searcher.reader().column_reader("id")
    return column


def _metadata(fields: dict) -> dict:
    return {
        "id": fields["id"],
        "title": fields.get("title", ""),
        "type": fields.get("type", "other"),
        "year": fields.get("year"),
        "languages": [lang for lang in fields.get("languages", "").split(",") if lang],
        "number": fields.get("number", ""),
        "issuer": fields.get("issuer", ""),
        "paths": json.loads(fields.get("paths", "[]")),
        "added": fields.get("added", 0.0),
        "updated": fields.get("updated", 0.0),
    }
