"""The one vocabulary of ddsearch: instrument types, languages, sorts and plausible years.

The query language, the catalogue, detection, the command line and the website all take
their values from here, so that they accept and show the same things.
"""

from __future__ import annotations

import calendar
import json
import re
from datetime import date
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).with_name("data")
TYPES_FILE = DATA_DIR / "instrument_types.json"
CALENDAR_FILE = DATA_DIR / "calendar.json"


@cache
def load_types() -> tuple[dict, ...]:
    """The type vocabulary, in facet order: dicts with key, en, km, km_patterns, en_patterns."""
    data = json.loads(TYPES_FILE.read_text(encoding="utf-8"))
    return tuple(data["types"])


#: What the web and the facets show: key, English name, Khmer name per type.
TYPES: list[dict] = [{"key": t["key"], "en": t["en"], "km": t["km"]} for t in load_types()]
TYPE_KEYS: tuple[str, ...] = tuple(t["key"] for t in TYPES)
OTHER = "other"

#: Language codes of documents, and every name a user may type for one.
LANGUAGE_CODES = ("km", "en")
LANGUAGES = {
    "km": "km",
    "kh": "km",
    "khm": "km",
    "khmer": "km",
    "ខ្មែរ": "km",
    "en": "en",
    "eng": "en",
    "english": "en",
    "អង់គ្លេស": "en",
}

#: Orders of a result list: by relevance, by the instrument's date (newest or oldest signed
#: first), or newest added first.
SORTS = ("relevance", "newest", "oldest", "added")

#: The earliest year an instrument of this library can carry (the oldest texts are of the
#: French protectorate); the latest is next year (a document dated ahead of its printing).
MIN_YEAR = 1900


def max_year() -> int:
    return date.today().year + 1


def plausible_year(year: int) -> bool:
    return MIN_YEAR <= year <= max_year()


_ISO_DATE = re.compile(r"(\d{4})(?:-(\d\d)(?:-(\d\d))?)?")


def date_span(iso: str) -> tuple[int, int] | None:
    """The first and last day a date as far as known covers ("2004": 20040101..20041231,
    "2004-07": 20040701..20040731), as YYYYMMDD numbers; None for no date."""
    match = _ISO_DATE.fullmatch(iso or "")
    if not match:
        return None
    year, month, day = (int(part) if part else None for part in match.groups())
    if day:
        return (year * 10000 + month * 100 + day,) * 2
    if month:
        last = calendar.monthrange(year, month)[1]
        return year * 10000 + month * 100 + 1, year * 10000 + month * 100 + last
    return year * 10000 + 101, year * 10000 + 1231


@cache
def load_calendar() -> dict:
    """Month names and the Khmer calendar's words (data/calendar.json)."""
    return json.loads(CALENDAR_FILE.read_text(encoding="utf-8"))


_KHMER_DIGITS = str.maketrans({str(d): chr(0x17E0 + d) for d in range(10)})


def readable_date(iso: str, lang: str = "en") -> str:
    """A date as far as known, as a reader writes it: "15 July 2004", "July 2004", "2004";
    in Khmer "ថ្ងៃទី១៥ ខែកក្កដា ឆ្នាំ២០០៤" (Khmer digits). '' for no date."""
    match = _ISO_DATE.fullmatch(iso or "")
    if not match:
        return ""
    year, month, day = match.groups()
    names = load_calendar()["months"][int(month) - 1] if month else None
    if lang == "km":
        parts = [f"ថ្ងៃទី{int(day)}" if day else "", f"ខែ{names[0]}" if names else "", f"ឆ្នាំ{year}"]
        return " ".join(part for part in parts if part).translate(_KHMER_DIGITS)
    english = next((n[3:].capitalize() for n in names if n.startswith("en:")), "") if names else ""
    return " ".join(part for part in (str(int(day)) if day else "", english, year) if part)


def language_code(name: str) -> str | None:
    """The code of a language name or code as a user may type it, or None."""
    return LANGUAGES.get(name.strip().lower())


def type_problem(value: str) -> str | None:
    """None for a known type key, else the sentence that lists the known ones."""
    if value in TYPE_KEYS:
        return None
    return f"“{value[:40]}” is not a document type; use one of: {', '.join(TYPE_KEYS)}."
