"""Text layers typed in legacy Khmer fonts (Limon, ABC), converted to Unicode run by run.

A page's runs are read with their fonts (`runs`); each font's name decides its encoding
(`fonts`, from indexer/data/legacy_fonts); legacy runs go through their table and the cluster
reordering (`convert`), Unicode runs stay as extracted, ornament fonts are left out. The quality
gate then judges the converted page like any text layer (indexer/extract/pool.py).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path

import pypdfium2 as pdfium

from indexer.extract.legacy.convert import convert, reads_space_before
from indexer.extract.legacy.fonts import Encoding, Table, classify, is_legacy_font
from indexer.extract.legacy.runs import GENERATED, CharBox, Run, image_share, page_runs
from indexer.extract.pdf import RENDER_DPI
from indexer.library.store import Boxes
from indexer.text.khmer import clean

#: Share of a page's characters in legacy fonts from which the page is read by converting runs.
LEGACY_MIN_SHARE = 0.1

__all__ = [
    "PageConversion",
    "convert_document",
    "convert_runs",
    "is_legacy_font",
    "notes",
    "pages_named",
    "verb_for",
]


@dataclass(frozen=True)
class PageConversion:
    """A page's text with its legacy runs in Unicode, and what the conversion met on the way."""

    text: str  # cleaned, as pages are stored
    legacy_chars: int  # visible characters in fonts with a table (converted)
    unicode_chars: int = 0  # visible characters in Unicode fonts (kept as extracted)
    unknown_chars: int = 0  # visible characters in legacy fonts without a table
    unknown_fonts: tuple[str, ...] = ()
    # characters of legacy runs that their table lacks: (table name, character) → count
    missing: Counter[tuple[str, str]] = field(default_factory=Counter)
    image_share: float = 0.0  # share of the page that images cover
    #: the page's words as converted, with their boxes in PDF points: (text, 100, left, top,
    #: right, bottom, line); `boxes` turns them into the store's pixels
    words: tuple[tuple, ...] = ()
    page_size: tuple[float, float] = (0.0, 0.0)  # width, height in points

    def boxes(self) -> Boxes | None:
        """The converted words as the store keeps word boxes: pixels of the page rendered at
        RENDER_DPI, top-left origin (None when the page size is unknown)."""
        width, height = self.page_size
        if width <= 0 or height <= 0:
            return None
        scale = RENDER_DPI / 72
        rows = [
            [
                text,
                confidence,
                *(round(v * scale) for v in (left, height - top, right, height - bottom)),
                line,
            ]
            for text, confidence, left, top, right, bottom, line in self.words
        ]
        return Boxes(round(width * scale), round(height * scale), RENDER_DPI, 0, rows)

    @property
    def has_legacy_text(self) -> bool:
        """Whether legacy fonts carry enough of the page to read it this way.

        A Unicode page with a dash or two in a legacy font keeps ``pdftotext -raw``, the better
        reader of Unicode Khmer (KNOWLEDGE §3)."""
        legacy = self.legacy_chars + self.unknown_chars
        return legacy > 0 and legacy >= LEGACY_MIN_SHARE * (legacy + self.unicode_chars)


def convert_document(path: Path) -> dict[int, PageConversion]:
    """Convert every page that has legacy-font text; 1-based page number → its conversion."""
    pdf = pdfium.PdfDocument(str(path))
    try:
        pages = {}
        for index in range(len(pdf)):
            page = pdf[index]
            try:
                conversion = convert_runs(page_runs(page))
                if conversion.has_legacy_text:
                    pages[index + 1] = replace(
                        conversion, image_share=image_share(page), page_size=page.get_size()
                    )
            finally:
                page.close()
        return pages
    finally:
        pdf.close()


def convert_runs(runs: list[Run], keep_unknown: bool = False) -> PageConversion:
    """Join a page's runs into Unicode text: legacy runs converted, ornaments left out.

    Text in a legacy font without a table is left out (its page is OCR'd), or kept as typed
    with ``keep_unknown``: a Word or OpenDocument file has no image to OCR, and its text no
    other copy in the index.

    Consecutive runs with the same table are converted together: a producer may split one word
    over two fonts (Word puts the glyphs a simple font cannot encode in a second, CID font), and
    a cluster's subscript must still find its base. pdfium's inferred spaces next to legacy text
    fall inside justified words, so they are dropped there; Khmer has no spaces between letters
    that `clean` would keep anyway.
    """
    segments = _segments(runs)
    parts: list[str] = []
    words: list[list] = []
    line = 0
    legacy = unicode = unknown = 0
    unknown_fonts: set[str] = set()
    missing: Counter[tuple[str, str]] = Counter()
    for segment in segments:
        text, table = segment.text, segment.table
        visible = sum(not char.isspace() for char in text)
        if segment.kind is Encoding.LEGACY:
            converted, lacking = convert(text, table)
            parts.append(converted)
            legacy += visible
            missing.update({(table.name, char): n for char, n in lacking.items()})
            found, line = _words(segment, line)
            words += found
        elif segment.kind in (Encoding.UNKNOWN, Encoding.ORNAMENT):  # no text we can read
            kept = keep_unknown and segment.kind is Encoding.UNKNOWN
            parts.append(text if kept or not text.strip() else " ")
            line += text.count("\n")
            if segment.kind is Encoding.UNKNOWN:  # its page is OCR'd
                unknown += visible
                unknown_fonts.update(segment.fonts)
        else:
            parts.append(text)
            unicode += visible
            found, line = _words(segment, line)
            words += found
    return PageConversion(
        clean("".join(parts)),
        legacy,
        unicode,
        unknown,
        tuple(sorted(unknown_fonts)),
        missing,
        words=tuple(map(tuple, words)),
    )


@dataclass
class _Segment:
    """Consecutive runs of one encoding (and one table), with a box per character."""

    kind: Encoding
    table: Table | None
    fonts: list[str]
    text: str
    boxes: list[CharBox]


def _segments(runs: list[Run]) -> list[_Segment]:
    """Runs merged into segments of one encoding (and one table), generated gaps resolved."""
    kinds = [classify(run.font) if run.font != GENERATED else None for run in runs]
    segments: list[_Segment] = []
    for i, (run, font) in enumerate(zip(runs, kinds, strict=True)):
        if font is None:  # pdfium's inferred break or gap
            text = "\n" * min(2, run.text.count("\n")) or " "  # a blank line stays one
            if text == " " and _gap_inside_legacy_text(runs, kinds, i):
                continue
            if segments:  # whitespace joins the segment before it
                segments[-1].text += text
                segments[-1].boxes += [None] * len(text)
            else:
                segments.append(_Segment(Encoding.UNICODE, None, [], text, [None] * len(text)))
            continue
        boxes = list(run.boxes) or [None] * len(run.text)
        last = segments[-1] if segments else None
        if last and last.kind is font.encoding and last.table is font.table:
            if font.name not in last.fonts:
                last.fonts.append(font.name)
            last.text += run.text
            last.boxes += boxes
        else:
            segments.append(_Segment(font.encoding, font.table, [font.name], run.text, boxes))
    return segments


def _gap_inside_legacy_text(runs: list[Run], kinds: list, i: int) -> bool:
    """Whether pdfium's inferred space at ``i`` falls inside legacy text (justified words),
    rather than being the space a table reads with the next character (Limon's ៖ is a space and
    the glyph of ៈ: the criminal code positions its glyphs, so its spaces are gaps)."""
    neighbours = [kinds[j] for j in (i - 1, i + 1) if 0 <= j < len(kinds)]
    if not any(n and n.encoding is Encoding.LEGACY for n in neighbours):
        return False
    following = kinds[i + 1] if i + 1 < len(kinds) else None
    return not (
        following and following.table and reads_space_before(runs[i + 1].text, following.table)
    )


_CHUNK = re.compile(r"\S+|\n")


def _words(segment: _Segment, line: int) -> tuple[list[list], int]:
    """The segment's whitespace-separated chunks (converted by its table, if any) as word
    rows in PDF points ``[text, 100, left, top, right, bottom, line]`` (top > bottom), and the
    line after it."""
    rows = []
    for chunk in _CHUNK.finditer(segment.text):
        if chunk.group() == "\n":
            line += 1
            continue
        boxes = [box for box in segment.boxes[chunk.start() : chunk.end()] if box]
        if not boxes:  # a word of an office file, or one pdfium inferred: no box to keep
            continue
        text = chunk.group()
        if segment.table:
            spaced = segment.text[chunk.start() - 1 : chunk.start()] == " "
            if spaced and reads_space_before(text, segment.table):
                text = " " + text  # Limon's ៖ is a space and `³`, which alone is ៈ
            text = convert(text, segment.table)[0]
        text = clean(text)
        if not text:
            continue
        left, right = min(b[0] for b in boxes), max(b[2] for b in boxes)
        bottom, top = min(b[1] for b in boxes), max(b[3] for b in boxes)
        rows.append([text, 100, left, top, right, bottom, line])
    return rows, line


#: What became of the text in a legacy font without a table, in a PDF.
PDF_UNKNOWN_FONT = (
    "its text was left out, and the pages where it is more than a trace were OCR'd (a table "
    "in indexer/data/legacy_fonts would convert it)"
)


def notes(
    conversions: dict[int, PageConversion], unknown_font: str = PDF_UNKNOWN_FONT
) -> list[str]:
    """What a librarian should know about a document's conversion, one sentence each;
    ``unknown_font`` says what became of the text in a legacy font without a table."""
    sentences = []
    lacking: dict[str, Counter[str]] = defaultdict(Counter)
    lacking_pages: dict[str, set[int]] = defaultdict(set)
    unknown_pages: dict[str, set[int]] = defaultdict(set)
    for number, conversion in conversions.items():
        for (table_name, char), count in conversion.missing.items():
            lacking[table_name][char] += count
            lacking_pages[table_name].add(number)
        for font in conversion.unknown_fonts:
            unknown_pages[font].add(number)
    for table_name, chars in sorted(lacking.items()):
        listed = ", ".join(f"U+{ord(char):04X} ×{n}" for char, n in chars.most_common(5))
        sentences.append(
            f"the {table_name} table lacks {sum(chars.values())} characters of its text "
            f"({listed}; {pages_named(lacking_pages[table_name])}): they were left out"
        )
    for font, numbers in sorted(unknown_pages.items()):
        sentences.append(
            f"{pages_named(numbers)} {verb_for(numbers, 'use')} the legacy font {font}, which has "
            "no conversion table: " + unknown_font
        )
    return sentences


def verb_for(numbers: set[int], verb: str) -> str:
    """The verb agreeing with `pages_named`: "page 3 uses", "pages 1, 2 use"."""
    return verb + "s" if len(numbers) == 1 else verb


def pages_named(numbers: set[int], shown: int = 8) -> str:
    """ "page 3", "pages 1, 2, …": which pages a note is about."""
    ordered = sorted(numbers)
    listed = ", ".join(map(str, ordered[:shown])) + (", …" if len(ordered) > shown else "")
    return f"page {listed}" if len(ordered) == 1 else f"pages {listed}"
