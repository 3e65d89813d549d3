"""The one vocabulary of ddsearch: instrument types, languages, sorts and plausible years.

The query language, the catalogue, detection, the command line and the website all take
their values from here, so that they accept and show the same things.
"""

from __future__ import annotations

import json
from datetime import date
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).with_name("data")
TYPES_FILE = DATA_DIR / "instrument_types.json"


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

#: Orders of a result list: by relevance, by the instrument's year, or newest added first.
SORTS = ("relevance", "newest", "oldest", "added")

#: The earliest year an instrument of this library can carry (the oldest texts are of the
#: French protectorate); the latest is next year (a document dated ahead of its printing).
MIN_YEAR = 1900


def max_year() -> int:
    return date.today().year + 1


def plausible_year(year: int) -> bool:
    return MIN_YEAR <= year <= max_year()


def language_code(name: str) -> str | None:
    """The code of a language name or code as a user may type it, or None."""
    return LANGUAGES.get(name.strip().lower())


def type_problem(value: str) -> str | None:
    """None for a known type key, else the sentence that lists the known ones."""
    if value in TYPE_KEYS:
        return None
    return f"“{value[:40]}” is not a document type; use one of: {', '.join(TYPE_KEYS)}."
