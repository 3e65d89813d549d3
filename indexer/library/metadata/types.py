"""The instrument type of a document (its heading, royal code, what the text calls itself, the
file name) and of a title line."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from indexer.library.metadata.headings import (
    en_alternation,
    en_key,
    en_patterns,
    find_heading,
    heading,
    km_patterns,
)
from indexer.library.metadata.lines import (
    HEAD_LINES,
    HEAD_PAGES,
    TAIL_PAGES,
    TOP_LINES,
    header_lines,
    loose,
)
from indexer.text.khmer import clean, fold
from indexer.vocabulary import OTHER

# Royal codes in the header: នស/រកម (royal kram), នស/រកត (royal decree); OCR often mangles
# the first letters, so the part after the slash decides.
_ROYAL_CODE = re.compile(r"/\s*(រកម|រកត|រ\.ក\.ម|រ\.ក\.ត|rkm|rkt)(?![\u1780-\u17ff])")
_ROYAL_CODE_TYPE = {"រកម": "royal-kram", "រ.ក.ម": "royal-kram", "rkm": "royal-kram"}

#: One trailing token that is not the title's own words: a year, a date, a number, "(Repealed)".
_TITLE_TAIL = re.compile(
    r"[\s,_(\-]*(?:\(?(?:repealed|amended|unofficial|draft|translation|english)\)?"
    r"|\(?[\d./\-]+\)?|no\.?)\s*$",
    re.I,
)


def type_of_title(title: str) -> str:
    """Type key of an English or Khmer title line ("... Sub-Decree 2013", "Law on ...").

    English titles name the type at their end ("Investment Law 1994") or their start ("Sub-Decree
    No. 148 on ..."); the end wins, as in the catalogue titles the vocabulary was measured on.
    """
    found = find_heading(fold(clean(title)))
    if found:
        return found[0]
    stem = title
    while (shorter := _TITLE_TAIL.sub("", stem, count=1)) != stem:
        stem = shorter
    stem = stem.strip(" -–,:;.")
    matches = list(en_alternation().finditer(stem))
    if not matches:
        return OTHER
    first, last = matches[0], matches[-1]
    if stem[last.end() :].strip() == "":
        return en_key(last.group())
    if stem[: first.start()].strip().lower() in ("", "the", "draft", "joint", "the draft"):
        return en_key(first.group())
    return en_key(last.group())


# --- Type ----------------------------------------------------------------------------------

_PROMULGATED = ("law", "constitution")
#: A document longer than this that opens with a royal kram holds the law the kram promulgates.
KRAM_PAGES = 1


def detect_type(pages: Sequence[str], filename: str = "") -> str:
    """Instrument type key; "other" when nothing names one (see `type_and_source`)."""
    return type_and_source(pages, filename)[0]


#: How sure a type is, by what gave it.
TYPE_CONFIDENCE = {
    "heading": 0.95,
    "royal-code": 0.9,
    "kram-over-law": 0.9,
    "self-reference": 0.8,
    "later-heading": 0.7,
    "file-name": 0.3,
    "none": 0.2,
}


def type_and_source(pages: Sequence[str], filename: str = "") -> tuple[str, str]:
    """Instrument type key ("other" when nothing names one) and what gave it (a key of
    TYPE_CONFIDENCE).

    In order of trust: the heading in the header of the first page; the royal code of that
    header (នស/រកម is a kram, នស/រកត a royal decree); the type the text calls itself ("this
    sub-decree", អនុក្រឹត្យនេះ), which survives OCR that loses the heading; a heading at the top
    of the second or third page (after a cover); the file name. A royal kram over the
    text of a law is that law: every law is published under the kram that promulgates it, and a
    kram alone is a page or so.
    """
    head = list(pages[:HEAD_PAGES])
    named = _self_reference(head + list(pages[HEAD_PAGES:][-TAIL_PAGES:]))
    found = [
        (_heading_type(head[:1], HEAD_LINES), "heading"),
        (_royal_code_type(head[:1]), "royal-code"),
        (named, "self-reference"),
        (_heading_type(head[1:], TOP_LINES), "later-heading"),
    ]
    first, source = next(((key, source) for key, source in found if key), (None, "none"))
    if first == "royal-kram" and (named in _PROMULGATED or len(pages) > KRAM_PAGES):
        return (named if named in _PROMULGATED else "law"), "kram-over-law"
    if first:
        return first, source
    by_name = _type_from_filename(filename)
    return (by_name, "file-name") if by_name else (OTHER, "none")


def _heading_type(pages: Sequence[str], lines: int) -> str | None:
    for page in pages:
        for _, folded, _ in header_lines(page)[:lines]:
            found = heading(folded)
            if found:
                return found[0]
    return None


def _royal_code_type(pages: Sequence[str]) -> str | None:
    for page in pages:
        for _, folded, _ in header_lines(page):
            code = _ROYAL_CODE.search(folded)
            if code:
                return _ROYAL_CODE_TYPE.get(code.group(1), "royal-decree")
    return None


@cache
def _self_reference_pattern() -> re.Pattern[str]:
    """ "<type word>នេះ" ("this sub-decree") over loose text, longest type word first."""
    this = loose("នេះ")
    words = "|".join(re.escape(pattern) for pattern, _ in km_patterns())
    return re.compile(f"({words}){this}")


def _self_reference(pages: Sequence[str]) -> str | None:
    """The type the text most often calls itself ("this law", "this sub-decree"), or None."""
    keys = dict((pattern, key) for pattern, key in km_patterns())
    counts: dict[str, int] = {}
    for page in pages:
        for match in _self_reference_pattern().finditer(loose(page)):
            key = keys[match.group(1)]
            counts[key] = counts.get(key, 0) + 1
    return max(counts, key=counts.get) if counts else None


def _type_from_filename(filename: str) -> str | None:
    """A weak last resort: a type word in the file name (file names lie, so only this late)."""
    words = re.sub(r"[^a-z]+", " ", Path(filename).stem.lower())
    words = re.sub(r"\bsub ?decree", "sub-decree", words).replace("royaldecree", "royal decree")
    for regex, key in en_patterns():
        if regex.search(words):
            return key
    return None
