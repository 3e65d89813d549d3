"""The kinds of file the library indexes, and the page image of either kind for OCR."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from indexer.extract import images, pdf

SUFFIXES = (".pdf", *images.SUFFIXES)


def is_document(name: str) -> bool:
    """Whether a file name is one the library indexes (a PDF or an image)."""
    return name.lower().endswith(SUFFIXES)


def page_image(path: Path, page_index: int, dpi: int = pdf.RENDER_DPI) -> Image.Image:
    """A 0-based page as a grayscale image: a PDF page rendered at ``dpi``, or an image frame."""
    if images.is_image(path):
        return images.page_image(path, page_index)
    return pdf.render_page(path, page_index, dpi)
