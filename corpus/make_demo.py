"""Build the demo library: every ``corpus/src/*.html`` becomes ``corpus/<same name>.pdf``.

The documents are the project's own short D&D texts, so a fresh clone has something real to
index. Chromium typesets them, because its PDFs give a Khmer text layer that ``pdftotext -raw``
reads back exactly (KNOWLEDGE §3); each text layer is checked against its source here. Sources
whose name contains ``_scan_`` are then turned into image-only PDFs that look scanned (tilted,
blurred, noisy), so the demo exercises OCR too.

Run from the repository root with the project's environment:
``python corpus/make_demo.py`` (add ``--ocr-check`` to OCR the scans and print their error rate).
"""

from __future__ import annotations

import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import click
from PIL import Image, ImageFilter

from indexer.extract.pdf import page_count, render_page, text_layer

CORPUS = Path(__file__).resolve().parent
SOURCES = CORPUS / "src"
SCAN_MARK = "_scan_"
FONTS = ("Khmer OS Siemreap", "Khmer OS Muol Light", "Liberation Serif", "Liberation Sans")
CHROMIUM_TIMEOUT_S = 120

SCAN_DPI = 200
SCAN_TILT_DEGREES = 0.7
SCAN_BLUR_RADIUS = 0.7
SCAN_NOISE_SHARE = 0.08  # weight of uniform grey noise blended into the page
SCAN_JPEG_QUALITY = 45
SCAN_SEED = 2024  # fixed, so the same source always gives the same scan

#: The creation date written into every PDF, fixed so that rebuilding gives identical bytes
#: (and the indexer sees unchanged files) as long as Chromium's version stays the same.
PDF_DATE = time.strptime("2024-04-08", "%Y-%m-%d")
_PDF_DATE_ENTRY = re.compile(rb"(/(?:CreationDate|ModDate) \(D:)\d{14}")

_WHITESPACE = re.compile(r"\s+")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\ufeff"))


class _BodyText(HTMLParser):
    """Collects the text a reader sees: everything outside <head>."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._in_head = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self._in_head = self._in_head or tag == "head"

    def handle_endtag(self, tag: str) -> None:
        self._in_head = self._in_head and tag != "head"

    def handle_data(self, data: str) -> None:
        if not self._in_head:
            self.parts.append(data)


def source_text(source: Path) -> str:
    """The visible text of an HTML source, as the PDF should carry it."""
    parser = _BodyText()
    parser.feed(source.read_text(encoding="utf-8"))
    return "".join(parser.parts)


def comparable(text: str) -> str:
    """Text reduced to what must survive typesetting: NFC, no invisibles, no whitespace
    (line wrapping moves whitespace around and may split a Khmer word)."""
    return _WHITESPACE.sub("", unicodedata.normalize("NFC", text.translate(_INVISIBLE)))


def check_tools() -> str:
    """Return the Chromium command, or stop with what to install."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        sys.exit("Chromium is not installed: run `apt-get install chromium`, then try again.")
    if shutil.which("fc-list") is None or shutil.which("pdftotext") is None:
        sys.exit(
            "fontconfig or poppler is missing: run `apt-get install fontconfig poppler-utils`."
        )
    missing = [font for font in FONTS if not _font_installed(font)]
    if missing:
        sys.exit(
            f"Missing fonts: {', '.join(missing)}. Run `apt-get install fonts-khmeros "
            "fonts-liberation`, then try again."
        )
    return chromium


def _font_installed(family: str) -> bool:
    done = subprocess.run(
        ["fc-list", f":family={family}", "family"], capture_output=True, text=True, check=False
    )
    return bool(done.stdout.strip())


def render_pdf(chromium: str, source: Path, target: Path) -> None:
    """Print an HTML file to PDF with headless Chromium, in a throw-away profile."""
    with tempfile.TemporaryDirectory(prefix="ddsearch-chromium-") as profile:
        command = [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={target}",
            source.as_uri(),
        ]
        target.unlink(missing_ok=True)
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=CHROMIUM_TIMEOUT_S, check=False
        )
    if not target.exists():
        sys.exit(f"Chromium could not print {source.name}:\n{done.stderr[-2000:]}")
    _fix_dates(target)


def _fix_dates(pdf: Path) -> None:
    """Overwrite Chromium's time-of-printing dates with PDF_DATE; same length, so the
    cross-reference offsets stay valid."""
    fixed = time.strftime("%Y%m%d%H%M%S", PDF_DATE).encode()
    pdf.write_bytes(_PDF_DATE_ENTRY.sub(lambda m: m.group(1) + fixed, pdf.read_bytes()))


def check_text_layer(source: Path, pdf: Path) -> None:
    """Stop unless the PDF's text layer reads back as exactly the source text."""
    expected = comparable(source_text(source))
    found = comparable("".join(text_layer(pdf, page_count(pdf))))
    if found != expected:
        at = len(os.path.commonprefix([expected, found]))
        sys.exit(
            f"{pdf.name}: the text layer differs from {source.name} at character {at}: "
            f"expected {expected[at : at + 30]!r}, found {found[at : at + 30]!r}."
        )


def simulate_scan(page: Image.Image) -> Image.Image:
    """A clean page image made to look scanned: slightly tilted, soft, on grainy grey paper."""
    tilted = page.convert("L").rotate(
        SCAN_TILT_DEGREES, resample=Image.Resampling.BICUBIC, fillcolor=255
    )
    soft = tilted.filter(ImageFilter.GaussianBlur(SCAN_BLUR_RADIUS))
    grain = random.Random(SCAN_SEED).randbytes(soft.width * soft.height)
    noise = Image.frombytes("L", soft.size, grain)
    return Image.blend(soft, noise, SCAN_NOISE_SHARE)


def make_scan(chromium: str, source: Path, target: Path) -> None:
    """Typeset the source, then replace the PDF by page images with no text layer at all."""
    with tempfile.TemporaryDirectory(prefix="ddsearch-demo-") as tmp:
        typeset = Path(tmp) / "typeset.pdf"
        render_pdf(chromium, source, typeset)
        pages = [
            simulate_scan(render_page(typeset, index, SCAN_DPI))
            for index in range(page_count(typeset))
        ]
    pages[0].save(
        target,
        "PDF",
        save_all=True,
        append_images=pages[1:],
        resolution=SCAN_DPI,
        quality=SCAN_JPEG_QUALITY,
        creationDate=PDF_DATE,
        modDate=PDF_DATE,
    )
    if comparable("".join(text_layer(target, len(pages)))):
        sys.exit(f"{target.name}: a scan must have no text layer, but pdftotext found text.")


def character_error_rate(reference: str, hypothesis: str) -> float:
    """Levenshtein distance over the reference length, on `comparable` forms of both."""
    reference, hypothesis = comparable(reference), comparable(hypothesis)
    previous = list(range(len(hypothesis) + 1))
    for i, ref_char in enumerate(reference, 1):
        current = [i]
        for j, hyp_char in enumerate(hypothesis, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ref_char != hyp_char))
            )
        previous = current
    return previous[-1] / max(len(reference), 1)


@click.command()
@click.option("--ocr-check", is_flag=True, help="OCR each scan and print its character error rate.")
def main(ocr_check: bool) -> None:
    """Render the demo documents of corpus/src into corpus/."""
    chromium = check_tools()
    for source in sorted(SOURCES.glob("*.html")):
        target = CORPUS / f"{source.stem}.pdf"
        if SCAN_MARK in source.stem:
            make_scan(chromium, source, target)
        else:
            render_pdf(chromium, source, target)
            check_text_layer(source, target)
        line = f"{target.name}: {page_count(target)} page(s), {target.stat().st_size // 1024} kB"
        if ocr_check and SCAN_MARK in source.stem:
            from indexer.extract.ocr import read_page  # only this option needs Tesseract

            text = "\n".join(read_page(target, i).text for i in range(page_count(target)))
            line += (
                f", OCR character error rate {character_error_rate(source_text(source), text):.3f}"
            )
        click.echo(line)


if __name__ == "__main__":
    main()
