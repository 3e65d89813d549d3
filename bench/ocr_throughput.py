"""OCR throughput of the wave-1 pipeline against the current recipe, in one run (issue 12).

    nice python bench/ocr_throughput.py --old-code DIR [--pages 40] [--jobs 2]

Both index the same scanned Royal Gazette pages (the first 2 pages of each scanned sub-decree
and law in ../shared/corpus/pdf) into fresh data folders: ``DIR`` holds the ``indexer``
package of the wave-1 pipeline (``git archive <commit> indexer | tar -x -C DIR``), the current
code is this checkout. Bare Tesseract then reads the same pages, prepared the same way
(rendered, median-filtered, scaled), with the same settings and ``--jobs`` at a time: the
overhead of ddsearch over it. Finally the Latin words each pipeline stored on pages that read
as Khmer (Gazette pages hold none) are counted. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import re
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ingest_bench import scanned_sample, tesseract_cli

from indexer.extract import ocr
from indexer.extract.pdf import render_page

LATIN = re.compile(r"[A-Za-z]+")
KHMER_LETTER = re.compile("[\u1780-\u17b3]")


def index_with(code: Path, library: Path, data: Path, jobs: int) -> float:
    """Wall seconds of ``ddsearch index`` run from the ``indexer`` package under ``code``."""
    env = {**os.environ, "DDSEARCH_INDEX": str(data), "PYTHONPATH": str(code)}
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "indexer.cli",
            "index",
            str(library),
            "--jobs",
            str(jobs),
            "--quiet",
        ],
        env=env,
        cwd=code,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def prepared_images(sample: list[tuple[Path, int]], work: Path, recipe: ocr.Recipe | None):
    """The pages as each pipeline hands them to Tesseract (``None``: wave 1, as rendered)."""
    images = []
    for pdf, index in sample:
        image = render_page(pdf, index)
        if recipe:
            image = ocr.prepare(image.convert("L"), recipe)
        path = work / f"{pdf.stem}-{index}-{'new' if recipe else 'old'}.pgm"
        image.save(path)
        images.append(path)
    return images


def ocr_pages(data: Path) -> list[str]:
    with sqlite3.connect(data / "store.sqlite") as db:
        rows = db.execute("SELECT text FROM pages WHERE method = 'ocr'").fetchall()
    return [row[0] for row in rows]


def latin_on_khmer_pages(texts: list[str]) -> tuple[int, int]:
    """(Khmer-reading pages, Latin words on them)."""
    khmer = [t for t in texts if len(KHMER_LETTER.findall(t)) >= 4 * len(re.findall("[A-Za-z]", t))]
    return len(khmer), sum(len(LATIN.findall(t)) for t in khmer)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--old-code", type=Path, required=True)
    parser.add_argument("--pages", type=int, default=40)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    new_code = Path(__file__).resolve().parents[1]
    recipe = ocr.DEFAULT_RECIPE
    with tempfile.TemporaryDirectory(prefix="ocr-throughput-") as tmp:
        work = Path(tmp)
        library = work / "scans"
        library.mkdir()
        sample = scanned_sample(args.pages, library)
        old_s = index_with(args.old_code, library, work / "old", args.jobs)
        new_s = index_with(new_code, library, work / "new", args.jobs)
        old_texts, new_texts = ocr_pages(work / "old"), ocr_pages(work / "new")
        bare_new = tesseract_cli(
            prepared_images(sample, work, recipe),
            args.jobs,
            ["-l", recipe.lang, "--psm", str(recipe.psm), "tsv"],
        )
        bare_old = tesseract_cli(
            prepared_images(sample, work, None), args.jobs, ["-l", "khm+eng", "--psm", "6"]
        )
    pages = len(sample)
    print(f"{pages} scanned pages of {len({p for p, _ in sample})} PDFs, --jobs {args.jobs}")
    print(
        f"| pipeline | OCR'd pages | index s | pages/s | bare tesseract s | ddsearch/bare |\n"
        f"|---|---|---|---|---|---|\n"
        f"| wave 1 (khm+eng psm 6) | {len(old_texts)} | {old_s:.1f} | {pages / old_s:.2f} "
        f"| {bare_old:.1f} | {old_s / bare_old:.2f} |\n"
        f"| {recipe.version} | {len(new_texts)} | {new_s:.1f} | {pages / new_s:.2f} "
        f"| {bare_new:.1f} | {new_s / bare_new:.2f} |"
    )
    print(f"speed-up of the index run: {old_s / new_s:.2f}x")
    for label, texts in (("wave 1", old_texts), ("current", new_texts)):
        count, latin = latin_on_khmer_pages(texts)
        print(f"Latin words on the {count} Khmer-reading pages, {label}: {latin}")


if __name__ == "__main__":
    main()
