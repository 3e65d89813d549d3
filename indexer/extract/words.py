"""OCR words from Tesseract's TSV output: parsing, dropping what is not text, page text.

On Royal Gazette scans a third of the OCR errors were junk read from seals, stamps, margins
and bleed-through: Latin words (`Gehl`, `mote`) and runs of `|`, `=`, `_` (bench/RESULTS.md).
Real Khmer text carries neither, so on a page that reads as Khmer they are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

_KHMER = re.compile("[\u1780-\u17ff]")
_KHMER_LETTER = re.compile("[\u1780-\u17b3]")
_LATIN_LETTER = re.compile("[A-Za-z]")
_DIGIT = re.compile("[0-9]")
#: Symbols printed alone in Khmer legal text: list dashes, number separators, brackets.
_LONE_SYMBOLS = {"-", "/", ".-", "(", ")", "÷"}
_LEADING_JUNK = re.compile(r"^[|._=;:\"“”‹›«»'`,~*]+(?=[\u1780-\u17ff_\-–—])")
_LEADING_DASH = re.compile(r"^[_–—~]+(?=[\u1780-\u17ff])")
# ៖ (the colon sign) inside a word is OCR's reading of ះ: ព្រ៖រាជ for ព្រះរាជ.
_COLON_IN_WORD = re.compile("(?<=[\u1780-\u17d3])\u17d6(?=[\u1780-\u17b3])")
# An Arabic 9 or 0 inside a run of Khmer digits is OCR's reading of ១ or ០ (ឆ្នាំ 9៩៩៤, 0២/នស/៩៤),
# which would fold to a different number.
_ARABIC_IN_KHMER_DIGITS = re.compile("(?<=[\u17e0-\u17e9])[09]|[09](?=[\u17e0-\u17e9])")
_AS_KHMER_DIGIT = {"9": "\u17e1", "0": "\u17e0"}
#: A page is Khmer when its sure words hold 4x more Khmer letters than Latin ones.
KHMER_PAGE_RATIO = 4
SURE = 50  # confidence (0-100) of a word trusted when telling the page's script
#: A Latin word on a Khmer page is kept only when Tesseract is this sure of it.
LATIN_KEEP_CONFIDENCE = 90
#: A Khmer word of one or two characters read this unsure is a speck, not a word.
SPECK_CONFIDENCE = 20


@dataclass(frozen=True)
class Word:
    """A word as OCR read it: its text, confidence 0-100, pixel box and line number."""

    text: str
    confidence: float
    x0: int
    y0: int
    x1: int
    y1: int
    line: int  # 0-based, in reading order

    def scaled(self, factor: float) -> Word:
        """The same word with its box in an image ``factor`` times the size."""
        x0, y0, x1, y1 = (round(v * factor) for v in (self.x0, self.y0, self.x1, self.y1))
        return replace(self, x0=x0, y0=y0, x1=x1, y1=y1)

    def to_row(self) -> list:
        """The compact form kept in the store: [text, confidence, x0, y0, x1, y1, line]."""
        confidence = round(self.confidence, 1)
        return [self.text, confidence, self.x0, self.y0, self.x1, self.y1, self.line]


def parse_tsv(tsv: str) -> list[Word]:
    """Words (level 5 rows) of Tesseract's TSV, numbered by line in reading order."""
    found, lines = [], {}
    for row in tsv.splitlines():
        cells = row.split("\t")
        if len(cells) < 12 or cells[0] != "5" or not cells[11].strip():
            continue
        key = (int(cells[1]), int(cells[2]), int(cells[3]), int(cells[4]))
        line = lines.setdefault(key, len(lines))
        left, top, width, height = (int(v) for v in cells[6:10])
        confidence = max(0.0, float(cells[10]))
        found.append(
            Word(cells[11].strip(), confidence, left, top, left + width, top + height, line)
        )
    return found


def is_khmer_page(found: list[Word]) -> bool:
    sure = [word.text for word in found if word.confidence >= SURE]
    khmer = sum(len(_KHMER_LETTER.findall(text)) for text in sure)
    latin = sum(len(_LATIN_LETTER.findall(text)) for text in sure)
    return khmer > 0 and khmer >= KHMER_PAGE_RATIO * latin


def for_neural(found: list[Word]) -> list[bool]:
    """Which words the neural Khmer recogniser reads again: those holding Khmer, and on a
    Khmer page every word but a Latin one (a digit or sign Tesseract read as Arabic or junk);
    Latin words keep Tesseract's reading (the recogniser reads `ABC Co., Ltd.` as `A80 Co ២d`)."""
    khmer_page = is_khmer_page(found) or holds_no_sure_word(found)
    return [
        bool(_KHMER.search(word.text)) or (khmer_page and not _LATIN_LETTER.search(word.text))
        for word in found
    ]


def is_lone_symbol(text: str) -> bool:
    """A symbol printed alone (a list's dash, a separator): kept as Tesseract read it where the
    neural recogniser, reading the word's line, gives it nothing."""
    return text in _LONE_SYMBOLS


def holds_no_sure_word(found: list[Word]) -> bool:
    """An emblem, a seal or a photograph alone: Tesseract is sure of nothing it read there."""
    return all(word.confidence < SURE for word in found)


def drop_junk(found: list[Word]) -> list[Word]:
    """Drop Latin and symbol junk from a Khmer page (or one that holds nothing sure, such as a
    cover with the royal emblem) and tidy the words' edges; pages that read as English or mixed
    are left alone."""
    if not (is_khmer_page(found) or holds_no_sure_word(found)):
        return found
    kept = []
    for word in found:
        text = word.text
        if _is_junk(text, word.confidence):
            continue
        text = _LEADING_DASH.sub("-", _LEADING_JUNK.sub("", text))
        text = _COLON_IN_WORD.sub("\u17c7", text)
        text = _ARABIC_IN_KHMER_DIGITS.sub(lambda found: _AS_KHMER_DIGIT[found[0]], text)
        kept.append(replace(word, text=text) if text != word.text else word)
    return kept


def _is_junk(text: str, confidence: float) -> bool:
    if _KHMER.search(text):
        return len(text) <= 2 and confidence < SPECK_CONFIDENCE and bool(_KHMER_LETTER.search(text))
    if _LATIN_LETTER.search(text):
        return confidence < LATIN_KEEP_CONFIDENCE
    if _DIGIT.search(text):  # Arabic digits (Khmer ones are caught above): an emblem's specks
        return confidence < SURE
    return text not in _LONE_SYMBOLS


def page_text(found: list[Word]) -> str:
    """Words joined by spaces, lines by newlines, as a page's text."""
    lines: dict[int, list[str]] = {}
    for word in found:
        lines.setdefault(word.line, []).append(word.text)
    return "\n".join(" ".join(texts) for _, texts in sorted(lines.items()))


def mean_confidence(found: list[Word]) -> float:
    """Mean confidence 0..1, weighted by word length (a speck counts little)."""
    chars = sum(len(word.text) for word in found)
    if not chars:
        return 0.0
    return sum(word.confidence * len(word.text) for word in found) / chars / 100
