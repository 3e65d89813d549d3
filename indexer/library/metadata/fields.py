"""Number, issuer and languages of a document, from its header and its text."""

from __future__ import annotations

import re
from collections.abc import Sequence

from indexer.library import numbers
from indexer.library.metadata.lines import (
    ABOUT,
    BODY_LINE,
    CITATION_LINE,
    CITING_WORD,
    HEAD_LINES,
    HEAD_PAGES,
    header_lines,
    page_lines,
)
from indexer.library.metadata.title import cut_title
from indexer.library.numbers import find_numbers
from indexer.text.khmer import fold, khmer_share

_NUMBER_PATTERNS = (
    # royal codes: នស/រកម/0508/017, NS/RKT/0605/267
    re.compile(r"(?:[នឧជ]ស|ន\.ស|ns)\s*/+\s*(?:រកម|រកត|rkm|rkt)\s*/+\s*\d{3,4}\s*/+\s*"
               r"\d(?:[\u17c6-\u17d3]?\d){0,3}(?!\s?\d)"),
    # Khmer "លេខ 40 អនក្រ.បក", "លេខ 065 ប្រក", "លេខ 034 សរ.មផ": a code, then maybe the issuing
    # body's ("មផ", the Ministry of Interior); a code runs into no other letter ("ប្រកាស")
    re.compile(r"(?<=លេខ)\s*[:៖.]?\s*\d{1,5}\s*[\u1780-\u17d3.\s/]{0,14}?"
               r"(?:អនក្រ\.?\s*បក|សរណន|អនក្រ|ប្រក|សជណ|សសរ|សរ|សណ|ក\.?ប|ច\.?ល)(?![\u1780-\u17d2])"
               r"(?:\s*\.\s*[\u1780-\u17d2]{1,4}(?![\u1780-\u17d2]))?\.?"),
    # English "No. 148 ANK/BK", "#148 ANKr.BK", "#17 (ANK/BK)"
    re.compile(r"(?:(?<=\bno\.)|(?<=#))\s*\d{1,5}\s*\(?[a-z][a-z./]{1,12}\)?"),
)  # fmt: skip
_KHMER_DIGITS = str.maketrans({chr(0x17E0 + d): str(d) for d in range(10)})


def detect_number(pages: Sequence[str], kind: str = "", year: int | None = None) -> str:
    """Reference number of the instrument ('' when not found): as its header writes it, digits
    ASCII; else, where OCR mangled the header's layout, the first number in a form
    `indexer.library.numbers` knows anywhere in the header, or on the heading line a Gazette
    page prints under the end of the instrument before ("អនុក្រឹត្យលេខ ៤០ អនក្រ.បក"), in its
    canonical form. With the document's type and year, a royal number whose date cannot be
    the instrument's is dropped (a wrong number is worse than none), and its code letter, when
    OCR garbled it, is the one the type says."""
    written = _written_number(pages)
    if written and (number := _checked(written, kind, year, as_written=True)):
        return number
    for found in (_known_number(pages), _heading_number(pages)):
        if found and (number := _checked(found, kind, year, as_written=False)):
            return number
    return _garbled_royal_number(pages, kind, year)


#: A royal number whose code letters OCR garbled ("ជំរកយ១១៩៧/០៦" for នស/រកម/១១៩៧/០៦): letters,
#: then the month and year, a slash and the serial, on a line of the header. With the slash
#: lost ("ជលរក១១៩៧០៦") the serial is the digits after the month and year only when they start
#: with a zero, as printed serials do: a slash read as a digit ("០៣០០១១០" for ០៣០០/១០) makes
#: a serial that does not.
_GARBLED_ROYAL = re.compile(
    r"(?<![\d/])[\u1780-\u17ff]{2,6}\s*/?\s*(?P<date>\d{4})"
    r"(?:\s*/\s*(?P<serial>\d{1,3})|(?P<run>0\d{1,2}))"
    r"(?![\d/])(?!\s?\d)"  # a serial a space and a digit follow is cut short: no number
)


def _garbled_royal_number(pages: Sequence[str], kind: str, year: int | None) -> str:
    """For a law, a royal kram or decree: a number of the royal form whose code OCR garbled,
    in the header of the first pages, its code the one the type says; '' when none, or when
    its month is no month or its year not the instrument's."""
    code = _ROYAL_CODE_OF.get(kind)
    if not code:
        return ""
    for page in pages[:HEAD_PAGES]:
        for _, folded, _ in header_lines(page)[:HEAD_LINES]:
            match = _GARBLED_ROYAL.search(folded)
            if not match or _is_cited(folded, match.start(), match.end()):
                continue
            serial = match.group("serial") or match.group("run")
            number = f"NS/{code}/{match.group('date')}/{int(serial)}"
            month = int(match.group("date")[:2])
            lost = _lost_serial_digit(match.group(), number, year)
            if numbers.plausible(number, year) and 1 <= month <= 12 and not lost:
                return number
    return ""


#: The code letters of royal numbers, clean: anything else between នស and the date is a guess.
_CLEAN_ROYAL_CODE = re.compile(r"(?:ស|s)[\s/.]{0,3}(?:រ\.?ក\.?[មត]|rk[mt])[\s/.]", re.I)
#: The royal code an instrument of a type is numbered by (a law by its royal kram's).
_ROYAL_CODE_OF = {"law": "RKM", "royal-kram": "RKM", "royal-decree": "RKT"}


def _checked(found: str, kind: str, year: int | None, as_written: bool) -> str:
    """The number to keep for ``found`` (a number's text as the page shows it): as written
    (digits ASCII) or canonical, or canonical wherever reading it as printed changed it (a
    garbled royal code letter set by the type, Latin digits in a Khmer number); '' when it
    cannot be the instrument's: a royal date that is no month or not of its year."""
    parsed = find_numbers(found)
    shown = _as_written(found)
    if not parsed:
        return shown if as_written else ""
    canonical = parsed[0].canonical
    if not numbers.plausible(canonical, year) or _lost_serial_digit(found, canonical, year):
        return ""
    if canonical.startswith("NS/"):
        _, code, date, serial = canonical.split("/")
        wanted = _ROYAL_CODE_OF.get(kind)
        if wanted and wanted != code and not _CLEAN_ROYAL_CODE.search(fold(found) + " "):
            return f"NS/{wanted}/{date}/{serial}"
    if not as_written or canonical != numbers.canonical(shown):
        return canonical
    return shown


#: From this year on, royal numbers print their serial with numbers.SERIAL_DIGITS digits
#: (នស/រកម/០៦០០/០០១); the 1990s' had two (០២/នស/៩៤, នស/រកម/០១៩៦/០២).
PADDED_SERIALS_FROM = 2000


def _lost_serial_digit(found: str, canonical: str, year: int | None) -> bool:
    """Whether OCR lost a digit of a padded royal serial: "០១" or "៥" where "០១៩" or "២៧៥"
    was printed cannot say which, and a wrong number is worse than none ("១០" may be "០១០"
    with its zero lost: the same number, or one printed before the padding, as in March 2000)."""
    if not canonical.startswith("NS/") or not year or year < PADDED_SERIALS_FROM:
        return False
    serial = re.search(r"(\d[\d\u17c6-\u17d3]*)\D*$", fold(found))
    digits = re.sub(r"\D", "", serial.group(1)) if serial else ""
    return len(digits) < numbers.SERIAL_DIGITS and (digits.startswith("0") or len(digits) == 1)


def _as_written(found: str) -> str:
    """A number as its header writes it, digits ASCII, separators tidied."""
    number = found.translate(_KHMER_DIGITS)
    number = re.sub(r"(?<=\d)[\u17c6-\u17d3](?=\d)", "", number)  # ១៦់៤: a mark OCR put in
    number = re.sub(r"\s*/\s*", "/", " ".join(number.split()))
    number = re.sub(r"(?<=[\u1780-\u17ff])\s*\.\s*(?=[\u1780-\u17ff])", ".", number)
    return number.strip(" :៖.")


#: A Gazette heading with its number: an instrument type word (as OCR reads it: អនុត្រីត្ស),
#: លេខ, then the number at once.
_HEADING_WITH_NUMBER = re.compile(
    r"^\W{0,3}(?:អនុ|ព្រះរាជ|ប្រកាស|សេចក្តីសម្រេច)[\u1780-\u17d3]{0,10}?\s*(?:លេខ|លខ)\s*[:៖.]?\s*"
)


def _heading_number(pages: Sequence[str]) -> str:
    """The number on the first page's heading line as the Royal Gazette prints it when the page
    opens with the end of the instrument before: "អនុក្រឹត្យលេខ ៤០ អនក្រ.បក", then ស្តីពី."""
    for shown, folded, _ in page_lines(pages[0])[:HEAD_LINES] if pages else []:
        heading = _HEADING_WITH_NUMBER.match(folded)
        if not heading or CITATION_LINE.match(folded):
            continue
        for number in find_numbers(shown):
            if number.start == heading.end() and not _is_cited(folded, number.start, number.end):
                return shown[number.start : number.end]
    return ""


_ARTICLE = re.compile(r"^\W*មាត្រា")
_OF = re.compile("នៃ|នែ")
#: Characters before a number searched for នៃ ("of"): "នៃអនុក្រឹត្យលេខ ១០៣" as OCR garbles it
#: ("នៃអនុក្រីត្យ្សរលំ ១០៣", 18) names what an amendment amends, not its own number.
_OF_WINDOW = 24


def _is_cited(folded: str, start: int, end: int) -> bool:
    """Whether the number at start:end of a header line is another instrument's: followed by
    ចុះ ("dated") or preceded by នៃ ("of")."""
    return bool(
        CITING_WORD.search(folded, end, end + 16)
        or _OF.search(folded[max(0, start - _OF_WINDOW) : start])
    )


def _known_number(pages: Sequence[str]) -> str:
    """The canonical form of the first number of a known form in the header lines of the first
    pages before the title's ស្តីពី ("on"), not a cited one (followed by ចុះ "dated", or the
    "នៃ អនុក្រឹត្យលេខ ..." "of sub-decree no." of what an amendment amends)."""
    for page in pages[:HEAD_PAGES]:
        for shown, folded, _ in header_lines(page):
            if _ARTICLE.match(folded):  # a page of articles: the header is elsewhere
                break
            about = ABOUT.search(folded)
            for number in find_numbers(shown[: about.start()] if about else shown):
                if not _is_cited(folded, number.start, number.end):
                    return shown[number.start : number.end]
            if about:
                break
    return ""


def _written_number(pages: Sequence[str]) -> str:
    """The number as the header writes it ('' when not found).

    The header ends at the title (ស្តីពី, "on"): numbers in the title and after it belong to
    the instruments it amends or cites ("... នៃអនុក្រឹត្យលេខ ១០៣ ... ចុះថ្ងៃទី ...").
    """
    for page in pages[:HEAD_PAGES]:
        for shown, folded, _ in header_lines(page):
            if _ARTICLE.match(folded):  # a page of articles: the header is elsewhere
                break
            about = ABOUT.search(folded)
            before_title = folded[: about.start()] if about else folded
            # The English pattern is last: on a Khmer line, Latin is OCR crumbs ("#1 lime").
            khmer_line = khmer_share(shown) >= 0.5
            for pattern in _NUMBER_PATTERNS[:-1] if khmer_line else _NUMBER_PATTERNS:
                for match in pattern.finditer(before_title):
                    if _is_cited(folded, match.start(), match.end()):
                        continue
                    return shown[match.start() : match.end()]
            if about:
                return ""
    return ""


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
        for shown, folded, _ in header_lines(page):
            if BODY_LINE.match(folded):
                break
            folded = _MOTTO.sub(lambda m: " " * len(m.group()), folded)
            match = _ISSUERS.search(folded)
            if match and match.start() <= 3 or match and _MOTTO.search(fold(shown)):
                issuer = shown[match.start() : match.end()]
                return cut_title(re.split(r"\s{2,}|[|/]", issuer.strip())[0])
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
