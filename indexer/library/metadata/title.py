"""The title of a document as its print gives it: the heading of the instrument over its subject
("អនុក្រឹត្យ ស្តីពី ..."), and for a royal kram the law it promulgates, not the kram.

Scans are read through OCR, so the title is rebuilt from the layout rather than copied: the
type word as the vocabulary spells it, ស្តីពី where OCR lost it, the subject as read; the
heading's own number (shown apart), a Royal Gazette running header ("ឆ្នាំទី… លេខ… ថ្ងៃទី…
រាជកិច្ច ទំព័រ…") and Latin crumbs are never part of it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from indexer.library.metadata.headings import heading
from indexer.library.metadata.lines import (
    ABOUT,
    BODY_LINE,
    CITATION_LINE,
    HEAD_LINES,
    TOP_LINES,
    compact_form,
    header_lines,
    loose,
    page_lines,
)
from indexer.library.metadata.words import clean_words, known_share
from indexer.text.khmer import fold, khmer_share
from indexer.vocabulary import OTHER, load_types

Line = tuple[str, str, bool]

_HEADER_NOISE = re.compile(r"ព្រះរាជាណាចក្រ|ជាតិសាសនា|kingdom of cambodia|nation religion")
#: The Royal Gazette's running header, as printed or misread: "ឆ្នាំទី៥ លេខ ៤៨ ថ្ងៃទី៣១ ខែធ្នូ
#: ឆ្នាំ២០០៥ រាជកិច្ច ទំព័រ ៧៨៣៥" (a cited date has ចុះ before its ថ្ងៃទី).
_RUNNING_HEADER = re.compile(
    r"រាជកិច្ច|រាជកម្ច|ទំព័រ|សប្តាហ៍|royal gazette"
    r"|^.{0,8}ទី\s*\d{1,2}\s*លេខ"
    r"|(?<!ចុះ)(?<!ចុះ )ថ្ងៃទី\s*\d{1,2}\s*ខែ.{0,30}\d{4}(?!.*ស្តី)"
)
_ROYAL_CODE_TOKEN = re.compile(r"\S*[/.]\s*(?:រកម|រកត|rkm|rkt)\s*[/.]\S*|\S*\d\S*/\S*\d\S*")
_TITLE_STOP = re.compile(
    r"រាជរដ្ឋាភិបាល(?!កម្ពុជា|នៃ)|បានឃើញ|បានទ្រង់យល់|យើង|ឧបនាយករដ្ឋមន្ត្រី|"
    # an article or chapter heading ("មាត្រា ១.-", "ជំពូកទី១"), not "មាត្រា ៨" in an amendment's title
    r"(?:មាត្រា|ប្រការ)\s*(?:\d+|មួយ|តែមួយ)\s*[.:៖-]|ជំពូក\s*(?:ទី)?\s*\d|"
    r"ព្រះករុណា|ព្រះបាទ|ព្រូះបាទ|"  # the King's titles, under a kram's or royal decree's heading
    r"ព\W{0,3}ស\W{0,3}\d{4}|គ\.?\s*ស\.?\s*\d{4}|"  # the era years printed under a cover's title
    r"\bchapter|\barticle|\bthe royal government|\bhaving seen"
)
#: "យើង" ("We", the King) alone on its line ends a royal heading's title; OCR reads it យង or យេីង,
#: and with two letters it would be dropped as a crumb before it could stop the title.
_WE = re.compile(r"^\W*(?:យើង|យេីង|យង|យ៉ង)\W*$")
#: Where the promulgated law's title ends in a kram: "... ដែលរដ្ឋសភាបានអនុម័ត ..." ("which the
#: National Assembly adopted").
_PROMULGATED_END = re.compile(r"ដែល|ដេល|ដែរ")
#: Lines of a royal kram that end its legal basis: "តាមសេចក្តីក្រាបបង្គំទូល ..." (the submission).
_SUBMISSION = re.compile(r"បង្គំទូល|បង្គំទ្វូល|ក្រាបបង្គំ|សេចក្តីក្រាប")
_LEADING_CRUMBS = re.compile(r"^[\W\d_]+")
#: A header's number line ("លេខ ៤០ អនក្រ.បក", however OCR left it): no title.
_NUMBER_LINE = re.compile(r"^\W{0,3}(?:លេខ|លខ|no\b)")
_KHMER_WORD_OR_NUMBER = re.compile(r"[\u1780-\u17d3]|^\(?[\d./\-]+\)?$")
_GOVERNMENT = "រាជរដ្ឋាភិបាល"
_KHMER_LETTER = re.compile(r"[\u1780-\u17b3]")
#: Longest title kept; OCR of a scan with no clear heading would otherwise yield a paragraph.
MAX_TITLE = 250
#: Kinds whose title is the law a royal kram over them promulgates.
_PROMULGATED = ("law", "constitution")


def detect_title(pages: Sequence[str], filename: str = "", type_key: str = "") -> str:
    """Title: for a law under its royal kram, the law the kram promulgates; else the heading (of
    ``type_key`` when given) with the lines under it; else, when OCR lost the heading, the
    type's Khmer name over the ស្តីពី ("on") lines; else the first line of words; else the
    type's name, and only for a document of no known type the file name."""
    return _title_and_source(pages, filename, type_key)[0]


def _title_and_source(pages: Sequence[str], filename: str, type_key: str) -> tuple[str, str]:
    """The title, its Khmer words mended against the lexicon, and where it was found."""
    title, source = _found_title(pages, filename, type_key)
    if source in ("promulgated", "heading", "about-lines"):
        title = _drop_second_about(clean_words(title))
    return title, source


def _drop_second_about(title: str) -> str:
    """A title without the misread second ស្តីពី ("ស្តីពី ស្ម័ពី ការ...") OCR left when ស្តីពី
    was put back or read twice: a short unknown word right after it, before the subject."""
    about = ABOUT.search(fold(title)[:40])
    if not about:
        return title
    rest = title[about.end() :].split(maxsplit=1)
    if len(rest) == 2 and Levenshtein.distance(loose(rest[0]), loose("ស្តីពី")) <= 2:
        return f"{title[: about.end()]} {rest[1]}"
    return title


#: How sure a title is by where it was found, before its words are weighed.
TITLE_CONFIDENCE = {
    "promulgated": 0.9,
    "heading": 0.85,
    "about-lines": 0.6,
    "first-line": 0.4,
    "type-name": 0.3,
    "file-name": 0.1,
}


def title_and_confidence(
    pages: Sequence[str], filename: str = "", type_key: str = ""
) -> tuple[str, float]:
    """The title and how sure it is: by where it was found, lowered by the share of its Khmer
    words no lexicon knows (OCR garbage)."""
    title, source = _title_and_source(pages, filename, type_key)
    if not title:
        return "", 0.0
    known = known_share(title)
    return title, round(TITLE_CONFIDENCE[source] * (0.4 + 0.6 * known), 2)


def _found_title(pages: Sequence[str], filename: str, type_key: str) -> tuple[str, str]:
    khmer = khmer_share("\n".join(pages[:3])) >= 0.5
    if type_key in _PROMULGATED:
        readings = [(t, "promulgated") for t in [_promulgated_title(pages[:3])] if t]
        if type_key == "law":
            readings += [(t, "heading") for t in _law_headings(pages[:3], khmer)]
        if readings:
            return _best_reading(readings, pages)
    found = _heading_title(pages, type_key, khmer, allow_kram=False)
    found = found or _heading_title(pages, type_key, khmer, allow_kram=True)
    if found:
        return found, "heading"
    name = _type_name(type_key)
    lines = _title_candidates(pages[0], khmer) if pages else []
    for i, (_, folded, _) in enumerate(lines):
        if ABOUT.search(_LEADING_CRUMBS.sub("", folded)[:8]):
            return cut_title(" ".join([name, *_title_lines("", lines[i : i + 4])])), "about-lines"
    for shown, folded, _ in lines:
        if (
            len(shown) >= 8
            and not _ROYAL_CODE_TOKEN.search(shown)
            and not _NUMBER_LINE.match(folded)
        ):
            if name and type_key in _about_types():  # OCR lost the heading and its ស្តីពី
                return cut_title(f"{name} ស្តីពី {shown}"), "first-line"
            return cut_title(shown), "first-line"
    if name:
        return name, "type-name"
    return (Path(filename).stem.replace("_", " "), "file-name") if filename else ("", "file-name")


def _heading_title(pages: Sequence[str], type_key: str, khmer: bool, allow_kram: bool) -> str:
    """The title under the first heading of ``type_key`` (or of a royal kram), rebuilt."""
    allowed = {type_key} if type_key else set()
    if allow_kram:
        allowed.add("royal-kram")
    where = [(page, HEAD_LINES if i == 0 else TOP_LINES) for i, page in enumerate(pages[:3])]
    for page, depth in where:
        lines = _title_candidates(page, khmer, depth)
        for shown, folded, _ in lines:
            found = heading(folded)
            if found and (found[0] in allowed or not type_key):
                start = shown[found[1] :]
                under = _lines_under(page, shown, khmer)
                text = " ".join([start, *_title_lines(start, under[:4])])
                return cut_title(_rebuild(text, found[0]))
    return ""


#: Two readings this similar (0..1) are of the same title.
SAME_TITLE = 0.6


def _best_reading(readings: list[tuple[str, str]], pages: Sequence[str]) -> tuple[str, str]:
    """Of the readings of a title (the kram's formula, the law's own heading, a cover's), among
    those that read like the first, the one whose subject the law's text repeats on the most
    pages (up to RESTATED: "ការរំលូតកូន" throughout the abortion law, not a cover's misread
    "ការទូតក្រុម"), then with most words the lexicon knows: OCR garbles each in other places,
    and a misreading can be of known words."""
    first = _compact(readings[0][0])
    same = [r for r in readings if fuzz.ratio(_compact(r[0]), first) >= SAME_TITLE * 100]
    texts = [_compact(page) for page in pages]

    def restated(title: str) -> int:
        about = ABOUT.search(fold(title))
        subject = _compact(title[about.end() :])[:SUBJECT_OPENING] if about else ""
        if len(subject) < SUBJECT_OPENING:
            return 0
        return min(RESTATED, sum(subject in text for text in texts))

    return max(same, key=lambda reading: (restated(reading[0]), known_share(reading[0])))


#: Pages repeating a title's subject that make it sure. The subject's first SUBJECT_OPENING
#: letters are looked for (the text names the subject, seldom the whole title); a shorter
#: subject proves nothing by recurring.
RESTATED = 3
SUBJECT_OPENING = 10


def _compact(title: str) -> str:
    return re.sub(r"\s+", "", fold(title))


def _law_headings(pages: Sequence[str], khmer: bool) -> list[str]:
    """The titles under every heading of a law (ច្បាប់ ស្តីពី...) in the pages, at any depth: on
    a Gazette page the law's own heading follows its kram's text."""
    titles = []
    for page in pages:
        lines = [line for line in page_lines(page) if _usable_line(line[0], khmer, kingdom=True)]
        for index, (shown, folded, _) in enumerate(lines):
            found = heading(folded)
            if not found or found[0] != "law" or found[1] > 3 or CITATION_LINE.match(folded):
                continue
            if _ADOPTION.search(folded):  # the kram's formula, read by _promulgated_title
                continue
            start = shown[found[1] :]
            under = [line for line in lines[index + 1 : index + 5]]
            text = " ".join([start, *_title_lines(start, under)])
            end = _PROMULGATED_END.search(fold(text), len(start) // 2)
            text = text[: end.start()] if end else text  # a kram's formula, wrapped
            if ABOUT.search(fold(text)):
                titles.append(cut_title(_rebuild(text, "law")))
    return [title for title in titles if _names_subject([title])]


_ADOPTION = re.compile("អនុម័ត|រដ្ឋសភា")
#: The 1994 krams' formula: "ប្រកាសឱ្យប្រើ ច្បាប់ដែលបានអនុម័តដោយរដ្ឋសភា នាថ្ងៃទី ... ស្តីពី ...
#: ដូចមានសេចក្តីតទៅនេះ": the law's subject after its adoption date.
_ADOPTED_LAW = re.compile(r"ច្បាប់\s*ដែល.{0,90}?(?:ស្តីពី|ស្តីអំពី)(?P<subject>.+?)(?:ដូចមាន|ដែលមាន|$)")


def _promulgated_title(pages: Sequence[str]) -> str:
    """The title of the law a royal kram promulgates: the line after its legal basis that opens
    with ច្បាប់ស្តីពី ("law on"), up to "ដែល..." ("which [the Assembly] adopted"), with the
    line under it when the title wraps."""
    lines = [line for page in pages for line in page_lines(page)]
    for i, (_, folded, _) in enumerate(lines):
        if folded.startswith("ច្បាប់ដែល"):
            after = " ".join(line[0] for line in lines[i : i + 3])
            adopted = _ADOPTED_LAW.match(fold(after))
            if adopted:
                subject = after[adopted.start("subject") : adopted.end("subject")]
                return cut_title("ច្បាប់ ស្តីពី " + subject)
    basis = [i for i, (_, folded, _) in enumerate(lines) if _is_basis_line(folded)]
    if not basis:
        return ""
    end = _basis_end(basis)
    for i in range(end + 1, min(len(lines), end + 12)):
        text = lines[i][0]
        if len(compact_form(lines[i][1])[0]) <= len(loose("ច្បាប់ស្តីពី")):
            # the law's name alone on its line: "ច្បាប់ / ស្តីពី / ... / ដែលរដ្ឋសភា..."
            text = " ".join(shown for shown, _, _ in lines[i : i + 4])
        subject = _law_subject(text)
        if subject is None:
            continue
        end = _PROMULGATED_END.search(fold(subject))
        subject = subject[: end.start()] if end else subject
        return cut_title(subject)
    return ""


#: Lines between two of the legal basis: a citation wraps over two or three.
BASIS_GAP = 6


def _basis_end(basis: list[int]) -> int:
    """The last line of the kram's legal basis: of the first block of basis lines, so that a
    countersignature's "ក្រាបបង្គំទូល" pages later does not count."""
    end = basis[0]
    for index in basis[1:]:
        if index - end > BASIS_GAP:
            break
        end = index
    return end


def _is_basis_line(folded: str) -> bool:
    return bool(CITATION_LINE.match(folded) or _SUBMISSION.search(folded))


def _after_promulgates(before: str) -> bool:
    """Whether text ends with ប្រើ ("[promulgates for] use"), as OCR may read it."""
    return any(Levenshtein.distance(before[-size:], "ប្រើ") <= 1 for size in (3, 4, 5) if before)


@cache
def _law_openings() -> tuple[tuple[str, str], ...]:
    """(loose opening, as the title prints it) of what a royal kram promulgates: a law on ...,
    or a code (ក្រមព្រហ្មទណ្ឌ...), from the law type's heading words."""
    law = ("ច្បាប់ ស្តីពី ", "ច្បាប់ស្តីពី"), ("ច្បាប់ ស្តីពី ", "ច្បាប់ស្តីអំពី")
    codes = [p for t in load_types() if t["key"] == "law" for p in t["km_patterns"]]
    pairs = [*law, *((code, code) for code in codes if code.startswith("ក្រម"))]
    return tuple((loose(opening), printed) for printed, opening in pairs)


def _law_subject(shown: str) -> str | None:
    """The title of a law or code whose opening ("ច្បាប់ស្តីពី", OCR slips allowed) is in the
    line, with the rest of the line; None when there is none, or only a cited one (after ប្រើ,
    "promulgates")."""
    compact, offsets = compact_form(fold(shown))
    for start in range(len(compact)):
        if compact[start] not in "ចក" or _after_promulgates(compact[:start]):
            continue
        best = None
        for opening, printed in _law_openings():
            slips = 2 if len(opening) >= 8 else 0
            for size in (len(opening), len(opening) - 1, len(opening) + 1):
                head = compact[start : start + size]
                distance = Levenshtein.distance(head, opening)
                if len(head) == size and distance <= slips and (not best or distance < best[0]):
                    best = (distance, size, printed)
        if best:
            _, size, printed = best
            return printed + shown[offsets[start + size - 1] + 1 :].strip()
    return None


@cache
def _type_words() -> dict[str, tuple[tuple[str, str], ...]]:
    """Per type key: (loose word, word as printed) of its Khmer heading words."""
    return {t["key"]: tuple((loose(p), p) for p in t["km_patterns"]) for t in load_types()}


@cache
def _about_types() -> frozenset[str]:
    return frozenset(t["key"] for t in load_types() if t.get("about"))


def _type_name(type_key: str) -> str:
    names = {t["key"]: t["km"] for t in load_types()}
    return names.get(type_key, "") if type_key != OTHER else ""


def _rebuild(text: str, key: str) -> str:
    """A Khmer heading's text as its print reads: the type word as the vocabulary spells it,
    then ស្តីពី and the subject; the heading's own number and crumbs between them dropped, and
    ស្តីពី put back where OCR lost it (for the types whose titles have it)."""
    split = _split_type_word(text, key)
    if not split:
        return text
    word, rest = split
    about = ABOUT.search(fold(rest)[:60])
    if about:
        return f"{word} {rest[about.start() :]}"
    tokens = _ROYAL_CODE_TOKEN.sub(" ", rest).split()
    while tokens and _is_number_or_crumb(tokens[0]):
        tokens.pop(0)
    rest = " ".join(tokens)
    if rest and key in _about_types() and not fold(rest).startswith(("នៃ", "លេខ")):
        return f"{word} ស្តីពី {rest}"
    return f"{word} {rest}".strip()


def _is_number_or_crumb(token: str) -> bool:
    """A token before a heading's subject that is its number (លេខ ៤០ អនក្រ.បក) or OCR crumbs."""
    folded = fold(token)
    letters = len(_KHMER_LETTER.findall(token))
    if letters < 3 or any(ch.isdigit() for ch in folded):
        return True
    return "លខ" in folded or "." in folded or "/" in folded  # a code OCR garbled: នស/រឹត


def _split_type_word(text: str, key: str) -> tuple[str, str] | None:
    """(type word as printed, the rest of the text) for a text that opens with a type word."""
    compact, offsets = compact_form(fold(text))
    best: tuple[int, int, str] | None = None
    for pattern, word in _type_words().get(key, ()):
        for size in {len(pattern) - 1, len(pattern), len(pattern) + 1}:
            if 0 < size <= len(compact):
                distance = Levenshtein.distance(compact[:size], pattern)
                if distance <= 2 and (best is None or distance < best[0]):
                    best = (distance, size, word)
    if best is None:
        return None
    _, size, word = best
    return word, text[offsets[size - 1] + 1 :]


def _usable_line(shown: str, khmer: bool, kingdom: bool = False) -> bool:
    """Whether a line carries words rather than OCR crumbs, the kingdom's header (unless
    ``kingdom``) or the Gazette's running header; in a Khmer document, a line mostly of Latin
    letters is OCR crumbs."""
    folded = fold(shown)
    if sum(ch.isalpha() for ch in shown) < 3 or not kingdom and _HEADER_NOISE.search(folded):
        return False
    if _RUNNING_HEADER.search(folded):
        return False
    return not khmer or khmer_share(shown) >= 0.5


def _title_candidates(page: str, khmer: bool, depth: int = HEAD_LINES) -> list[Line]:
    """The header's first ``depth`` lines, those with words."""
    return [line for line in header_lines(page)[:depth] if _usable_line(line[0], khmer)]


def _lines_under(page: str, heading_line: str, khmer: bool) -> list[Line]:
    """The lines with words under a heading line, the kingdom's name kept (a title may end with
    "នៃ ព្រះរាជាណាចក្រកម្ពុជា"), the Gazette's running header and crumbs not."""
    lines = header_lines(page)
    index = next(i for i, line in enumerate(lines) if line[0] == heading_line)
    under = []
    for line in lines[index + 1 :]:
        if _WE.match(line[1]):
            break
        if _usable_line(line[0], khmer, kingdom=True):
            under.append(line)
    return under


def _title_lines(start: str, lines: list[Line]) -> list[str]:
    """The shown lines that go on a title begun with ``start``, up to the first that starts the
    body: a numbered section, a byline, or, once the title names its subject, a new paragraph
    (a heading alone names none unless its own ស្តីពី is followed by words)."""
    taken: list[str] = []
    for shown, folded, after_blank in lines:
        named = (taken or ABOUT.search(fold(start))) and _names_subject([start, *taken])
        if BODY_LINE.match(folded) or after_blank and named:
            break
        if _is_enacting_body(folded):
            break
        taken.append(shown)
    return taken


def _is_enacting_body(folded: str) -> bool:
    """Whether a line is the enacting body's name under a title (រាជរដ្ឋាភិបាល, as OCR reads it)."""
    compact = compact_form(folded)[0]
    return 9 <= len(compact) <= 16 and Levenshtein.distance(compact, _GOVERNMENT) <= 3


def _names_subject(parts: list[str]) -> bool:
    """Whether a title has words after its ស្តីពី ("on"), or has words at all when it has none."""
    folded = fold(" ".join(parts))
    about = ABOUT.search(folded)
    return sum(ch.isalpha() for ch in folded[about.end() if about else 0 :]) >= 6


def cut_title(text: str) -> str:
    """The title up to where the enacting words or the articles begin, without OCR crumbs."""
    stop = _TITLE_STOP.search(fold(text), 8)
    words = (text[: stop.start()] if stop else text).split()
    if khmer_share(text) >= 0.5:  # Latin and symbols in a Khmer title are OCR crumbs
        words = [word for word in words if _KHMER_WORD_OR_NUMBER.search(word)]
    return " ".join(words).strip(" -–|:;,.\"'“”*_[]")[:MAX_TITLE]
