"""How surely OCR read a signing line's day and month, from the words the store keeps.

On many Royal Gazette instruments the day and month are written in by hand in the printed
blank; a recogniser reads a handwritten ១៨ as ១៩ or ឧសភា as មករា as readily as type, and
nothing else in the text may contradict it. What the reading itself says is how sure it was of
each word: a day or month read less surely than its recipe's line settles nothing (the date
stays at the month or the year, and is marked doubtful), since a wrong date is worse than a
missing day.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from indexer.library.metadata.dates import Reading, month_of
from indexer.library.metadata.lines import loose
from indexer.text.khmer import fold

#: A word's confidence (0-100) below which its day or month settles nothing, per OCR engine:
#: the neural recogniser's (recipe r5 on: the mean over the word's clusters of the least sure
#: character's probability) runs high, Tesseract's (recipes before r5) lower. Chosen on the 40
#: corpus PDFs (bench/RESULTS.md, "Days read unsurely").
SURE_FROM = {"neural": 90.0, "tesseract": 90.0}
#: How sure a date is at most when a part of it was left out for an unsure reading: below the
#: doubtful line, so that the librarian's list shows it.
UNSURE_DATE_CONFIDENCE = 0.5


@dataclass(frozen=True)
class PageWords:
    """A page's OCR'd words as the store keeps them (rows of `indexer.library.store.Boxes`:
    [text, confidence 0-100, x0, y0, x1, y1, line]) and the recipe that read them."""

    recipe: str
    words: list[list]

    @property
    def engine(self) -> str:
        return "neural" if "/neural" in self.recipe else "tesseract"


#: A page's words by its 0-based index among the pages passed to detection (None: no OCR'd
#: words kept, as for a text layer: its text is as sure as it gets).
WordsOf = Callable[[int], PageWords | None]


def surely_read(reading: Reading, page: PageWords | None) -> tuple[Reading, bool]:
    """The reading without the day or month its words were read unsurely, and whether
    anything was left out."""
    if page is None or not (reading.day or reading.month):
        return reading, False
    threshold = SURE_FROM[page.engine]
    line = _line_words(page.words, reading.text)
    day_sure = _least(_day_words(line, reading)) >= threshold
    month_sure = _least(_month_words(line, reading.month)) >= threshold
    if day_sure and month_sure:
        return reading, False
    if not month_sure:  # a month read unsurely, and so the day beside it
        return replace(reading, month=None, day=None, pieces=()), True
    return replace(reading, day=None, pieces=()), True


def _line_words(words: list[list], text: str) -> list[list]:
    """The words of the OCR line (or two lines, when the date wraps) that hold the reading's
    text, compared without spaces and marks (stored text may join words OCR split); [] when
    none does."""
    wanted = loose(text)
    lines: dict[int, list[list]] = {}
    for word in words:
        lines.setdefault(word[6], []).append(word)
    numbers = sorted(lines)
    for span in (1, 2):
        for i in range(len(numbers) - span + 1):
            found = [w for n in numbers[i : i + span] for w in lines[n]]
            if wanted and wanted in loose("".join(w[0] for w in found)):
                return found
    return []


def _day_words(line: list[list], reading: Reading) -> list[list]:
    days = {reading.day, *reading.pieces} - {None}
    return [w for w in line if days & {int(d) for d in re.findall(r"\d{1,2}", _digits(w[0]))}]


def _month_words(line: list[list], month: int | None) -> list[list]:
    """The words naming the month (after ខែ when glued to it: "ថ្ងៃទី២៤ខែមេសា")."""
    if month is None:
        return []
    names = (re.split("ខែ|ខៃ|ខេ", w[0])[-1] for w in line)
    return [w for w, name in zip(line, names, strict=True) if name and month_of(name) == month]


def _digits(text: str) -> str:
    """The word's digits, Khmer folded to ASCII, with a year's four digits left out."""
    return re.sub(r"\d{3,}", " ", re.sub(r"[^\d]+", " ", fold(text)))


def _least(words: list[list]) -> float:
    """The least confidence of the words (100 when none was found: no evidence of doubt)."""
    return min((float(w[1]) for w in words), default=100.0)
