"""Legacy Khmer text to Unicode: map each code through the font's table, then reorder clusters.

Legacy fonts store glyphs in the order they are drawn, left to right: a pre-base vowel (េ ែ ៃ)
and the subscript ro (្រ) come before their base, a split vowel (ោ = េ…ា) comes in two pieces,
and a few letters are drawn from pieces of others (ញ as ព+ា over its subscript; a raised ុ as the
register shifter over an upper vowel). Unicode stores a cluster in logical order: base, robat,
subscripts (ro last), shifter, vowel, signs. `reorder` turns the first into the second.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from indexer.extract.legacy.fonts import Table, extracted_as, lookalikes

#: Word and LibreOffice keep the text of a font they take for a symbol font in the private-use
#: area, at U+F000 plus its byte.
SYMBOL_AREA = 0xF000
COENG = "\u17d2"
RO = COENG + "\u179a"
_PRE_VOWELS = "\u17c1\u17c2\u17c3"  # េ ែ ៃ, drawn before the base
_SHIFTERS = "\u17c9\u17ca"  # ៉ ៊
_ROBAT = "\u17cc"
_SIGNS = "\u17c6\u17c7\u17c8\u17cb\u17cd\u17ce\u17cf\u17d0\u17d1\u17d3\u17dd"
# េ before the base joins the vowel drawn after it: េ…ា is ោ, េ…ី is ើ; ៀ ឿ ៅ carry their own.
_WITH_E = {
    "\u17b6": "\u17c4",
    "\u17b8": "\u17be",
    "\u17c0": "\u17c0",
    "\u17bf": "\u17bf",
    "\u17c5": "\u17c5",
}
# A raised ុ over one of these vowels (or over ័) is how legacy fonts draw a register shifter.
_UPPER_VOWELS = "\u17b6\u17b7\u17b8\u17b9\u17ba\u17be"
_TRIISAP_BASES = "សហអ"  # they take ៊; every other letter takes ៉
_SHIFTER_ON_SUBSCRIPT = "សហអញប"  # a shifter after a subscript of these belongs to it
_NYO_SUBSCRIPTS = "ញជចឆឈហ"  # subscripts under which ញ is drawn as ព+ា (ព has none of them)


def convert(text: str, table: Table) -> tuple[str, Counter[str]]:
    """Convert one legacy-font run to Unicode; also count the characters the table lacks.

    Characters the table lacks are left out of the text (they would be Latin garbage inside
    Khmer) and counted, so that the caller can report them. Spellings typed with a look-alike
    glyph (ទ្ឋ for ទ្ធ) are corrected last.
    """
    codes = [_code(char) for char in text]
    pieces: list[str] = []
    missing: Counter[str] = Counter()
    i = 0
    while i < len(codes):
        for length in range(min(table.longest, len(codes) - i), 0, -1):
            key = tuple(codes[i : i + length])
            if key in table.codes:
                pieces.append(table.codes[key])
                i += length
                break
        else:
            char = text[i]
            if char.isspace():
                pieces.append(char)
            else:
                missing[char] += 1
            i += 1
    text = reorder("".join(pieces))
    for typed, reads in lookalikes():
        text = text.replace(typed, reads)
    return text, missing


def reads_space_before(text: str, table: Table) -> bool:
    """Whether the table reads a space and the first character of ``text`` as one sequence:
    Limon types ៖ as a space and the glyph of ៈ (`³`), so a space before it is no mere gap."""
    return bool(text) and (0x20, _code(text[0])) in table.codes


def _code(char: str) -> int:
    """The legacy code a PDF or office file's character stands for (its Windows-1252 byte),
    or -1."""
    try:
        return char.encode("cp1252")[0]
    except UnicodeEncodeError:
        if ord(char) < 0x100:  # the five bytes Windows-1252 leaves undefined
            return ord(char)
        if SYMBOL_AREA <= ord(char) <= SYMBOL_AREA + 0xFF:
            return ord(char) - SYMBOL_AREA  # a symbol font's byte, as word processors keep it
        return extracted_as().get(char, -1)


@dataclass
class _Cluster:
    """One cluster as typed: what came before the base, the base, and the rest in typed order."""

    pre: list[str] = field(default_factory=list)
    ro: bool = False
    base: str = ""
    rest: list[str] = field(default_factory=list)

    def emit(self) -> str:
        base, rest = self.base, list(self.rest)
        subscripts = [t[1:] for t in rest if t[:1] == COENG]
        if base == "ព" and "\u17b6" in rest and set(subscripts) & set(_NYO_SUBSCRIPTS):
            base = "ញ"  # ញ with a subscript is drawn as ព and ា, typed before or after it
            rest.remove("\u17b6")
        subs = [t for t in rest if t[:1] == COENG and t != RO]
        if self.ro or RO in rest:
            subs.append(RO)
        robat = [t for t in rest if t == _ROBAT]
        shifters = [t for t in rest if t in _SHIFTERS]
        vowels = [t for t in rest if "\u17b6" <= t <= "\u17c5"]
        signs = [t for t in rest if t in _SIGNS]
        stray = [t for t in rest if t == COENG]  # a subscript sign with no letter under it
        vowels = self.pre + vowels if self.pre[:1] != ["\u17c1"] else _join_e(vowels)
        if (
            "\u17bb" in vowels
            and not shifters
            and (set(vowels) & set(_UPPER_VOWELS) or "\u17d0" in signs)
        ):
            vowels.remove("\u17bb")
            shifters = ["\u17ca" if base in _TRIISAP_BASES else "\u17c9"]
        on_subscript = bool(subs) and subs[-1 if subs[-1] != RO else 0][1:] in _SHIFTER_ON_SUBSCRIPT
        before, after = ([], shifters) if on_subscript or not subs else (shifters, [])
        return "".join([base, *robat, *before, *subs, *after, *vowels, *signs, *stray])


def _join_e(vowels: list[str]) -> list[str]:
    """Join a pre-base េ with the vowel piece drawn after the base (េ…ា is ោ)."""
    for i, vowel in enumerate(vowels):
        if vowel in _WITH_E:
            return [*vowels[:i], _WITH_E[vowel], *vowels[i + 1 :]]
    return ["\u17c1", *vowels]


def reorder(text: str) -> str:
    """Put each cluster of visually ordered Khmer into Unicode's logical order."""
    out: list[str] = []
    cluster: _Cluster | None = None
    tokens = _tokens(text)
    for i, token in enumerate(tokens):
        kind = _kind(token)
        if token.isspace() and cluster and _mark_follows(tokens, i):
            continue  # a break that extraction put inside a cluster (before its vowel)
        if kind == "other":
            if cluster:
                out.append(cluster.emit())
            cluster = None
            out.append(token)
            continue
        if cluster is None or (cluster.base and kind in ("pre", "ro", "base")):
            if cluster:
                out.append(cluster.emit())
            cluster = _Cluster()
        if kind == "pre":
            cluster.pre.append(token)
        elif kind == "ro" and not cluster.base:
            cluster.ro = True
        elif kind == "base":
            cluster.base = token
        else:
            cluster.rest.append(token)
    if cluster:
        out.append(cluster.emit())
    return "".join(out)


def _mark_follows(tokens: list[str], i: int) -> bool:
    """Whether the first token after the whitespace at ``i`` is a mark (it needs a base)."""
    for token in tokens[i + 1 :]:
        if not token.isspace():
            return _kind(token) == "mark"
    return False


def _tokens(text: str) -> list[str]:
    """Characters, with each COENG joined to the letter after it (a subscript is one token)."""
    tokens: list[str] = []
    for char in text:
        if tokens and tokens[-1] == COENG:
            tokens[-1] += char
        else:
            tokens.append(char)
    return tokens


def _kind(token: str) -> str:
    if token == RO:
        return "ro"
    if token in _PRE_VOWELS:
        return "pre"
    if "\u1780" <= token[0] <= "\u17b3":
        return "base"
    if token[0] == COENG or "\u17b6" <= token[0] <= "\u17d3" or token == "\u17dd":
        return "mark"
    return "other"
