"""Matching document-level queries: whole posting lists as numpy arrays, not one posting at
a time.

Whoosh's matchers step through postings one document at a time in Python, which was 70% of a
search's CPU on a 5,000-document index (bench/RESULTS.md, Web). Document records are one per
document, so a term's posting list is a few thousand entries at most: here it is read whole,
scored with the same BM25F, and combined with array operations. Any query type not handled
here goes through Whoosh's own matcher, so the results never depend on which path ran;
tests/test_matching.py checks both paths give the same documents and scores.

Posting blocks and length columns are read through the internals of Whoosh-Reloaded 2.7.5's
codec (the version pinned in pyproject.toml); a posting list kept in another form (Whoosh
inlines one-posting lists in the term table) is read through the public matcher API.
"""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from itertools import accumulate

import numpy as np
from whoosh import matching
from whoosh import query as wq
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, W3LeafMatcher, _lenfield
from whoosh.formats import Positions
from whoosh.matching.wrappers import FilterMatcher
from whoosh.scoring import BM25FScorer, WeightScorer
from whoosh.searching import Searcher
from whoosh.system import _INT_SIZE
from whoosh.util import make_binary_tree
from whoosh.util.numeric import byte_to_length

Matches = tuple[np.ndarray, np.ndarray]  # ascending document numbers, and their scores
_NONE: Matches = (np.empty(0, np.int64), np.empty(0, np.float64))
_LENGTH_OF_BYTE = np.array([byte_to_length(b) for b in range(256)], np.float64)


def all_matches(searcher: Searcher, query: wq.Query, lengths: dict) -> Matches:
    """Document number and score of every live document matching ``query``; ``lengths`` is
    the caller's cache of field-length arrays for this searcher's commit."""
    found = []
    for leaf, offset in searcher.leaf_searchers():
        reader = leaf.reader()
        if reader.segment() is None:  # an index with no segments: nothing to match
            continue
        docnums, scores = _matches(query, _Segment(searcher, leaf, lengths), None)
        found.append(_live(reader, docnums, scores, offset))
    return _joined(found)


def _live(reader, docnums: np.ndarray, scores: np.ndarray, offset: int) -> Matches:
    """A segment's matches without its deleted documents, numbered in the whole index."""
    deleted = reader.deleted_docs_set
    if deleted and len(docnums):
        live = ~np.isin(docnums, np.fromiter(deleted, np.int64))
        docnums, scores = docnums[live], scores[live]
    return docnums + offset, scores


def _joined(found: list[Matches]) -> Matches:
    if not found:
        return _NONE
    return np.concatenate([d for d, _ in found]), np.concatenate([s for _, s in found])


@dataclass
class _Segment:
    top: Searcher
    leaf: Searcher
    lengths: dict  # (segment id, field) -> lengths, kept by the engine per commit

    @property
    def reader(self):
        return self.leaf.reader()


@dataclass
class _Postings:
    docnums: np.ndarray
    weights: np.ndarray
    values: list  # the encoded value (positions) of each posting


Within = np.ndarray | None  # ascending document numbers a query is restricted to; None: all


def _matches(query: wq.Query, segment: _Segment, within: Within) -> Matches:
    """The matches of ``query`` among the documents ``within``. Conjunctions pass their
    rarest part's matches down as ``within``, so long posting lists are read only in the
    blocks that can hold those documents, as Whoosh's skip_to does."""
    if within is not None and not len(within):
        return _NONE
    handler = _HANDLERS.get(type(query))
    if handler is None or (isinstance(query, wq.Or) and (query.scale or query.minmatch)):
        return _by_whoosh(query, segment, within)
    docnums, scores = handler(query, segment, within)
    boost = getattr(query, "boost", 1.0)
    return (docnums, scores * boost) if boost != 1.0 and len(docnums) else (docnums, scores)


def _by_whoosh(query: wq.Query, segment: _Segment, within: Within) -> Matches:
    """Whoosh's own matcher, one posting at a time: the exact reference for any query type."""
    matcher = query.matcher(segment.leaf, segment.top.context())
    docnums, scores = [], []
    for wanted in within if within is not None else [None]:
        if wanted is not None and matcher.is_active():
            matcher.skip_to(int(wanted))
        while matcher.is_active() and (wanted is None or matcher.id() == wanted):
            docnums.append(matcher.id())
            scores.append(matcher.score())
            matcher.next()
    return np.array(docnums, np.int64), np.array(scores, np.float64)


def _term(query: wq.Term, segment: _Segment, within: Within) -> Matches:
    key = _key(segment, query.fieldname, query.text)
    if key is None:
        return _NONE
    postings, scorer = _term_postings(query.fieldname, key, segment, within)
    return postings.docnums, _scores(scorer, postings, segment, query.fieldname)


def _key(segment: _Segment, fieldname: str, text) -> bytes | None:
    """The term as the index stores it, or None when the segment lacks it."""
    schema = segment.leaf.schema
    if fieldname not in schema:
        return None
    try:
        key = schema[fieldname].to_bytes(text)
    except ValueError:
        return None
    return key if (fieldname, key) in segment.reader else None


def _term_postings(fieldname: str, key: bytes, segment: _Segment, within: Within):
    """The term's postings among ``within``, and Whoosh's scorer for it."""
    postings = _read_postings(segment.reader, fieldname, key, within)
    return postings, segment.top.weighting.scorer(segment.leaf, fieldname, key)


def _scores(scorer, postings: _Postings, segment: _Segment, fieldname: str, at=slice(None)):
    """The scores of the postings ``at`` (all by default), as Whoosh's scorer gives them:
    whoosh.scoring.bm25 over arrays, its operations in the same order (same floats)."""
    tf = postings.weights[at]
    if isinstance(scorer, WeightScorer):  # a field that is not scorable
        return tf.copy()
    if not isinstance(scorer, BM25FScorer):
        raise TypeError(f"no array version of {type(scorer).__name__}")
    fl = _field_lengths(segment, fieldname)[postings.docnums[at]]
    k1, b = scorer.K1, scorer.B
    return scorer.idf * ((tf * (k1 + 1)) / (tf + k1 * ((1 - b) + b * fl / scorer.avgfl)))


def _read_postings(reader, fieldname: str, key: bytes, within: Within) -> _Postings:
    matcher = reader.postings(fieldname, key)
    if isinstance(matcher, FilterMatcher):  # deletions: all_matches drops them at the end
        matcher = matcher.child
    if type(matcher) is W3LeafMatcher:
        postings = _read_blocks(matcher, within)
    else:
        docnums, weights, values = [], [], []
        while matcher.is_active():
            docnums.append(matcher.id())
            weights.append(matcher.weight())
            values.append(matcher.value() if matcher.supports("positions") else None)
            matcher.next()
        postings = _Postings(np.array(docnums, np.int64), np.array(weights, np.float64), values)
    if within is None:
        return postings
    keep = np.flatnonzero(np.isin(postings.docnums, within, assume_unique=True))
    values = [postings.values[i] for i in keep]
    return _Postings(postings.docnums[keep], postings.weights[keep], values)


def _read_blocks(matcher: W3LeafMatcher, within: Within) -> _Postings:
    """The blocks of an on-disk posting list that may hold documents ``within``: each block is
    a compressed, pickled tuple of delta-coded document numbers, weights (None: all 1, a
    float: all that) and values; its header gives its last document number."""
    docnums, weights, values = [], [], []
    after = -1  # the last document number of the block before
    while matcher.is_active():
        last = matcher._maxid
        if within is not None:
            next_wanted = np.searchsorted(within, after, side="right")
            if next_wanted == len(within):
                break
            if within[next_wanted] > last:
                after = last
                matcher._next_block()
                continue
        after = last
        matcher._read_data()
        deltas, block_weights, block_values = matcher._data
        count = matcher._blocklength
        docnums.append(np.cumsum(np.array(deltas, np.int64)))
        if block_weights is None:
            weights.append(np.ones(count))
        elif isinstance(block_weights, float):
            weights.append(np.full(count, block_weights))
        else:
            weights.append(np.array(block_weights, np.float64))
        values.extend(block_values if block_values is not None else [None] * count)
        matcher._next_block()
    if not docnums:
        return _Postings(_NONE[0], _NONE[1], [])
    return _Postings(np.concatenate(docnums), np.concatenate(weights), values)


def _field_lengths(segment: _Segment, fieldname: str) -> np.ndarray:
    """Every document's length in ``fieldname`` (Whoosh's one-byte approximation), read once
    per segment, that is per commit."""
    reader = segment.reader
    key = (reader.segment().segment_id(), fieldname)
    lengths = segment.lengths.get(key)
    if lengths is None:
        column = reader._perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        codes = np.zeros(reader.doc_count_all(), np.uint8)
        if column is not None and column._count:
            stored = column._dbfile.get(column._basepos, column._count)
            codes[: column._count] = np.frombuffer(stored, np.uint8)
        lengths = segment.lengths[key] = _LENGTH_OF_BYTE[codes]
    return lengths


# --- combining ---------------------------------------------------------------------------------


def _and(query: wq.And, segment: _Segment, within: Within) -> Matches:
    """Rarest part first; each next part is looked for only among the matches so far."""
    reader = segment.reader
    docnums, scores = None, None
    for child in sorted(query.subqueries, key=lambda q: q.estimate_size(reader)):
        found, found_scores = _matches(child, segment, within)
        if docnums is None:
            docnums, scores = found, found_scores
        else:
            keep = np.isin(docnums, found, assume_unique=True)
            docnums, scores = docnums[keep], scores[keep] + found_scores
        if not len(docnums):
            return _NONE
        within = docnums
    return _NONE if docnums is None else (docnums, scores)


def _or(query: wq.Or, segment: _Segment, within: Within) -> Matches:
    found = [_matches(child, segment, within) for child in query.subqueries]
    found = [m for m in found if len(m[0])]
    if len(found) < 2:
        return found[0] if found else _NONE
    docnums, where = np.unique(np.concatenate([d for d, _ in found]), return_inverse=True)
    return docnums, np.bincount(where, np.concatenate([s for _, s in found]), len(docnums))


def _and_maybe(query: wq.AndMaybe, segment: _Segment, within: Within) -> Matches:
    docnums, scores = _matches(query.a, segment, within)
    extra_docnums, extra = _matches(query.b, segment, docnums)
    scores = scores.copy()
    scores[np.searchsorted(docnums, extra_docnums)] += extra
    return docnums, scores


def _and_not(query: wq.AndNot, segment: _Segment, within: Within) -> Matches:
    docnums, scores = _matches(query.a, segment, within)
    keep = ~np.isin(docnums, _matches(query.b, segment, docnums)[0], assume_unique=True)
    return docnums[keep], scores[keep]


def _constant_score(query: wq.ConstantScoreQuery, segment: _Segment, within: Within) -> Matches:
    """Whoosh scores ConstantScoreQuery(q, 0.0) as 1.0 (its ListMatcher treats a weight of 0.0
    as missing); a filter is meant to add nothing to the ranking, so here it adds 0.0."""
    docnums = _docnums(query.child, segment, within)
    return docnums, np.full(len(docnums), float(query.score))


def _docnums(query: wq.Query, segment: _Segment, within: Within) -> np.ndarray:
    """Only which documents match, for a query whose scores are not wanted: a range or a
    prefix is then the union of its terms' postings."""
    reader = segment.reader
    if isinstance(query, wq.NumericRange):
        query = query._compile_query(reader)  # what its own matcher() runs
    if isinstance(query, wq.ConstantScoreQuery):
        return _docnums(query.child, segment, within)
    if isinstance(query, wq.MultiTerm):
        found = [
            _read_postings(reader, query.field(), key, within).docnums
            for key in query._btexts(reader)
            if key
        ]
        return np.unique(np.concatenate(found)) if found else _NONE[0]
    return _matches(query, segment, within)[0]


# --- phrases -----------------------------------------------------------------------------------


class PositionsPhrase(wq.Phrase):
    """Whoosh's Phrase, checked by intersecting sets of positions instead of building span
    objects (KNOWLEDGE §4: phrases are Whoosh's slow path, and Khmer queries are phrases).
    A match scores the sum of its words' scores.

    ``verify`` lists the words whose positions need checking (all by default); every word
    still has to occur in the document.
    """

    def __init__(self, fieldname, words, boost=1.0, verify: list[int] | None = None):
        super().__init__(fieldname, words, boost=boost)
        self.verify = list(range(len(words))) if verify is None else verify

    def matcher(self, searcher, context=None):
        reader = searcher.reader()
        field = searcher.schema[self.fieldname]
        keys = [field.to_bytes(word) for word in self.words]
        if any((self.fieldname, key) not in reader for key in keys):
            return matching.NullMatcher()
        matchers = [wq.Term(self.fieldname, word).matcher(searcher, context) for word in self.words]
        rarest_first = _rarest_first(reader, self.fieldname, keys)
        child = make_binary_tree(matching.IntersectionMatcher, [matchers[i] for i in rarest_first])
        checks = [(matchers[i], i) for i in rarest_first if i in self.verify]
        found = _PhraseMatcher(child, checks)
        return found if self.boost == 1.0 else matching.WrappingMatcher(found, self.boost)


def _rarest_first(reader, fieldname: str, keys: list[bytes]) -> list[int]:
    rarity = [reader.doc_frequency(fieldname, key) for key in keys]
    return sorted(range(len(keys)), key=rarity.__getitem__)


class _PhraseMatcher(matching.WrappingMatcher):
    """Moves over the documents holding every word, stopping where the checked words sit
    at their offsets from a common start."""

    def __init__(self, child, checks: list[tuple[matching.Matcher, int]]):
        super().__init__(child)
        self.checks = checks
        self._find_phrase()

    def _at_phrase(self) -> bool:
        return _at_phrase((matcher.value_as("positions"), i) for matcher, i in self.checks)

    def _find_phrase(self) -> None:
        while self.child.is_active() and not self._at_phrase():
            self.child.next()

    def next(self):
        self.child.next()
        self._find_phrase()

    def skip_to(self, id):
        self.child.skip_to(id)
        self._find_phrase()

    def replace(self, minquality=0):
        return self if self.is_active() else matching.NullMatcher()

    def supports_block_quality(self):
        return False

    def copy(self):
        raise NotImplementedError("a phrase matcher is used once")


def _at_phrase(positions_and_offsets) -> bool:
    """Whether the words' positions, each less its offset in the phrase, share a start."""
    starts = None
    for positions, offset in positions_and_offsets:
        here = {position - offset for position in positions}
        starts = here if starts is None else starts & here
        if not starts:
            return False
    return True


def _phrase(query: PositionsPhrase, segment: _Segment, within: Within) -> Matches:
    """Documents holding every word, kept where the checked words line up; scored as the sum
    of the words' scores, as _PhraseMatcher is (the boost is applied by _matches)."""
    fieldname = query.fieldname
    keys = [_key(segment, fieldname, word) for word in query.words]
    if None in keys:
        return _NONE
    words: list = [None] * len(keys)
    # Rarest word first, each next one read only where the ones before are.
    for i in _rarest_first(segment.reader, fieldname, keys):
        words[i] = _term_postings(fieldname, keys[i], segment, within)
        within = words[i][0].docnums
        if not len(within):
            return _NONE
    docnums = within
    where = [np.searchsorted(postings.docnums, docnums) for postings, _ in words]
    checks = sorted(query.verify, key=lambda i: len(words[i][0].docnums))
    decode = _position_decoder(segment.leaf.schema[fieldname].format)
    keep = np.array(
        [
            _at_phrase((decode(words[i][0].values[where[i][j]]), i) for i in checks)
            for j in range(len(docnums))
        ],
        bool,
    )
    scores = [
        _scores(scorer, postings, segment, fieldname, at)
        for (postings, scorer), at in zip(words, where, strict=True)
    ]
    return docnums[keep], sum(scores[1:], scores[0])[keep]


def _position_decoder(field_format):
    """Positions from a posting's value: for whoosh.formats.Positions (a count, then pickled
    deltas) its decode_positions with the sums done in C; any other format's own."""
    if type(field_format) is not Positions:
        return field_format.decode_positions
    return lambda value: accumulate(pickle.loads(value[_INT_SIZE:] + b"."))


_HANDLERS = {
    wq.Term: _term,
    wq.And: _and,
    wq.Or: _or,
    wq.AndMaybe: _and_maybe,
    wq.AndNot: _and_not,
    wq.ConstantScoreQuery: _constant_score,
    PositionsPhrase: _phrase,
}


# --- counting terms (approximate phrases) ------------------------------------------------------


def holding_many(searcher: Searcher, fieldname: str, terms: list[str], need: int, cache) -> Matches:
    """Every live record holding at least ``need`` of the distinct ``terms``, scored by the
    rarity of those it holds (the sum of their idf: common terms say little about where a
    phrase is).

    Khmer bigrams are common: a phrase's are held by thousands of pages, and reading their
    posting lists was most of a close-match search. So each list is read once and kept in
    ``cache`` (a LastUsed weighed in bytes), a common term's as a bitmap of the segment's
    records, and the counting is done over whole bitmaps."""
    found = []
    total = max(1, searcher.doc_count_all())
    for leaf, offset in searcher.leaf_searchers():
        reader = leaf.reader()
        if reader.segment() is None:
            continue
        segment = _Segment(searcher, leaf, {})
        keys = [key for term in sorted(set(terms)) if (key := _key(segment, fieldname, term))]
        if len(keys) < need:
            continue
        size = reader.doc_count_all()
        counts, scores = np.zeros(size, np.int32), np.zeros(size)
        for key in [keys[i] for i in _rarest_first(reader, fieldname, keys)]:
            held = _holders(reader, fieldname, key, cache, size)
            counts += held
            idf = np.log(total / (1 + searcher.doc_frequency(fieldname, key)))
            np.add(scores, idf, out=scores, where=held)
        docnums = np.flatnonzero(counts >= need)
        found.append(_live(reader, docnums, scores[docnums], offset))
    return _joined(found)


def _holders(reader, fieldname: str, key: bytes, cache, size: int) -> np.ndarray:
    """Which of a segment's ``size`` records hold the term (deleted ones included), as
    booleans; kept in ``cache`` as document numbers or, when smaller, as packed bits."""
    cache_key = (reader.segment().segment_id(), fieldname, key)
    kept = cache.get(cache_key)
    if kept is None:
        docnums = _read_postings(reader, fieldname, key, None).docnums
        kept = docnums if len(docnums) * 64 < size else np.packbits(_marked(docnums, size))
        cache.put(cache_key, kept)
    if kept.dtype == np.uint8:
        return np.unpackbits(kept, count=size).view(bool)
    return _marked(kept, size)


def _marked(docnums: np.ndarray, size: int) -> np.ndarray:
    marks = np.zeros(size, bool)
    marks[docnums] = True
    return marks
