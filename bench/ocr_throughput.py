"""OCR throughput of an older pipeline against the current recipe, in one run (issues 12, 22).

    nice python bench/ocr_throughput.py --old-code DIR [--pages 40] [--jobs 2]
    nice python bench/ocr_throughput.py --old-code DIR --whole [--jobs 2]

With ``--whole`` both index the 40 Khmer PDFs of tests/data/corpus_labels.tsv whole (their
scanned pages OCR'd, legacy-font pages converted) and the bench prints OCR'd pages, wall
seconds, OCR pages/s, the CPU seconds of every process a page and the peak memory of the
largest process (an OCR worker), and nothing else (issue 22).

Both index the same scanned Royal Gazette pages (the first 2 pages of each scanned sub-decree
and law in ../shared/corpus/pdf) into fresh data folders: ``DIR`` holds the ``indexer``
package of the wave-1 pipeline (``git archive <commit> indexer | tar -x -C DIR``), the current
code is this checkout. Bare Tesseract (the tesseract program) then reads the same pages,
prepared the same way (rendered, median-filtered, scaled), with the same settings and
``--jobs`` at a time: the overhead of ddsearch over it, in wall seconds and in the CPU seconds
of all the processes each ran (what compares on a machine busy with other work). ddsearch
calls libtesseract in its workers instead of the program, so the same calls are also made to
the library alone, in ``--jobs`` processes: the engine's own cost, without the page's
rendering, preparation and indexing. Finally the Latin words each pipeline
stored on pages that read as Khmer (Gazette pages hold none) are counted. Prints figures;
asserts nothing.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from ingest_bench import CORPUS, prepared_images, scanned_sample, tesseract_cli
from queue_bench import adopt_orphans, cpu_seconds, reap_orphans

from indexer.extract import digits, ocr, words

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


def timed(run, *arguments) -> tuple[float, float]:
    """Wall seconds of ``run`` (which returns them) and the CPU seconds of every process it ran,
    the indexing pool's included (adopted and reaped): on a machine shared with other work the
    CPU figure is the one that compares."""
    before = cpu_seconds()
    wall = run(*arguments)
    reap_orphans(set())
    return wall, cpu_seconds() - before


def digit_stacks(images: list[Path], work: Path, recipe: ocr.Recipe) -> list[Path]:
    """The images of the recipe's second Tesseract call (the words holding ៤/៨, stacked for
    `khm`, indexer/extract/digits.py), made from an untimed first reading of each page."""
    from PIL import Image

    stacks = []
    for path in images:
        with Image.open(path) as image:
            found = words.parse_tsv(ocr._read_tsv(image, recipe.lang, recipe.psm)[0])
            suspects = [found[i] for i in digits.suspect_words(found)]
            if suspects:
                stack, _ = digits._stack(suspects, image)
                stacks.append(path.with_suffix(".digits.pgm"))
                stack.save(stacks[-1])
    return stacks


def bare_recipe(images: list[Path], stacks: list[Path], recipe: ocr.Recipe, jobs: int) -> float:
    """Wall seconds of bare Tesseract making the recipe's calls: each page, then the stacks."""
    main = tesseract_cli(images, jobs, ["-l", recipe.lang, "--psm", str(recipe.psm), "tsv"])
    settings = ["-l", digits.REREAD_LANG, "--psm", str(recipe.psm), "tsv"]
    return main + tesseract_cli(stacks, jobs, settings)


def bare_library(images: list[Path], stacks: list[Path], recipe: ocr.Recipe, jobs: int) -> float:
    """Wall seconds of the same calls to libtesseract as ddsearch makes them (``jobs``
    processes, each keeping its engines loaded), and nothing else: the engine's own cost."""
    shares = [(images[i::jobs], stacks[i::jobs], recipe) for i in range(jobs)]
    started = time.perf_counter()
    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
        list(pool.map(_read_share, shares))
    return time.perf_counter() - started


def _read_share(share: tuple[list[Path], list[Path], ocr.Recipe]) -> None:
    from PIL import Image

    images, stacks, recipe = share
    for paths, lang in ((images, recipe.lang), (stacks, digits.REREAD_LANG)):
        for path in paths:
            with Image.open(path) as image:
                ocr._read_tsv(image, lang, recipe.psm)


def ocr_pages(data: Path) -> list[str]:
    with sqlite3.connect(data / "store.sqlite") as db:
        rows = db.execute("SELECT text FROM pages WHERE method = 'ocr'").fetchall()
    return [row[0] for row in rows]


def latin_on_khmer_pages(texts: list[str]) -> tuple[int, int]:
    """(Khmer-reading pages, Latin words on them)."""
    khmer = [t for t in texts if len(KHMER_LETTER.findall(t)) >= 4 * len(re.findall("[A-Za-z]", t))]
    return len(khmer), sum(len(LATIN.findall(t)) for t in khmer)


def khmer_pdfs() -> list[Path]:
    """The 40 Khmer PDFs whose truth tests/data/corpus_labels.tsv holds."""
    labels = Path(__file__).resolve().parents[1] / "tests" / "data" / "corpus_labels.tsv"
    rows = [line.split("\t") for line in labels.read_text("utf-8").splitlines()]
    names = [row[0] for row in rows if row[0].endswith(".pdf")]
    return [CORPUS / name for name in names]


def whole(old_code: Path, jobs: int) -> None:
    """Index the 40 Khmer PDFs whole with each pipeline (``--whole``)."""
    new_code = Path(__file__).resolve().parents[1]
    adopt_orphans()
    print(f"40 Khmer PDFs whole, --jobs {jobs}, load before: {os.getloadavg()[0]:.1f}")
    print("| pipeline | OCR'd pages | index s | OCR pages/s | CPU s | CPU s / OCR page |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="ocr-throughput-") as tmp:
        library = Path(tmp) / "khmer"
        library.mkdir()
        for pdf in khmer_pdfs():
            (library / pdf.name).symlink_to(pdf)
        for label, code in (("old", old_code), ("new", new_code)):
            data = Path(tmp) / label
            wall, cpu = timed(index_with, code, library, data, jobs)
            pages = len(ocr_pages(data))
            print(
                f"| {label} | {pages} | {wall:.0f} | {pages / wall:.2f} | {cpu:.0f} "
                f"| {cpu / max(1, pages):.2f} |",
                flush=True,
            )
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    print(f"peak RSS of the largest process (an OCR worker) in either run: {peak} MB")
    print(f"load after: {os.getloadavg()[0]:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--old-code", type=Path, required=True)
    parser.add_argument("--pages", type=int, default=40)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--whole", action="store_true", help="The 40 Khmer PDFs, whole.")
    args = parser.parse_args()
    if args.whole:
        whole(args.old_code, args.jobs)
        return
    new_code = Path(__file__).resolve().parents[1]
    recipe = ocr.DEFAULT_RECIPE
    adopt_orphans()
    with tempfile.TemporaryDirectory(prefix="ocr-throughput-") as tmp:
        work = Path(tmp)
        library = work / "scans"
        library.mkdir()
        sample = scanned_sample(args.pages, library)
        old_s, old_cpu = timed(index_with, args.old_code, library, work / "old", args.jobs)
        new_s, new_cpu = timed(index_with, new_code, library, work / "new", args.jobs)
        old_texts, new_texts = ocr_pages(work / "old"), ocr_pages(work / "new")
        new_images = prepared_images(sample, work, recipe)
        stacks = digit_stacks(new_images, work, recipe)
        old_images = prepared_images(sample, work, None)
        bare_new, bare_new_cpu = timed(bare_recipe, new_images, stacks, recipe, args.jobs)
        _, library_cpu = timed(bare_library, new_images, stacks, recipe, args.jobs)
        _, python_cpu = timed(bare_library, [], [], recipe, args.jobs)  # the processes alone
        empty = work / "empty"
        empty.mkdir()
        _, startup_cpu = timed(index_with, new_code, empty, work / "empty-data", args.jobs)
        old_settings = ["-l", "khm+eng", "--psm", "6"]
        bare_old, bare_old_cpu = timed(tesseract_cli, old_images, args.jobs, old_settings)
    pages = len(sample)
    print(f"{pages} scanned pages of {len({p for p, _ in sample})} PDFs, --jobs {args.jobs}")
    print(
        "| pipeline | OCR'd pages | index s | pages/s | bare tesseract s | index CPU s "
        "| bare CPU s | ddsearch/bare CPU |\n|---|---|---|---|---|---|---|---|"
    )
    for label, texts, wall, cpu, bare, bare_cpu in (
        ("wave 1 (khm+eng psm 6)", old_texts, old_s, old_cpu, bare_old, bare_old_cpu),
        (recipe.version, new_texts, new_s, new_cpu, bare_new, bare_new_cpu),
    ):
        print(
            f"| {label} | {len(texts)} | {wall:.1f} | {pages / wall:.2f} | {bare:.1f} "
            f"| {cpu:.1f} | {bare_cpu:.1f} | {cpu / bare_cpu:.2f} |"
        )
    print(f"speed-up of the index run: {old_s / new_s:.2f}x wall, {old_cpu / new_cpu:.2f}x CPU")
    engine_cpu = library_cpu - python_cpu
    print(
        f"the same calls to libtesseract in {args.jobs} processes: {engine_cpu:.1f} s CPU "
        f"({library_cpu:.1f} less {python_cpu:.1f} for starting the processes); ddsearch / "
        f"libtesseract alone: {new_cpu / engine_cpu:.2f}"
    )
    print(
        f"bare Tesseract made the recipe's calls: {pages} pages, then {len(stacks)} stacks of "
        f"digit words; a run over an empty folder costs {startup_cpu:.1f} s CPU (start-up)"
    )
    for label, texts in (("wave 1", old_texts), ("current", new_texts)):
        count, latin = latin_on_khmer_pages(texts)
        print(f"Latin words on the {count} Khmer-reading pages, {label}: {latin}")


if __name__ == "__main__":
    main()
