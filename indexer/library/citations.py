"""Citations: the older instruments a document names as its legal basis, and the one its title
says it amends, each as type, number, date and title words.

Every Cambodian instrument opens with its legal basis, one "having seen" line per instrument
cited (បានឃើញ; for the King បានទ្រង់យល់): "-បានទ្រង់យល់ព្រះរាជក្រមលេខ ០២/នស/៩៤ ចុះថ្ងៃទី២០
ខែកក្កដា ឆ្នាំ១៩៩៤ ដែលប្រកាសឱ្យប្រើច្បាប់ស្តីពីការរៀបចំនិងការប្រព្រឹត្តទៅនៃគណៈរដ្ឋមន្ត្រី".
A line may wrap; lines that name no instrument (the Prime Minister's submission, "as needed")
are no citation. An amendment's title names what it amends: "វិសោធនកម្ម...នៃច្បាប់ស្តីពី...",
"ការកែសម្រួល...នៃអនុក្រឹត្យលេខ ១០៦ អនក្រ.បក ចុះថ្ងៃទី...".
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import cache

from rapidfuzz.distance import Levenshtein

from indexer.library.metadata.lines import CITATION_LINE, compact_form, loose, page_lines
from indexer.library.metadata.title import cut_title
from indexer.library.metadata.year import KHMER_MONTHS
from indexer.library.numbers import find_numbers
from indexer.text.khmer import fold
from indexer.vocabulary import load_types

#: Pages whose legal basis is read: it follows the heading, on the first page or the next.
BASIS_PAGES = 3
#: Lines one citation may run over.
CITATION_LINES = 3

_ABOUT = re.compile(r"ស្ត[ីិ]\s*(?:អំ)?ព[ីិ]")
_PROMULGATES = re.compile(r"(?:ប្រកាស|ប្រកស)\s*(?:ឱ្យ|អោយ|ឲ្យ|ឲ|ឱ)?\s*(?:\S{0,2})?ប្រ[ើី]")
# ទី ("the N-th") as OCR reads it too: ទិ, ទ័, ទឹ.
_DATE = re.compile(r"(?:ចុះ|ចុ៖|ចុ)?\s*ថ្ងៃ\s*ទ[ីិ័ឹ]\s*(?P<day>\d{1,2})?|ចុះ|dated")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")
#: A line that ends the legal basis: the enacting words, or the promulgated law's paragraph.
_BASIS_END = re.compile(
    r"^\W*(?:សម្រេច|សំរេច|មាត្រា)|^\W*ប្រកាស\S{0,4}ប្រ[ើី]\W*$|រដ្ឋសភាបានអនុម័ត"
    r"|^[\s|.:_]*[-–—_]"  # the next item of the list, one that cites nothing
)
_AMENDS = re.compile(r"វិសោធនកម្ម|ការកែសម្រួល|ការកែសំរួល|ការកែប្រែ")
_OF = re.compile(r"នៃ\s*")
#: One line citing two instruments: "... ច្បាប់ស្តីពីវិនិយោគ និងព្រះរាជក្រមលេខ ... ".
_ANOTHER = re.compile(r"\s*និង\s*(?=(?:ព្រះរាជក្រម|ព្រះរាជក្រឹត្យ|អនុក្រឹត្យ|ប្រកាស)\s*លេខ)")


@dataclass(frozen=True)
class Citation:
    """One cited instrument: its type key ('' unknown), canonical number ('' none), date
    (YYYY-MM-DD, YYYY-MM or YYYY; '' none), title words, relation ("basis" or "amends") and the
    text it was read from."""

    type: str
    number: str
    date: str
    title: str
    relation: str = "basis"
    text: str = ""

    @property
    def year(self) -> int | None:
        return int(self.date[:4]) if self.date[:4].isdigit() else None

    def as_dict(self) -> dict:
        return asdict(self)


@cache
def _cited_types() -> tuple[tuple[str, str], ...]:
    """(loose heading word, type key), longest first: what a citation may name."""
    pairs = {(loose(p), t["key"]) for t in load_types() for p in t["km_patterns"]}
    return tuple(sorted(pairs, key=lambda pair: -len(pair[0])))


def legal_basis(pages: Sequence[str]) -> list[Citation]:
    """The citations of a document's legal-basis lines, in order."""
    citations = []
    for block in _basis_blocks(pages[:BASIS_PAGES]):
        for part in _ANOTHER.split(block):
            citation = parse_citation(part)
            if citation:
                citations.append(citation)
    return citations


def _basis_blocks(pages: Sequence[str]) -> list[str]:
    """Each "having seen" line with the lines it wraps onto."""
    blocks: list[list[str]] = []
    open_block = False
    for page in pages:
        for shown, folded, _ in page_lines(page):
            if CITATION_LINE.match(folded):
                blocks.append([shown])
                open_block = True
            elif open_block and len(blocks[-1]) < CITATION_LINES and not _ends_basis(folded):
                blocks[-1].append(shown)
            else:
                open_block = False
    return [" ".join(block) for block in blocks]


def _ends_basis(folded: str) -> bool:
    return bool(_BASIS_END.search(folded)) or len(compact_form(folded)[0]) < 10


def parse_citation(text: str, relation: str = "basis") -> Citation | None:
    """The instrument a citation names, or None when it names none (a submission, a request)."""
    folded = fold(text)
    kind, after_type = _cited_type(folded)
    dated = _DATE.search(folded, after_type)
    # a number after the date is in the cited instrument's title (what it amends), not its own
    numbers = [n for n in find_numbers(text) if not dated or n.start < dated.start()]
    number = numbers[0] if numbers else None
    royal = ("royal-kram", "royal-decree")
    if number and number.kind and (not kind or kind in royal and number.kind in royal):
        kind = number.kind  # the royal code says which, more surely than the misread word
    if not kind:
        return None
    date = _date(folded[after_type:])
    return Citation(
        type=kind,
        number=number.canonical if number else "",
        date=date,
        title=_title_words(text, folded, after_type),
        relation=relation,
        text=" ".join(text.split()),
    )


def _cited_type(folded: str) -> tuple[str, int]:
    """(type key, offset after the type word) of the first instrument a citation names."""
    compact, offsets = compact_form(folded)
    verb = re.search(r"ឃើញ|ឃើព្យ|យល់|យល|seen", folded)
    start_at = 0
    if verb:
        start_at = next((i for i, off in enumerate(offsets) if off >= verb.end()), len(compact))
    for start in range(start_at, min(len(compact), start_at + 6)):
        for pattern, key in _cited_types():
            slips = 0 if len(pattern) < 7 else 1 if len(pattern) < 10 else 2
            head = compact[start : start + len(pattern)]
            if len(head) == len(pattern) and Levenshtein.distance(head, pattern) <= slips:
                return key, offsets[start + len(pattern) - 1] + 1
    return "", 0


def _date(folded: str) -> str:
    """The first date of a citation as YYYY-MM-DD (or YYYY-MM, or YYYY when that is all OCR
    left), '' when it has none."""
    day_match = _DATE.search(folded)
    rest = folded[day_match.end() :] if day_match else folded
    year = _YEAR.search(rest)
    if not year:
        return ""
    month = _month(rest[: year.start()])
    day = day_match.group("day") if day_match else None
    if month and day and 1 <= int(day) <= 31:
        return f"{year.group(1)}-{month:02d}-{int(day):02d}"
    return f"{year.group(1)}-{month:02d}" if month else year.group(1)


def _month(text: str) -> int | None:
    for number, names in enumerate(KHMER_MONTHS, start=1):
        if any(name in text for name in names):
            return number
    return None


def _title_words(text: str, folded: str, after_type: int) -> str:
    """The cited instrument's title words: the law a kram promulgates ("ដែលប្រកាសឱ្យប្រើច្បាប់
    ស្តីពី..."), else what follows its ស្តីពី ("on")."""
    promulgates = _PROMULGATES.search(folded, after_type)
    if promulgates:
        return cut_title(text[promulgates.end() :])
    about = _ABOUT.search(folded, after_type)
    return cut_title(text[about.start() :]) if about else ""


def amended(title: str) -> Citation | None:
    """What a title says its instrument amends ("វិសោធនកម្ម...នៃច្បាប់ស្តីពី...", "ការកែសម្រួល
    មាត្រា ៨ ... នៃអនុក្រឹត្យលេខ ១០៣ ..."), or None."""
    folded = fold(title)
    amends = _AMENDS.search(folded)
    if not amends:
        return None
    for of in _OF.finditer(folded, amends.end()):
        cited = parse_citation("បានឃើញ" + title[of.end() :], relation="amends")
        if cited:
            return Citation(
                cited.type, cited.number, cited.date, cited.title, "amends", title[of.end() :]
            )
    # "វិសោធនកម្មច្បាប់ស្តីពី..." (the amended law named with no នៃ)
    cited = parse_citation("បានឃើញ" + title[amends.end() :], relation="amends")
    if cited:
        return Citation(cited.type, cited.number, cited.date, cited.title, "amends", cited.text)
    return None


def document_citations(pages: Sequence[str], title: str) -> list[Citation]:
    """A document's legal basis, then what its title says it amends."""
    citations = legal_basis(pages)
    amendment = amended(title)
    return [*citations, amendment] if amendment else citations
