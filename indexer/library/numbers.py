"""Instrument numbers, found in text and normalised to one canonical form, so that a citation,
a query and a librarian's correction name an instrument the same way whatever digits (Khmer or
Arabic), separators or OCR slips each was written with.

Canonical forms:

- royal codes, ``NS/RKM/MMYY/N`` (royal kram) and ``NS/RKT/MMYY/N`` (royal decree): MMYY is the
  month and year of four digits, N the serial without leading zeros. នស/រកម/០៥០៨/០១៧,
  NS/RKM/0508/017 and ជស/រកម ០៥០៨ ០១៧ are all ``NS/RKM/0508/17``;
- the older royal form ``N/NS/YY``: ០២/នស/៩៤, 02 NS 94 → ``2/NS/94``;
- a serial and its issuing body's code, ``N CODE`` with the code spelt as data/instrument_codes.json
  has it: លេខ ៤០ អនក្រ.បក, No. 40 ANK/BK → ``40 អនក្រ.បក``; a ministry's code after it is kept
  (``34 សរ.មផ``).

The canonical form is what numbers are compared and searched by; `display` shows a number as
Khmer documents print it (នស/រកម/០៧០៤/០០១, ០២/នស/៩៤, ៤០ អនក្រ.បក), or in Latin letters and
digits for an English document (NS/RKM/0704/001, 40 ANK/BK).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from indexer.text.khmer import fold

CODES_FILE = Path(__file__).parents[1] / "data" / "instrument_codes.json"

_SEP = r"[\s/.,:;'’()\-]{0,4}"
#: A vowel sign or mark OCR puts between two digits of a serial (១៦់៤ for ១៦៤): no Khmer word
#: has one there. A serial that a space and a digit follow ("០៤០៧/១ ៩k") is cut: no number.
_MARK = "[\u17c6-\u17d3]"
_NS = r"(?:[នឧជអ]{1,2}\s*\.?\s*ស|ns)"
_ROYAL = re.compile(
    rf"(?:{_NS}{_SEP}(?:[\u1780-\u17ff]{{1,3}}(?P<any>[មត])|)|/\s*)"
    rf"(?(any)|(?:រ\s*\.?\s*[កភត]\s*\.?\s*(?P<km>[មតព])|rk(?P<en>[mt])))"
    rf"(?![\u1780-\u17d2]){_SEP}(?P<date>\d{{3,7}})(?:{_SEP}(?P<serial>\d(?:{_MARK}?\d){{0,3}}))?(?!\s?\d)"
)
_OLD_ROYAL = re.compile(rf"(?<!\d)(?P<serial>\d{{1,3}}){_SEP}{_NS}{_SEP}(?P<year>\d{{2}})(?!\d)")
#: The letter after នស/រក: ម a royal kram, ត a royal decree (OCR reads ត as ព).
_ROYAL_KINDS = {
    "ម": "royal-kram",
    "m": "royal-kram",
    "ត": "royal-decree",
    "ព": "royal-decree",
    "t": "royal-decree",
}
_MINISTRY = r"(?:\s*\.\s*(?!ចុះ|ចុ)(?P<ministry>[\u1780-\u17d2]{1,4})(?![\u1780-\u17d2]))?"


@dataclass(frozen=True)
class Number:
    """One instrument number in a text: its canonical form, the instrument type it names ('' when
    its code does not say) and where it was found."""

    canonical: str
    kind: str
    start: int
    end: int


@cache
def _codes() -> tuple[tuple[re.Pattern[str], str, str], ...]:
    """(regex of one spelling of a code, canonical code, type), longest spelling first."""
    data = json.loads(CODES_FILE.read_text(encoding="utf-8"))
    spellings = [(v, c["code"], c["type"]) for c in data["codes"] for v in c["variants"]]
    spellings.sort(key=lambda item: -len(item[0]))
    compiled = []
    for spelling, code, kind in spellings:
        parts = [re.escape(part) for part in re.split(r"[./\s]+", fold(spelling)) if part]
        body = r"\s*[./]?\s*".join(parts)
        # a code runs into no other word, but may into the date after it ("អនក្រ.បកចុះថ្ងៃទី")
        compiled.append((re.compile(body + r"(?!(?!ចុ)[\u1780-\u17d2a-z])"), code, kind))
    return tuple(compiled)


_SERIAL = re.compile(r"(?<![\d/])(?P<serial>\d{1,5})[\s.:;៖/,()\-]{0,4}")


def find_numbers(text: str) -> list[Number]:
    """Every instrument number in a text, in order; offsets index ``text``."""
    folded = fold(text)
    found: list[Number] = []
    taken: list[tuple[int, int]] = []

    def add(number: Number) -> None:
        if not any(start < number.end and number.start < end for start, end in taken):
            found.append(number)
            taken.append((number.start, number.end))

    for match in _ROYAL.finditer(folded):
        number = _royal(match, text)
        if number:
            add(number)
    for match in _OLD_ROYAL.finditer(folded):
        serial, year = int(match.group("serial")), match.group("year")
        add(Number(f"{serial}/NS/{year}", "royal-kram", match.start(), match.end()))
    for match in _SERIAL.finditer(folded):
        coded = _coded(folded, match)
        if coded:
            add(coded)
    return sorted(found, key=lambda number: number.start)


def _royal(match: re.Match[str], text: str) -> Number | None:
    date, serial = match.group("date"), match.group("serial")
    if _mixes_scripts(text[match.start("date") : match.end()]):  # ជស/រកម/0៧៩៩/09 is 0799/01
        date = _khmer_ones(text, match, "date")
        serial = serial and _khmer_ones(text, match, "serial")
    serial = re.sub(r"\D", "", serial) if serial else serial
    if serial is None:  # ជស/រកម១១៩៧០៦: the date and the serial run together
        if len(date) < 5:
            return None
        date, serial = date[:4], date[4:]
    date = date[-4:].zfill(4)  # "00196" (OCR doubled a zero) and "196" (lost one) are 0196
    letter = match.group("km") or match.group("en") or match.group("any")
    code = "RKM" if _ROYAL_KINDS[letter] == "royal-kram" else "RKT"
    return Number(
        f"NS/{code}/{date}/{int(serial)}", _ROYAL_KINDS[letter], match.start(), match.end()
    )


def _khmer_ones(text: str, match: re.Match[str], group: str) -> str:
    """A group's digits with each Latin 9 of the raw text read as the Khmer ១ it is (a number
    printed in Khmer digits holds no Latin 9: OCR reads ១ so)."""
    return fold(text[match.start(group) : match.end(group)].replace("9", "១"))


def _mixes_scripts(digits: str) -> bool:
    """Whether a number's digits are Khmer and Latin both (OCR read some Khmer ones as Latin)."""
    return bool(re.search("[\u17e0-\u17e9]", digits)) and bool(re.search("[0-9]", digits))


def _coded(folded: str, serial: re.Match[str]) -> Number | None:
    """A serial followed by a body's code ("៤០ អនក្រ.បក"), or None."""
    for regex, code, kind in _codes():
        match = regex.match(folded, serial.end())
        if match:
            ministry = re.compile(_MINISTRY).match(folded, match.end())
            end = ministry.end() if ministry and ministry.group("ministry") else match.end()
            suffix = f".{ministry.group('ministry')}" if end != match.end() else ""
            canonical = f"{int(serial.group('serial'))} {code}{suffix}"
            return Number(canonical, kind, serial.start(), end)
    return None


#: The two-digit year of a canonical royal number: NS/RKM/MMYY/N and N/NS/YY.
_ROYAL_DATE = re.compile(r"^NS/RK[MT]/(?P<month>\d\d)(?P<yy>\d\d)/|^\d+/NS/(?P<old>\d\d)$")
#: Years a royal number's date may be from its instrument's year (signing and promulgation).
YEAR_SLACK = 1


def plausible(number: str, year: int | None = None) -> bool:
    """Whether a canonical number can be right: a royal number's date is a month (OCR's
    0051 for 0511 is none) of ``year`` or the next or last one (when the year is known);
    numbers of other forms carry no date to check."""
    match = _ROYAL_DATE.match(number)
    if not match:
        return True
    if match.group("month") and not 1 <= int(match.group("month")) <= 12:
        return False
    yy = int(match.group("yy") or match.group("old"))
    apart = abs(yy - year % 100) if year else 0
    return min(apart, 100 - apart) <= YEAR_SLACK


_TO_KHMER_DIGITS = str.maketrans({str(d): chr(0x17E0 + d) for d in range(10)})
#: Royal codes as Khmer documents print them.
_ROYAL_KHMER = {"NS": "នស", "RKM": "រកម", "RKT": "រកត"}
#: Digits a royal number's serial is printed with (០០១).
SERIAL_DIGITS = 3


def display(number: str, khmer: bool = True) -> str:
    """A canonical number as a Khmer (or, ``khmer`` False, an English) document prints it;
    a number of no known form is returned as it is."""
    royal = re.fullmatch(r"NS/(RK[MT])/(\d{4})/(\d+)", number)
    if royal:
        code, date, serial = royal.groups()
        shown = f"NS/{code}/{date}/{int(serial):0{SERIAL_DIGITS}d}"
        if khmer:
            shown = f"នស/{_ROYAL_KHMER[code]}/{date}/{int(serial):0{SERIAL_DIGITS}d}"
        return shown.translate(_TO_KHMER_DIGITS) if khmer else shown
    old = re.fullmatch(r"(\d+)/NS/(\d\d)", number)
    if old:
        serial, year = old.groups()
        shown = f"{int(serial):02d}/{'នស' if khmer else 'NS'}/{year}"
        return shown.translate(_TO_KHMER_DIGITS) if khmer else shown
    coded = re.fullmatch(r"(\d+) (\S+)", number)
    if coded:
        serial, code = coded.groups()
        if khmer:
            return f"{serial} {code}".translate(_TO_KHMER_DIGITS)
        return f"{serial} {_latin_code(code)}"
    return number


def _latin_code(code: str) -> str:
    """A body's code in Latin letters (its first Latin variant), a ministry's suffix kept."""
    body, _, ministry = code.partition(".")
    data = json.loads(CODES_FILE.read_text(encoding="utf-8"))
    for entry in data["codes"]:
        if entry["code"] in (code, body):
            latin = [v for v in entry["variants"] if v.isascii()]
            if latin:
                return latin[0] + (f".{ministry}" if entry["code"] == body and ministry else "")
    return code


def canonical(text: str) -> str:
    """The canonical form of the first instrument number in ``text``; '' when it has none."""
    numbers = find_numbers(text)
    return numbers[0].canonical if numbers else ""


def query_key(text: str) -> str:
    """What a ``number:`` query looks for: the canonical number the text names, or, when it
    names none in full (a bare serial, "17"), the text folded without separators."""
    return canonical(text) or re.sub(r"[\s/.,:;\-]+", "", fold(text))
