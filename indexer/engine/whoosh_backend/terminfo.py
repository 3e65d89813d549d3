"""Short posting lists kept compactly in their term's entry of Whoosh's term table.

Whoosh-Reloaded 2.7.5 keeps a posting list of fewer than ``inlinelimit`` postings inside its
term's entry, as a pickle (protocol 2) of three tuples: document numbers, weights, and each
posting's value (a count and its pickled positions), after a fixed 26-byte header. Pickle
spends 50-80 bytes on one posting there, and most of an index's terms (Khmer trigrams, English
word pairs) have one or two postings: that pickle was 40% of a 500-document index, the term
table three quarters of it (bench/RESULTS.md, issue 24). Here such an entry is written as
variable-length integers: the header's numbers, the document-number gaps, the weights, and the
values of Whoosh's Frequency and Positions formats as their numbers (written back to the exact
bytes those formats read). Entries of longer lists, of other postings (fractional weights,
other values), and entries Whoosh wrote itself (flag 1: its pickle) are Whoosh's own.

Only `indexer.engine.whoosh_backend` imports this (see backend.py), before any index is
opened or written.
"""

from __future__ import annotations

import pickle
from itertools import accumulate

from whoosh.codec.whoosh3 import W3TermInfo
from whoosh.system import _INT_SIZE, pack_uint, unpack_uint
from whoosh.util.numeric import length_to_byte

_HEADER = W3TermInfo._struct  # Whoosh's: flags, weight, df, min/max length, max weight, ids

PICKLED, COMPACT = 1, 2  # the flag byte of a term entry with inlined postings
_NONE, _COUNTS, _POSITIONS = 0, 1, 2  # the postings' values: none, Frequency's, Positions'
_NO_ID = 0xFFFFFFFF  # Whoosh's stand-in for a missing document number


class NotCompact(ValueError):
    """Postings this module does not write (fractional weights, other values): Whoosh's
    own entry is written instead."""


def to_bytes(info: W3TermInfo) -> bytes:
    """The term entry: Whoosh's own for a posting list in the postings file (or postings this
    module does not write); for a short one, all its numbers as variable-length integers."""
    if not info.is_inlined():
        return _ORIGINAL_TO_BYTES(info)
    ids, weights, values = info.inlined_postings()
    try:
        kind, numbers = _values(values)
        minid = _NO_ID if info._minid is None else info._minid
        maxid = _NO_ID if info._maxid is None else info._maxid
        header = [
            kind,
            info._df,
            _whole(info._weight),
            0 if info._minlength is None else length_to_byte(info._minlength),
            length_to_byte(info._maxlength),
            _whole(info._maxweight),
            minid,
            maxid - minid,
            len(ids),
        ]
        gaps = [b - a for a, b in zip((0, *ids), ids, strict=False)]
        return bytes((COMPACT,)) + _varints(header + gaps + [_whole(w) for w in weights] + numbers)
    except NotCompact:
        return _ORIGINAL_TO_BYTES(info)


def from_bytes(data: bytes) -> W3TermInfo:
    if data[0] != COMPACT:
        return _ORIGINAL_FROM_BYTES(data)
    numbers = _read_varints(data, 1)
    kind, df, weight, minlength, maxlength, maxweight, minid, span, count = numbers[:9]
    header = _HEADER.pack(0, weight, df, minlength, maxlength, maxweight, minid, minid + span)
    info = _ORIGINAL_FROM_BYTES(header + bytes(12))  # 12: the extent it has not
    info._offset = info._length = None
    ids = tuple(accumulate(numbers[9 : 9 + count]))
    weights = tuple(map(float, numbers[9 + count : 9 + 2 * count]))
    info._inlined = (ids, weights, _read_values(kind, numbers, 9 + 2 * count, count))
    return info


def read_weight(dbfile, datapos: int) -> float:
    """The term's total weight, read without decoding its postings (`frequency`)."""
    if dbfile.get_byte(datapos) != COMPACT:
        return _ORIGINAL_READ_WEIGHT(dbfile, datapos)
    return float(_read_varints(dbfile.get(datapos, _HEAD), 1, 3)[2])


def read_doc_freq(dbfile, datapos: int) -> int:
    """The term's document frequency (`doc_frequency`)."""
    if dbfile.get_byte(datapos) != COMPACT:
        return _ORIGINAL_READ_DOC_FREQ(dbfile, datapos)
    return _read_varints(dbfile.get(datapos, _HEAD), 1, 2)[1]


_HEAD = 1 + 3 * 5  # bytes enough for the flag and the first three numbers


def _values(values) -> tuple[int, list[int]]:
    """The postings' values as numbers: Frequency's count, or Positions' count and gaps
    (written back to the same bytes: checked here)."""
    if all(value == b"" for value in values):  # exact-value fields keep no value
        return _NONE, []
    if all(len(value) == _INT_SIZE for value in values):
        return _COUNTS, [unpack_uint(value)[0] for value in values]
    numbers = []
    for value in values:
        try:  # our own writer's values; whatever fails to read is not Positions'
            deltas = pickle.loads(value[_INT_SIZE:])
        except Exception as err:
            raise NotCompact from err
        if type(deltas) is not list or any(type(d) is not int or d < 0 for d in deltas):
            raise NotCompact
        if _positions(deltas) != value:
            raise NotCompact
        numbers += [len(deltas), *deltas]
    return _POSITIONS, numbers


def _read_values(kind: int, numbers: list[int], at: int, count: int) -> tuple[bytes, ...]:
    if kind == _NONE:
        return (b"",) * count
    if kind == _COUNTS:
        return tuple(pack_uint(n) for n in numbers[at : at + count])
    values = []
    for _ in range(count):
        length = numbers[at]
        values.append(_positions(numbers[at + 1 : at + 1 + length]))
        at += 1 + length
    return tuple(values)


def _positions(deltas: list[int]) -> bytes:
    """Positions' value, as whoosh.formats.Positions.encode writes it."""
    return pack_uint(len(deltas)) + pickle.dumps(deltas, 2)


def _whole(number: float) -> int:
    if number != int(number) or not 0 <= number < 2**32:
        raise NotCompact
    return int(number)


def _varints(numbers: list[int]) -> bytes:
    """Non-negative integers, 7 bits a byte, the high bit set on all but a number's last."""
    if min(numbers) < 0:
        raise NotCompact
    if max(numbers) < 0x80:
        return bytes(numbers)
    out = bytearray()
    for number in numbers:
        while number >= 0x80:
            out.append(number & 0x7F | 0x80)
            number >>= 7
        out.append(number)
    return bytes(out)


def _read_varints(data: bytes, start: int = 0, count: int | None = None) -> list[int]:
    """The integers from ``start`` (``count`` of them; all by default)."""
    if count is None and max(data[start:], default=0) < 0x80:
        return list(data[start:])
    numbers, number, shift = [], 0, 0
    for byte in data[start:]:
        number |= (byte & 0x7F) << shift
        if byte < 0x80:
            numbers.append(number)
            if len(numbers) == count:
                break
            number, shift = 0, 0
        else:
            shift += 7
    return numbers


_ORIGINAL_TO_BYTES = W3TermInfo.to_bytes
_ORIGINAL_FROM_BYTES = W3TermInfo.from_bytes  # bound to the class, as the two below
_ORIGINAL_READ_WEIGHT = W3TermInfo.read_weight
_ORIGINAL_READ_DOC_FREQ = W3TermInfo.read_doc_freq


def set_inline(info: W3TermInfo, ids, weights, values) -> None:
    """Whoosh-Reloaded 2.7.5's postings writer inlines short lists by calling `set_inline`,
    which its term info names `set_inlined`: any inline limit crashed. It also keeps no values
    for postings without any (exact-value fields): read back from its own entry, such a list
    gives text "" for each, which Whoosh's merging of segments refuses; so an empty value is
    kept for each."""
    info.set_inlined(ids, weights, values or (b"",) * len(ids))


def install() -> None:
    """Whoosh's term entries written and read here, and its inlining mended (`set_inline`);
    later calls change nothing."""
    W3TermInfo.set_inline = set_inline
    W3TermInfo.to_bytes = to_bytes
    W3TermInfo.from_bytes = classmethod(lambda cls, data: from_bytes(data))
    W3TermInfo.read_weight = classmethod(lambda cls, dbfile, at: read_weight(dbfile, at))
    W3TermInfo.read_doc_freq = classmethod(lambda cls, dbfile, at: read_doc_freq(dbfile, at))
