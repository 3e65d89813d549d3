"""Dates as a document states them, read from its text: each full or partial date with what it
dates (the signing, an adoption, the Royal Gazette issue, a cited instrument...), and the
lunar line over a signature (weekday, lunar month, animal year, era, Buddhist-era year).

OCR misreads digits (៤/៨/៩, ២/៣) and garbles words, so a reading keeps only what it read
cleanly: a day next to junk is no day, a month name is matched one slip apart, and what cannot
be read is None. Deciding the instrument's own date from these is `dating`'s job. The calendar
words are in data/calendar.json.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache

from rapidfuzz.distance import Levenshtein

from indexer.library.metadata.lines import CITATION_LINE
from indexer.text.khmer import fold
from indexer.vocabulary import load_calendar as calendar
from indexer.vocabulary import plausible_year


@dataclass(frozen=True)
class Reading:
    """One date stated in a document: what of it was read cleanly (None: not read), what it
    dates (``kind``) and where (``position``: (page, line) in the pages read)."""

    year: int | None
    month: int | None
    day: int | None
    kind: str  # signing, place, adopted, promulgated, gazette, cited, era, plain
    position: tuple[int, int]
    text: str = ""
    #: the day's digits when OCR split them with a space ("ថ្ងៃទី ២ ១" for ២១): ``day`` joins
    #: them, and each alone is the other way to read them
    pieces: tuple[int, ...] = ()
    #: the years a year printed with a digit lost may be (ឆ្នាំ ១៩៤: 1994, 1954, 1944...),
    #: ``year`` being None
    lost_digit: tuple[int, ...] = ()

    def as_date(self) -> date | None:
        """The full date, when every part was read and they make one."""
        if self.year and self.month and self.day:
            try:
                return date(self.year, self.month, self.day)
            except ValueError:
                return None
        return None


@dataclass(frozen=True)
class Lunar:
    """A lunar date line ("ថ្ងៃព្រហស្បតិ៍ ៤ រោច ខែចេត្រ ឆ្នាំម្សាញ់ ត្រីស័ក ព.ស. ២៥៤៤"): what of
    it was read. ``weekday`` as Python numbers them (Monday 0); ``animal`` and ``era`` their
    places in the cycles of data/calendar.json."""

    weekday: int | None
    lunar_month: int | None  # 0 = មិគសិរ (about December)
    animal: int | None
    era: int | None
    buddhist_year: int | None
    position: tuple[int, int]

    def fits(self, when: date) -> list[bool]:
        """For each part read, whether the date ``when`` agrees with it."""
        checks = []
        if self.weekday is not None:
            checks.append(when.weekday() == self.weekday)
        new_year = (when.month, when.day) >= (4, 14)  # the animal and era turn in mid-April
        cycle_year = when.year if new_year else when.year - 1
        if self.animal is not None:
            checks.append((cycle_year - calendar()["animal_base_year"]) % 12 == self.animal)
        if self.era is not None:
            checks.append((cycle_year - calendar()["era_offset"] - 1) % 10 == self.era)
        if self.buddhist_year is not None:
            checks.append(self.buddhist_year in buddhist_years(when))
        return checks


def buddhist_years(when: date) -> set[int]:
    """The Buddhist-era years a date may carry: it turns at ពិសាខ, in April or May."""
    if when.month <= 3:
        return {when.year + 543}
    if when.month >= 6:
        return {when.year + 544}
    return {when.year + 543, when.year + 544}


# --- month and calendar words -------------------------------------------------------------------


@cache
def _month_names() -> tuple[tuple[str, int, bool], ...]:
    """(name, month 1-12, is English) for every spelling, longest first."""
    names = []
    for month, spellings in enumerate(calendar()["months"], start=1):
        for spelling in spellings:
            english = spelling.startswith("en:")
            names.append((spelling.removeprefix("en:"), month, english))
    return tuple(sorted(names, key=lambda item: -len(item[0])))


def month_of(word: str) -> int | None:
    """The Gregorian month a Khmer word names, one OCR slip allowed in names of 4 letters or
    more ("ខែធជន7" is no month; "វិច្ឆិកាា" is November)."""
    word = re.sub(r"[^\u1780-\u17d3]", "", word)
    if not word:
        return None
    best = None
    for name, month, english in _month_names():
        if english:
            continue
        if word.startswith(name):
            return month
        slips = 1 if len(name) >= 4 else 0
        head = word[: len(name)]
        if slips and Levenshtein.distance(head, name) <= slips and len(head) >= len(name) - 1:
            best = best or month
    return best


def _spelt_out(word: str) -> bool:
    """Whether a word starts with a month's name as spelt, no slip."""
    word = re.sub(r"[^\u1780-\u17d3]", "", word)
    return any(word.startswith(name) for name, _, english in _month_names() if not english)


def _fuzzy_index(word: str, names: Sequence[str], slips: int = 1) -> int | None:
    for i, name in enumerate(names):
        allowed = slips if len(name) >= 4 else 0
        if Levenshtein.distance(word[: len(name)], name) <= allowed:
            return i
    return None


def slipped(number: int) -> list[int]:
    """The numbers one OCR digit slip away from ``number`` (1994: 1998, 1999, 1954...)."""
    digits = str(number)
    pairs = calendar()["digit_slips"]
    return [
        int(digits[:i] + other + digits[i + 1 :])
        for i, digit in enumerate(digits)
        for pair in pairs
        if digit in pair
        for other in pair.replace(digit, "", 1)
    ]


# --- reading dates ------------------------------------------------------------------------------

#: "ថ្ងៃទី ២៧ ខែមេសា ឆ្នាំ ២០០១" and its OCR forms: ទី read ទិ/ទ័, ខែ read ខៃ/ខេ, ឆ្នាំ read ថ្នាំ.
_DAY = re.compile(
    r"ថ្ងៃ\s*[^\s\d]{0,6}?\s*ទ[ីិ័ឹ]\s*(?P<day>\d{1,2})?(?: (?P<split>\d)(?!\d))?"
    r"(?P<junk>[^\s\u1780-\u17ff])?"
)
_MONTH_WORD = re.compile(r"(?:ខែ|ខៃ|ខេ|ទៃ)\s*(?P<word>[\u1780-\u17d3]{2,12})")
#: A year: four digits, or three right after ឆ្នាំ where OCR lost one ("ខែតុលាឆ្នាំ ១៩៤").
_KM_YEAR = re.compile(r"(?:(?<![\d/])(?P<year>\d{4})|(?<=ឆ្នាំ)\s?(?P<short>\d{3}))(?![\d/])")
_EN_DATE = re.compile(
    r"(?:(?P<d1>\d{1,2})(?:st|nd|rd|th)?\s+(?P<m1>[a-z]{3,9})\.?|(?P<m2>[a-z]{3,9})\.?"
    r"(?:\s+(?P<d2>\d{1,2})(?:st|nd|rd|th)?)?)\s*,?\s+(?P<year>\d{4})(?!\d)"
)
#: What comes before a date says what it dates. Signing: "done at" (ធ្វើនៅ, read ធ្វើទៅ), the
#: palace (វាំង); a place alone ("ភ្នំពេញ ថ្ងៃទី") is weaker: a president's signature under a
#: law, a certified copy.
_SIGNING = re.compile(r"ធ្វើ\s*[នទ]ៅ|វាំង|done at|made at|signed")
_PLACE = re.compile(r"ភ្នំពេញ|រាជធានី|phnom penh")
#: A dateline, "<place>, ថ្ងៃទី ...": a speech's or letter's own date.
_DATELINE = re.compile(r"[\u1780-\u17d3]{3},\s*$")
#: The votes before a promulgation: the Assembly's adoption, the Senate's review (យល់ស្រប),
#: each dated "កាលពីថ្ងៃទី" ("on the day", past) in a kram's formula.
_ADOPTED = re.compile(r"អនុម័ត|អនុម|យល់ស្រប|កាលពី|adopted|ratified")
#: A promulgation told in words ("... ឡាយព្រះហស្តលេខាលើព្រះរាជក្រមប្រកាសឱ្យប្រើនៅថ្ងៃទី ២៤
#: ខែកញ្ញា ឆ្នាំ ១៩៩៣"), as a consolidated constitution tells its own: right before the date.
_PROMULGATED = re.compile(r"ប្រកាស\s*(?:ឱ្យ|អោយ|ឲ្យ|ឲ)\s*ប្រើ\s*(?:នៅ)?\s*$|promulgated\s+(?:on\s+)?$")
_CITING = re.compile(r"(?:ចុះ|ចុ៖|ចុ|dated|of|on)\W{0,3}$")
_GAZETTE = re.compile(r"រាជកិច្ច|រាជកម្ច|ទំព័រ|សប្តាហ៍|royal gazette|^\W{0,3}ឆ្នាំ\s*ទ[ីិ]\s*\d")
_CHRISTIAN_ERA = re.compile(r"គ\.?\s*ស\.?\s*(\d{4})(?!\d)")
#: Before a date, how far its context is read (a signing line's place and the date may wrap).
CONTEXT = 60


def read_dates(pages: Sequence[str]) -> list[Reading]:
    """Every date the pages state, in order, as far as OCR left it readable."""
    found = []
    for page_index, page in enumerate(pages):
        folded = fold(page)

        def line_of(offset: int, page_index: int = page_index, folded: str = folded) -> tuple:
            return page_index, folded.count("\n", 0, offset)

        taken: list[tuple[int, int]] = []
        after = 0  # a date does not reach back over the year before it
        for match in _KM_YEAR.finditer(folded):
            reading = _khmer_date(folded, match, after, line_of)
            after = match.end()
            if reading:
                found.append(reading)
                taken.append((match.start() - 40, match.end()))
        for match in _EN_DATE.finditer(folded):
            if not any(start <= match.start() < end for start, end in taken):
                reading = _english_date(folded, match, line_of)
                found += [reading] if reading else []
        for match in _CHRISTIAN_ERA.finditer(folded):
            year = int(match.group(1))
            if plausible_year(year):
                found.append(Reading(year, None, None, "era", line_of(match.start())))
    return sorted(found, key=lambda reading: reading.position)


def _khmer_date(folded: str, year_match: re.Match[str], after: int, line_of) -> Reading | None:
    short = year_match.group("short")
    year = None if short else int(year_match.group("year"))
    lost_digit = _with_a_digit(short) if short else ()
    if not any(plausible_year(y) for y in (*lost_digit, *((year, *slipped(year)) if year else ()))):
        return None
    start = max(after, year_match.start() - 40)
    window = folded[start : year_match.start()]
    if "ឆ្នាំទី" in window[-10:] or re.search(r"[ពគ]\.?\s*ស\.?\s*$", window):
        return None  # a Gazette volume, a Buddhist-era or Christian-era year
    month_match = None
    for candidate in _MONTH_WORD.finditer(window):
        month_match = candidate
    month = month_of(month_match.group("word")) if month_match else _bare_month(window[-14:])
    if month is None and not month_match and not re.search(r"ឆ្នាំ\W*$|ថ្នាំ\W*$", window):
        return None  # a bare number of four digits: no date
    if short and month is None:
        return None  # three digits after ឆ្នាំ are a year only in a date ("៥ ឆ្នាំ": five years)
    day_match = None
    for candidate in _DAY.finditer(window):
        day_match = candidate
    day, pieces = _day(day_match)
    if day and month_match and month and not _spelt_out(month_match.group("word")):
        # a month read only one slip apart was written by hand or read badly: so, on a
        # Gazette page, was the day beside it, and its digits are no evidence
        day, pieces = None, ()
    at = start + (day_match.start() if day_match else month_match.start() if month_match else 0)
    kind = _kind(folded, at, year_match.end())
    text = folded[at : year_match.end()]
    return Reading(year, month, day, kind, line_of(at), text, pieces, lost_digit)


def _with_a_digit(digits: str) -> tuple[int, ...]:
    """The plausible years ``digits`` gives with one digit put back anywhere."""
    years = {int(digits[:i] + d + digits[i:]) for i in range(len(digits) + 1) for d in "0123456789"}
    return tuple(sorted(y for y in years if plausible_year(y)))


def _bare_month(window: str) -> int | None:
    """A month name right before a year with no ខែ ("មេសា ២០០១")."""
    words = re.findall(r"[\u1780-\u17d3]{3,}", window)
    return month_of(words[-1]) if words else None


def _day(match: re.Match[str] | None) -> tuple[int | None, tuple[int, ...]]:
    """The day of a ថ្ងៃទី match when read cleanly (digits with no junk after them), and its
    pieces when a space split its two digits ("ថ្ងៃទី ២ ១ ខែមករា": 21, pieces 2 and 1; the
    second digit is no junk: nothing but a day's digit stands there in a typed line)."""
    if not match or not match.group("day") or match.group("junk"):
        return None, ()
    digits, split = match.group("day"), match.group("split")
    if split and len(digits) > 1:
        return None, ()  # three digits: no day
    day = int(digits + split) if split else int(digits)
    if not 1 <= day <= 31:
        return None, ()
    return day, (int(digits), int(split)) if split else ()


def _english_date(folded: str, match: re.Match[str], line_of) -> Reading | None:
    year = int(match.group("year"))
    name = match.group("m1") or match.group("m2")
    months = {n: m for n, m, english in _month_names() if english}
    month = months.get(name)
    if month is None or not plausible_year(year):
        return None
    day_text = match.group("d1") or match.group("d2")
    day = int(day_text) if day_text and 1 <= int(day_text) <= 31 else None
    kind = _kind(folded, match.start(), match.end())
    return Reading(year, month, day, kind, line_of(match.start()), match.group())


def _kind(folded: str, start: int, end: int) -> str:
    """What the date at start:end dates, from the text before it and its line."""
    line_start = folded.rfind("\n", 0, start) + 1
    line_end = folded.find("\n", end)
    line = folded[line_start : line_end if line_end >= 0 else len(folded)]
    before = folded[max(line_start, start - CONTEXT) : start]
    if len(before.strip()) < 5:  # the date opens its line: the line before says what it dates
        before = folded[max(0, start - CONTEXT) : start]
    if _GAZETTE.search(line):
        return "gazette"
    if _CITING.search(before[-12:]) or CITATION_LINE.match(line):
        return "cited"
    if _PROMULGATED.search(before):
        return "promulgated"
    if _SIGNING.search(before):
        return "signing"
    if _ADOPTED.search(before):
        return "adopted"
    if _PLACE.search(before[-30:]) or _DATELINE.search(before):
        return "place"
    return "plain"


# --- the lunar line -------------------------------------------------------------------------------

_LUNAR_LINE = re.compile(r"កើត|រោច|ស័ក|ព\.?\s*ស\.?\s*\d{4}")
_BUDDHIST_ERA = re.compile(r"ព\.?\s*ស\.?\s*(25\d\d)(?!\d)")


def read_lunar(pages: Sequence[str]) -> list[Lunar]:
    """Every lunar date line of the pages, with what of it was read."""
    found = []
    for page_index, page in enumerate(pages):
        for line_index, line in enumerate(fold(page).split("\n")):
            if _LUNAR_LINE.search(line):
                lunar = _lunar(line, (page_index, line_index))
                found += [lunar] if lunar else []
    return found


def _lunar(line: str, position: tuple[int, int]) -> Lunar | None:
    words = re.findall(r"[\u1780-\u17d3]+", line)
    table = calendar()
    weekday = lunar_month = animal = era = None
    for i, word in enumerate(words):
        after = words[i + 1] if i + 1 < len(words) else ""
        if word.startswith("ថ្ងៃ") and weekday is None:
            weekday = _fuzzy_index(word[4:] or after, table["weekdays"])
        elif word.startswith("ខែ") and lunar_month is None:
            lunar_month = _fuzzy_index(word[2:] or after, table["lunar_months"])
        elif word.startswith("ឆ្នាំ") and animal is None:
            animal = _animal(word[5:] or after)
        if "ស័ក" in word and era is None:
            era = _era(word[: word.find("ស័ក") + 3])
    buddhist = _BUDDHIST_ERA.search(line)
    be = int(buddhist.group(1)) if buddhist else None
    if weekday is None and lunar_month is None and animal is None and era is None and be is None:
        return None
    return Lunar(weekday, lunar_month, animal, era, be, position)


def _animal(word: str) -> int | None:
    """An animal year's name at the start of a word ("រោងឆស័ក" is the dragon): the longest
    that fits; ច (the dog) only alone, it starts too many words."""
    animals = calendar()["animals"]
    for i in sorted(range(len(animals)), key=lambda i: -len(animals[i])):
        name = animals[i]
        if word.startswith(name) and (len(name) > 1 or len(word) == 1 or "ស័ក" in word[1:5]):
            return i
    return None


def _era(word: str) -> int | None:
    """The era a word ending in ស័ក names, the closest within a slip or two (its first
    letters are what OCR garbles)."""
    eras = calendar()["eras"]
    distances = [Levenshtein.distance(word[-len(era) - 1 :], era) for era in eras]
    best = min(range(len(eras)), key=distances.__getitem__)
    allowed = 1 if len(eras[best]) < 6 else 2
    close = [i for i, d in enumerate(distances) if d == distances[best]]
    return best if distances[best] <= allowed and len(close) == 1 else None
