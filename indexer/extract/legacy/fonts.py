"""Which encoding a PDF font's text is in, and the legacy tables (indexer/data/legacy_fonts).

A font is decided by its base name alone: legacy Khmer fonts embed no Unicode mapping worth
trusting (their ToUnicode, where present, names the Latin letter under each glyph).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "data" / "legacy_fonts"
_SUBSET_PREFIX = re.compile(r"^[A-Z]{6}\+")


class Encoding(StrEnum):
    """What a font's characters are."""

    UNICODE = "unicode"  # ordinary text: taken as extracted
    LEGACY = "legacy"  # a legacy Khmer font with a table: converted
    ORNAMENT = "ornament"  # a decoration font (Tacteing): its characters are no text
    UNKNOWN = "unknown"  # a legacy Khmer font we have no table for: its page needs OCR


@dataclass(frozen=True)
class Table:
    """One legacy encoding: code sequences (as Windows-1252 byte tuples) to Unicode."""

    key: str  # "limon"
    name: str  # "Limon", for reports
    codes: dict[tuple[int, ...], str]
    longest: int  # longest code sequence, for longest-match lookup


@dataclass(frozen=True)
class Font:
    """A font as the converter sees it."""

    name: str  # base name, subset prefix stripped ("LimonS1")
    encoding: Encoding
    table: Table | None = None


def base_name(fontname: str) -> str:
    """The font's name without the ``ABCDEF+`` prefix of an embedded subset."""
    return _SUBSET_PREFIX.sub("", fontname.strip())


@cache
def classify(fontname: str) -> Font:
    """Decide a font's encoding from its name (cached: pages name a few fonts many times)."""
    name = base_name(fontname)
    key = name.replace(" ", "").lower()
    config = _config()
    for rule in config["fonts"]:
        if re.search(rule["pattern"], key):
            return Font(name, Encoding.LEGACY, table(rule["table"]))
    if any(re.search(pattern, key) for pattern in config["ornaments"]):
        return Font(name, Encoding.ORNAMENT)
    if any(re.search(pattern, key) for pattern in config["without_table"]):
        return Font(name, Encoding.UNKNOWN)
    return Font(name, Encoding.UNICODE)


def is_legacy_font(fontname: str) -> bool:
    """Whether a font is any pre-Unicode Khmer font, with a table or without one."""
    return classify(fontname).encoding is not Encoding.UNICODE


@cache
def table(key: str) -> Table:
    """Load one table, its base table's codes first when it names one."""
    spec = _config()["tables"][key]
    codes = dict(table(spec["base"]).codes) if "base" in spec else {}
    codes.update(read_tsv(DATA / spec["file"]))
    return Table(key, spec["name"], codes, max(map(len, codes)))


def read_tsv(path: Path) -> dict[tuple[int, ...], str]:
    """Rows of a table file: ``legacy`` hex bytes → ``unicode`` hex code points."""
    codes = {}
    lines = [line for line in path.read_text("utf-8").splitlines() if not line.startswith("#")]
    header = lines[0].split("\t")
    for line in lines[1:]:
        row = dict(zip(header, line.split("\t"), strict=True))
        legacy = tuple(int(code, 16) for code in row["legacy"].split())
        codes[legacy] = _points(row["unicode"])
    return codes


@cache
def lookalikes() -> tuple[tuple[str, str], ...]:
    """Converted sequences that typists wrote with a look-alike glyph, and what they stand for
    (``lookalikes.tsv``: ទ្ឋ is ទ្ធ)."""
    lines = (DATA / "lookalikes.tsv").read_text("utf-8").splitlines()
    rows = [line.split("\t") for line in lines if not line.startswith("#")][1:]
    return tuple((_points(typed), _points(reads)) for typed, reads, _ in rows)


def _points(hex_points: str) -> str:
    return "".join(chr(int(point, 16)) for point in hex_points.split())


@cache
def extracted_as() -> dict[str, int]:
    """Characters that PDF producers write for a legacy code, beyond Windows-1252 itself."""
    return {char: int(code, 16) for char, code in _config()["extracted_as"].items()}


@cache
def _config() -> dict:
    return json.loads((DATA / "families.json").read_text("utf-8"))
