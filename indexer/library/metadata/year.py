"""The year an instrument was signed or adopted, weighed from the dates its pages give."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from indexer.library.metadata.headings import heading
from indexer.library.metadata.lines import (
    CITATION_LINE,
    CITING_WORD,
    HEAD_LINES,
    HEAD_PAGES,
    header_lines,
    page_lines,
    read_pages,
)
from indexer.text.khmer import fold
from indexer.vocabulary import plausible_year

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
        elif _CITED.search(before[-16:]) or CITATION_LINE.match(line):
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
    read = read_pages(pages)
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
    header = "\n".join(folded for _, folded, _ in header_lines(read[0])) if read else ""
    for source in (header[:600], Path(filename).stem):
        years = [int(y) for y in _BARE_YEAR.findall(source) if plausible_year(int(y))]
        if years:
            return years[-1]  # "Holidays for 2019 Sub-Decree 2018": the last is its own
    return None


def _adoption_year(folded_pages: Sequence[str]) -> int | None:
    """Earliest year in a heading (រដ្ឋធម្មនុញ្ញឆ្នាំ១៩៩៣) or uncited full date of the pages."""
    years = []
    for folded in folded_pages:
        years += [year for year, context in _dates(folded) if context in ("plain", "signing")]
        for _, line, _ in page_lines(folded)[:HEAD_LINES]:
            if heading(line):
                years += [int(y) for y in _BARE_YEAR.findall(line) if plausible_year(int(y))]
    return min(years, default=None)


def _royal_code_year(pages: Sequence[str]) -> int | None:
    """Year in the royal code of the first header that has one (នស/រកម/MMYY/NNN: a cover may
    come first), not of a cited instrument."""
    for page in pages:
        for _, folded, _ in header_lines(page):
            code = _ROYAL_CODE_DATE.search(folded)
            cited = code and CITING_WORD.search(folded, code.end(), code.end() + 16)
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
