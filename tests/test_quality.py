"""The text-layer quality gate, on labelled chunks and on the real PDFs of the shared corpus."""

import csv
import json
import subprocess
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from indexer.extract.quality import MIN_LETTERS, assess

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
PDFS = CORPUS / "pdf"
SAMPLES = json.loads((CORPUS / "fixtures/quality_samples.json").read_text())


@cache
def pdf_pages(name: str) -> tuple[str, ...]:
    """Every page's text layer, as `pdftotext -raw` gives it (pages end with a form feed)."""
    done = subprocess.run(
        ["pdftotext", "-raw", str(PDFS / name), "-"], capture_output=True, check=True
    )
    return tuple(done.stdout.decode("utf-8", "replace").split("\f")[:-1])


def pdf_page(name: str, number: int) -> str:
    done = subprocess.run(
        ["pdftotext", "-raw", "-f", str(number), "-l", str(number), str(PDFS / name), "-"],
        capture_output=True,
        check=True,
    )
    return done.stdout.decode("utf-8", "replace")


@cache
def pdf_fonts(name: str, page: int | None = None) -> tuple[str, ...]:
    """Font names from `pdffonts` (first column), for one page or the whole document."""
    pages = ["-f", str(page), "-l", str(page)] if page else []
    done = subprocess.run(
        ["pdffonts", *pages, str(PDFS / name)], capture_output=True, text=True, check=True
    )
    return tuple(line.split()[0] for line in done.stdout.splitlines()[2:] if line.strip())


# Labelled 300-character chunks -----------------------------------------------------------------


@pytest.mark.parametrize("label", sorted(SAMPLES))
def test_labelled_chunks(label):
    verdicts = [assess(chunk) for chunk in SAMPLES[label]]
    wanted = label.startswith("good")
    wrong = [(i, q) for i, q in enumerate(verdicts) if q.ok != wanted]
    assert not wrong


def test_broken_chunks_say_why():
    assert "Latin garbage" in assess(SAMPLES["broken: Limon legacy encoding"][0]).reason
    assert "Khmer" in assess(SAMPLES["broken: synthetic visual order"][0]).reason


# Small cases ---------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "  \n", "12", "ជ ទំព័រ 4634", "Annex 1"])
def test_too_little_text_fails(text):
    quality = assess(text)
    assert not quality.ok
    assert quality.reason == "too little text"
    assert quality.score < 0.5


def test_royal_gazette_header_alone_fails():
    # The only text on a 2016 Royal Gazette scan: one line of running header.
    page = pdf_page("km_subdecree_2016_099_general_census.pdf", 2)
    assert page.strip()
    quality = assess(page, pdf_fonts("km_subdecree_2016_099_general_census.pdf"))
    assert (quality.ok, quality.reason) == (False, "too little text")


def test_khmer_with_numbers_and_english_words_passes():
    text = (
        "ក្រុមប្រឹក្សាឃុំ សង្កាត់ ត្រូវបោះឆ្នោតជ្រើសរើសរៀងរាល់ ៥ ឆ្នាំម្តង តាមអនុក្រឹត្យលេខ 40 "
        "អនក្រ.បក ចុះថ្ងៃទី ២៥ ខែមីនា ឆ្នាំ ២០០១ ដោយមានការគាំទ្រពីគម្រោង UNDP និង "
        "Seila Programme ក្នុងក្របខ័ណ្ឌកំណែទម្រង់វិមជ្ឈការ និងវិសហមជ្ឈការ (D&D)។"
    )
    quality = assess(text)
    assert quality.ok, quality
    assert quality.khmer_share > 0.8


def test_clean_english_passes():
    text = (
        "Article 3. The Commune/Sangkat Council shall have a mandate of five years. "
        "The number of councillors shall be determined by Sub-Decree No. 40 ANK.BK, "
        "dated 25 March 2001, according to the population and geography of each commune."
    )
    quality = assess(text)
    assert quality.ok, quality
    assert quality.plain_words == 1.0


def test_pdfminer_cid_codes_fail():
    text = "ក្រុមប្រឹក្សា(cid:5)ឃុំ(cid:12)សង្កាត់" * 10
    quality = assess(text)
    assert not quality.ok
    assert quality.junk > 0.1


@given(st.text(max_size=300), st.lists(st.sampled_from(["LimonS1", "ArialMT"]), max_size=2))
def test_score_and_verdict_agree(text, fonts):
    quality = assess(text, fonts)
    assert 0.0 <= quality.score <= 1.0
    assert quality.ok == (quality.score >= 0.5)
    assert quality.ok == (quality.reason == "")


# Real PDFs -----------------------------------------------------------------------------------


def test_limon_font_page_fails():
    name = "km_guideline_1993_role_limon.pdf"
    page = pdf_page(name, 2)
    quality = assess(page, pdf_fonts(name, 2))
    assert (quality.ok, quality.reason) == (False, "legacy Limon font")
    # Without the font list the text itself gives it away.
    assert "Latin garbage" in assess(page).reason


def test_misordered_unicode_page_fails_and_its_clean_text_passes():
    name = "km_constitution_2015_broken_tounicode.pdf"
    for number in (3, 20, 60):
        assert not assess(pdf_page(name, number), pdf_fonts(name, number)).ok
    clean_text = (CORPUS / "ocr_gt/constitution_2015/constitution_2015_clean.md").read_text()
    chunks = [clean_text[i : i + 600] for i in range(0, len(clean_text), 600)]
    verdicts = [assess(chunk) for chunk in chunks]
    assert len(verdicts) > 90  # about one chunk per page
    assert all(q.ok for q in verdicts), [q for q in verdicts if not q.ok]


def test_clean_unicode_speech_passes():
    name = "km_speech_2025_moeys_teachers_day_unicode.pdf"
    for number in range(1, 6):
        quality = assess(pdf_page(name, number), pdf_fonts(name, number))
        assert quality.ok, (number, quality)
        assert quality.khmer_share > 0.9


@pytest.mark.parametrize(
    "name, numbers",
    [
        ("en_national_research_agenda_2025.pdf", (1, 5, 12, 30, 45)),
        ("en_petroleum_regulation_second_amendment_unofficial.pdf", (1, 2, 3)),
    ],
)
def test_english_pages_pass(name, numbers):
    for number in numbers:
        quality = assess(pdf_page(name, number), pdf_fonts(name, number))
        assert quality.ok, (number, quality)
        assert quality.khmer_share == 0.0


@pytest.mark.parametrize(
    "name",
    [
        "km_law_1999_adopt_ilo_c150_bad_ocr_layer.pdf",  # garbage Latin OCR layer
        "km_civil_code_1967_limon_ocr_layer.pdf",  # Limon-like OCR layer in Helvetica
        "km_law_2010_foreign_ownership_coowned_buildings.pdf",  # Solid PDF Tools OCR layer
    ],
)
def test_garbage_ocr_layers_fail_without_any_font_hint(name):
    fonts = pdf_fonts(name, 3)
    assert not any("limon" in font.lower() or "abc" in font.lower() for font in fonts)
    quality = assess(pdf_page(name, 3), fonts)
    assert (quality.ok, quality.reason) == (False, "Latin garbage (legacy-encoded Khmer?)")


def test_mixed_limon_unicode_criminal_code_fails():
    # Mostly Limon-encoded text; page 1 mixes it with misordered Khmer Unicode.
    name = "km_criminal_code_2009_mixed_limon_unicode.pdf"
    first = pdf_page(name, 1)
    assert any("\u1780" <= ch <= "\u17ff" for ch in first)
    assert not assess(first, pdf_fonts(name, 1)).ok
    quality = assess(pdf_page(name, 3), pdf_fonts(name, 3))
    assert (quality.ok, quality.reason) == (False, "legacy Limon font")


def manifest_rows():
    with (CORPUS / "MANIFEST.tsv").open(encoding="utf-8") as f:
        rows = csv.DictReader(f, delimiter="\t")
        return [row for row in rows if row["local_path"].startswith("pdf/")]


@pytest.mark.parametrize("row", manifest_rows(), ids=lambda row: Path(row["local_path"]).stem)
def test_every_corpus_page_matches_the_manifest_verdict(row):
    """Unicode-OK and English files pass page by page (English pages with next to no text may
    fail); every other file - scans, header-only scans, Limon, OCR layers, misordered - fails."""
    name = Path(row["local_path"]).name
    pages = pdf_pages(name)
    assert len(pages) == int(row["pages"])
    fonts = pdf_fonts(name)
    verdicts = [assess(page, fonts) for page in pages]
    expected = row["khmer_text_quality"]
    if expected in ("Khmer Unicode OK", "n/a (English)"):
        failed = [(n, q) for n, q in enumerate(verdicts, 1) if not q.ok]
        assert all(q.letters < MIN_LETTERS for _, q in failed), failed
        assert len(failed) <= len(pages) // 10
    else:
        assert not any(q.ok for q in verdicts), expected


@pytest.mark.parametrize("folder", ["text/voa_km", "text/voa_en", "text/en"])
def test_clean_news_and_law_texts_pass(folder):
    """Page-sized pieces of clean Khmer news (with English names and web addresses) and of
    English law translations."""
    verdicts = []
    for path in sorted((CORPUS / folder).iterdir()):
        text = path.read_text(encoding="utf-8")
        verdicts += [assess(text[i : i + 2000]) for i in range(0, len(text), 2000)]
    judged = [q for q in verdicts if q.letters >= MIN_LETTERS]
    assert len(judged) > 15
    assert all(q.ok for q in judged), [q for q in judged if not q.ok]
