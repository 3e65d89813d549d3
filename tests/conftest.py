"""Shared test helpers: where the real corpus is, and small PDFs cut from it. The bench/
scripts are importable too: tests run some of them at CI size and share their server helpers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pypdfium2 as pdfium
import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "corpus"
PDFS = SHARED / "pdf"
sys.path.insert(0, str(REPO / "bench"))


@pytest.fixture(scope="session")
def shared_corpus() -> Path:
    assert PDFS.is_dir(), f"the real test corpus is missing: expected it at {SHARED}"
    return SHARED


def cut_pages(source: Path, pages: list[int], target: Path) -> Path:
    """Write a PDF made of some 1-based pages of a real PDF, to keep OCR in tests short."""
    original = pdfium.PdfDocument(str(source))
    cut = pdfium.PdfDocument.new()
    cut.import_pages(original, [page - 1 for page in pages])
    target.parent.mkdir(parents=True, exist_ok=True)
    cut.save(str(target))
    return target


def ddsearch(*args: str, data: Path, check: bool = False, **kwargs) -> subprocess.CompletedProcess:
    """Run the real command line in a subprocess, as a librarian would."""
    env = {**os.environ, "DDSEARCH_INDEX": str(data)}
    done = subprocess.run(
        [sys.executable, "-m", "indexer.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=600,
        **kwargs,
    )
    if check:
        assert done.returncode == 0, done.stdout + done.stderr
    return done
