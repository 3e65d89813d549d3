"""The heading lines that name an instrument type (indexer.vocabulary's), Khmer or English,
tolerant of OCR slips."""

from __future__ import annotations

import re
from functools import cache

from rapidfuzz.distance import Levenshtein

from indexer.library.metadata.lines import compact_form, loose
from indexer.vocabulary import OTHER, load_types


def _allowed_slips(pattern: str) -> int:
    """OCR slips tolerated in a heading word: none in short words, where one slip makes another
    word (ប្រការ/ប្រកាស), more in long ones."""
    return 0 if len(pattern) < 8 else 1 if len(pattern) < 10 else 2


@cache
def km_patterns() -> tuple[tuple[str, str], ...]:
    """(loose pattern, type key), longest first so that ប្រកាសអន្តរក្រសួង beats ប្រកាស."""
    pairs = {(loose(p), t["key"]) for t in load_types() for p in t["km_patterns"]}
    return tuple(sorted(pairs, key=lambda pair: -len(pair[0])))


@cache
def _loose_words(*words: str) -> tuple[str, ...]:
    return tuple(loose(word) for word in words)


def _is_heading_rest(rest: str) -> bool:
    """What may follow a type word in its heading: nothing much, its number, or ស្តីពី ("on")."""
    about, about_long, number = _loose_words("ស្តីពី", "ស្តីអំពី", "លេខ")
    return (
        len(rest) <= 2
        or any(ch.isdigit() for ch in rest[:8])  # its number, or ឆ្នាំ១៩៩៣ as OCR reads it
        or number in rest[:5]
        or "លខ" in rest[:5]
        or about in rest[:10]
        or about_long in rest[:10]
    )


def _is_heading_start(before: str) -> bool:
    """Whether a type word at this point of a joined line starts a heading: at the line's
    start, or right after the header it was joined to (kingdom, motto, government or ministry,
    number); not after "having seen", "promulgates", "of", "this"..."""
    if len(before) <= 2 or before.isdigit():  # nothing, or the number OCR left of it
        return True
    if len(before) <= 8 and any(ch.isdigit() for ch in before):  # a royal code left of it
        return True
    enders = _loose_words("ព្រះមហាក្សត្រ", "កម្ពុជា", "រាជរដ្ឋាភិបាល", "អនក្របក", "ប្រក")
    if before.endswith(enders):
        return True
    ministry, government, number = _loose_words("ក្រសួង", "រាជរដ្ឋាភិបាល", "លេខ")
    return before.startswith((ministry, government, number)) and len(before) < 40


def find_heading(folded: str) -> tuple[str, int] | None:
    """(type key, offset in the line) of the first heading in a folded line, or None.

    A heading is a type word alone, or followed by its number or by ស្តីពី ("on"); body text
    that merely contains a type word (ប្រកាសឱ្យប្រើ... "promulgates", អនុក្រឹត្យនេះ "this
    sub-decree") is not one.
    """
    compact, offsets = compact_form(folded)
    if len(compact) < 3:
        return None
    for start in range(len(compact) - 2):
        if not _is_heading_start(compact[:start]):
            continue
        for pattern, key in km_patterns():
            if _matches_at(compact, start, pattern):
                return key, offsets[start]
    return None


def _matches_at(compact: str, start: int, pattern: str) -> bool:
    slips = _allowed_slips(pattern)
    if compact[start] != pattern[0] and not slips:
        return False
    for size in sorted({len(pattern), len(pattern) - slips, len(pattern) + slips}):
        head, rest = compact[start : start + size], compact[start + size :]
        exact = head == pattern
        if exact or (slips and Levenshtein.distance(head, pattern, score_cutoff=slips) <= slips):
            return _is_heading_rest(rest)
    return False


# Royal codes in the header: នស/រកម (royal kram), នស/រកត (royal decree); OCR often mangles

# --- English matching ----------------------------------------------------------------------


@cache
def en_patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    """(regex of one English type phrase, key), longest phrase first."""
    pairs = [(p, t["key"]) for t in load_types() for p in t["en_patterns"]]
    pairs.sort(key=lambda pair: -len(pair[0]))
    return tuple((re.compile(rf"\b{p}\b", re.I), key) for p, key in pairs)


@cache
def en_alternation() -> re.Pattern[str]:
    phrases = sorted((p for t in load_types() for p in t["en_patterns"]), key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(phrases) + r")\b", re.I)


def en_key(phrase: str) -> str:
    for regex, key in en_patterns():
        if regex.fullmatch(phrase):
            return key
    return OTHER


#: One trailing token that is not the title's own words: a year, a date, a number, "(Repealed)".
_EN_HEADING = re.compile(
    r"^\W*(?:the\s+)?(?P<type>[a-z][a-z -]*?)\s*"
    r"(?:(?:\b(?:no|number|on|of|concerning|regarding|dated)\b|#|\().*)?$",
    re.I,
)


def _english_heading(folded: str) -> str | None:
    """The type an English heading line names ("sub-decree no. 148", "law on investment")."""
    match = _EN_HEADING.match(folded)
    if not match:
        return None
    key = en_key(match.group("type").strip(" -"))
    return key if key != OTHER else None


def heading(folded: str) -> tuple[str, int] | None:
    """(type key, offset) of a Khmer or English heading in a folded line."""
    found = find_heading(folded)
    if found:
        return found
    key = _english_heading(folded)
    return (key, 0) if key else None
