"""The places an instrument concerns — provinces, districts (khan, krong), communes (sangkat) —
found in its title and text, in Khmer and English, by gazetteer code (`gazetteer`).

A name counts where the text marks it as a place: after a unit word (ខេត្តកណ្តាល, ស្រុកកៀនស្វាយ,
Province of Kandal, Khan Mean Chey) or before one (Kandal Province, Ksach Kandal District), OCR
slips of one letter tolerated in province and district names; a province name alone only when
it cannot be a common word (indexer/data/place_aliases.tsv says which). Where a name stands
weighs: the title most, the first page more than the rest, and a page that lists many places
(an annex of every commune) hardly at all, so that a national sub-decree listing the country's
communes concerns no one province; a place only the body names must be named there often, and
the capital, named in passing by national laws, counts a third there and never from the body
alone (place_weights.tsv). The
signing line ("ធ្វើនៅរាជធានីភ្នំពេញ ថ្ងៃទី...",
"Phnom Penh, 27 June 2000") is no place of the instrument. A district or commune counts only
with its district or province named near it (or, failing that, its province named elsewhere
in the document), which also settles a name several places share (a commune name repeats
across provinces).

Detection is a pure function of the stored page text and the title, kept per content hash in
library.sqlite (like the citator's citations) and done again when the detector, its data or
the title change: `ddsearch rebuild` never OCRs for it.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass

from rapidfuzz.distance import Levenshtein

from indexer.library.gazetteer import (
    ALIASES,
    UNITS,
    WEIGHTS,
    Gazetteer,
    english_key,
    gazetteer,
)
from indexer.library.metadata.lines import compact_form, loose
from indexer.text.khmer import fold

#: Bump when detection changes; the data files' contents are part of the version too.
DETECTOR = "1"
TITLE_WEIGHT = 5.0
FIRST_PAGE_WEIGHT = 2.0
PAGE_WEIGHT = 1.0
#: A page naming this many distinct places (settled or not) is a list (an annex, a table of
#: every commune) ...
LIST_PLACES = 8
#: ... and the lists of a document give each of their places this much at most, however many
#: and however often they name it.
LIST_WEIGHT = 0.25
#: A place concerns the document when its title and first page give it this score (one mention
#: in the title, one on the first page) ...
MIN_SCORE = 2.0
#: ... or when the whole document gives it this much: a place only the body names must be named
#: on page after page.
BODY_MIN_SCORE = 5.0
#: Mentions of a place counted in one text: a page that repeats a name is not a list of pages.
PAGE_MENTIONS = 3
#: The first letters of a title that find where it starts on the first page.
TITLE_KEY = 10
#: A shared name is settled by a district or province named within this many characters.
NEAR = 300
#: Province and district names this long (loose Khmer letters, or English letters) are matched
#: with one slip, as OCR or a translator's spelling may leave them.
FUZZY_MIN = 6

_KM_DATE_AFTER = loose("ថ្ងៃ")
_KM_SIGNED_BEFORE = loose("ធ្វើនៅ")
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_EN_DATE_AFTER = re.compile(
    rf"\s*,?\s*(?:\d{{1,2}}(?:st|nd|rd|th)?\s*,?\s*)?(?:{_MONTHS})\b|\s*,[\s.…_,]*\d"
)
_EN_SIGNED_BEFORE = re.compile(r"(?:done|made|signed|issued)\s+(?:at|in)\s+(?:the\s+)?$", re.I)
_LIST_SEPARATOR = re.compile(r"(?:,\s*(?:and\s+)?|,?\s+and\s+)$")
_CAPITALISED = re.compile(r"[A-Z][A-Za-z'’\-]*")

SCHEMA = """
CREATE TABLE IF NOT EXISTS places (
    hash TEXT PRIMARY KEY,
    version TEXT NOT NULL,
    title TEXT NOT NULL,
    codes TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class Mention:
    """A place name found in a text: the places it may be, and where it stands."""

    codes: frozenset[str]
    at: int  # offset in the text


def detect(pages: Sequence[str], title: str = "") -> list[str]:
    """The codes of the places a document concerns, sorted (a district or commune found
    brings its province, and a commune its district)."""
    places = gazetteer()
    before, first = _first_page(pages, title)
    texts = [(title, TITLE_WEIGHT, True), (before, PAGE_WEIGHT, False)]
    texts += [(first, FIRST_PAGE_WEIGHT, True)]
    texts += [(page, PAGE_WEIGHT, False) for page in pages[1:]]
    found = [(list(mentions(text, places)), weight, is_head) for text, weight, is_head in texts]
    named = {  # the provinces the document names as such, anywhere
        code
        for page, _, _ in found
        for mention in page
        for code in mention.codes
        if len(mention.codes) == 1 and places.places[code].level == "province"
    }
    head: dict[str, float] = defaultdict(float)  # from the title and the first page
    total: dict[str, float] = defaultdict(float)
    listed: dict[str, float] = defaultdict(float)  # from lists: however many, one list's worth
    for page, weight, is_head in found:
        scores = _page_scores(page, weight, named, places)
        is_list = len({mention.codes for mention in page}) >= LIST_PLACES
        for code, score in scores.items():
            if is_list:
                listed[code] = max(listed[code], min(score, LIST_WEIGHT))
                continue
            if is_head:
                head[code] += score
            total[code] += score
    for code, score in listed.items():
        total[code] += score
    kept = {
        code
        for code in total
        if head[code] >= MIN_SCORE
        or (total[code] >= BODY_MIN_SCORE and code not in places.head_only)
    }
    return sorted(kept | {parent for code in kept for parent in places.places[code].parents})


def _first_page(pages: Sequence[str], title: str) -> tuple[str, str]:
    """The first page split where the instrument's title starts on it: a Gazette page often
    opens with the end of the instrument printed before it, whose places are not this one's."""
    if not pages:
        return "", ""
    about = re.search(f"{loose('ស្តីពី')}|{loose('ស្តីអំពី')}", loose(title))
    key = loose(title)[about.end() if about else 0 :][:TITLE_KEY]
    folded = fold(pages[0])
    compact, offsets = compact_form(folded)
    at = compact.find(key) if len(key) == TITLE_KEY else -1
    if at <= 0:
        return "", pages[0]
    return pages[0][: offsets[at]], pages[0][offsets[at] :]


def _page_scores(
    found: list[Mention], weight: float, provinces: set[str], places: Gazetteer
) -> dict[str, float]:
    """What one text gives each place: its weight for each mention, up to PAGE_MENTIONS of
    them (less for a place named in passing, outside a title), for the place and the units
    that hold it."""
    counts: dict[str, float] = defaultdict(float)
    for mention in found:
        code = _settle(mention, found, provinces, places)
        if code is None:
            continue
        counts[code] += 1.0 if weight == TITLE_WEIGHT else places.weights.get(code, 1.0)
        for parent in places.places[code].parents:
            counts[parent] += 1.0
    return {code: weight * min(count, PAGE_MENTIONS) for code, count in counts.items()}


def _settle(
    mention: Mention, around: list[Mention], provinces: set[str], places: Gazetteer
) -> str | None:
    """The one place a mention names, or None. A district or commune counts only beside its
    province or district (within NEAR), or in a document that names its province: alone, a
    short name after ឃុំ or ស្រុក is too often an OCR slip (ឪពុក read ឃុំពុក) or a word, and a
    shared name stays shared."""
    near = {
        code
        for other in around
        if other is not mention and abs(other.at - mention.at) <= NEAR
        for code in other.codes
    }
    for context in (near, near | provinces):
        fits = {
            code
            for code in mention.codes
            if places.places[code].level == "province" or context & set(places.places[code].parents)
        }
        if len(fits) == 1:
            return fits.pop()
    return None


def mentions(text: str, places: Gazetteer | None = None) -> Iterator[Mention]:
    """Every place name the text marks as a place, Khmer then English."""
    places = places or gazetteer()
    yield from _khmer_mentions(text, places)
    yield from _english_mentions(text, places)


# --- Khmer ------------------------------------------------------------------------------------


@dataclass
class _Names:
    """One language's names by length, for finding the longest name at a point."""

    by_length: list[tuple[int, dict[str, set[str]]]]  # longest first
    fuzzy: list[tuple[str, set[str]]]  # province and district names matched with one slip


_NAME_TABLES: dict[tuple[int, str], _Names] = {}


def _names(places: Gazetteer, language: str) -> _Names:
    key = (id(places), language)
    if key not in _NAME_TABLES:
        lengths: dict[int, dict[str, set[str]]] = defaultdict(dict)
        for name, codes in places.names[language].items():
            if name:
                lengths[len(name)][name] = codes
        fuzzy = [
            (name, {c for c in codes if places.places[c].level != "commune"})
            for name, codes in places.names[language].items()
            if len(name) >= FUZZY_MIN
        ]
        _NAME_TABLES[key] = _Names(
            sorted(lengths.items(), reverse=True), [(n, c) for n, c in fuzzy if c]
        )
    return _NAME_TABLES[key]


def _name_at(
    text: str, start: int, levels: tuple[str, ...], places: Gazetteer, language: str
) -> tuple[set[str], int]:
    """The places of ``levels`` whose name starts ``text`` at ``start`` (the longest name;
    else one slip away), and where the name ends."""
    table = _names(places, language)
    for length, names in table.by_length:
        codes = names.get(text[start : start + length])
        if codes:
            fitting = {c for c in codes if places.places[c].level in levels}
            if fitting:
                return fitting, start + length
    best, codes_found, end = 2, set(), start
    for name, codes in table.fuzzy:
        fitting = {c for c in codes if places.places[c].level in levels}
        if not fitting:
            continue
        for length in (len(name) - 1, len(name), len(name) + 1):
            distance = Levenshtein.distance(name, text[start : start + length], score_cutoff=1)
            if distance < best:
                best, codes_found, end = distance, set(fitting), start + length
            elif distance == best and distance <= 1:
                codes_found |= fitting
    return codes_found, end


def _khmer_mentions(text: str, places: Gazetteer) -> Iterator[Mention]:
    folded = fold(text)
    compact, offsets = compact_form(folded)
    if not compact:
        return
    taken: list[tuple[int, int]] = []
    for unit in places.units["km"]:
        for found in re.finditer(re.escape(unit.word), compact):
            if any(a <= found.start() < b for a, b in taken):
                continue  # inside a longer unit word or name already read
            codes, end = _name_at(compact, found.end(), unit.levels, places, "km")
            if codes and end > found.end():
                taken.append((found.start(), end))
                if not _signing_khmer(compact, found.start(), end):
                    yield Mention(frozenset(codes), offsets[found.start()])
    for name, codes in places.bare["km"].items():
        for found in re.finditer(re.escape(name), compact):
            if not any(a <= found.start() < b for a, b in taken):
                taken.append((found.start(), found.end()))
                if not _signing_khmer(compact, found.start(), found.end()):
                    yield Mention(frozenset(codes), offsets[found.start()])


def _signing_khmer(compact: str, start: int, end: int) -> bool:
    """Whether a place stands in a signing or dating line: ធ្វើនៅ before it, a date after."""
    return _KM_DATE_AFTER in compact[end : end + 8] or (
        _KM_SIGNED_BEFORE in compact[max(0, start - 10) : start]
    )


# --- English ----------------------------------------------------------------------------------


def _english_mentions(text: str, places: Gazetteer) -> Iterator[Mention]:
    if not re.search(r"[A-Za-z]", text):
        return
    taken: list[tuple[int, int]] = []
    for unit in places.units["en"]:
        words = r"\s+".join(map(re.escape, unit.word.split()))
        pattern = rf"\b{words}{'' if unit.before else 's?'}\b"
        for found in re.finditer(pattern, text, re.I):
            if any(a <= found.start() < b for a, b in taken):
                continue
            edge = found.end() if unit.before else found.start()
            while name := _english_name(text, edge, unit.before, unit.levels, places):
                codes, start, end = name
                taken.append((min(start, found.start()), max(end, found.end())))
                if not _signing_english(text, start, end):
                    yield Mention(frozenset(codes), start)
                # "Preah Vihear, Oddar Meanchey and Siem Reap Provinces": the names before
                listed = _LIST_SEPARATOR.search(text, max(0, start - 8), start)
                if unit.before or not listed:
                    break
                edge = listed.start()
    bare = places.bare["en"]
    for found in _bare_english(places).finditer(text):
        if any(a <= found.start() < b for a, b in taken):
            continue
        if not _signing_english(text, found.start(), found.end()):
            yield Mention(frozenset(bare[english_key(found.group())]), found.start())


def _english_name(
    text: str, edge: int, before: bool, levels: tuple[str, ...], places: Gazetteer
) -> tuple[set[str], int, int] | None:
    """The place named by up to four capitalised words after (or before) ``edge``, a unit
    word's end (or start): the longest run of them that is a name."""
    if before:
        words = list(_CAPITALISED.finditer(text, edge, edge + 60))
        words = _adjacent(text, words, edge)
        runs = [words[:n] for n in range(len(words), 0, -1)]
    else:
        words = list(_CAPITALISED.finditer(text, max(0, edge - 60), edge))
        words = _adjacent(text, words[::-1], edge, backwards=True)[::-1]
        runs = [words[-n:] for n in range(len(words), 0, -1)]
    for run in runs:
        name = text[run[0].start() : run[-1].end()]
        key = english_key(re.sub(r"['’]s$", "", name))
        codes, end = _name_at(key, 0, levels, places, "en")
        if codes and end == len(key):
            return codes, run[0].start(), run[-1].end()
    return None


def _adjacent(text: str, words: list, edge: int, backwards: bool = False) -> list:
    """The capitalised words that run on from ``edge``, separated by spaces or a hyphen."""
    run, position = [], edge
    for word in words[:4]:
        gap = text[word.end() : position] if backwards else text[position : word.start()]
        if not re.fullmatch(r"[\s\-]{1,3}", gap) and not (not run and gap == ""):
            break
        run.append(word)
        position = word.start() if backwards else word.end()
    return run


_BARE_PATTERNS: dict[int, re.Pattern] = {}


def _bare_english(places: Gazetteer) -> re.Pattern:
    if id(places) not in _BARE_PATTERNS:
        spelled = sorted(
            (row for row in _alias_names("en") if english_key(row) in places.bare["en"]),
            key=len,
            reverse=True,
        )
        alternatives = "|".join(r"\s*".join(map(re.escape, name.split())) for name in spelled)
        _BARE_PATTERNS[id(places)] = re.compile(rf"\b(?:{alternatives})\b")
    return _BARE_PATTERNS[id(places)]


def _alias_names(language: str) -> list[str]:
    with ALIASES.open(encoding="utf-8") as handle:
        rows = [line.rstrip("\n").split("\t") for line in handle if not line.startswith("#")]
    return [row[2] for row in rows[1:] if row[1] == language and row[3] == "yes"]


def _signing_english(text: str, start: int, end: int) -> bool:
    before = text[max(0, start - 20) : start]
    return bool(_EN_DATE_AFTER.match(text, end) or _EN_SIGNED_BEFORE.search(before))


# --- storage ----------------------------------------------------------------------------------


def version() -> str:
    """The detector's version with its data: places found again when either changes."""
    digest = hashlib.sha1(DETECTOR.encode())
    for path in (ALIASES, UNITS, WEIGHTS):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def sync(
    db: sqlite3.Connection,
    documents: Iterable[tuple[str, str]],
    pages_of: Callable[[str], Sequence[str]],
) -> int:
    """Detect the places of the (content hash, title) pairs not yet detected with this title
    by this version, from their stored pages; returns how many were detected."""
    db.executescript(SCHEMA)
    current = version()
    done = dict(db.execute("SELECT hash, title FROM places WHERE version = ?", (current,)))
    todo = [(h, title) for h, title in documents if done.get(h) != title]
    for content_hash, title in todo:
        codes = detect(pages_of(content_hash), title)
        with db:
            db.execute(
                "INSERT OR REPLACE INTO places (hash, version, title, codes) VALUES (?, ?, ?, ?)",
                (content_hash, current, title, json.dumps(codes)),
            )
    return len(todo)


def detected(db: sqlite3.Connection) -> dict[str, list[str]]:
    """The detected places of every content hash (none for a library without the table)."""
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "places" not in tables:
        return {}
    return {h: json.loads(codes) for h, codes in db.execute("SELECT hash, codes FROM places")}
