"""Opening PDFs and reading what they carry: page count, text layer, fonts, rendered pages.

Khmer text layers come from poppler's ``pdftotext -raw`` (the only extractor that keeps Khmer
intact, KNOWLEDGE §3); pages are opened and rendered with pypdfium2, 15x faster than pdftoppm.
"""

from __future__ import annotations

import html
import io
import re
import subprocess
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image

from indexer.library.store import Boxes

#: Largest rendered side in pixels; a page with an absurd media box is rendered smaller, not
#: at the cost of gigabytes of memory.
MAX_RENDER_SIDE = 7000
#: Pages are OCR'd at 300 dpi, and word boxes of every page are pixels at this resolution.
RENDER_DPI = 300
TEXT_TIMEOUT_S = 120


class UnreadablePdf(Exception):
    """The file cannot be opened as a PDF; the message says why in one sentence."""


def page_count(path: Path) -> int:
    """Open the PDF and count its pages, turning pdfium's errors into sentences."""
    if not path.exists():
        raise FileNotFoundError(path)
    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as err:
        reason = "the PDF has no pages" if _has_no_pages(path) else _explain(str(err))
        raise UnreadablePdf(reason) from None
    except OSError as err:
        raise UnreadablePdf(f"cannot read the file: {err.strerror or err}") from None
    try:
        return len(pdf)
    finally:
        pdf.close()


def _has_no_pages(path: Path) -> bool:
    """pdfium refuses a PDF with an empty page tree without saying why; poppler says it."""
    try:
        done = subprocess.run(["pdfinfo", str(path)], capture_output=True, timeout=60, check=False)
    except subprocess.TimeoutExpired:
        return False
    return b"page count 0" in done.stderr or b"Pages:           0" in done.stdout


def _explain(pdfium_message: str) -> str:
    message = pdfium_message.lower()
    if "password" in message:
        return "the PDF is encrypted with a password; save an unprotected copy and index that"
    if "format" in message or "file" in message:
        return "not a readable PDF (damaged, truncated, or another kind of file named .pdf)"
    return f"pdfium could not open it ({pdfium_message})"


def text_layer(path: Path, pages: int) -> list[str]:
    """Return the text layer of every page (``pdftotext -raw``), '' for pages without one."""
    try:
        done = subprocess.run(
            ["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"],
            capture_output=True,
            timeout=TEXT_TIMEOUT_S + pages,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return [""] * pages
    texts = done.stdout.decode("utf-8", errors="replace").split("\f")
    texts = texts[:pages] + [""] * max(0, pages - len(texts))
    return texts


_FONT_LINE = re.compile(r"^(?:[A-Z]{6}\+)?(\S+)")


def fonts(path: Path) -> list[str]:
    """Names of the fonts used in the document, from ``pdffonts``."""
    try:
        done = subprocess.run(["pdffonts", str(path)], capture_output=True, timeout=60, check=False)
    except subprocess.TimeoutExpired:
        return []
    lines = done.stdout.decode("utf-8", errors="replace").splitlines()[2:]
    names = (_FONT_LINE.match(line) for line in lines)
    return sorted({match.group(1) for match in names if match})


def render_page(
    path: Path, page_index: int, dpi: int = RENDER_DPI, text: bool = True
) -> Image.Image:
    """Render one 0-based page to a grayscale image at ``dpi``, capped at MAX_RENDER_SIDE.

    With ``text=False`` the page's text objects are left out, so that OCR reads only what its
    images hold (a scan under a text-layer header whose text is already known)."""
    pdf = pdfium.PdfDocument(str(path))
    try:
        page = pdf[page_index]
        if not text:
            for text_object in list(page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_TEXT])):
                page.remove_obj(text_object)
        width, height = page.get_size()
        scale = min(dpi / 72, MAX_RENDER_SIDE / max(width, height, 1))
        bitmap = page.render(scale=scale, grayscale=True)
        return bitmap.to_pil()
    finally:
        pdf.close()


def page_bytes(path: Path, page_index: int) -> bytes:
    """One 0-based page as a PDF of its own: what an OCR worker on another machine needs of a
    scan (its compressed image, 138 KB a Gazette page on average; bench/queue_bench.py)."""
    pdf = pdfium.PdfDocument(str(path))
    single = pdfium.PdfDocument.new()
    try:
        single.import_pages(pdf, [page_index])
        out = io.BytesIO()
        single.save(out)
        return out.getvalue()
    finally:
        single.close()
        pdf.close()


def render_width(path: Path, page_index: int, width: int) -> Image.Image:
    """Render one 0-based page to a grayscale image ``width`` pixels wide (for reading)."""
    pdf = pdfium.PdfDocument(str(path))
    try:
        page = pdf[page_index]
        page_width, page_height = page.get_size()
        scale = min(width / max(page_width, 1), MAX_RENDER_SIDE / max(page_width, page_height, 1))
        image = page.render(scale=scale, grayscale=True).to_pil()
        if abs(image.width - width) == 1:  # pdfium rounds the pixel size up or down
            image = image.resize((width, image.height), Image.Resampling.LANCZOS)
        return image
    finally:
        pdf.close()


_BBOX_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.DOTALL)
_BBOX_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
)


def word_boxes(path: Path, pages: set[int]) -> dict[int, Boxes]:
    """Text-layer words of the given 1-based pages with their boxes (``pdftotext -bbox``), as
    ``store.Boxes`` in pixels at RENDER_DPI; pages poppler cannot read get none."""
    try:
        done = subprocess.run(
            ["pdftotext", "-bbox", "-enc", "UTF-8", str(path), "-"],
            capture_output=True,
            timeout=TEXT_TIMEOUT_S + len(pages),
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {}
    found = {}
    xhtml = done.stdout.decode("utf-8", errors="replace")
    for number, match in enumerate(_BBOX_PAGE.finditer(xhtml), start=1):
        if number not in pages:
            continue
        scale = RENDER_DPI / 72
        width, height = (round(float(v) * scale) for v in match.groups()[:2])
        words = [
            [html.unescape(text), 100, *(round(float(v) * scale) for v in box), -1]
            for *box, text in _BBOX_WORD.findall(match.group(3))
        ]
        found[number] = Boxes(width, height, RENDER_DPI, 0, words)
    return found
