"""Ingest benchmarks (issue 2): OCR throughput against bare Tesseract, text-layer pages/s,
a no-change re-run over 1,000 files, and peak memory. Prints figures; asserts nothing.

    python bench/ingest_bench.py [--ocr-pages 48] [--files 1000]

Uses ../shared/corpus/pdf. Every run indexes into fresh temporary folders.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pypdfium2 as pdfium

from indexer.extract import ocr, quality
from indexer.extract.ocr import DEFAULT_RECIPE
from indexer.extract.pdf import render_page, text_layer
from indexer.text.khmer import clean

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus" / "pdf"
SCANS = sorted(CORPUS.glob("km_subdecree_*.pdf")) + sorted(CORPUS.glob("km_law_*.pdf"))
TEXT_PDFS = [
    CORPUS / "en_national_research_agenda_2025.pdf",
    CORPUS / "km_speech_2025_moeys_teachers_day_unicode.pdf",
    CORPUS / "km_criminal_code_2009_mixed_limon_unicode.pdf",
    CORPUS / "km_constitution_2015_broken_tounicode.pdf",
]


def ddsearch(*args: str, data: Path) -> tuple[float, int]:
    """Run the real CLI; returns (wall seconds, peak RSS in MB of the largest process so far)."""
    env = {**os.environ, "DDSEARCH_INDEX": str(data)}
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "indexer.cli", *args, "--quiet"],
        env=env,
        check=False,
        stdout=subprocess.DEVNULL,
    )
    seconds = time.perf_counter() - started
    return seconds, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024


def scanned_sample(pages: int, folder: Path) -> list[tuple[Path, int]]:
    """One PDF per scanned source holding its first pages, ``pages`` pages in all."""
    picked, left = [], pages
    for source in SCANS:
        if left <= 0:
            break
        original = pdfium.PdfDocument(str(source))
        take = min(2, len(original), left)
        cut = pdfium.PdfDocument.new()
        cut.import_pages(original, list(range(take)))
        target = folder / source.name
        cut.save(str(target))
        picked += [(target, index) for index in range(take)]
        left -= take
    return picked


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


def tesseract_cli(images: list[Path], jobs: int, settings: list[str] | None = None) -> float:
    """Bare Tesseract on images prepared as the recipe prepares them, ``jobs`` at a time, with
    the recipe's settings unless ``settings`` names others."""
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    if settings is None:
        settings = ["-l", DEFAULT_RECIPE.lang, "--psm", str(DEFAULT_RECIPE.psm), "tsv"]

    def one(image: Path) -> None:
        command = ["tesseract", str(image), "stdout", *settings]
        subprocess.run(command, env=env, capture_output=True, check=True)

    started = time.perf_counter()
    with ThreadPoolExecutor(jobs) as pool:
        list(pool.map(one, images))
    return time.perf_counter() - started


def bench_ocr(pages: int, work: Path) -> list[str]:
    library = work / "scans"
    library.mkdir()
    sample = scanned_sample(pages, library)
    images = prepared_images(sample, work, DEFAULT_RECIPE)
    lines = [f"OCR throughput on {len(sample)} scanned Khmer pages ({DEFAULT_RECIPE.version}):"]
    ours = {}
    for jobs in (1, 2):
        seconds, _ = ddsearch("index", str(library), "--jobs", str(jobs), data=work / f"d{jobs}")
        bare = tesseract_cli(images, jobs)
        ours[jobs] = seconds
        lines.append(
            f"  jobs={jobs}: ddsearch index {seconds:.1f} s ({len(sample) / seconds:.2f} pages/s), "
            f"tesseract CLI {bare:.1f} s ({len(sample) / bare:.2f} pages/s) -> "
            f"ddsearch/tesseract throughput ratio {bare / seconds:.2f}"
        )
    lines.append(f"  ddsearch speed-up with 2 jobs over 1: {ours[1] / ours[2]:.2f}x")
    fixed, _ = ddsearch("index", str(library), "--ocr", "never", data=work / "fixed")
    lines.append(f"  of which fixed costs (the same run with --ocr never): {fixed:.1f} s")
    return lines


def bench_text_layer() -> list[str]:
    pages = 0
    started = time.perf_counter()
    for pdf in TEXT_PDFS:
        count = len(pdfium.PdfDocument(str(pdf)))
        for text in text_layer(pdf, count):
            quality.assess(clean(text))
            pages += 1
    seconds = time.perf_counter() - started
    return [
        f"Text layer + gate, one process: {pages} pages in {seconds:.1f} s = "
        f"{pages / seconds:.0f} pages/s ({len(TEXT_PDFS)} PDFs: English, Khmer, Limon, broken)"
    ]


def bench_rerun(files: int, work: Path) -> list[str]:
    """1,000 distinct small PDFs: index once, then time a run where nothing changed."""
    library = work / "many"
    library.mkdir()
    base = (CORPUS / "en_petroleum_regulation_second_amendment_unofficial.pdf").read_bytes()
    for number in range(files):
        # Bytes after %%EOF are ignored by readers but give each file its own content hash.
        (library / f"doc{number:05d}.pdf").write_bytes(base + f"\n%{number}\n".encode())
    data = work / "many-data"
    first, _ = ddsearch("index", str(library), "--ocr", "never", data=data)
    again = [ddsearch("index", str(library), "--ocr", "never", data=data)[0] for _ in range(3)]
    return [
        f"No-change re-run over {files} files: first run {first:.1f} s; re-runs "
        + ", ".join(f"{s:.2f}" for s in again)
        + f" s (best {min(again):.2f} s, target < 2 s)"
    ]


def bench_memory(work: Path) -> list[str]:
    """Peak RSS indexing 5 files, then all 42 PDFs (text layers only: OCR pages are the same
    size whatever the library's size)."""
    lines = []
    for count in (5, 42):
        library = work / f"mem{count}"
        library.mkdir()
        for pdf in sorted(CORPUS.glob("*.pdf"))[:count]:
            os.symlink(pdf, library / pdf.name)
        script = (
            "import resource, subprocess, sys;"
            f"subprocess.run([sys.executable, '-m', 'indexer.cli', 'index', '{library}', "
            f"'--ocr', 'never', '--quiet', '--index', '{work / f'mem{count}-data'}'],"
            " stdout=subprocess.DEVNULL);"
            "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)"
        )
        peak = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
        lines.append(f"Peak RSS of any process, indexing {count} PDFs: {peak.stdout.strip()} MB")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ocr-pages", type=int, default=48)
    parser.add_argument("--files", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ddsearch-bench-") as tmp:
        work = Path(tmp)
        figures = bench_text_layer()
        figures += bench_rerun(args.files, work)
        figures += bench_memory(work)
        figures += bench_ocr(args.ocr_pages, work)
        shutil.rmtree(work / "many", ignore_errors=True)
    print("\n".join(figures))


if __name__ == "__main__":
    main()
