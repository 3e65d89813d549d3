"""The committed demo corpus: its PDFs match their sources, the Khmer instrument carries a real
Unicode text layer, and the scanned page has no text layer but reads back through OCR."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from indexer.extract.ocr import read_page
from indexer.extract.pdf import page_count, text_layer
from indexer.text.khmer import normalize

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
SUBDECREE = CORPUS / "km_subdecree_2024_012_commune_functions_demo.pdf"
SCAN = CORPUS / "km_circular_2024_034_commune_investment_programme_scan_demo.pdf"
SOURCES = sorted((CORPUS / "src").glob("*.html"))


def _load_make_demo():
    spec = importlib.util.spec_from_file_location("make_demo", CORPUS / "make_demo.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


make_demo = _load_make_demo()


def compact(text: str) -> str:
    """Fully normalised text without any whitespace, so words match across line wraps."""
    return "".join(normalize(text).split())


def whole_text_layer(pdf: Path) -> str:
    return compact("".join(text_layer(pdf, page_count(pdf))))


def test_every_source_has_its_pdf_and_the_set_stays_small():
    pdfs = sorted(CORPUS.glob("*.pdf"))
    assert [p.stem for p in pdfs] == [s.stem for s in SOURCES]
    assert sum(p.stat().st_size for p in pdfs) < 1_000_000


@pytest.mark.parametrize(
    "source", [s for s in SOURCES if make_demo.SCAN_MARK not in s.stem], ids=lambda s: s.stem
)
def test_text_layer_is_the_source_text_exactly(source):
    pdf = CORPUS / f"{source.stem}.pdf"
    found = "".join(text_layer(pdf, page_count(pdf)))
    assert make_demo.comparable(found) == make_demo.comparable(make_demo.source_text(source))


def test_subdecree_text_layer_carries_its_heading_title_and_signing_line():
    text = whole_text_layer(SUBDECREE)
    for words in (
        "ព្រះរាជាណាចក្រកម្ពុជា",
        "លេខ ១២ អនក្រ.បក",
        "អនុក្រឹត្យ ស្តីពី ការផ្ទេរមុខងារ និងធនធានពាក់ព័ន្ធ ទៅឱ្យក្រុមប្រឹក្សាឃុំ សង្កាត់",
        "មាត្រា ៨.-",
        "ធ្វើនៅរាជធានីភ្នំពេញ ថ្ងៃទី ១៥ ខែមីនា ឆ្នាំ២០២៤",
        "ឯកសារគំរូ — មិនមែនជាលិខិតបទដ្ឋានពិតប្រាកដ",
    ):
        assert compact(words) in text


@pytest.mark.slow
def test_scan_has_no_text_layer_and_ocr_reads_its_title():
    assert whole_text_layer(SCAN) == ""
    text = compact(read_page(SCAN, 0).text)
    for words in ("សារាចរ", "ស្តីពី", "ការរៀបចំកម្មវិធី", "ឃុំ សង្កាត់ ឆ្នាំ២០២៥", "ឯកសារគំរូ"):
        assert compact(words) in text
