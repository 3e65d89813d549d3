"""Tesseract OCR of rendered pages, one single-threaded Tesseract per worker (KNOWLEDGE §2)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytesseract
from PIL import Image

from indexer.errors import OcrUnavailable
from indexer.extract.pdf import render_page

DEFAULT_LANG = "khm+eng"
#: psm 6 (a uniform block of text) had the lowest Khmer error rate on clean and scanned pages.
DEFAULT_PSM = 6
PAGE_TIMEOUT_S = 600
TESSERACT = "tesseract"
NOT_INSTALLED = (
    "Tesseract is not installed: run `apt-get install tesseract-ocr tesseract-ocr-khm "
    "tesseract-ocr-eng`, or index with --ocr never."
)

# Tesseract's own threads make a page 4x slower on a busy machine; parallelism comes from
# running one Tesseract per worker process instead.
os.environ.setdefault("OMP_THREAD_LIMIT", "1")


def ocr_image(image: Image.Image, lang: str = DEFAULT_LANG, psm: int = DEFAULT_PSM) -> str:
    """OCR one page image, handed to Tesseract as uncompressed PGM in an in-memory file.

    Tesseract reads a file path at full speed but stdin byte by byte (0.1-0.15 s more per
    page); a memfd is a path with no file on disk to leave behind when a run is killed."""
    page_file = os.memfd_create("ddsearch-page")
    try:
        with open(page_file, "wb", closefd=False) as out:
            image.convert("L").save(out, format="PPM")
        command = [TESSERACT, f"/dev/fd/{page_file}", "stdout", "-l", lang, "--psm", str(psm)]
        done = subprocess.run(
            command, capture_output=True, timeout=PAGE_TIMEOUT_S, pass_fds=(page_file,)
        )
    except FileNotFoundError:
        raise OcrUnavailable(NOT_INSTALLED) from None
    finally:
        os.close(page_file)
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RuntimeError(f"Tesseract failed: {message[-1] if message else done.returncode}")
    return done.stdout.decode("utf-8", "replace")


def ocr_page(
    pdf_path: Path,
    page_index: int,
    lang: str = DEFAULT_LANG,
    dpi: int = 300,
    psm: int = DEFAULT_PSM,
    images_only: bool = False,
) -> str:
    """Render a 0-based page of a PDF at ``dpi`` (without its text objects if ``images_only``)
    and OCR it."""
    image = render_page(pdf_path, page_index, dpi, text=not images_only)
    return ocr_image(image, lang=lang, psm=psm)


def check_languages(lang: str) -> None:
    """Fail early, with what to install, when a Tesseract language pack is missing."""
    try:
        available = set(pytesseract.get_languages(config=""))
    except pytesseract.TesseractNotFoundError:
        raise OcrUnavailable(NOT_INSTALLED) from None
    missing = [code for code in lang.split("+") if code not in available]
    if missing:
        packages = " ".join(f"tesseract-ocr-{code}" for code in missing)
        raise OcrUnavailable(
            f"Tesseract has no language data for {', '.join(missing)}: run "
            f"`apt-get install {packages}`, or choose another --ocr-lang."
        )
