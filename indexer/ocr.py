"""Tesseract OCR of rendered pages, one single-threaded Tesseract per worker (KNOWLEDGE §2)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytesseract
from PIL import Image

from indexer.pdf import render_page

DEFAULT_LANG = "khm+eng"
#: psm 6 (a uniform block of text) had the lowest Khmer error rate on clean and scanned pages.
DEFAULT_PSM = 6
PAGE_TIMEOUT_S = 600

# Tesseract's own threads make a page 4x slower on a busy machine; parallelism comes from
# running one Tesseract per worker process instead.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")


def ocr_image(image: Image.Image, lang: str = DEFAULT_LANG, psm: int = DEFAULT_PSM) -> str:
    """OCR one page image; the image goes to Tesseract as uncompressed PGM, quick to write."""
    with tempfile.TemporaryDirectory(prefix="ddsearch-ocr-") as tmp:
        image_path = Path(tmp) / "page.pgm"
        image.convert("L").save(image_path)
        return pytesseract.image_to_string(
            str(image_path), lang=lang, config=f"--psm {psm}", timeout=PAGE_TIMEOUT_S
        )


def ocr_page(
    pdf_path: Path,
    page_index: int,
    lang: str = DEFAULT_LANG,
    dpi: int = 300,
    psm: int = DEFAULT_PSM,
) -> str:
    """Render a 0-based page of a PDF at ``dpi`` and OCR it."""
    return ocr_image(render_page(pdf_path, page_index, dpi), lang=lang, psm=psm)


def check_languages(lang: str) -> None:
    """Fail early, with what to install, when a Tesseract language pack is missing."""
    try:
        available = set(pytesseract.get_languages(config=""))
    except pytesseract.TesseractNotFoundError:
        raise RuntimeError(
            "Tesseract is not installed: run `apt-get install tesseract-ocr tesseract-ocr-khm "
            "tesseract-ocr-eng`, or index with --ocr never."
        ) from None
    missing = [code for code in lang.split("+") if code not in available]
    if missing:
        packages = " ".join(f"tesseract-ocr-{code}" for code in missing)
        raise RuntimeError(
            f"Tesseract has no language data for {', '.join(missing)}: run "
            f"`apt-get install {packages}`, or choose another --ocr-lang."
        )
