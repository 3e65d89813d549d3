"""Shared test helpers and fixtures: where the real corpus is, small PDFs cut from it, the web
tests' index, the engine tests' documents. The bench/ scripts are importable too: tests run
some of them at CI size and share their server helpers."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from flask.testing import FlaskClient

from indexer.model import Document, Page
from indexer.text.khmer import clean
from search_web import create_app

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "corpus"
PDFS = SHARED / "pdf"
DEMO = REPO / "corpus"
sys.path.insert(0, str(REPO / "bench"))

CORPUS = SHARED
SPEECH_TITLE = "គ្រូបង្រៀនជាតួអង្គសំខាន់នៃបរិវត្តកម្មបញ្ញាសិប្បនិម្មិត"
CONSTITUTION = CORPUS / "ocr_gt/constitution_2015/constitution_2015_clean.md"
SEZ_TRANSLATION = "cdc-sub-decree-148-ankr-bk-on-the-establishment-and-management-of-the-special-economic-zone-final-060314.txt"  # noqa: E501


def pdf_pages(path: Path, method: str = "text") -> list[Page]:
    """The text layer of a real PDF, page by page, as ingest extracts and cleans it."""
    raw = subprocess.run(
        ["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return [Page(n, clean(text), method, 1.0) for n, text in enumerate(raw.split("\f"), 1)][:-1]


def chapter_pages(markdown: str) -> list[Page]:
    """The hand-cleaned constitution, one page per chapter (its "##" headings)."""
    chapters = re.split(r"\n(?=## )", markdown)
    return [Page(n, clean(text), "ocr", 1.0) for n, text in enumerate(chapters, 1)]


def text_pages(text: str, size: int = 3000) -> list[Page]:
    return [
        Page(n, clean(text[start : start + size]), "text", 1.0)
        for n, start in enumerate(range(0, len(text), size), 1)
    ]


def english_year(path: Path) -> int:
    """Year from the yymmdd suffix of the text/en file names (e.g. ...-060314 is 2006)."""
    found = re.search(r"-(\d\d)\d{4}$", path.stem)
    return (1900 if int(found.group(1)) > 50 else 2000) + int(found.group(1)) if found else None


@pytest.fixture(scope="module", params=["whoosh", "tantivy"])
def backend(request) -> str:
    """Each engine in turn, for the search tests (tests/test_engine.py has the contract)."""
    return request.param


@pytest.fixture(scope="session")
def corpus_documents() -> list[Document]:
    docs = [
        Document(
            "speech",
            "h-speech",
            ["pdf/km_speech_2025_moeys_teachers_day_unicode.pdf"],
            pdf_pages(CORPUS / "pdf/km_speech_2025_moeys_teachers_day_unicode.pdf"),
            title=clean(f"សុន្ទរកថា {SPEECH_TITLE}"),
            type="other",
            year=2025,
            languages=["km"],
        ),
        Document(
            "constitution",
            "h-constitution",
            ["constitution_2015.pdf"],
            chapter_pages(CONSTITUTION.read_text()),
            title=clean("រដ្ឋធម្មនុញ្ញនៃព្រះរាជាណាចក្រកម្ពុជា"),
            type="law",
            year=1993,
            languages=["km"],
        ),
    ]
    for pdf in sorted((CORPUS / "pdf").glob("en_*.pdf")):
        docs.append(
            Document(pdf.stem, "h", [pdf.name], pdf_pages(pdf), title=pdf.stem, languages=["en"])
        )
    for text in sorted((CORPUS / "text/en").glob("*.txt")):
        kind = "sub-decree" if "sub-decree" in text.name else "law"
        docs.append(
            Document(
                text.stem[:40],
                "h",
                [f"text/en/{text.name}"],
                text_pages(text.read_text()),
                title=text.stem.removeprefix("cdc-").replace("-", " "),
                type=kind,
                year=english_year(text),
                languages=["en"],
            )
        )
    return docs


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


def on_engine(data: Path, engine: str, base: Path) -> Path:
    """A data folder on ``engine``: itself on Whoosh (the default), else a copy in ``base``
    moved to the engine by the real CLI's rebuild (from its store: no OCR, no analysis)."""
    if engine == "whoosh":
        return data
    moved = base / "data"
    shutil.copytree(data, moved, symlinks=True)
    ddsearch("rebuild", "--engine", engine, data=moved, check=True)
    return moved


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


#: A real Royal Gazette scan (2 pages: a royal kram and the law on creating the Ministry of
#: Civil Service, whose title is on page 2 — the corpus label is wrong) and a Limon
#: (legacy-font) guideline whose first two pages are converted, for the page view's tests.
SCAN_LAW = "km_subdecree_2000_083_council_admin_reform_secretariat.pdf"
SCAN_TITLE_WORD = "ក្រសួងមុខងារសាធារណៈ"  # the Ministry of Civil Service, page 2's title
LIMON_GUIDELINE = "km_guideline_1993_role_limon.pdf"


@pytest.fixture(scope="session")
def scan_data(tmp_path_factory, shared_corpus) -> Path:
    """The data folder of an index of SCAN_LAW (OCR'd) and two pages of LIMON_GUIDELINE
    (converted), built once by the real CLI."""
    base = tmp_path_factory.getbasetemp()
    data, library = base / "scan-data", base / "scan-library"
    library.mkdir()
    shutil.copy(PDFS / SCAN_LAW, library / SCAN_LAW)
    cut_pages(PDFS / LIMON_GUIDELINE, [1, 2], library / LIMON_GUIDELINE)
    ddsearch("index", str(library), "--index", str(data), "--quiet", data=data, check=True)
    return data
