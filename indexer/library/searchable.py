"""A searchable copy of a scanned PDF: its own pages with the stored OCR words as invisible text.

pdfium itself writes the layer (pypdfium2, already the renderer; bench/page_images.py compares
it with OCRmyPDF's hOCR renderer): one invisible text object per word, in a Khmer font it
embeds with a ToUnicode map, stretched over the word's box. Characters go in logical (Unicode)
order, so a viewer's search and copy and ``pdftotext`` give the Khmer as stored; the glyphs are
never drawn, so that Khmer is not shaped does not matter. No OCR runs again.
"""

from __future__ import annotations

import ctypes
import statistics
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from indexer.errors import PageMissing
from indexer.library.store import Boxes
from indexer.text.khmer import clean

#: The font the layer is set in (never drawn): the smallest of Debian's fonts-khmeros, with
#: Latin too; it has 199 of the 200 characters in the wave-1 OCR text (not ●, bench/RESULTS.md).
FONT = Path("/usr/share/fonts/truetype/khmeros/KhmerOSsiemreap.ttf")
#: Where the baseline sits in a word box, from its bottom, as a share of the box height
#: (Khmer subscripts and lower vowels hang below the line).
BASELINE = 0.22


def searchable_pdf(source: Path, pages: dict[int, Boxes], target: Path) -> None:
    """Write ``source`` with an invisible text layer on each 1-based page of ``pages``."""
    if not FONT.is_file():
        raise PageMissing(f"The font {FONT} is missing: install Debian's fonts-khmeros.")
    pdf = pdfium.PdfDocument(str(source))
    try:
        data = FONT.read_bytes()
        buffer = (ctypes.c_uint8 * len(data)).from_buffer_copy(data)
        font = pdfium_c.FPDFText_LoadFont(
            pdf.raw, buffer, len(data), pdfium_c.FPDF_FONT_TRUETYPE, 1
        )
        for number, boxes in sorted(pages.items()):
            if 1 <= number <= len(pdf):
                _add_layer(pdf, pdf[number - 1], font, boxes)
        pdf.save(str(target))
    finally:
        pdf.close()


def _add_layer(pdf: pdfium.PdfDocument, page: pdfium.PdfPage, font, boxes: Boxes) -> None:
    """Each word at its box's left edge and width, on its line's baseline at the line's size:
    a viewer (and ``pdftotext``) then reads a line as one line, in order."""
    page_width, page_height = page.get_size()
    upright = boxes.upright()
    sx, sy = page_width / upright.width, page_height / upright.height
    lines: dict[int, list[list]] = {}
    for i, row in enumerate(upright.words):
        lines.setdefault(row[6] if row[6] >= 0 else -1 - i, []).append(row)  # -1: no lines
    for words in lines.values():
        words = [w for w in words if clean(w[0]) and w[2] < w[4] and w[3] < w[5]]
        if not words:
            continue
        height = statistics.median(w[5] - w[3] for w in words) * sy
        baseline = page_height - max(w[5] for w in words) * sy + BASELINE * height
        for text, _confidence, x0, _y0, x1, _y1, _line in words:
            _add_word(pdf, page, font, clean(text), x0 * sx, (x1 - x0) * sx, baseline, height)
    pdfium_c.FPDFPage_GenerateContent(page.raw)


def _add_word(pdf, page, font, text: str, left: float, width: float, baseline: float, size: float):
    """One invisible text object, stretched to ``width`` points from ``left``."""
    obj = pdfium_c.FPDFPageObj_CreateTextObj(pdf.raw, font, ctypes.c_float(size))
    encoded = (text + "\0").encode("utf-16-le")
    chars = ctypes.create_string_buffer(encoded, len(encoded))
    pdfium_c.FPDFText_SetText(obj, ctypes.cast(chars, ctypes.POINTER(pdfium_c.FPDF_WCHAR)))
    pdfium_c.FPDFTextObj_SetTextRenderMode(obj, pdfium_c.FPDF_TEXTRENDERMODE_INVISIBLE)
    edges = [ctypes.c_float() for _ in range(4)]  # left, bottom, right, top
    pdfium_c.FPDFPageObj_GetBounds(obj, *edges)
    stretch = width / max(edges[2].value - edges[0].value, 0.01)
    pdfium_c.FPDFPageObj_Transform(obj, stretch, 0, 0, 1, left - edges[0].value * stretch, baseline)
    pdfium_c.FPDFPage_InsertObject(page.raw, obj)
