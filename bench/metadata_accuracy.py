"""Metadata accuracy: instrument type and year on the 40 real Khmer PDFs, type on 7,983 titles.

The PDFs are read the way `ddsearch index` reads them: the text layer where the quality gate
trusts it, Tesseract by the default OCR recipe elsewhere, text cleaned by `khmer.clean`; only the
pages detection reads (`metadata.pages_read`) are extracted, OCR spread over --jobs workers.
Truth is tests/data/corpus_labels.tsv (MANIFEST.tsv's labels corrected from the pages).
English titles are scored against cambodia_law_titles_ansvar.tsv's `instrument_type`, with our
types that scheme lacks mapped to its nearest (TITLES_SCHEME).

    python bench/metadata_accuracy.py            # both figures and every miss
    python bench/metadata_accuracy.py --json     # figures as JSON (the accuracy test uses it)
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from indexer.extract import ocr
from indexer.extract import pool as extract
from indexer.library import metadata

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
LABELS = ROOT / "tests" / "data" / "corpus_labels.tsv"
TITLES = CORPUS / "text" / "metadata" / "cambodia_law_titles_ansvar.tsv"
#: Our types that the titles' scheme lacks, as that scheme files them.
TITLES_SCHEME = {
    "constitution": "law",
    "statement": "other",
    "policy": "other",
    "report": "other",
    "manual": "other",
    "book": "other",
    "speech": "other",
}
TARGET_PDF = 0.90
TARGET_TITLES = 0.95


def read_labels() -> list[dict]:
    """The corrected labels: file, type, year, manifest_kind, manifest_year, note."""
    with LABELS.open(encoding="utf-8") as file:
        lines = [line for line in file if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def document_pages(path: Path, pool: ProcessPoolExecutor) -> tuple[list[str], int]:
    """The document's page texts as the index would hold them, '' for pages detection skips;
    and how many pages were OCR'd."""
    prepared = extract.prepare(path, "auto")
    texts = [""] * prepared.pages
    for page in prepared.accepted:
        texts[page.number - 1] = page.text
    needed = [i for i in metadata.pages_read(prepared.pages) if not texts[i]]
    recipe = ocr.DEFAULT_RECIPE
    futures = {i: pool.submit(extract.ocr_task, path, i + 1, recipe) for i in needed}
    for i, future in futures.items():
        texts[i] = future.result()[0]
    return texts, len(needed)


def measure_pdfs(jobs: int) -> dict:
    labels = read_labels()
    misses, right_type, right_year, ocr_pages = [], 0, 0, 0
    started = time.monotonic()
    with ProcessPoolExecutor(jobs) as pool:  # indexer.ocr keeps Tesseract single-threaded
        for label in labels:
            texts, ocr_count = document_pages(CORPUS / "pdf" / label["file"], pool)
            ocr_pages += ocr_count
            found = metadata.detect(texts, label["file"])
            type_ok = found["type"] == label["type"]
            year_ok = found["year"] == int(label["year"])
            right_type += type_ok
            right_year += year_ok
            if not (type_ok and year_ok):
                misses.append({"file": label["file"], "want": [label["type"], int(label["year"])],
                               "got": [found["type"], found["year"]]})  # fmt: skip
    return {
        "documents": len(labels),
        "type_accuracy": right_type / len(labels),
        "year_accuracy": right_year / len(labels),
        "ocr_pages": ocr_pages,
        "seconds": round(time.monotonic() - started, 1),
        "misses": misses,
    }


def measure_titles() -> dict:
    with TITLES.open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file, delimiter="\t"))
    confusion: dict[str, int] = {}
    right = 0
    for row in rows:
        found = metadata.type_of_title(row["title"])
        found = TITLES_SCHEME.get(found, found)
        if found == row["instrument_type"]:
            right += 1
        else:
            pair = f"{row['instrument_type']} -> {found}"
            confusion[pair] = confusion.get(pair, 0) + 1
    top = dict(sorted(confusion.items(), key=lambda item: -item[1])[:8])
    return {"titles": len(rows), "type_accuracy": right / len(rows), "top_disagreements": top}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="OCR workers")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    results = {"pdfs": measure_pdfs(args.jobs), "titles": measure_titles()}
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
        return 0
    pdfs, titles = results["pdfs"], results["titles"]
    for miss in pdfs["misses"]:
        print(f"miss  {miss['file']}: want {miss['want']}, got {miss['got']}")
    print(f"Khmer PDFs ({pdfs['documents']}, {pdfs['ocr_pages']} pages OCR'd, "
          f"{pdfs['seconds']} s): type {pdfs['type_accuracy']:.1%}, "
          f"year {pdfs['year_accuracy']:.1%} (target {TARGET_PDF:.0%} each)")  # fmt: skip
    print(f"English titles ({titles['titles']}): type {titles['type_accuracy']:.1%} "
          f"(target {TARGET_TITLES:.0%})")  # fmt: skip
    for pair, count in titles["top_disagreements"].items():
        print(f"  {count:4}  {pair}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
