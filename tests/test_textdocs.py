"""Word, OpenDocument, web, Markdown and text files as documents: read into pages by the real
libraries, indexed like PDFs (incremental, duplicates by content, bad files reported), and shown
as text in the page view. The Khmer documents are made here, with python-docx and odfpy, from
the corpus's own Unicode text (the hand-cleaned 2015 constitution)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import docx
import pytest
from conftest import CONSTITUTION, SEZ_TRANSLATION, SHARED, web_client
from odf import teletype
from odf import text as odf_text
from odf.opendocument import OpenDocumentText

from indexer.config import DataDir
from indexer.extract import textdocs
from indexer.extract.ocr import DEFAULT_LANG
from indexer.indexing.progress import Progress
from indexer.indexing.run import run_index
from indexer.query import search
from indexer.text.khmer import normalize

#: Four chapters of the constitution, each shorter than a page, and words of the third.
CHAPTERS = (4, 7, 8, 12)
THIRD_CHAPTER_WORDS = "សេដ្ឋកិច្ចទីផ្សារ"
SCRIPT_WORD = "zqxscriptword"
STYLE_WORD = "zqxstyleword"
COMMENT_WORD = "zqxcommentword"
HIDDEN_PAGE = f"""<!doctype html><html><head><meta charset="utf-8"><title>Commune budget</title>
<style>.{STYLE_WORD} {{ color: red }}</style>
<script>var secret = "{SCRIPT_WORD}";</script></head>
<body><h1>Commune budget display</h1><p>The <b>commune council</b> shows its budget<br>on
the board.</p><!-- {COMMENT_WORD} --><script>document.write("{SCRIPT_WORD}")</script>
<noscript>{SCRIPT_WORD}</noscript><ul><li>revenue</li><li>spending</li></ul></body></html>"""


def chapters() -> list[tuple[str, list[str]]]:
    """The constitution's chapters: (heading, paragraphs), from the corpus's clean text."""
    found = []
    blocks = re.split(r"\n(?=## )", CONSTITUTION.read_text())
    for block in (blocks[i] for i in CHAPTERS):
        heading, *rest = block.strip().split("\n")
        paragraphs = [line.strip() for line in rest if line.strip()]
        found.append((heading.lstrip("# "), paragraphs))
    return found


def make_docx(path: Path, page_break_after: int = 1) -> None:
    """A Word file of four chapters, a page break after the first ``page_break_after``."""
    document = docx.Document()
    for number, (heading, paragraphs) in enumerate(chapters()):
        if number == page_break_after:
            document.add_page_break()
        document.add_heading(heading, level=1)
        for paragraph in paragraphs:
            document.add_paragraph(paragraph)
    document.save(str(path))


def make_odt(path: Path) -> None:
    """The same chapters as OpenDocument text, a soft page break before each chapter."""
    document = OpenDocumentText()
    for number, (heading, paragraphs) in enumerate(chapters()):
        if number:
            document.text.addElement(odf_text.SoftPageBreak())
        element = odf_text.H(outlinelevel=1)
        teletype.addTextToElement(element, heading)
        document.text.addElement(element)
        for paragraph in paragraphs:
            element = odf_text.P()
            teletype.addTextToElement(element, paragraph)
            document.text.addElement(element)
    document.save(str(path))


# --- reading, without indexing ----------------------------------------------------------------


def test_docx_pages_follow_its_page_breaks(tmp_path):
    make_docx(tmp_path / "c.docx")
    pages = textdocs.read_pages(tmp_path / "c.docx")
    assert len(pages) == 2
    assert pages[0].startswith(chapters()[0][0])
    assert pages[1].startswith(chapters()[1][0])


def test_odt_pages_follow_libreoffice_soft_page_breaks(tmp_path):
    make_odt(tmp_path / "c.odt")
    pages = textdocs.read_pages(tmp_path / "c.odt")
    assert [page.split("\n")[0] for page in pages] == [heading for heading, _ in chapters()]


def test_a_file_without_pages_is_cut_about_a_printed_page_at_a_time(tmp_path):
    source = SHARED / "text/en" / SEZ_TRANSLATION
    shutil.copy(source, tmp_path / "sez.txt")
    pages = textdocs.read_pages(tmp_path / "sez.txt")
    assert len(pages) > 5
    assert all(len(page) <= textdocs.PAGE_CHARS for page in pages)
    assert all(len(page) > textdocs.PAGE_CHARS // 3 for page in pages[:-1])
    words = lambda text: text.split()  # noqa: E731 - nothing is lost or doubled
    assert [w for page in pages for w in words(page)] == words(source.read_text())


def test_a_heading_starts_a_new_page_once_the_page_is_half_full():
    half = "x" * (textdocs.PAGE_CHARS // 2)
    blocks = [textdocs.Block("A", heading=True), textdocs.Block(half)]
    blocks += [textdocs.Block("B", heading=True), textdocs.Block("short")]
    blocks += [textdocs.Block("C", heading=True), textdocs.Block("short")]
    assert [page.split("\n")[0] for page in textdocs.paginate(blocks)] == ["A", "B"]


def test_a_khmer_paragraph_longer_than_a_page_is_cut_between_clusters():
    khmer = normalize("សិទ្ធិសេរីភាពរបស់ប្រជាពលរដ្ឋខ្មែរ") * 400  # no space at all
    pages = textdocs.paginate([textdocs.Block(khmer)])
    assert len(pages) > 1 and "".join(pages) == khmer
    assert all(page[0] not in "\u17b6\u17b7\u17b8\u17c1\u17d2\u17cb" for page in pages)


def test_a_web_page_gives_its_visible_text_only(tmp_path):
    (tmp_path / "p.html").write_text(HIDDEN_PAGE)
    text = "\n".join(textdocs.read_pages(tmp_path / "p.html"))
    assert "Commune budget display" in text
    assert "The commune council shows its budget" in text
    for hidden in (SCRIPT_WORD, STYLE_WORD, COMMENT_WORD, "color: red"):
        assert hidden not in text


def test_markdown_front_matter_gives_the_title_and_markup_is_dropped(tmp_path):
    (tmp_path / "n.md").write_text(
        "---\ntitle: Commune councils\nlayout: post\n---\n# Report\n\nThe **first** [link](x).\n"
    )
    assert textdocs.read_pages(tmp_path / "n.md") == ["Commune councils\nReport\nThe first link."]


def test_text_in_a_legacy_encoding_is_read_and_binary_data_refused(tmp_path):
    (tmp_path / "old.txt").write_bytes("Décision du conseil communal".encode("cp1252"))
    assert textdocs.read_pages(tmp_path / "old.txt") == ["Décision du conseil communal"]
    (tmp_path / "bin.txt").write_bytes(b"%PDF-1.4\x00\x01\x02" * 50)
    with pytest.raises(textdocs.UnreadableDocument, match="binary data"):
        textdocs.read_pages(tmp_path / "bin.txt")


@pytest.mark.parametrize(
    "content",
    [b"PK\x03\x04" + b"broken" * 30, b"not a zip at all", b""],
    ids=["truncated-zip", "text", "empty"],
)
def test_a_broken_word_file_is_refused_with_a_sentence(tmp_path, content):
    (tmp_path / "broken.docx").write_bytes(content)
    with pytest.raises(textdocs.UnreadableDocument, match="not a readable Word document"):
        textdocs.read_pages(tmp_path / "broken.docx")


def test_a_word_file_that_is_a_zip_of_something_else_is_refused(tmp_path):
    shutil.make_archive(str(tmp_path / "other"), "zip", root_dir=SHARED / "text/km")
    (tmp_path / "other.zip").rename(tmp_path / "other.docx")
    with pytest.raises(textdocs.UnreadableDocument, match="not a readable Word document"):
        textdocs.read_pages(tmp_path / "other.docx")


# --- indexed ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def office(tmp_path_factory) -> tuple[DataDir, Path, dict]:
    """A library of text documents, indexed once by a real run (worker processes)."""
    base = tmp_path_factory.mktemp("office")
    library, data = base / "library", DataDir(base / "data")
    (library / "drafts").mkdir(parents=True)
    make_docx(library / "constitution.docx")
    shutil.copy(library / "constitution.docx", library / "copy of constitution.docx")
    make_odt(library / "constitution.odt")
    (library / "display.html").write_text(HIDDEN_PAGE)
    shutil.copy(SHARED / "text/en" / SEZ_TRANSLATION, library / "sez.txt")
    shutil.copy(SHARED / "text/voa_en/2014-01-09-reference-commune-election.md", library)
    (library / "broken.docx").write_bytes(b"PK\x03\x04" + b"broken" * 30)
    (library / "drafts" / "draft.txt").write_text("a draft the librarian keeps out")
    (library / ".ddsearchignore").write_text("# not for the index\ndrafts/\n")
    report = run(data, library)
    return data, library, report


def run(data: DataDir, library: Path) -> dict:
    progress = Progress(quiet=True)
    report = run_index(
        data, [library], jobs=2, ocr_mode="auto", ocr_lang=DEFAULT_LANG, progress=progress
    )
    return report.to_dict()


def names(entries: list[dict]) -> list[str]:
    return sorted(Path(entry["path"]).name for entry in entries)


@pytest.mark.slow
def test_every_kind_is_indexed_duplicates_and_bad_files_reported(office):
    data, library, report = office
    assert names(report["added"]) == [
        "2014-01-09-reference-commune-election.md",
        "constitution.docx",
        "constitution.odt",
        "display.html",
        "sez.txt",
    ]
    assert names(report["duplicates"]) == ["copy of constitution.docx"]
    (failed,) = report["failed"]
    assert failed["path"].endswith("broken.docx")
    assert failed["reason"].startswith("not a readable Word document (.docx)")
    assert all(
        "drafts" not in entry["path"]
        for section in report.values()
        if isinstance(section, list)
        for entry in section
    )
    again = run(data, library)
    assert len(again["unchanged"]) == 6 and not again["added"] and not again["updated"]


@pytest.mark.slow
def test_khmer_office_files_are_found_on_their_pages(office):
    data, _, _ = office
    result = search.search(data.index, THIRD_CHAPTER_WORDS, tolerant=False)
    found = {Path(r["paths"][0]).suffix: r for r in result["results"]}
    assert found.keys() == {".docx", ".odt"}
    assert found[".odt"]["language"] == ["km"]
    assert found[".odt"]["pages"][0]["page"] == 3  # its third chapter, on its third page
    assert found[".docx"]["pages"][0]["page"] == 2  # after Word's page break


@pytest.mark.slow
def test_what_a_web_page_hides_is_not_indexed(office):
    data, _, _ = office
    for hidden in (SCRIPT_WORD, STYLE_WORD, COMMENT_WORD):
        assert search.search(data.index, hidden, tolerant=False)["total"] == 0
    (hit,) = search.search(data.index, '"commune council shows"', tolerant=False)["results"]
    assert hit["title"] == "Commune budget display"


@pytest.mark.slow
def test_a_text_document_is_shown_as_text_and_its_file_downloaded(office):
    data, _, _ = office
    client = web_client(data.root)
    (hit,) = search.search(data.index, "sez.txt OR zones", limit=1, tolerant=False)["results"]
    doc_id, page = hit["id"], hit["pages"][0]["page"]
    view = client.get(f"/doc/{doc_id}/page/{page}?q=zones")
    assert view.status_code == 200
    assert b"<mark>Zones</mark>" in view.data or b"<mark>zones</mark>" in view.data
    assert b"page-image" not in view.data and b"open-pdf" not in view.data
    assert client.get(f"/doc/{doc_id}/page/{page}.webp").status_code == 404
    thumbs = client.get("/search?q=zones")
    assert f"/doc/{doc_id}/thumb/".encode() not in thumbs.data
    assert client.get(f"/doc/{doc_id}/pdf").headers["Location"].endswith(f"/doc/{doc_id}/file")
    original = client.get(f"/doc/{doc_id}/file")
    assert original.headers["Content-Disposition"] == f"attachment; filename={doc_id}.txt"
    assert original.data == (SHARED / "text/en" / SEZ_TRANSLATION).read_bytes()
    api = client.get(f"/api/doc/{doc_id}").get_json()
    assert api["file_kind"] == "text" and api["pdf"] is None
    assert api["file"].endswith(f"/doc/{doc_id}/file")
