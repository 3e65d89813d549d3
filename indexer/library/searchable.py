"""A searchable copy of a scanned PDF: its own pages with the stored OCR words as invisible text.

pdfium itself writes the layer (pypdfium2, already the renderer; bench/page_images.py compares
it with OCRmyPDF's hOCR renderer): one invisible text object per word, in a Khmer font it
embeds with a ToUnicode map, stretched over the word's box. Characters go in logical (Unicode)
order, so a viewer's search and copy and ``pdftotext`` give the Khmer as stored; the glyphs are
never drawn, so that Khmer is not shaped does not matter. No OCR runs again.
"""

from __future__ import annotations

import ctypes
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from indexer.errors import PageMissing
from indexer.library.store import Boxes
from indexer.text.khmer import clean

#: The font whose character widths the layer uses (Debian fonts-khmeros; it has Latin too).
FONT = Path("/usr/share/fonts/truetype/khmeros/KhmerOS.ttf")
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
    page_width, page_height = page.get_size()
    upright = boxes.upright()
    sx, sy = page_width / upright.width, page_height / upright.height
    for text, _confidence, x0, y0, x1, y1, _line in upright.words:
        text = clean(text)
        if not text or x1 <= x0 or y1 <= y0:
            continue
        height = (y1 - y0) * sy
        obj = pdfium_c.FPDFPageObj_CreateTextObj(pdf.raw, font, ctypes.c_float(height))
        encoded = (text + "\0").encode("utf-16-le")
        chars = ctypes.create_string_buffer(encoded, len(encoded))
        pdfium_c.FPDFText_SetText(obj, ctypes.cast(chars, ctypes.POINTER(pdfium_c.FPDF_WCHAR)))
        pdfium_c.FPDFTextObj_SetTextRenderMode(obj, pdfium_c.FPDF_TEXTRENDERMODE_INVISIBLE)
        left, bottom, right, top = (ctypes.c_float() for _ in range(4))
        pdfium_c.FPDFPageObj_GetBounds(obj, left, bottom, right, top)
        stretch = (x1 - x0) * sx / max(right.value - left.value, 0.01)
        baseline = page_height - y1 * sy + BASELINE * height
        pdfium_c.FPDFPageObj_Transform(
            obj, stretch, 0, 0, 1, x0 * sx - left.value * stretch, baseline
        )
        pdfium_c.FPDFPage_InsertObject(page.raw, obj)
    pdfium_c.FPDFPage_GenerateContent(page.raw)
