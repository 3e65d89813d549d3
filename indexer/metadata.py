"""Detect what a document is — instrument type, year, title, number, languages, issuer — from
the text of its pages, so facets work on folders of files that carry no metadata at all.

Khmer instruments share one layout, and the detector reads it rather than hunting for words
anywhere: a header (kingdom, motto, issuing body, number), a heading naming the instrument type
(អនុក្រឹត្យ, ព្រះរាជក្រឹត្យ...) over its title (ស្តីពី ...), the "having seen" lines citing older
instruments (បានឃើញ ... ចុះថ្ងៃទី ...), the articles, and at the end the place and date of
signing (ធ្វើនៅ ... ថ្ងៃទី ... ខែ ... ឆ្នាំ ...), often under a lunar date line. Most real files
are scans, so every pattern tolerates the usual OCR slips. The type vocabulary lives in
data/instrument_types.json.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from datetime import date
from functools import cache
from pathlib import Path

from indexer.khmer import khmer_share, normalize

DATA_DIR = Path(__file__).with_name("data")
TYPES_FILE = DATA_DIR / "instrument_types.json"

#: Pages read for the type, title, number and issuer: the heading is on the first page, or on
#: the second after a cover or a Royal Gazette page that ends the previous instrument.
HEAD_PAGES = 3
#: Lines of a page searched for the heading (the header block is short).
HEAD_LINES = 45


@cache
def load_types() -> tuple[dict, ...]:
    """The type vocabulary, in facet order: dicts with key, en, km, km_patterns, en_patterns."""
    data = json.loads(TYPES_FILE.read_text(encoding="utf-8"))
    return tuple(data["types"])


#: What the web and the facets show: key, English name, Khmer name per type.
TYPES: list[dict] = [{"key": t["key"], "en": t["en"], "km": t["km"]} for t in load_types()]
TYPE_KEYS = frozenset(t["key"] for t in TYPES)
OTHER = "other"

# --- Khmer matching, tolerant of OCR -------------------------------------------------------

# OCR confuses these marks; matching folds each pair to one (stored text is never changed).
_LOOSE = str.maketrans({"ឹ": "ិ", "ី": "ិ", "៖": "ះ", "៏": "៍", "ឺ": "ិ", "ួ": "ូ", "ុ": "ូ"})
_NOT_KHMER_OR_DIGIT = re.compile(r"[^\u1780-\u17d30-9]+")


def _loose(text: str) -> str:
    """Normalized Khmer with OCR-confused marks folded and everything but letters and digits
    removed: the form heading lines and patterns are compared in."""
    return _NOT_KHMER_OR_DIGIT.sub("", normalize(text).translate(_LOOSE))


def _edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, giving up (returning limit + 1) once it must exceed ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            )
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def _allowed_slips(pattern: str) -> int:
    """OCR slips tolerated in a heading word: none in short words, where one slip makes another
    word (ប្រការ/ប្រកាស), more in long ones."""
    return 0 if len(pattern) < 8 else 1 if len(pattern) < 11 else 2


@cache
def _km_patterns() -> tuple[tuple[str, str], ...]:
    """(loose pattern, type key), longest first so that ប្រកាសអន្តរក្រសួង beats ប្រកាស."""
    pairs = {(_loose(p), t["key"]) for t in load_types() for p in t["km_patterns"]}
    return tuple(sorted(pairs, key=lambda pair: -len(pair[0])))


_KM_NUMBER_WORD = ("លេខ", "លខ")


def _khmer_heading(line: str) -> str | None:
    """The type a Khmer heading line names, or None when the line is not a heading.

    A heading is the type word alone, or followed by its number or by ស្តីពី ("on"); body text
    that merely starts with a type word (ប្រកាសឱ្យប្រើ... "promulgates") is not a heading.
    """
    compact = _loose(line)
    if len(compact) < 3:
        return None
    for pattern, key in _km_patterns():
        slips = _allowed_slips(pattern)
        for size in sorted({len(pattern), len(pattern) - slips, len(pattern) + slips}):
            head, rest = compact[:size], compact[size:]
            if head == pattern or (slips and _edit_distance(head, pattern, slips) <= slips):
                if _is_heading_rest(rest):
                    return key
                break
    return None


def _is_heading_rest(rest: str) -> bool:
    """What may follow a type word on its heading line: nothing much, a number, or ស្តីពី."""
    about = _loose("ស្តីពី")
    return (
        len(rest) <= 2
        or rest[0].isdigit()
        or rest.startswith(_KM_NUMBER_WORD)
        or about in rest[:10]
        or _loose("ស្តីអំពី") in rest[:10]
        or "ឆ្នាំ" in rest[:6]  # រដ្ឋធម្មនុញ្ញឆ្នាំ១៩៩៣
    )


# Royal codes in the header: នស/រកម (royal kram), នស/រកត (royal decree); OCR often mangles
# the first letters, so the part after the slash decides.
_ROYAL_CODE = re.compile(r"(?:នស|ន\.ស|ជស|NS)\s*/+\s*(រកម|រកត|រ\.ក\.ម|រ\.ក\.ត|RKM|RKT)", re.I)
_ROYAL_CODE_TYPE = {"រកម": "royal-kram", "រ.ក.ម": "royal-kram", "rkm": "royal-kram"}
_CITATION_LINE = re.compile(r"^\W*(?:បានឃើញ|បានទ្រង់យល់|ជានទ្រង់យល់|បានទ្រង|having seen|-\s*seen)", re.I)
_THIS_LAW = re.compile("ច្បាប់នេះ|ច្បាបំនេះ|ច្បាប៉នេះ")


def _header_lines(page: str) -> list[str]:
    """The lines of a page before its first "having seen" citation: where headings live."""
    lines = []
    for line in page.splitlines()[:HEAD_LINES]:
        if _CITATION_LINE.match(line.strip()):
            break
        lines.append(line)
    return lines


# --- English matching ----------------------------------------------------------------------


@cache
def _en_patterns() -> tuple[tuple[re.Pattern[str], str], ...]:
    """(regex of one English type phrase, key), longest phrase first."""
    pairs = [(p, t["key"]) for t in load_types() for p in t["en_patterns"]]
    pairs.sort(key=lambda pair: -len(pair[0]))
    return tuple((re.compile(rf"\b{p}\b", re.I), key) for p, key in pairs)


@cache
def _en_alternation() -> re.Pattern[str]:
    phrases = sorted((p for t in load_types() for p in t["en_patterns"]), key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(phrases) + r")\b", re.I)


def _en_key(phrase: str) -> str:
    for regex, key in _en_patterns():
        if regex.fullmatch(phrase):
            return key
    return OTHER


_TITLE_TAIL = re.compile(
    r"(?:[\s,_(\-]*(?:\(?(?:repealed|amended|unofficial|draft|translation|english)\)?|"
    r"(?:no\.?\s*)?\d[\d\s./\-]*|\d{1,2}\s+\w+\s+\d{4}))+\s*$",
    re.I,
)
_EN_HEADING = re.compile(
    r"^\s*(?:the\s+)?(?P<type>.+?)(?:\s+(?:no\.?|number|#|on|of|concerning|regarding|dated)\b.*)?$",
    re.I,
)


def type_of_title(title: str) -> str:
    """Type key of an English or Khmer title line ("... Sub-Decree 2013", "Law on ...").

    English titles name the type at their end ("Investment Law 1994") or their start ("Sub-Decree
    No. 148 on ..."); the end wins, as in the catalogue titles the vocabulary was measured on.
    """
    key = _khmer_heading(title)
    if key:
        return key
    stem = _TITLE_TAIL.sub("", title).strip(" -–,:;.")
    alternation = _en_alternation()
    matches = list(alternation.finditer(stem))
    if not matches:
        return OTHER
    last = matches[-1]
    if stem[last.end() :].strip() == "":
        return _en_key(last.group())
    first = matches[0]
    if stem[: first.start()].strip().lower() in ("", "the", "draft", "joint", "the draft"):
        return _en_key(first.group())
    return _en_key(last.group())


def _english_heading(line: str) -> str | None:
    """The type an English heading line names ("SUB-DECREE No. 148", "LAW ON INVESTMENT")."""
    match = _EN_HEADING.match(line)
    if not match:
        return None
    phrase = match.group("type").strip(" .:-")
    key = _en_key(phrase)
    return key if key != OTHER else None


# --- Type ----------------------------------------------------------------------------------


def detect_type(pages: Sequence[str], filename: str = "") -> str:
    """Instrument type key, from the heading of the first pages; "other" when none is found.

    A royal kram heading over the text of a law ("ច្បាប់នេះ ...") is that law: every law is
    published under the kram that promulgates it.
    """
    head = pages[:HEAD_PAGES]
    key = _first_heading(head)
    if key == "royal-kram" and any(_THIS_LAW.search(normalize(p)) for p in head):
        return "law"
    if key:
        return key
    return _type_from_filename(filename) or OTHER


def _first_heading(pages: Sequence[str]) -> str | None:
    for page in pages:
        for line in _header_lines(page):
            key = _khmer_heading(line) or _english_heading(line)
            if key:
                return key
            code = _ROYAL_CODE.search(normalize(line))
            if code:
                return _ROYAL_CODE_TYPE.get(code.group(1).lower(), "royal-decree")
    return None


_FILENAME_WORDS = re.compile(r"[a-z]+")


def _type_from_filename(filename: str) -> str | None:
    """A weak last resort: a type word in the file name (file names lie, so only this late)."""
    words = " ".join(_FILENAME_WORDS.findall(Path(filename).stem.lower().replace("sub", "sub-")))
    words = words.replace("sub- ", "sub-").replace("royaldecree", "royal decree")
    for regex, key in _en_patterns():
        if regex.search(words):
            return key
    return None


# --- Year ----------------------------------------------------------------------------------

KHMER_MONTHS = (
    ("មករា",),
    ("កុម្ភៈ", "កុម្ភះ", "កុម្ភ"),
    ("មីនា", "មិនា"),
    ("មេសា",),
    ("ឧសភា",),
    ("មិថុនា", "មិថូនា"),
    ("កក្កដា", "កក្តដា"),
    ("សីហា", "សិហា"),
    ("កញ្ញា", "កញ្ឆា"),
    ("តុលា",),
    ("វិច្ឆិកា", "វិច្ចិកា"),
    ("ធ្នូ", "ផ្នូ"),
)
ENGLISH_MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
#: Lunar months in calendar order from មិគសិរ (about December); the Buddhist era year turns at
#: ពិសាខ (about May), so BE − 543 before it and BE − 544 from it.
LUNAR_MONTHS = (
    "មិគសិរ", "បុស្ស", "មាឃ", "ផល្គុន", "ចេត្រ", "ពិសាខ",
    "ជេស្ឋ", "អាសាឍ", "ស្រាពណ៍", "ភទ្របទ", "អស្សុជ", "កត្តិក",
)  # fmt: skip
_BEFORE_NEW_ERA = frozenset(LUNAR_MONTHS[1:5])  # បុស្ស..ចេត្រ: January to April

_MONTH_NUMBER = {name: n for n, names in enumerate(KHMER_MONTHS, 1) for name in names}
_MONTH_NUMBER.update({name: n for n, name in enumerate(ENGLISH_MONTHS, 1)})
_KM_MONTH = "|".join(sorted((m for names in KHMER_MONTHS for m in names), key=len, reverse=True))
_EN_MONTH = "|".join(ENGLISH_MONTHS)
_DATE = re.compile(
    rf"(?:(?P<day>\d{{1,2}})\s*)?(?:ខែ|ខៃ|ទៃ|ខេ)?\s*(?P<km_month>{_KM_MONTH})[^\d\n]{{0,8}}?"
    rf"(?P<km_year>\d{{4}})(?!\d)"
    rf"|(?:(?P<en_day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?)?(?P<en_month>{_EN_MONTH})"
    rf"(?:\s+(?P<en_day2>\d{{1,2}})(?:st|nd|rd|th)?)?,?\s+(?P<en_year>\d{{4}})(?!\d)",
    re.I,
)
_SIGNING = re.compile(
    r"ធ្វើនៅ|ភ្នំពេញ|រាជវាំង|ព្រះបរមរាជវាំង|អនុម័ត|done at|made at|phnom penh|adopted", re.I
)
_CITED = re.compile(r"(?:ចុះ|ចុ|dated|of|on)\s*(?:ថ្ងៃ\S{0,3})?\s*\d{0,2}\s*$", re.I)
_GAZETTE = re.compile(r"រាជកិច្ច|រាជកម្ច|royal gazette", re.I)
_CHRISTIAN_ERA = re.compile(r"គ\.?\s*ស\.?\s*(\d{4})(?!\d)")
_BUDDHIST_ERA = re.compile(r"ព\.?\s*ស\.?\s*(25\d\d)(?!\d)")
_ROYAL_CODE_DATE = re.compile(r"(?:រកម|រកត|RKM|RKT)\s*/+\s*(\d\d)(\d\d)\s*/", re.I)
_BARE_YEAR = re.compile(r"(?:ឆ្នាំ|year|\b)\s*((?:19|20)\d\d)\b", re.I)


def _plausible(year: int) -> bool:
    return 1900 <= year <= date.today().year + 1


def _dates(page: str) -> Iterable[tuple[int, str]]:
    """(year, context) for each full date on a page; context is "signing", "cited", "gazette"
    (the Royal Gazette page header) or "plain"."""
    for match in _DATE.finditer(page):
        year = int(match.group("km_year") or match.group("en_year"))
        if not _plausible(year):
            continue
        line_start = page.rfind("\n", 0, match.start()) + 1
        line = page[line_start : page.find("\n", match.end()) % (len(page) + 1)]
        before = page[max(0, match.start() - 60) : match.start()]
        if _GAZETTE.search(line):
            yield year, "gazette"
        elif _CITED.search(before[-14:]) or _CITATION_LINE.match(page[line_start:]):
            yield year, "cited"
        elif _SIGNING.search(before):
            yield year, "signing"
        else:
            yield year, "plain"


def detect_year(pages: Sequence[str], filename: str = "") -> int | None:
    """Year the instrument was signed or adopted, or None.

    In order of trust: a date after "done at/Phnom Penh/adopted" (the signing block, usually on
    the last page); the latest other full date that is not a citation of an older instrument
    ("ចុះថ្ងៃទី ..."); the Royal Gazette page header; the Christian-era year of a cover
    (គ.ស. ១៩៩៤); the month-year inside a royal code (នស/រកម/0508/017 is May 2008); a
    Buddhist-era year (ព.ស.) converted to the Gregorian year; a bare year in the heading lines; a
    year in the file name. The lunar date line (ថ្ងៃ... កើត ខែមាឃ ឆ្នាំរោង ...) names no
    Gregorian month, so it never passes for the signing date.
    """
    found: dict[str, list[int]] = {"signing": [], "plain": [], "gazette": [], "cited": []}
    for page in pages:
        for year, context in _dates(normalize(page)):
            found[context].append(year)
    if found["signing"]:
        return max(found["signing"])
    if found["plain"]:
        return max(found["plain"])
    if found["gazette"]:
        return min(found["gazette"])
    text = "\n".join(normalize(page) for page in pages[:HEAD_PAGES])
    for year in map(int, _CHRISTIAN_ERA.findall(text)):
        if _plausible(year):
            return year
    code = _ROYAL_CODE_DATE.search(text)
    if code and 1 <= int(code.group(1)) <= 12:
        year = int(code.group(2))
        return 2000 + year if year < 50 else 1900 + year
    buddhist = _buddhist_year("\n".join(normalize(page) for page in pages))
    if buddhist:
        return buddhist
    for source in (text[:600], Path(filename).stem):
        years = [int(y) for y in _BARE_YEAR.findall(source) if _plausible(int(y))]
        if years:
            return years[0]
    return None


def _buddhist_year(text: str) -> int | None:
    """Gregorian year of the first Buddhist-era year (ព.ស. 25xx), using the lunar month on the
    same line when there is one: BE − 543 from បុស្ស to ចេត្រ, BE − 544 otherwise."""
    match = _BUDDHIST_ERA.search(text)
    if not match:
        return None
    line = text[text.rfind("\n", 0, match.start()) + 1 : match.start()]
    early = any(month in line for month in _BEFORE_NEW_ERA)
    year = int(match.group(1)) - (543 if early else 544)
    return year if _plausible(year) else None


# --- Number, title, issuer, languages -------------------------------------------------------

_NUMBER_PATTERNS = (
    # royal codes: នស/រកម/0508/017, NS/RKT/0605/267
    re.compile(r"(?:នស|ន\.ស|NS)\s*/+\s*(?:រកម|រកត|RKM|RKT)\s*/+\s*\d{3,4}\s*/+\s*\d{1,4}", re.I),
    # Khmer "លេខ 40 អនក្រ.បក", "លេខ 065 ប្រក"
    re.compile(r"(?<=លេខ)\s*[:៖.]?\s*\d{1,5}\s*[\u1780-\u17d3.\s/]{0,14}?(?:អនក្រ\.?\s*បក|ប្រក|"
               r"សជណ|សសរ|សរណន|អនក្រ|ក\.?ប|ច\.?ល)\.?"),
    # English "No. 148 ANK/BK", "No. 40 ANKR.BK", "Prakas No. 065 PRK"
    re.compile(r"(?<=\bNo\.)\s*\d{1,5}\s*[A-Z][A-Z./]{1,12}", re.I),
)  # fmt: skip


def detect_number(pages: Sequence[str]) -> str:
    """Reference number of the instrument, from its header ('' when not found)."""
    for page in pages[:HEAD_PAGES]:
        text = "\n".join(_header_lines(normalize(page)))
        for pattern in _NUMBER_PATTERNS:
            match = pattern.search(text)
            if match:
                return re.sub(r"\s*/\s*", "/", " ".join(match.group().split())).strip(" :៖.")
    return ""


_HEADER_NOISE = re.compile(
    r"ព្រះរាជាណាចក្រ|ជាតិ\s*សាសនា|រាជកិច្ច|kingdom of cambodia|nation\s+religion\s+king", re.I
)
_TITLE_STOP = re.compile(
    r"^\W*(?:រាជរដ្ឋាភិបាល|បានឃើញ|បានទ្រង់យល់|យើង|ជំពូក|មាត្រា|ប្រការ|ឧបនាយករដ្ឋមន្ត្រី|"
    r"រដ្ឋមន្ត្រី|chapter|article|the royal government|having seen)",
    re.I,
)


def _usable_line(line: str) -> bool:
    """Whether a line carries words rather than OCR crumbs or the kingdom's header."""
    letters = sum(ch.isalpha() for ch in line)
    return letters >= 3 and not _HEADER_NOISE.search(line)


def detect_title(pages: Sequence[str], filename: str = "") -> str:
    """Title: the heading with the lines under it (ស្តីពី ...), else the first line of words,
    else the file name."""
    for page in pages[:HEAD_PAGES]:
        lines = [line.strip() for line in normalize(page).splitlines()]
        lines = [line for line in lines[:HEAD_LINES] if _usable_line(line)]
        for i, line in enumerate(lines):
            if _khmer_heading(line) or _english_heading(line):
                return _title_from(lines, i)
    for page in pages[:1]:
        for line in normalize(page).splitlines()[:HEAD_LINES]:
            if _usable_line(line) and len(line) >= 8:
                return line.strip()[:200]
    return Path(filename).stem.replace("_", " ") if filename else ""


def _title_from(lines: list[str], start: int) -> str:
    parts = [lines[start]]
    for line in lines[start + 1 : start + 5]:
        if _TITLE_STOP.match(line) or _CITATION_LINE.match(line):
            break
        parts.append(line)
    return " ".join(parts)[:300]


_ISSUERS = re.compile(
    r"^\W*(ក្រសួង[\u1780-\u17d3 ]{2,60}|រាជរដ្ឋាភិបាល(?:កម្ពុជា)?|ទីស្តីការគណៈរដ្ឋមន្ត្រី|"
    r"រដ្ឋសភា|ព្រឹទ្ធសភា|ក្រុមប្រឹក្សា[\u1780-\u17d3 ]{2,60}|គណៈកម្មាធិការ[\u1780-\u17d3 ]{2,60}|"
    r"ធនាគារជាតិនៃកម្ពុជា|សាលា(?:រាជធានី|ខេត្ត|ក្រុង|ស្រុក|ខណ្ឌ)[\u1780-\u17d3 ]{2,40}|"
    r"(?:royal government of cambodia|ministry of [a-z ,&]+|national assembly|senate|"
    r"council (?:of|for) [a-z ,&]+|national bank of cambodia))",
    re.I,
)


def detect_issuer(pages: Sequence[str]) -> str:
    """The issuing body named in the header (ministry, Royal Government...), '' when none."""
    for page in pages[:1]:
        for line in _header_lines(normalize(page)):
            match = _ISSUERS.match(line.strip())
            if match:
                return " ".join(match.group(1).split())
    return ""


_EN_WORDS = re.compile(r"\b(?:the|of|and|to|in|on|for|is|shall|with|by|this|be|or|are|as)\b", re.I)
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
#: A language counts when this share of the letters is in its script (OCR crumbs stay below).
MIN_SCRIPT_SHARE = 0.15


def detect_languages(pages: Sequence[str]) -> list[str]:
    """["km"], ["en"] or ["km", "en"] by script share; Latin counts as English only when it reads
    as English (OCR of Khmer scans leaves Latin crumbs that are no language)."""
    text = "\n".join(pages)
    share = khmer_share(text)
    languages = []
    if share >= MIN_SCRIPT_SHARE:
        languages.append("km")
    latin_words = _LATIN_WORD.findall(text)
    english = len(_EN_WORDS.findall(text)) >= 0.08 * max(len(latin_words), 1)
    if 1 - share >= MIN_SCRIPT_SHARE and latin_words and english:
        languages.append("en")
    return languages


def detect(pages: Sequence[str], filename: str = "") -> dict:
    """Metadata of one document from the texts of its pages, in order.

    Pass every page: the type, title, number and issuer come from the first HEAD_PAGES pages, the
    year from the signing date, which Khmer instruments put at the end of their text (with
    annexes after it), so all pages are read for dates. ``filename`` is a weak fallback only.
    Returns title, type (a key of TYPES), year (int or None), number, languages, issuer.
    """
    return {
        "title": detect_title(pages, filename),
        "type": detect_type(pages, filename),
        "year": detect_year(pages, filename),
        "number": detect_number(pages),
        "languages": detect_languages(pages),
        "issuer": detect_issuer(pages),
    }
