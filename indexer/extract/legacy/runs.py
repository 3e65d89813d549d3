"""A page's text as runs of one font each, in reading order, read through pdfium's text page.

pdfium parses content streams in C: 200-475 pages a second on the legacy corpus, where
pdfminer.six's interpreter managed 13-26 on the criminal code (bench/RESULTS.md). Its text page
keeps the content-stream order that ``pdftotext -raw`` gives, and knows each character's text
object, hence its font. Line breaks and gaps it infers are flagged as generated.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

GENERATED = ""  # the font of characters pdfium inferred (line breaks, gaps)
SAME_PLACE = 1.0  # points: two copies of a character this close are one character drawn twice
PARAGRAPH_GAP = 1.3  # a line this many line heights below the last starts a paragraph


#: A character's box in PDF points: left, bottom, right, top (None for inferred characters).
CharBox = tuple[float, float, float, float] | None


@dataclass(frozen=True)
class Run:
    """Consecutive characters of one font; `font` is GENERATED for inferred spaces and breaks.
    ``boxes`` has one CharBox per character of ``text`` (empty when not read)."""

    font: str
    text: str
    boxes: tuple[CharBox, ...] = ()


def page_runs(page: pdfium.PdfPage) -> list[Run]:
    """The page's characters grouped into runs of one font, line breaks as "\\n" runs."""
    textpage = pdfium_c.FPDFText_LoadPage(page.raw)
    if not textpage:
        return []
    try:
        return _runs(textpage)
    finally:
        pdfium_c.FPDFText_ClosePage(textpage)


def _runs(textpage) -> list[Run]:
    runs: list[tuple[str, list[str], list[CharBox]]] = []
    names: dict[int | None, str] = {}
    last_object = None
    font = GENERATED
    drawn: dict[int, list[tuple[float, float, int | None]]] = {}
    last: tuple[int, float] | None = None  # index and baseline of the last character read
    x, y = ctypes.c_double(), ctypes.c_double()
    edges = [ctypes.c_double() for _ in range(4)]
    for i in range(pdfium_c.FPDFText_CountChars(textpage)):
        box: CharBox = None
        code = pdfium_c.FPDFText_GetUnicode(textpage, i)
        if pdfium_c.FPDFText_IsGenerated(textpage, i) == 1:
            char, char_font = ("\n" if code in (10, 13) else " "), GENERATED
            if char == "\n" and runs and runs[-1][1][-1:] == ["\n"]:
                continue  # pdfium marks a line end with "\r\n": one break
        else:
            pdfium_c.FPDFText_GetCharOrigin(textpage, i, x, y)
            text_object = pdfium_c.FPDFText_GetTextObject(textpage, i)
            address = ctypes.cast(text_object, ctypes.c_void_p).value
            if _drawn_again(code, (x.value, y.value, address), drawn):
                continue
            if address != last_object:
                last_object, font = address, _font_name(text_object, names)
            char, char_font = chr(code), font
            pdfium_c.FPDFText_GetCharBox(textpage, i, *edges)  # left, right, bottom, top
            left, right, bottom, top = (edge.value for edge in edges)
            box = (left, bottom, right, top)
            if (
                runs
                and runs[-1][1][-1:] == ["\n"]
                and last
                and _paragraph_gap(textpage, last, y.value)
            ):
                runs[-1][1].append("\n")  # a blank line, as text layers leave under a title
                runs[-1][2].append(None)
            last = (i, y.value)
        if runs and runs[-1][0] == char_font:
            runs[-1][1].append(char)
            runs[-1][2].append(box)
        else:
            runs.append((char_font, [char], [box]))
    return [Run(name, "".join(chars), tuple(boxes)) for name, chars, boxes in runs]


def _paragraph_gap(textpage, last: tuple[int, float], baseline: float) -> bool:
    """Whether a line starts well below the last one: more than PARAGRAPH_GAP line heights
    (the height of the last character's box with its font's ascent and descent)."""
    index, last_baseline = last
    box = pdfium_c.FS_RECTF()
    pdfium_c.FPDFText_GetLooseCharBox(textpage, index, box)
    height = box.top - box.bottom
    return height > 0 and last_baseline - baseline > PARAGRAPH_GAP * height


def _drawn_again(code: int, place: tuple[float, float, int | None], drawn: dict) -> bool:
    """Whether this character repeats one that another text object drew at (almost) the same
    place: producers fake bold by drawing a line two or three times, a hair apart. (Within one
    object, the characters of a ligature share a place and are all real.)"""
    x, y, text_object = place
    seen = drawn.setdefault(code, [])
    for other_x, other_y, other_object in seen:
        close = abs(x - other_x) < SAME_PLACE and abs(y - other_y) < SAME_PLACE
        if close and other_object != text_object:
            return True
    seen.append(place)
    return False


def _font_name(text_object, names: dict[int | None, str]) -> str:
    """The base font name of a text object, cached by font handle."""
    handle = pdfium_c.FPDFTextObj_GetFont(text_object)
    key = ctypes.cast(handle, ctypes.c_void_p).value
    if key not in names:
        size = pdfium_c.FPDFFont_GetBaseFontName(handle, None, 0) if handle else 0
        buffer = ctypes.create_string_buffer(max(size, 1))
        if size:
            pdfium_c.FPDFFont_GetBaseFontName(handle, buffer, size)
        names[key] = buffer.value.decode("latin-1") or "unnamed"
    return names[key]


def image_share(page: pdfium.PdfPage) -> float:
    """Share of the page's area that images cover (a scan under a text header covers most)."""
    width, height = page.get_size()
    if width <= 0 or height <= 0:
        return 0.0
    covered = 0.0
    for image in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=3):
        left, bottom, right, top = image.get_bounds()
        covered += max(0.0, min(right, width) - max(left, 0.0)) * max(
            0.0, min(top, height) - max(bottom, 0.0)
        )
    return min(1.0, covered / (width * height))
