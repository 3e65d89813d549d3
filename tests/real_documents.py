"""Documents built straight from the real corpus, without an indexing run: the Khmer speech's
text layer, the hand-cleaned constitution, the English PDFs and translations. The engine and
search tests index them (conftest.py's ``corpus_documents`` fixture)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from indexer.model import Document, Page
from indexer.text.khmer import clean

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
SPEECH_TITLE = "គ្រូបង្រៀនជាតួអង្គសំខាន់នៃបរិវត្តកម្មបញ្ញាសិប្បនិម្មិត"
CONSTITUTION = CORPUS / "ocr_gt/constitution_2015/constitution_2015_clean.md"


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


def corpus_documents() -> list[Document]:
    """The speech, the constitution (a page per chapter), the English PDFs and translations."""
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
