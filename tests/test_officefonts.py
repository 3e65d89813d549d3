"""Word and OpenDocument files typed in legacy Khmer fonts: runs in Limon/ABC fonts (their own,
or their style's, or the document's default) are converted to Unicode exactly as the PDF path
converts the same bytes; Unicode runs stay as typed; a font that types like a legacy one but has
no table is kept as typed and reported. The files are made here from the real text layer of the
HIV/AIDS law (km_law_2002_hiv_aids_limon.pdf): its runs as typed in Limon, with their fonts
(bench/office_legacy.py measures the same on all 410 legacy pages of the corpus)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import docx
import pypdfium2 as pdfium
import pytest
from conftest import CONSTITUTION, PDFS, ddsearch
from odf import style as odf_style
from odf import teletype
from odf import text as odf_text
from odf.opendocument import OpenDocumentText
from office_legacy import body_font, pdf_paragraphs, squeezed, write_docx, write_odt

from indexer.extract import legacy, textdocs
from indexer.extract.legacy.runs import Run, page_runs
from indexer.text.khmer import clean

HIV_LAW = PDFS / "km_law_2002_hiv_aids_limon.pdf"
PAGE = 3  # chapter 1, articles 1-2
PHRASE = "ការប្រយុទ្ធទប់ស្កាត់ការរីករាលដាលមេរោគអេដស៍"  # article 1, converted from Limon
UNKNOWN_FONT, LOOKALIKE_FONT = "Chhay Text", "Khmer Kampuchea"


def hiv_runs(number: int = PAGE) -> list[Run]:
    pdf = pdfium.PdfDocument(str(HIV_LAW))
    try:
        return page_runs(pdf[number - 1])
    finally:
        pdf.close()


def unicode_paragraph() -> str:
    """A paragraph of the hand-cleaned 2015 constitution (real Unicode Khmer)."""
    lines = CONSTITUTION.read_text("utf-8").splitlines()
    return next(line for line in lines if len(line) > 120 and not line.startswith("#"))


def limon_paragraphs() -> list[list[Run]]:
    """The law's page as Word paragraphs, the real Unicode paragraph and an English sentence
    put into its third paragraph (a mixed paragraph: Limon, Khmer OS, Times New Roman)."""
    paragraphs = pdf_paragraphs(hiv_runs())
    paragraphs[2] = [
        *paragraphs[2],
        Run("Khmer OS Siemreap", " " + unicode_paragraph()),
        Run("Times New Roman", " (HIV/AIDS Law, 2002)"),
    ]
    return paragraphs


@pytest.fixture(scope="module")
def office_files(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("officefonts")
    paragraphs = limon_paragraphs()
    files = {".docx": folder / "hiv.docx", ".odt": folder / "hiv.odt"}
    write_docx(files[".docx"], paragraphs, body_font(paragraphs))
    write_odt(files[".odt"], paragraphs, body_font(paragraphs))
    files["unknown"] = folder / "unknown.docx"
    write_unknown_fonts(files["unknown"])
    return files


def write_unknown_fonts(path: Path) -> None:
    """A Khmer Word file with a paragraph in a legacy family that has no table (Chhay), one in
    a font no table names that types like a legacy font, and English in an ordinary font."""
    typed = "".join(run.text for run in hiv_runs(4) if run.font.startswith("Limon"))[:400]
    document = docx.Document()
    document.add_paragraph(unicode_paragraph())
    for font in (UNKNOWN_FONT, LOOKALIKE_FONT):
        document.add_paragraph().add_run(typed).font.name = font
    english = "The commune council adopts its budget and its development plan every year."
    document.add_paragraph().add_run(english).font.name = "Calibri"
    document.save(str(path))


# --- reading ----------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".docx", ".odt"])
def test_a_limon_office_file_reads_as_the_pdf_converts_the_same_bytes(office_files, suffix):
    (page,) = textdocs.read_document(office_files[suffix]).pages
    assert page.converted
    expected = squeezed(legacy.convert_runs(hiv_runs()).text)
    got = squeezed(page.text)
    unicode_part = squeezed(clean(unicode_paragraph())) + "(HIV/AIDSLaw,2002)"
    assert unicode_part in got  # the Unicode runs of the mixed paragraph, untouched
    assert got.replace(unicode_part, "") == expected
    assert PHRASE in page.text
    assert not re.search("[A-Za-z]{3}", got.replace(unicode_part, ""))  # no Limon bytes left


def test_fonts_come_from_the_document_defaults_and_character_styles(tmp_path):
    """Word: a run with no font of its own, in a paragraph style with none, takes the
    document's default; a character style's font wins over the paragraph's."""
    document = docx.Document()
    fonts = document.styles.element.find(".//" + docx.oxml.ns.qn("w:rFonts"))  # the defaults
    for name in ("w:ascii", "w:hAnsi"):
        fonts.set(docx.oxml.ns.qn(name), "Limon S1")
    for theme in ("w:asciiTheme", "w:hAnsiTheme"):
        fonts.attrib.pop(docx.oxml.ns.qn(theme), None)
    styles = document.styles
    for style in (styles["Normal"], *[s for s in styles if s.name == "Default Paragraph Font"]):
        style.element.remove_all("w:rPr")
    english = styles.add_style("English", docx.enum.style.WD_STYLE_TYPE.CHARACTER)
    english.font.name = "Times New Roman"
    paragraph = document.add_paragraph()
    paragraph.add_run("maRta")
    paragraph.add_run(" Article").style = english
    document.save(str(tmp_path / "d.docx"))
    assert textdocs.read_pages(tmp_path / "d.docx") == ["មាត្រា Article"]


def test_an_odt_takes_the_default_paragraph_font_and_nested_spans(tmp_path):
    document = OpenDocumentText()
    document.fontfacedecls.addElement(odf_style.FontFace(name="Limon S1", fontfamily="'Limon S1'"))
    default = odf_style.DefaultStyle(family="paragraph")
    default.addElement(odf_style.TextProperties(fontname="Limon S1"))
    document.styles.addElement(default)
    latin = odf_style.Style(name="Latin", family="text")
    latin.addElement(odf_style.TextProperties(fontfamily="'Liberation Serif'"))
    document.automaticstyles.addElement(latin)
    paragraph = odf_text.P()
    teletype.addTextToElement(paragraph, "maRta")
    span = odf_text.Span(stylename=latin)
    teletype.addTextToElement(span, " Article  2")
    paragraph.addElement(span)
    document.text.addElement(paragraph)
    document.save(str(tmp_path / "d.odt"))
    assert textdocs.read_pages(tmp_path / "d.odt") == ["មាត្រា Article 2"]


def test_a_font_without_a_table_is_kept_as_typed_and_reported(office_files):
    document = textdocs.read_document(office_files["unknown"])
    (page,) = document.pages
    assert not page.converted
    assert page.text.count("eTAkñúgEpnkarGPivDÆn_Cati") == 2  # both paragraphs, as typed
    unknown, lookalike = document.notes
    assert unknown.startswith(f"page 1 uses the legacy font {UNKNOWN_FONT}, which has no")
    assert f"font {LOOKALIKE_FONT}, which no conversion table knows" in lookalike
    for note in document.notes:
        assert "converted to Unicode Khmer and index it again" in note
        assert "indexer/data/legacy_fonts" in note
    assert all("Calibri" not in note for note in document.notes)  # English is no suspect


def test_a_symbol_fonts_private_use_codes_convert_as_its_bytes(tmp_path):
    """Word and LibreOffice may keep a font they take for a symbol font at U+F000 + byte."""
    document = docx.Document()
    typed = "".join(chr(0xF000 + ord(char)) for char in "maRta")
    document.add_paragraph().add_run(typed).font.name = "Limon S1"
    document.save(str(tmp_path / "s.docx"))
    assert textdocs.read_pages(tmp_path / "s.docx") == ["មាត្រា"]


def test_english_alone_names_no_suspect_font(tmp_path):
    document = docx.Document()
    document.add_paragraph().add_run("maRta 1>- c,ab;enH maneKaledA").font.name = "Courier"
    document.save(str(tmp_path / "codes.docx"))
    assert textdocs.read_document(tmp_path / "codes.docx").notes == []  # no Khmer: no claim


# --- indexed by the real command line -----------------------------------------------------------


@pytest.mark.slow
def test_a_legacy_font_word_file_is_found_by_its_khmer_and_says_how_it_was_read(
    office_files, tmp_path
):
    library, data = tmp_path / "library", tmp_path / "data"
    library.mkdir()
    for key in (".docx", ".odt", "unknown"):
        (library / office_files[key].name).write_bytes(office_files[key].read_bytes())
    ddsearch("index", str(library), "--report", str(tmp_path / "r.json"), data=data, check=True)
    report = json.loads((tmp_path / "r.json").read_text("utf-8"))
    added = {Path(entry["path"]).name: entry for entry in report["added"]}
    assert added.keys() == {"hiv.docx", "hiv.odt", "unknown.docx"} and not report["failed"]
    assert added["hiv.docx"]["pages_converted"] == added["hiv.odt"]["pages_converted"] == 1
    assert UNKNOWN_FONT in " ".join(added["unknown.docx"]["notes"])
    for query, expected in ((PHRASE, {"hiv.docx", "hiv.odt"}), ('"HIV/AIDS Law"', None)):
        found = json.loads(ddsearch("search", query, "--json", data=data, check=True).stdout)
        names = {Path(result["paths"][0]).name for result in found["results"]}
        assert names == (expected or {"hiv.docx", "hiv.odt"})
    words = unicode_paragraph().split()[0]
    found = json.loads(ddsearch("search", words, "--exact", "--json", data=data).stdout)
    assert {"hiv.docx", "hiv.odt"} <= {Path(r["paths"][0]).name for r in found["results"]}
    shown = ddsearch("show", added["hiv.docx"]["id"], data=data, check=True).stdout
    assert "--- page 1 (converted) ---" in shown and PHRASE in shown.replace(" ", "")
