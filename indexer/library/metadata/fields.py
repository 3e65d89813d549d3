"""Number, title, issuer and languages of a document, from its header and its text."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from indexer.library.metadata.headings import OTHER, TYPES, heading
from indexer.library.metadata.lines import (
    CITING_WORD,
    HEAD_LINES,
    HEAD_PAGES,
    TOP_LINES,
    header_lines,
)
from indexer.text.khmer import fold, khmer_share

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
        for shown, folded, _ in header_lines(page):
            about = ABOUT.search(folded)
            before_title = folded[: about.start()] if about else folded
            # The English pattern is last: on a Khmer line, Latin is OCR crumbs ("#1 lime").
            khmer_line = khmer_share(shown) >= 0.5
            for pattern in _NUMBER_PATTERNS[:-1] if khmer_line else _NUMBER_PATTERNS:
                for match in pattern.finditer(before_title):
                    if CITING_WORD.search(folded, match.end(), match.end() + 16):
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
ABOUT = re.compile("ស្តីពី|ស្តីអំពី|\\bon\\b")
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
            found = heading(folded)
            if found and found[0] in (type_key or found[0], "royal-kram"):
                start = shown[found[1] :]
                return _cut_title(" ".join([start, *_title_lines(start, lines[i + 1 : i + 5])]))
    name = {t["key"]: t["km"] for t in TYPES}.get(type_key, "") if type_key != OTHER else ""
    lines = _title_candidates(pages[0]) if pages else []
    for i, (_, folded, _) in enumerate(lines):
        if ABOUT.search(_LEADING_CRUMBS.sub("", folded)[:8]):
            return _cut_title(" ".join([name, *_title_lines("", lines[i : i + 4])]))
    for shown, _, _ in lines:
        if len(shown) >= 8:
            return _cut_title(shown)
    return Path(filename).stem.replace("_", " ") if filename else ""


def _title_candidates(page: str, depth: int = HEAD_LINES) -> list[tuple[str, str, bool]]:
    """The header's first ``depth`` lines, those with words."""
    return [line for line in header_lines(page)[:depth] if _usable_line(line[0])]


def _title_lines(start: str, lines: list[tuple[str, str, bool]]) -> list[str]:
    """The shown lines that go on a title begun with ``start``, up to the first that starts the
    body: a numbered section, a byline, or, once the title names its subject, a new paragraph."""
    taken: list[str] = []
    for shown, folded, after_blank in lines:
        if _BODY_LINE.match(folded) or after_blank and taken and _names_subject([start, *taken]):
            break
        taken.append(shown)
    return taken


def _names_subject(parts: list[str]) -> bool:
    """Whether a title has words after its ស្តីពី ("on"), or has words at all when it has none."""
    folded = fold(" ".join(parts))
    about = ABOUT.search(folded)
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
        for shown, folded, _ in header_lines(page):
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
