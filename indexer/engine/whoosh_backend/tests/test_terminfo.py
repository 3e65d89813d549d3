"""Short posting lists kept compactly in the term table read back exactly as Whoosh's own
entries do, whatever their numbers; postings it does not write, and entries Whoosh wrote
itself, are Whoosh's."""

from __future__ import annotations

import pickle
from collections import Counter

from hypothesis import given
from hypothesis import strategies as st
from whoosh.codec.whoosh3 import W3TermInfo
from whoosh.filedb.structfile import BufferFile
from whoosh.formats import Positions
from whoosh.system import pack_uint

from indexer.engine.whoosh_backend import terminfo

docnums = st.lists(st.integers(0, 2**31), min_size=1, max_size=64, unique=True).map(sorted)
positions = st.lists(st.integers(0, 2**24), min_size=1, max_size=20, unique=True).map(sorted)


def entry(ids, weights, values) -> W3TermInfo:
    info = W3TermInfo(weight=sum(weights), df=len(ids), minlength=1, maxlength=900)
    info._maxweight, info._minid, info._maxid = max(weights), ids[0], ids[-1]
    info.set_inlined(ids, weights, values)
    return info


def whoosh_read_back(info: W3TermInfo) -> W3TermInfo:
    """What Whoosh's own entry (its pickle) reads back as."""
    return terminfo._ORIGINAL_FROM_BYTES(terminfo._ORIGINAL_TO_BYTES(info))


def read_back(info: W3TermInfo, flag: int) -> W3TermInfo:
    """The entry written and read back, whole and (as Whoosh reads a term's frequencies,
    straight from the term table) its weight and document frequency alone."""
    data = terminfo.to_bytes(info)
    assert data[0] == flag
    table = BufferFile(b"xx" + data + bytes(64))  # as in a term table: other bytes around
    back = terminfo.from_bytes(data)
    assert terminfo.read_doc_freq(table, 2) == back.doc_frequency()
    assert terminfo.read_weight(table, 2) == back.weight()
    return back


def same(a: W3TermInfo, b: W3TermInfo) -> None:
    numbers = ("weight", "doc_frequency", "min_id", "max_id", "min_length", "max_length")
    assert [getattr(a, name)() for name in numbers] == [getattr(b, name)() for name in numbers]
    assert a.max_weight() == b.max_weight() and a.is_inlined() == b.is_inlined()
    assert a.inlined_postings() == b.inlined_postings()


@given(docnums, st.data())
def test_positions_read_back_as_whoosh_reads_them(ids, data):
    lists = [data.draw(positions) for _ in ids]
    info = entry(ids, [float(len(p)) for p in lists], [Positions().encode(p) for p in lists])
    same(read_back(info, terminfo.COMPACT), whoosh_read_back(info))


@given(docnums, st.data())
def test_counts_and_no_values_read_back_as_whoosh_reads_them(ids, data):
    counts = [data.draw(st.integers(1, 10**6)) for _ in ids]
    info = entry(ids, [float(c) for c in counts], [pack_uint(c) for c in counts])
    same(read_back(info, terminfo.COMPACT), whoosh_read_back(info))
    info = entry(ids, [1.0] * len(ids), [b""] * len(ids))  # exact-value fields: no value
    same(read_back(info, terminfo.COMPACT), whoosh_read_back(info))


@given(docnums, st.data())
def test_other_postings_are_whooshs_own_entries(ids, data):
    raw = [data.draw(st.binary(min_size=5)) for _ in ids]
    info = entry(ids, [1.0] * len(ids), raw)
    same(read_back(info, terminfo.PICKLED), whoosh_read_back(info))
    fractional = [data.draw(st.floats(0.5, 8.0, width=32)) for _ in ids]
    if any(weight != int(weight) for weight in fractional):
        info = entry(ids, fractional, [pack_uint(1) for _ in ids])
        same(read_back(info, terminfo.PICKLED), whoosh_read_back(info))


def test_lists_in_the_postings_file_keep_whooshs_entry():
    outside = W3TermInfo(weight=40.0, df=20)
    outside.set_extent(1234, 567)
    back = terminfo.from_bytes(terminfo.to_bytes(outside))
    assert back.extent() == whoosh_read_back(outside).extent() and not back.is_inlined()


def test_one_posting_costs_a_few_bytes_instead_of_a_pickle():
    info = entry([5], [1.0], [Positions().encode([12])])
    compact, pickled = terminfo.to_bytes(info), terminfo._ORIGINAL_TO_BYTES(info)
    assert len(compact) <= 14 and len(pickled) >= 70
    assert pickle.loads(terminfo.from_bytes(compact).inlined_postings()[2][0][4:]) == [12]


def test_a_real_index_holds_compact_entries_and_searches_as_whooshs_own(
    tmp_path, monkeypatch, corpus_documents
):
    """The real documents indexed twice, with compact entries and with Whoosh's own: most
    entries are compact, each reads back as Whoosh's own would, and every search gives the
    same documents, scores and pages."""
    from whoosh import index

    from indexer.engine import open_engine
    from indexer.query import language as ql

    compact = open_engine(tmp_path / "compact", "whoosh")
    compact.apply_changes(corpus_documents, [])
    with monkeypatch.context() as patch:  # Whoosh writes its own entries (it reads both)
        patch.setattr(W3TermInfo, "to_bytes", terminfo._ORIGINAL_TO_BYTES)
        own = open_engine(tmp_path / "own", "whoosh")
        own.apply_changes(corpus_documents, [])
    flags = Counter()
    with index.open_dir(str(tmp_path / "compact")).reader() as reader:
        for leaf, _ in reader.leaf_readers():
            for data in leaf._terms._tindex.values():  # the segment's raw term entries
                flags[data[0]] += 1
                info = terminfo.from_bytes(data)
                if info.is_inlined():
                    same(info, whoosh_read_back(info))
    assert flags[terminfo.COMPACT] > 10 * flags[terminfo.PICKLED]
    for query in ("ឃុំ", "ក្រុមប្រឹក្សា", "petroleum", "petroleum regulation", "commune*"):
        node = ql.parse(query).node
        found = [compact.search_documents(node), own.search_documents(node)]
        assert found[0].total > 0, query
        hits = [[(h.metadata["id"], round(h.score, 6), h.pages) for h in f.hits] for f in found]
        assert hits[0] == hits[1], query
