"""The kinds of file the library indexes, and the page image of a PDF or image file for OCR.

Text documents (Word, OpenDocument, web, Markdown and text files) have no page images: their
text is read whole (`indexer.extract.textdocs`)."""

from __future__ import annotations

from pathlib import Path

from PIL import Image

from indexer.extract import images, pdf, textdocs

SUFFIXES = (".pdf", *images.SUFFIXES, *textdocs.SUFFIXES)


def is_document(name: str) -> bool:
    """Whether a file name is one the library indexes (a PDF, an image or a text document)."""
    return name.lower().endswith(SUFFIXES)


def page_image(
    path: Path, page_index: int, dpi: int = pdf.RENDER_DPI, text: bool = True
) -> Image.Image:
    """A 0-based page as a grayscale image: a PDF page rendered at ``dpi`` (without its text
    objects unless ``text``), or an image frame."""
    if images.is_image(path):
        return images.page_image(path, page_index)
    return pdf.render_page(path, page_index, dpi, text=text)


def has_page_images(path: Path | str) -> bool:
    """Whether the file's pages can be shown as images (a PDF or an image file)."""
    return not textdocs.is_text_document(path)
