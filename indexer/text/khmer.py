"""Khmer text primitives shared by indexing and querying: normalisation, clusters, scripts, words.

Normalisation is split in two so that offsets into stored page text stay valid for highlights:
`clean` makes the length-changing corrections once, before text is stored (and on every query);
`fold` makes only one-character-for-one-character changes, so analyzers can apply it to stored
text and still report offsets into that text.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterator
from functools import cache

COENG = "\u17d2"

# Character classes, as regex class bodies (see the Unicode Khmer block chart, U+1780-U+17FF).
_CONSONANT = "\u1780-\u17a2"
_BASE = "\u1780-\u17b3\u17dc"  # consonants, independent vowels, avakrahasanya
_VOWEL = "\u17b6-\u17c5"  # dependent vowels
_SHIFTER = "\u17c9\u17ca"  # muusikatoan ៉, triisap ៊
_SIGN = "\u17c6-\u17c8\u17cb-\u17d1\u17d3\u17dd"  # ំ ះ ៈ ់ ៌ ៍ ៎ ៏ ័ ៑ ៓ ៝ (robat ៌ included)
# Everything that attaches to the cluster before it. Invisible vowels and ZWNJ/ZWJ ride along
# so that `clusters` never strands them, even on text that was not cleaned.
_MARK = f"\u17b4\u17b5{_VOWEL}{_SHIFTER}{_SIGN}{COENG}\u200c\u200d"
_WORD_CHAR = f"{_BASE}{_MARK}"  # what a Khmer word is made of (no digits or punctuation)

_CLUSTER = re.compile(
    f"[{_BASE}](?:{COENG}[{_BASE}]|[{_MARK}])*"  # a base and everything stacked on it
    f"|[{_MARK}]+"  # marks with no base: broken text
    "|.[\u0300-\u036f]*",  # any other character (with Latin combining accents)
    re.DOTALL,
)
# Orthographic order within a cluster: base, robat, up to three subscripts, a register shifter,
# one dependent vowel, then signs. Real text also puts the shifter before the subscripts or
# after the vowel (ហ៊្វុ, ប៊ី / បី៊), which renders the same.
_VALID_CLUSTER = re.compile(
    f"[{_BASE}]\u17cc?[{_SHIFTER}]?(?:{COENG}[{_CONSONANT}]){{0,3}}"
    f"[{_SHIFTER}]?[{_VOWEL}]?[{_SHIFTER}]?[{_SIGN}]{{0,3}}"
)

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff\u00ad\u17b4\u17b5"))
_LINE_BREAKS = re.compile(r"\r\n?|[\f\v\x85\u2028\u2029]")
_SPACES = re.compile(r"[^\S\n]+")  # whitespace other than newline, incl. NBSP and tabs
_SPACE_AROUND_NEWLINE = re.compile(r" ?\n ?")
_BLANK_LINES = re.compile(r"\n{3,}")
# Spaces only: a line break stays, so titles and headings keep their lines for readers and
# for metadata detection (typeset Khmer wraps lines between words).
# A line break after a COENG or before a vowel sign or diacritic is inside a cluster, never a
# real line end; other line breaks stay.
_SPACE_INSIDE_KHMER = re.compile(
    f"(?<=[{_WORD_CHAR}])(?: |\\s+(?=[\u17b6-\u17d3\u17dd]))(?=[{_WORD_CHAR}])"
    f"|(?<=\u17d2)\\s+(?=[{_WORD_CHAR}])"
)
_SPLIT_VOWELS = {"\u17c1\u17b8": "\u17be", "\u17c1\u17b6": "\u17c4"}  # េ+ី → ើ, េ+ា → ោ
_SPLIT_VOWEL = re.compile("|".join(_SPLIT_VOWELS))

_FOLDED = {"ឲ": "ឱ", **{chr(0x17E0 + d): str(d) for d in range(10)}}
#: Found by a regex and replaced where they are: str.translate looks every character of a page
#: up in a dict, which was 37% of a close-match search's time (thousands of pages a query).
_FOLD_CHAR = re.compile(f"[{''.join(_FOLDED)}]")

_KHMER_LETTER = re.compile("[\u1780-\u17b3]")
_OTHER_LETTER = re.compile(r"[^\W\d_\u1780-\u17ff\u19e0-\u19ff]")
_KHMER_WORD = re.compile(f"[{_WORD_CHAR}]+")
_SCRIPT_RUN = re.compile(
    f"(?P<khmer>[{_WORD_CHAR}]+)"
    "|(?P<digit>[0-9]+)"
    "|(?P<latin>(?:[^\\W\\d_\u1780-\u17ff\u19e0-\u19ff][\u0300-\u036f]*)+)"
)


def is_khmer(ch: str) -> bool:
    """Whether a character is in the Khmer or Khmer Symbols blocks."""
    return "\u1780" <= ch <= "\u17ff" or "\u19e0" <= ch <= "\u19ff"


def clean(text: str) -> str:
    """Make the length-changing corrections to extracted or typed text.

    NFC; invisible characters out; two-part vowels joined; whitespace tidied, with newlines
    kept (page text is shown to readers). Between two Khmer letters, any space
    is deleted: PDF extraction and OCR put spaces inside words and clusters, and a real phrase
    space cannot be told from an inserted one. Line breaks stay: a title or heading is a line,
    and readers and metadata detection need them. Merging costs nothing for cluster bigrams and
    lets a query match whether or not the searcher typed the space. Whitespace next to Latin
    text, digits or punctuation (។) is kept.
    """
    text = unicodedata.normalize("NFC", text.translate(_INVISIBLE))
    text = _LINE_BREAKS.sub("\n", text)
    text = _SPACES.sub(" ", text)
    text = _SPACE_AROUND_NEWLINE.sub("\n", text)
    text = _BLANK_LINES.sub("\n\n", text).strip()
    text = _SPACE_INSIDE_KHMER.sub("", text)
    return _SPLIT_VOWEL.sub(lambda m: _SPLIT_VOWELS[m.group()], text)


def fold(text: str) -> str:
    """Fold spelling variants one character for one, so offsets into `text` stay valid.

    ្ដ → ្ត and ឲ → ឱ (both spellings are common), Khmer digits → ASCII, Latin lower case.
    """
    text = _FOLD_CHAR.sub(lambda found: _FOLDED[found[0]], text).replace(COENG + "ដ", COENG + "ត")
    lowered = text.lower()
    if len(lowered) == len(text):  # every character lowered to exactly one character
        return lowered
    return "".join(low if len(low := ch.lower()) == 1 else ch for ch in text)


def normalize(text: str) -> str:
    """`clean` then `fold`: the full normalisation, for text whose offsets nobody needs."""
    return fold(clean(text))


def clusters(text: str) -> list[tuple[int, int]]:
    """Split text into orthographic clusters, as (start, end) offsets covering all of it.

    A Khmer cluster is a base letter with its subscripts (COENG + letter), vowels and signs;
    any other character is a cluster of its own. Marks with no base before them (broken text)
    form a cluster together, so a cut at a cluster edge never separates a mark from its base.
    """
    return [m.span() for m in _CLUSTER.finditer(text)]


def is_valid_cluster(cluster: str) -> bool:
    """Whether a Khmer cluster follows the orthographic order (misordered text layers fail)."""
    return _VALID_CLUSTER.fullmatch(cluster) is not None


def script_runs(text: str) -> Iterator[tuple[str, int, int]]:
    """Yield (script, start, end) for each run of "khmer", "latin" or "digit" characters.

    "latin" is any other alphabet (accented Latin, and Greek or Cyrillic should they occur).
    Spaces, punctuation (Khmer ។ ៕ ៖ ៗ too) and symbols separate runs and are not yielded.
    Digits are ASCII ones, so `fold` the text first to catch Khmer digits too.
    """
    for m in _SCRIPT_RUN.finditer(text):
        yield m.lastgroup, m.start(), m.end()


def khmer_words(text: str) -> Iterator[re.Match[str]]:
    """Runs of Khmer letters and marks: what a Khmer word can be cut from."""
    return _KHMER_WORD.finditer(text)


def letter_counts(text: str) -> tuple[int, int]:
    """Count (Khmer letters, other letters) in text. Khmer letters are consonants (subscript
    ones too) and independent vowels, so a Khmer word weighs about what its Latin spelling does.
    """
    return len(_KHMER_LETTER.findall(text)), len(_OTHER_LETTER.findall(text))


def khmer_share(text: str) -> float:
    """Share of the letters that are Khmer (0.0 when there are none), for language detection."""
    khmer_letters, other_letters = letter_counts(text)
    letters = khmer_letters + other_letters
    return khmer_letters / letters if letters else 0.0


_SEGMENTER_LOCK = threading.Lock()


@cache
def _segmenter():
    """Load khmercut's CRF model once per process (it takes a while)."""
    import khmercut

    khmercut.load()
    return khmercut.tokenize


def segment_words(khmer_run: str) -> list[str]:
    """Cut a run of Khmer text into words with khmercut (best measured boundary F1).

    The words concatenate back to the run. About 56,000 characters a second: use it on
    text that is indexed, not on every character a page has.
    """
    if not khmer_run:
        return []
    # One CRF tagger per process, and it is not thread-safe (loading nor tagging): a web
    # server's threads take turns; a query's few words make the wait negligible.
    with _SEGMENTER_LOCK:
        return _segmenter()(khmer_run)
