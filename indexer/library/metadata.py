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

import re
from collections.abc import Iterable, Sequence
from functools import cache
from pathlib import Path

from rapidfuzz.distance import Levenshtein

from indexer.text.khmer import clean, fold, khmer_share
from indexer.vocabulary import OTHER, TYPES, load_types, plausible_year

#: Pages read for the type, title, number and issuer: the heading is on the first page, or on
#: the second after a cover or a Royal Gazette page that ends the previous instrument.
HEAD_PAGES = 3
#: Pages read at the end for the signing date (and the type the text calls itself).
TAIL_PAGES = 2
#: Lines of a page searched for the heading (the header block is short).
HEAD_LINES = 45


# --- Khmer matching, tolerant of OCR -------------------------------------------------------

# OCR confuses these marks; matching folds each pair to one (stored text is never changed).
_LOOSE = str.maketrans({"ឹ": "ិ", "ី": "ិ", "៖": "ះ", "៏": "៍", "ឺ": "ិ", "ួ": "ូ", "ុ": "ូ"})
_KHMER_OR_DIGIT = re.compile(r"[\u1780-\u17d30-9]")


def _lines(page: str) -> list[tuple[str, str, bool]]:
    """(shown, folded, after a blank line) per line: the line as cleaned text, folded for
    matching (same length), and whether a blank line comes before it (OCR and text layers leave
    one between a title and the body under it).

    Each line is cleaned on its own so that line breaks survive in raw text; where lines were
    joined before (a wrap inside a cluster, or text extracted without breaks), a heading may sit
    in the middle of a line, and the heading search allows for that.
    """
    lines, blank = [], False
    for line in page.splitlines():
        shown = clean(line)
        if shown:
            lines.append((shown, fold(shown), blank and bool(lines)))
        blank = not shown
    return lines


def _compact(folded: str) -> tuple[str, list[int]]:
    """Khmer letters and digits only, OCR-confused marks folded, with each kept character's
    offset in ``folded``: the form headings are compared in."""
    loose = folded.translate(_LOOSE)
    kept = [i for i, ch in enumerate(loose) if _KHMER_OR_DIGIT.match(ch)]
    return "".join(loose[i] for i in kept), kept


def _loose(text: str) -> str:
    return _compact(fold(clean(text)))[0]


def _allowed_slips(pattern: str) -> int:
    """OCR slips tolerated in a heading word: none in short words, where one slip makes another
    word (ប្រការ/ប្រកាស), more in long ones."""
    return 0 if len(pattern) < 8 else 1 if len(pattern) < 10 else 2


@cache
def _km_patterns() -> tuple[tuple[str, str], ...]:
    """(loose pattern, type key), longest first so that ប្រកាសអន្តរក្រសួង beats ប្រកាស."""
    pairs = {(_loose(p), t["key"]) for t in load_types() for p in t["km_patterns"]}
    return tuple(sorted(pairs, key=lambda pair: -len(pair[0])))


@cache
def _loose_words(*words: str) -> tuple[str, ...]:
    return tuple(_loose(word) for word in words)


def _is_heading_rest(rest: str) -> bool:
    """What may follow a type word in its heading: nothing much, its number, or ស្តីពី ("on")."""
    about, about_long, number = _loose_words("ស្តីពី", "ស្តីអំពី", "លេខ")
    return (
        len(rest) <= 2
        or any(ch.isdigit() for ch in rest[:8])  # its number, or ឆ្នាំ១៩៩៣ as OCR reads it
        or number in rest[:5]
        or "លខ" in rest[:5]
        or about in rest[:10]
        or about_long in rest[:10]
    )


def _is_heading_start(before: str) -> bool:
    """Whether a type word at this point of a joined line starts a heading: at the line's
    start, or right after the header it was joined to (kingdom, motto, government or ministry,
    number); not after "having seen", "promulgates", "of", "this"..."""
    if len(before) <= 2 or before.isdigit():  # nothing, or the number OCR left of it
        return True
    if len(before) <= 8 and any(ch.isdigit() for ch in before):  # a royal code left of it
        return True
    enders = _loose_words("ព្រះមហាក្សត្រ", "កម្ពុជា", "រាជរដ្ឋាភិបាល", "អនក្របក", "ប្រក")
    if before.endswith(enders):
        return True
    ministry, government, number = _loose_words("ក្រសួង", "រាជរដ្ឋាភិបាល", "លេខ")
    return before.startswith((ministry, government, number)) and len(before) < 40


def _find_heading(folded: str) -> tuple[str, int] | None:
    """(type key, offset in the line) of the first heading in a folded line, or None.

    A heading is a type word alone, or followed by its number or by ស្តីពី ("on"); body text
    that merely contains a type word (ប្រកាសឱ្យប្រើ... "promulgates", អនុក្រឹត្យនេះ "this
    sub-decree") is not one.
    """
    compact, offsets = _compact(folded)
    if len(compact) < 3:
        return None
    for start in range(len(compact) - 2):
        if not _is_heading_start(compact[:start]):
            continue
        for pattern, key in _km_patterns():
            if _matches_at(compact, start, pattern):
                return key, offsets[start]
    return None


def _matches_at(compact: str, start: int, pattern: str) -> bool:
    slips = _allowed_slips(pattern)
    if compact[start] != pattern[0] and not slips:
        return False
    for size in sorted({len(pattern), len(pattern) - slips, len(pattern) + slips}):
        head, rest = compact[start : start + size], compact[start + size :]
        exact = head == pattern
        if exact or (slips and Levenshtein.distance(head, pattern, score_cutoff=slips) <= slips):
            return _is_heading_rest(rest)
    return False


# Royal codes in the header: នស/រកម (royal kram), នស/រកត (royal decree); OCR often mangles
# the first letters, so the part after the slash decides.
_ROYAL_CODE = re.compile(r"/\s*(រកម|រកត|រ\.ក\.ម|រ\.ក\.ត|rkm|rkt)(?![\u1780-\u17ff])")
_ROYAL_CODE_TYPE = {"រកម": "royal-kram", "រ.ក.ម": "royal-kram", "rkm": "royal-kram"}
#: "Having seen ..." (បានឃើញ, for the King បានទ្រង់យល់) opens each citation of an older
#: instrument; OCR often garbles the first letters, so the end of the word decides.
_CITATION_LINE = re.compile(
    r"^[\W\d]*[\u1780-\u17ff]{0,4}(?:ឃើញ|ឃើព្យ|ទ្រង់យល|ទ្រងំយល|ទ្រង័យល|ទ្រង៉យល)"
    r"|^\W*(?:having )?seen\b"
)


def _header_lines(page: str) -> list[tuple[str, str, bool]]:
    """The `_lines` of a page before its first "having seen" citation: the header, where
    headings live."""
    lines = []
    for line in _lines(page)[:HEAD_LINES]:
        if _CITATION_LINE.match(line[1]):
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


#: One trailing token that is not the title's own words: a year, a date, a number, "(Repealed)".
_TITLE_TAIL = re.compile(
    r"[\s,_(\-]*(?:\(?(?:repealed|amended|unofficial|draft|translation|english)\)?"
    r"|\(?[\d./\-]+\)?|no\.?)\s*$",
    re.I,
)
_EN_HEADING = re.compile(
    r"^\W*(?:the\s+)?(?P<type>[a-z][a-z -]*?)\s*"
    r"(?:(?:\b(?:no|number|on|of|concerning|regarding|dated)\b|#|\().*)?$",
    re.I,
)


def type_of_title(title: str) -> str:
    """Type key of an English or Khmer title line ("... Sub-Decree 2013", "Law on ...").

    English titles name the type at their end ("Investment Law 1994") or their start ("Sub-Decree
    No. 148 on ..."); the end wins, as in the catalogue titles the vocabulary was measured on.
    """
    found = _find_heading(fold(clean(title)))
    if found:
        return found[0]
    stem = title
    while (shorter := _TITLE_TAIL.sub("", stem, count=1)) != stem:
        stem = shorter
    stem = stem.strip(" -–,:;.")
    matches = list(_en_alternation().finditer(stem))
    if not matches:
        return OTHER
    first, last = matches[0], matches[-1]
    if stem[last.end() :].strip() == "":
        return _en_key(last.group())
    if stem[: first.start()].strip().lower() in ("", "the", "draft", "joint", "the draft"):
        return _en_key(first.group())
    return _en_key(last.group())


def _english_heading(folded: str) -> str | None:
    """The type an English heading line names ("sub-decree no. 148", "law on investment")."""
    match = _EN_HEADING.match(folded)
    if not match:
        return None
    key = _en_key(match.group("type").strip(" -"))
    return key if key != OTHER else None


def _heading(folded: str) -> tuple[str, int] | None:
    """(type key, offset) of a Khmer or English heading in a folded line."""
    found = _find_heading(folded)
    if found:
        return found
    key = _english_heading(folded)
    return (key, 0) if key else None


# --- Type ----------------------------------------------------------------------------------

#: Lines at the top of a later page searched for a heading (a cover, or a law after its kram).
TOP_LINES = 8
_PROMULGATED = ("law", "constitution")
#: A document longer than this that opens with a royal kram holds the law the kram promulgates.
KRAM_PAGES = 1


def detect_type(pages: Sequence[str], filename: str = "") -> str:
    """Instrument type key; "other" when nothing names one.

    In order of trust: the heading in the header of the first page; the royal code of that
    header (នស/រកម is a kram, នស/រកត a royal decree); the type the text calls itself ("this
    sub-decree", អនុក្រឹត្យនេះ), which survives OCR that loses the heading; a heading at the top
    of the second or third page (after a cover); the file name. A royal kram over the
    text of a law is that law: every law is published under the kram that promulgates it, and a
    kram alone is a page or so.
    """
    head = list(pages[:HEAD_PAGES])
    named = _self_reference(head + list(pages[HEAD_PAGES:][-TAIL_PAGES:]))
    first = _heading_type(head[:1], HEAD_LINES) or _royal_code_type(head[:1])
    first = first or named or _heading_type(head[1:], TOP_LINES)
    if first == "royal-kram" and (named in _PROMULGATED or len(pages) > KRAM_PAGES):
        return named if named in _PROMULGATED else "law"
    return first or _type_from_filename(filename) or OTHER


def _heading_type(pages: Sequence[str], lines: int) -> str | None:
    for page in pages:
        for _, folded, _ in _header_lines(page)[:lines]:
            found = _heading(folded)
            if found:
                return found[0]
    return None


def _royal_code_type(pages: Sequence[str]) -> str | None:
    for page in pages:
        for _, folded, _ in _header_lines(page):
            code = _ROYAL_CODE.search(folded)
            if code:
                return _ROYAL_CODE_TYPE.get(code.group(1), "royal-decree")
    return None


@cache
def _self_reference_pattern() -> re.Pattern[str]:
    """ "<type word>នេះ" ("this sub-decree") over loose text, longest type word first."""
    this = _loose("នេះ")
    words = "|".join(re.escape(pattern) for pattern, _ in _km_patterns())
    return re.compile(f"({words}){this}")


def _self_reference(pages: Sequence[str]) -> str | None:
    """The type the text most often calls itself ("this law", "this sub-decree"), or None."""
    keys = dict((pattern, key) for pattern, key in _km_patterns())
    counts: dict[str, int] = {}
    for page in pages:
        for match in _self_reference_pattern().finditer(_loose(page)):
            key = keys[match.group(1)]
            counts[key] = counts.get(key, 0) + 1
    return max(counts, key=counts.get) if counts else None


def _type_from_filename(filename: str) -> str | None:
    """A weak last resort: a type word in the file name (file names lie, so only this late)."""
    words = re.sub(r"[^a-z]+", " ", Path(filename).stem.lower())
    words = re.sub(r"\bsub ?decree", "sub-decree", words).replace("royaldecree", "royal decree")
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
ENGLISH_MONTHS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
#: Lunar months in calendar order from មិគសិរ (about December); the Buddhist era year turns at
#: ពិសាខ (about May), so BE − 543 before it and BE − 544 from it.
LUNAR_MONTHS = (
    "មិគសិរ", "បុស្ស", "មាឃ", "ផល្គុន", "ចេត្រ", "ពិសាខ",
    "ជេស្ឋ", "អាសាឍ", "ស្រាពណ៍", "ភទ្របទ", "អស្សុជ", "កត្តិក",
)  # fmt: skip
_BEFORE_NEW_ERA = frozenset(LUNAR_MONTHS[1:5])  # បុស្ស..ចេត្រ: January to April

_KM_MONTH = "|".join(sorted((m for names in KHMER_MONTHS for m in names), key=len, reverse=True))
_EN_MONTH = "|".join(ENGLISH_MONTHS)
_DATE = re.compile(
    rf"(?:ខែ|ខៃ|ទៃ|ខេ)?\s*(?:{_KM_MONTH})[^\d\n]{{0,8}}?(?P<km_year>\d{{4}})(?!\d)"
    rf"|(?:{_EN_MONTH})(?:\s+\d{{1,2}}(?:st|nd|rd|th)?)?,?\s+(?P<en_year>\d{{4}})(?!\d)"
)
_SIGNING = re.compile(r"ធ្វើនៅ|ភ្នំពេញ|រាជវាំង|វាំង|អនុម័ត|done at|made at|phnom penh|adopted|signed")
_CITED = re.compile(r"(?:ចុះ|ចុ|dated|of|on)\s*(?:ថ្ងៃ\S{0,3})?\s*[\d\w]{0,3}\s*$")
_CITING_WORD = re.compile(r"ចុះ|ចុ|dated")
_GAZETTE = re.compile(r"រាជកិច្ច|រាជកម្ច|royal gazette")
_CHRISTIAN_ERA = re.compile(r"គ\.?\s*ស\.?\s*(\d{4})(?!\d)")
_BUDDHIST_ERA = re.compile(r"ព\.?\s*ស\.?\s*(25\d\d)(?!\d)")
_ROYAL_CODE_DATE = re.compile(r"/\s*(?:រកម|រកត|rkm|rkt)\W*(\d\d)(\d\d)")
_BARE_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")


def _dates(folded: str) -> Iterable[tuple[int, str]]:
    """(year, context) for each full date in folded text; context is "signing", "cited",
    "gazette" (the Royal Gazette page header) or "plain"."""
    for match in _DATE.finditer(folded):
        year = int(match.group("km_year") or match.group("en_year"))
        if not plausible_year(year):
            continue
        line_start = folded.rfind("\n", 0, match.start()) + 1
        line_end = folded.find("\n", match.end())
        line = folded[line_start : line_end if line_end >= 0 else len(folded)]
        before = folded[max(0, match.start() - 60) : match.start()]
        if _GAZETTE.search(line):
            yield year, "gazette"
        elif _CITED.search(before[-16:]) or _CITATION_LINE.match(line):
            yield year, "cited"
        elif _SIGNING.search(before):
            yield year, "signing"
        else:
            yield year, "plain"


#: Weight of each kind of evidence for the year, and its rank when weights tie. A signing
#: date read wrong by OCR (៤ and ៨ look alike) is outvoted by the cover's Christian-era year
#: and the Buddhist-era year, which agree with each other.
YEAR_EVIDENCE = {
    "signing": (3, 5),
    "gazette": (3, 4),
    "christian-era": (3, 3),
    "royal-code": (2, 2),
    "plain": (1, 1),
    "buddhist-era": (1, 0),
}
#: Plain dates are many in some texts (deadlines, periods); each year counts this many times.
MAX_PLAIN_VOTES = 2


def detect_year(pages: Sequence[str], filename: str = "", type_key: str = "") -> int | None:
    """Year the instrument was signed or adopted, or None.

    Reads the first HEAD_PAGES and last TAIL_PAGES pages and weighs the evidence (YEAR_EVIDENCE):
    dates after "done at/Phnom Penh/adopted" (the signing block), the Royal Gazette page header,
    the Christian-era year of a cover (គ.ស. ១៩៩៤), the month-year in the header's royal code
    (នស/រកម/0508/017 is May 2008), other full dates, the Buddhist-era year (ព.ស.) converted
    to the Gregorian one. Dates of cited instruments ("ចុះថ្ងៃទី ...", "dated") count for
    nothing, and the lunar date line (ថ្ងៃ... កើត ខែមាឃ ឆ្នាំរោង ...) names no Gregorian month,
    so it never passes for a signing date. With no evidence: the last year in the header lines, then
    one in the file name. A constitution keeps its year of adoption, the first date it gives,
    however often amended: its consolidated editions end with the latest amendment's signature.
    """
    read = _pages_read(pages)
    folded_pages = [fold(page) for page in read]
    head = "\n".join(folded_pages[:HEAD_PAGES])
    if type_key == "constitution":
        adopted = _adoption_year(folded_pages[:HEAD_PAGES])
        if adopted:
            return adopted
    votes: dict[int, list[int]] = {}

    def vote(year: int, kind: str) -> None:
        weight, rank = YEAR_EVIDENCE[kind]
        total, best = votes.get(year, [0, -1])
        votes[year] = [total + weight, max(best, rank)]

    plain: dict[int, int] = {}
    gazette = set()
    for folded in folded_pages:
        for year, context in _dates(folded):
            if context == "signing":
                vote(year, "signing")
            elif context == "gazette":
                gazette.add(year)
            elif context == "plain" and plain.get(year, 0) < MAX_PLAIN_VOTES:
                plain[year] = plain.get(year, 0) + 1
                vote(year, "plain")
    for year in gazette:
        vote(year, "gazette")
    for year in {int(y) for y in _CHRISTIAN_ERA.findall(head) if plausible_year(int(y))}:
        vote(year, "christian-era")
    code_year = _royal_code_year(read[:HEAD_PAGES])
    if code_year:
        vote(code_year, "royal-code")
    buddhist = _buddhist_year("\n".join(folded_pages))
    if buddhist:
        vote(buddhist, "buddhist-era")
    if votes:
        return max(votes, key=lambda year: tuple(votes[year]))
    header = "\n".join(folded for _, folded, _ in _header_lines(read[0])) if read else ""
    for source in (header[:600], Path(filename).stem):
        years = [int(y) for y in _BARE_YEAR.findall(source) if plausible_year(int(y))]
        if years:
            return years[-1]  # "Holidays for 2019 Sub-Decree 2018": the last is its own
    return None


def pages_read(count: int) -> list[int]:
    """0-based indices of the pages detection reads in a document of ``count`` pages: the first
    HEAD_PAGES and the last TAIL_PAGES. Other pages may be passed; they are not read."""
    return list(range(min(count, HEAD_PAGES))) + list(range(count)[HEAD_PAGES:][-TAIL_PAGES:])


def _pages_read(pages: Sequence[str]) -> list[str]:
    return [pages[i] for i in pages_read(len(pages))]


def _adoption_year(folded_pages: Sequence[str]) -> int | None:
    """Earliest year in a heading (រដ្ឋធម្មនុញ្ញឆ្នាំ១៩៩៣) or uncited full date of the pages."""
    years = []
    for folded in folded_pages:
        years += [year for year, context in _dates(folded) if context in ("plain", "signing")]
        for _, line, _ in _lines(folded)[:HEAD_LINES]:
            if _heading(line):
                years += [int(y) for y in _BARE_YEAR.findall(line) if plausible_year(int(y))]
    return min(years, default=None)


def _royal_code_year(pages: Sequence[str]) -> int | None:
    """Year in the royal code of the first header that has one (នស/រកម/MMYY/NNN: a cover may
    come first), not of a cited instrument."""
    for page in pages:
        for _, folded, _ in _header_lines(page):
            code = _ROYAL_CODE_DATE.search(folded)
            cited = code and _CITING_WORD.search(folded, code.end(), code.end() + 16)
            if code and not cited and 1 <= int(code.group(1)) <= 12:
                year = int(code.group(2))
                return 2000 + year if year < 50 else 1900 + year
    return None


def _buddhist_year(folded: str) -> int | None:
    """Gregorian year of the first Buddhist-era year (ព.ស. 25xx), using the lunar month on the
    same line when there is one: BE − 543 from បុស្ស to ចេត្រ, BE − 544 otherwise."""
    match = _BUDDHIST_ERA.search(folded)
    if not match:
        return None
    line = folded[folded.rfind("\n", 0, match.start()) + 1 : match.start()]
    early = any(month in line for month in _BEFORE_NEW_ERA)
    year = int(match.group(1)) - (543 if early else 544)
    return year if plausible_year(year) else None


# --- Number, title, issuer, languages -------------------------------------------------------

_NUMBER_PATTERNS = (
    # royal codes: នស/រកម/0508/017, NS/RKT/0605/267
    re.compile(r"(?:[នឧជ]ស|ន\.ស|ns)\s*/+\s*(?:រកម|រកត|rkm|rkt)\s*/+\s*\d{3,4}\s*/+\s*\d{1,4}"),
    # Khmer "លេខ 40 អនក្រ.បក", "លេខ 065 ប្រក", "លេខ 034 សរ.មផ": a code, then maybe the issuing
    # body's ("មផ", the Ministry of Interior); a code runs into no other letter ("ប្រកាស")
    re.compile(r"(?<=លេខ)\s*[:៖.]?\s*\d{1,5}\s*[\u1780-\u17d3.\s/]{0,14}?"
               r"(?:អនក្រ\.?\s*បក|សរណន|អនក្រ|ប្រក|សជណ|សសរ|សរ|សណ|ក\.?ប|ច\.?ល)(?![\u1780-\u17d2])"
               r"(?:\s*\.\s*[\u1780-\u17d2]{1,4}(?![\u1780-\u17d2]))?\.?"),
    # English "No. 148 ANK/BK", "#148 ANKr.BK", "#17 (ANK/BK)"
    re.compile(r"(?:(?<=\bno\.)|(?<=#))\s*\d{1,5}\s*\(?[a-z][a-z./]{1,12}\)?"),
)  # fmt: skip
_KHMER_DIGITS = str.maketrans({chr(0x17E0 + d): str(d) for d in range(10)})


def detect_number(pages: Sequence[str]) -> str:
    """Reference number of the instrument, from its header ('' when not found); digits ASCII.

    The header ends at the title (ស្តីពី, "on"): numbers in the title and after it belong to
    the instruments it amends or cites ("... នៃអនុក្រឹត្យលេខ ១០៣ ... ចុះថ្ងៃទី ...").
    """
    for page in pages[:HEAD_PAGES]:
        for shown, folded, _ in _header_lines(page):
            about = _ABOUT.search(folded)
            before_title = folded[: about.start()] if about else folded
            # The English pattern is last: on a Khmer line, Latin is OCR crumbs ("#1 lime").
            khmer_line = khmer_share(shown) >= 0.5
            for pattern in _NUMBER_PATTERNS[:-1] if khmer_line else _NUMBER_PATTERNS:
                for match in pattern.finditer(before_title):
                    if _CITING_WORD.search(folded, match.end(), match.end() + 16):
                        continue
                    number = shown[match.start() : match.end()].translate(_KHMER_DIGITS)
                    number = re.sub(r"\s*/\s*", "/", " ".join(number.split()))
                    number = re.sub(r"(?<=[\u1780-\u17ff])\s*\.\s*(?=[\u1780-\u17ff])", ".", number)
                    return number.strip(" :៖.")
            if about:
                return ""
    return ""


_HEADER_NOISE = re.compile(r"ព្រះរាជាណាចក្រ|ជាតិសាសនា|រាជកិច្ច|kingdom of cambodia|nation religion")
_TITLE_STOP = re.compile(
    r"រាជរដ្ឋាភិបាល(?!កម្ពុជា|នៃ)|បានឃើញ|បានទ្រង់យល់|យើង|ជំពូក|មាត្រា|ប្រការ|ឧបនាយករដ្ឋមន្ត្រី|"
    r"ព្រះករុណា|ព្រះបាទ|ព្រូះបាទ|"  # the King's titles, under a kram's or royal decree's heading
    r"\bchapter|\barticle|\bthe royal government|\bhaving seen"
)
_ABOUT = re.compile("ស្តីពី|ស្តីអំពី|\\bon\\b")
#: A line under a heading that starts the body, not the title: a numbered section ("1.", "១.")
#: or a byline ("Prepared for ...", "Phnom Penh, ...").
_BODY_LINE = re.compile(r"\(?\d{1,2}\s*[.)]\s|(?:prepared|adopted|issued|done|phnom penh)\b")
_LEADING_CRUMBS = re.compile(r"^[\W\d_]+")
_KHMER_WORD_OR_NUMBER = re.compile(r"[\u1780-\u17d3]|^\(?[\d./\-]+\)?$")
#: Longest title kept; OCR of a scan with no clear heading would otherwise yield a paragraph.
MAX_TITLE = 250


def _usable_line(shown: str) -> bool:
    """Whether a line carries words rather than OCR crumbs or the kingdom's header."""
    return sum(ch.isalpha() for ch in shown) >= 3 and not _HEADER_NOISE.search(fold(shown))


def detect_title(pages: Sequence[str], filename: str = "", type_key: str = "") -> str:
    """Title: the heading (of ``type_key`` when given) with the lines under it; else, when OCR
    lost the heading, the type's Khmer name over the ស្តីពី ("on") lines; else the first line
    of words; else the file name."""
    where = [(page, HEAD_LINES if i == 0 else TOP_LINES) for i, page in enumerate(pages[:3])]
    for page, depth in where:
        lines = _title_candidates(page, depth)
        for i, (shown, folded, _) in enumerate(lines):
            found = _heading(folded)
            if found and found[0] in (type_key or found[0], "royal-kram"):
                start = shown[found[1] :]
                return _cut_title(" ".join([start, *_title_lines(start, lines[i + 1 : i + 5])]))
    name = {t["key"]: t["km"] for t in TYPES}.get(type_key, "") if type_key != OTHER else ""
    lines = _title_candidates(pages[0]) if pages else []
    for i, (_, folded, _) in enumerate(lines):
        if _ABOUT.search(_LEADING_CRUMBS.sub("", folded)[:8]):
            return _cut_title(" ".join([name, *_title_lines("", lines[i : i + 4])]))
    for shown, _, _ in lines:
        if len(shown) >= 8:
            return _cut_title(shown)
    return Path(filename).stem.replace("_", " ") if filename else ""


def _title_candidates(page: str, depth: int = HEAD_LINES) -> list[tuple[str, str, bool]]:
    """The header's first ``depth`` lines, those with words."""
    return [line for line in _header_lines(page)[:depth] if _usable_line(line[0])]


def _title_lines(start: str, lines: list[tuple[str, str, bool]]) -> list[str]:
    """The shown lines that go on a title begun with ``start``, up to the first that starts the
    body: a numbered section, a byline, or, once the title names its subject, a new paragraph
    (a heading alone names none unless its own ស្តីពី is followed by words)."""
    taken: list[str] = []
    for shown, folded, after_blank in lines:
        named = (taken or _ABOUT.search(fold(start))) and _names_subject([start, *taken])
        if _BODY_LINE.match(folded) or after_blank and named:
            break
        taken.append(shown)
    return taken


def _names_subject(parts: list[str]) -> bool:
    """Whether a title has words after its ស្តីពី ("on"), or has words at all when it has none."""
    folded = fold(" ".join(parts))
    about = _ABOUT.search(folded)
    return sum(ch.isalpha() for ch in folded[about.end() if about else 0 :]) >= 6


def _cut_title(text: str) -> str:
    """The title up to where the enacting words or the articles begin, without OCR crumbs."""
    stop = _TITLE_STOP.search(fold(text), 8)
    words = (text[: stop.start()] if stop else text).split()
    if khmer_share(text) >= 0.5:  # Latin and symbols in a Khmer title are OCR crumbs
        words = [word for word in words if _KHMER_WORD_OR_NUMBER.search(word)]
    return " ".join(words).strip(" -–|:;,.\"'“”*_")[:MAX_TITLE]


_ISSUERS = re.compile(
    r"ក្រសួង[\u1780-\u17d3 ]{2,60}|រាជរដ្ឋាភិបាល(?:កម្ពុជា)?|ទីស្តីការគណៈរដ្ឋមន្ត្រី|"
    r"រដ្ឋសភា|ព្រឹទ្ធសភា|ក្រុមប្រឹក្សា[\u1780-\u17d3 ]{2,60}|"
    r"គណៈកម្មាធិការ[\u1780-\u17d3 ]{2,60}|ធនាគារជាតិនៃកម្ពុជា|"
    r"សាលា(?:រាជធានី|ខេត្ត|ក្រុង|ស្រុក|ខណ្ឌ)[\u1780-\u17d3 ]{2,40}|"
    r"royal government of cambodia|ministry of [a-z ,&]+|national assembly|senate|"
    r"council (?:of|for) [a-z ,&]+|national bank of cambodia"
)
_MOTTO = re.compile(r"ជាតិ\s*សាសនា\s*ព្រះមហាក្សត្រ|ព្រះរាជាណាចក្រកម្ពុជា")


def detect_issuer(pages: Sequence[str]) -> str:
    """The issuing body named in the header (ministry, Royal Government...), '' when none: not
    in the numbered sections of a body with no "having seen" lines to end the header."""
    for page in pages[:1]:
        for shown, folded, _ in _header_lines(page):
            if _BODY_LINE.match(folded):
                break
            folded = _MOTTO.sub(lambda m: " " * len(m.group()), folded)
            match = _ISSUERS.search(folded)
            if match and match.start() <= 3 or match and _MOTTO.search(fold(shown)):
                issuer = shown[match.start() : match.end()]
                return _cut_title(re.split(r"\s{2,}|[|/]", issuer.strip())[0])
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
    """Metadata of one document from the texts of its pages, in order (raw or `khmer.clean`ed).

    Pass every page: the type, title, number and issuer come from the first HEAD_PAGES pages, the
    year from the signing date, which Khmer instruments put at the end of their text (with
    annexes after it), so all pages are read for dates. ``filename`` is a weak fallback only.
    Returns title, type (a key of TYPES), year (int or None), number, languages, issuer.
    """
    kind = detect_type(pages, filename)
    return {
        "title": detect_title(pages, filename, kind),
        "type": kind,
        "year": detect_year(pages, filename, kind),
        "number": detect_number(pages),
        "languages": detect_languages(pages),
        "issuer": detect_issuer(pages),
    }
