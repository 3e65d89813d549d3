"""Page lines as detection reads them: cleaned, folded for matching, the header before the
first "having seen" line; and which pages of a document detection reads."""

from __future__ import annotations

import re
from collections.abc import Sequence

from indexer.text.khmer import clean, fold

#: Pages read for the type, title, number and issuer: the heading is on the first page, or on
#: the second after a cover or a Royal Gazette page that ends the previous instrument.
HEAD_PAGES = 3
#: Pages read at the end for the signing date (and the type the text calls itself).
TAIL_PAGES = 2
#: Lines of a page searched for the heading (the header block is short).
HEAD_LINES = 45
#: Lines at the top of a later page searched for a heading (a cover, or a law after its kram).
TOP_LINES = 8


# OCR confuses these marks; matching folds each pair to one (stored text is never changed).
_LOOSE = str.maketrans({"ឹ": "ិ", "ី": "ិ", "៖": "ះ", "៏": "៍", "ឺ": "ិ", "ួ": "ូ", "ុ": "ូ"})
_KHMER_OR_DIGIT = re.compile(r"[\u1780-\u17d30-9]")


def page_lines(page: str) -> list[tuple[str, str, bool]]:
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


def compact_form(folded: str) -> tuple[str, list[int]]:
    """Khmer letters and digits only, OCR-confused marks folded, with each kept character's
    offset in ``folded``: the form headings are compared in."""
    loose = folded.translate(_LOOSE)
    kept = [i for i, ch in enumerate(loose) if _KHMER_OR_DIGIT.match(ch)]
    return "".join(loose[i] for i in kept), kept


def loose(text: str) -> str:
    return compact_form(fold(clean(text)))[0]


#: "Having seen ..." (បានឃើញ, for the King បានទ្រង់យល់) opens each citation of an older
#: instrument; OCR often garbles the first letters, so the end of the word decides.
CITATION_LINE = re.compile(
    r"^[\W\d_a-z]{0,12}[\u1780-\u17ff]{0,4}(?:ឃើញ|ឃើព្យ|ទ្រ[\u1780-\u17ff]{1,3}យល)"
    r"|^\W*(?:having )?seen\b"
)


#: ស្តីពី, ស្តីអំពី, "on": what comes between a heading's type word and its subject.
ABOUT = re.compile("ស្តីពី|ស្តីអំពី|\\bon\\b")
#: A line under a heading that starts the body, not the title: a numbered section ("1.", "១.")
#: or a byline ("Prepared for ...", "Phnom Penh, ...").
BODY_LINE = re.compile(r"\(?\d{1,2}\s*[.)]\s|(?:prepared|adopted|issued|done|phnom penh)\b")
#: Words that introduce a cited instrument's date ("ចុះថ្ងៃទី ...", "dated").
CITING_WORD = re.compile(r"ចុះ|ចុ|dated")


def header_lines(page: str) -> list[tuple[str, str, bool]]:
    """The `page_lines` of a page before its first "having seen" citation: the header, where
    headings live."""
    lines = []
    for line in page_lines(page)[:HEAD_LINES]:
        if CITATION_LINE.match(line[1]):
            break
        lines.append(line)
    return lines


def pages_read(count: int) -> list[int]:
    """0-based indices of the pages detection reads in a document of ``count`` pages: the first
    HEAD_PAGES and the last TAIL_PAGES. Other pages may be passed; they are not read."""
    return list(range(min(count, HEAD_PAGES))) + list(range(count)[HEAD_PAGES:][-TAIL_PAGES:])


def read_pages(pages: Sequence[str]) -> list[str]:
    return [pages[i] for i in pages_read(len(pages))]
