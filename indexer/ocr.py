"""Tesseract OCR of rendered pages, one single-threaded Tesseract per worker (KNOWLEDGE §2)."""

from __future__ import annotations

import io
import os
import subprocess
from pathlib import Path

import pytesseract
from PIL import Image

from indexer.pdf import render_page

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
    """OCR one page image, handed to Tesseract on stdin as uncompressed PGM (quick to write)
    and read from its stdout: no temporary file is left behind when a run is killed."""
    pgm = io.BytesIO()
    image.convert("L").save(pgm, format="PPM")
    command = [TESSERACT, "stdin", "stdout", "-l", lang, "--psm", str(psm)]
    try:
        done = subprocess.run(
            command, input=pgm.getvalue(), capture_output=True, timeout=PAGE_TIMEOUT_S
        )
    except FileNotFoundError:
        raise RuntimeError(NOT_INSTALLED) from None
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
) -> str:
    """Render a 0-based page of a PDF at ``dpi`` and OCR it."""
    return ocr_image(render_page(pdf_path, page_index, dpi), lang=lang, psm=psm)


def check_languages(lang: str) -> None:
    """Fail early, with what to install, when a Tesseract language pack is missing."""
    try:
        available = set(pytesseract.get_languages(config=""))
    except pytesseract.TesseractNotFoundError:
        raise RuntimeError(NOT_INSTALLED) from None
    missing = [code for code in lang.split("+") if code not in available]
    if missing:
        packages = " ".join(f"tesseract-ocr-{code}" for code in missing)
        raise RuntimeError(
            f"Tesseract has no language data for {', '.join(missing)}: run "
            f"`apt-get install {packages}`, or choose another --ocr-lang."
        )
