"""Shared test helpers and fixtures: where the real corpus is, small PDFs cut from it, the web
tests' index, the engine tests' documents. The bench/ scripts are importable too: tests run
some of them at CI size and share their server helpers."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import real_documents
from flask.testing import FlaskClient

from indexer.model import Document
from search_web import create_app

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "corpus"
PDFS = SHARED / "pdf"
DEMO = REPO / "corpus"
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


#: The two real PDFs of the web tests' index, besides the demo corpus.
WEB_SPEECH = "km_speech_2025_moeys_teachers_day_unicode.pdf"
WEB_REGULATION = "en_petroleum_regulation_second_amendment_unofficial.pdf"


@pytest.fixture(scope="session")
def web_data(tmp_path_factory, shared_corpus) -> Path:
    """The data folder of the web tests' index (the website, the browser and the server-load
    tests), built once by the real CLI; the PDFs are beside it in ``web-library``."""
    base = tmp_path_factory.getbasetemp()
    data, library = base / "web-data", base / "web-library"
    library.mkdir()
    for pdf in [*DEMO.glob("*.pdf"), PDFS / WEB_SPEECH, PDFS / WEB_REGULATION]:
        shutil.copy(pdf, library / pdf.name)
    ddsearch("index", str(library), "--index", str(data), "--quiet", data=data, check=True)
    return data


class _ClosingClient(FlaskClient):
    """Reads every response whole and closes it, as a WSGI server does: a file the app sends
    (a PDF, a stylesheet) is not left open for the garbage collector."""

    def open(self, *args, **kwargs):
        kwargs.setdefault("buffered", True)
        return super().open(*args, **kwargs)


def web_client(data: Path) -> FlaskClient:
    """Flask's test client of the website over the data folder ``data``."""
    app = create_app(data)
    app.test_client_class = _ClosingClient
    return app.test_client()


@pytest.fixture(scope="module")
def corpus_documents() -> list[Document]:
    """The real documents the engine and search tests index (see real_documents.py)."""
    return real_documents.corpus_documents()
