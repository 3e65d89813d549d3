"""Word and OpenDocument files typed in legacy fonts: is their text converted as the PDF's is?

    python bench/office_legacy.py [--files N]

For every legacy page of the five Limon-typeset PDFs of ../shared/corpus (at least
MIN_LEGACY_CHARS characters in Limon/ABC fonts), the page's runs as pdfium reads them (the
bytes a typist typed, each with its font) are written into a .docx and an .odt, one paragraph
a line, the body font given by a paragraph style and the others on the runs themselves, as
Word and LibreOffice save them. Each file is read back by indexer/extract/textdocs.py and its
text compared with the PDF path's conversion of the same runs (indexer.extract.legacy), line
breaks and spaces left out (Khmer has no spaces between letters; clean() drops them anyway):
pages identical, and the share of characters in agreement. No tuning here, so no halves.

The tests (tests/test_officefonts.py) build their fixtures with ``write_docx``/``write_odt``.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import time
from pathlib import Path

import docx
import pypdfium2 as pdfium
from docx.enum.style import WD_STYLE_TYPE
from odf import style as odf_style
from odf import teletype
from odf import text as odf_text
from odf.opendocument import OpenDocumentText
from rapidfuzz.distance import Levenshtein

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from legacy_bench import CORPUS, FILES, MIN_LEGACY_CHARS  # noqa: E402

from indexer.extract import legacy, textdocs  # noqa: E402
from indexer.extract.legacy.convert import reads_space_before  # noqa: E402
from indexer.extract.legacy.fonts import Encoding, base_name, classify  # noqa: E402
from indexer.extract.legacy.runs import GENERATED, Run, page_runs  # noqa: E402

BODY_STYLE = "Khmer Body"
#: PDF base names as a word processor names the family (Limon's have a space: "Limon S1").
_WORD_NAME = re.compile(r"^(Limon)([SRF]\d)$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_PS_NAMES = {"TimesNewRomanPSMT": "Times New Roman", "ArialMT": "Arial"}

Paragraph = list[Run]


def word_font(pdf_font: str) -> str:
    """The font name a .docx or .odt gives the family a PDF names (LimonS1 → Limon S1)."""
    name = base_name(pdf_font)
    return _PS_NAMES.get(name) or _WORD_NAME.sub(r"\1 \2", name)


def pdf_paragraphs(runs: list[Run]) -> list[Paragraph]:
    """A PDF page's runs as the paragraphs a typist typed: one a line, the characters pdfium
    inferred left out but for the gaps that stand for a typed space (inside legacy text
    pdfium's gaps fall in justified words: the PDF path drops them too)."""
    paragraphs: list[Paragraph] = [[]]
    for i, run in enumerate(runs):
        if run.font != GENERATED:
            text = _CONTROL.sub("", run.text)  # Word's mark of a hyphenated line end: no XML
            paragraphs[-1].append(Run(word_font(run.font), text))
        elif "\n" in run.text:
            paragraphs.append([])
        elif _typed_space(runs, i):
            following = runs[i + 1].font if i + 1 < len(runs) else ""
            paragraphs[-1].append(Run(word_font(following), " "))
    return [paragraph for paragraph in paragraphs if paragraph]


def _typed_space(runs: list[Run], i: int) -> bool:
    """Whether pdfium's gap at ``i`` stands for a space the typist typed: between runs of
    ordinary text, or before a character that a legacy table reads with a space (Limon's ៖)."""
    following = runs[i + 1] if i + 1 < len(runs) else None
    if following and _is_legacy(following.font):
        return reads_space_before(following.text, classify(following.font).table)
    return not (i and _is_legacy(runs[i - 1].font))


def _is_legacy(font: str) -> bool:
    return font != GENERATED and classify(font).encoding is Encoding.LEGACY


def body_font(paragraphs: list[Paragraph]) -> str:
    """The font that types most characters: the body style's."""
    counts: dict[str, int] = {}
    for run in (run for paragraph in paragraphs for run in paragraph):
        counts[run.font] = counts.get(run.font, 0) + len(run.text)
    return max(counts, key=counts.get)


def write_docx(path: Path, paragraphs: list[Paragraph], body: str) -> None:
    """A Word file: a paragraph style types the body font, other runs name their own font."""
    document = docx.Document()
    style = document.styles.add_style(BODY_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = document.styles["Normal"]
    style.font.name = body
    for runs in paragraphs:
        paragraph = document.add_paragraph(style=BODY_STYLE)
        for run in runs:
            added = paragraph.add_run(run.text)
            if run.font != body:
                added.font.name = run.font
    document.save(str(path))


def write_odt(path: Path, paragraphs: list[Paragraph], body: str) -> None:
    """An OpenDocument file as LibreOffice saves one: a paragraph's automatic style based on
    a named style that types the body font, other runs in spans of an automatic text style."""
    document = OpenDocumentText()
    fonts = sorted({run.font for runs in paragraphs for run in runs} | {body})
    for font in fonts:
        document.fontfacedecls.addElement(
            odf_style.FontFace(name=font, fontfamily=f"'{font}'", fontpitch="variable")
        )
    named = odf_style.Style(name=BODY_STYLE.replace(" ", "_"), family="paragraph")
    named.addElement(odf_style.TextProperties(fontname=body))
    document.styles.addElement(named)
    automatic = odf_style.Style(name="P1", family="paragraph", parentstylename=named)
    document.automaticstyles.addElement(automatic)
    spans = {}
    for number, font in enumerate(fonts, 1):
        spans[font] = odf_style.Style(name=f"T{number}", family="text")
        spans[font].addElement(odf_style.TextProperties(fontname=font))
        document.automaticstyles.addElement(spans[font])
    for runs in paragraphs:
        element = odf_text.P(stylename=automatic)
        for run in runs:
            if run.font == body:
                teletype.addTextToElement(element, run.text)
            else:
                span = odf_text.Span(stylename=spans[run.font])
                teletype.addTextToElement(span, run.text)
                element.addElement(span)
        document.text.addElement(element)
    document.save(str(path))


def squeezed(text: str) -> str:
    return "".join(text.split())


def legacy_pages(path: Path) -> list[tuple[int, list[Run]]]:
    """The legacy pages of a PDF: number and runs."""
    pdf = pdfium.PdfDocument(str(path))
    found = []
    try:
        for index in range(len(pdf)):
            page = pdf[index]
            runs = page_runs(page)
            page.close()
            if sum(len(run.text) for run in runs if _is_legacy(run.font)) >= MIN_LEGACY_CHARS:
                found.append((index + 1, runs))
    finally:
        pdf.close()
    return found


def compare(runs: list[Run], folder: Path) -> dict[str, tuple[int, int]]:
    """For .docx and .odt: (characters in agreement, characters of the PDF's conversion)."""
    expected = squeezed(legacy.convert_runs(runs).text)
    paragraphs = pdf_paragraphs(runs)
    body = body_font(paragraphs)
    scores = {}
    for suffix, write in ((".docx", write_docx), (".odt", write_odt)):
        path = folder / f"page{suffix}"
        write(path, paragraphs, body)
        got = squeezed("".join(page.text for page in textdocs.read_document(path).pages))
        scores[suffix] = (len(expected) - Levenshtein.distance(expected, got), len(expected))
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--files", type=int, default=len(FILES))
    args = parser.parse_args()
    totals = {".docx": [0, 0, 0], ".odt": [0, 0, 0]}  # identical pages, agreeing chars, chars
    pages = 0
    started = time.process_time()
    with tempfile.TemporaryDirectory() as folder:
        for name in FILES[: args.files]:
            for number, runs in legacy_pages(CORPUS / "pdf" / name):
                pages += 1
                for suffix, (agree, total) in compare(runs, Path(folder)).items():
                    totals[suffix][0] += agree == total
                    totals[suffix][1] += agree
                    totals[suffix][2] += total
                    if agree != total:
                        print(f"{name} p{number} {suffix}: {agree}/{total}")
    for suffix, (identical, agree, total) in totals.items():
        print(
            f"{suffix}: {identical}/{pages} legacy pages identical to the PDF path; "
            f"characters {agree}/{total} ({agree / max(total, 1):.4f})"
        )
    print(f"CPU {time.process_time() - started:.1f} s")


if __name__ == "__main__":
    main()
