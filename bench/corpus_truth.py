"""The truth of the 40 Khmer PDFs of ../shared/corpus and their page texts, for the benches
that score detection (catalogue_accuracy, citations, citator_scale): one place that reads
tests/data/corpus_labels.tsv (read off the page images), splits it into the tuning and the
checking half, and gives a file's pages as a store holds them or as the index would read them.
"""

from __future__ import annotations

import csv
import hashlib
import sqlite3
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's indexer, not one installed in the venv

from indexer.extract import ocr  # noqa: E402
from indexer.extract import pool as extract  # noqa: E402
from indexer.indexing.detection import words_reader  # noqa: E402
from indexer.library import metadata  # noqa: E402
from indexer.library.store import Store  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
LABELS = ROOT / "tests" / "data" / "corpus_labels.tsv"
HALVES = ("tune", "check")


def read_labels() -> list[dict]:
    """The labels, one dict per file, each with its ``half``: the labels' own column when it
    has one, else the tuning half is the odd data rows (the split made before any result)."""
    with LABELS.open(encoding="utf-8") as file:
        lines = [line for line in file if not line.startswith("#")]
    labels = list(csv.DictReader(lines, delimiter="\t"))
    for i, label in enumerate(labels):
        label["half"] = label.get("half") or ("tune" if i % 2 == 0 else "check")
    return labels


def stored_pages(db: sqlite3.Connection, name: str) -> list[str]:
    """A corpus file's page texts as a store holds them ([] when it was not extracted)."""
    digest = hashlib.sha256((CORPUS / "pdf" / name).read_bytes()).hexdigest()
    rows = db.execute("SELECT text FROM pages WHERE hash = ? ORDER BY page", (digest,))
    return [row[0] for row in rows]


def stored_words(store: Store, name: str) -> metadata.WordsOf:
    """A corpus file's OCR'd words per page as a store holds them, read for `metadata.detect`
    the way the index's detection reads them."""
    digest = hashlib.sha256((CORPUS / "pdf" / name).read_bytes()).hexdigest()
    return words_reader(store, digest, store.pages(digest))


def open_store(store: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{store}?mode=ro", uri=True)


def read_pages(path: Path, pool: ProcessPoolExecutor) -> tuple[list[str], int]:
    """The file's page texts as the index would hold them, '' for pages detection skips;
    and how many pages were OCR'd (by the default recipe, in ``pool``)."""
    prepared = extract.prepare(path, "auto")
    texts = [""] * prepared.pages
    for page in prepared.accepted:
        texts[page.number - 1] = page.text
    needed = [i for i in metadata.pages_read(prepared.pages) if not texts[i]]
    futures = {i: pool.submit(extract.ocr_task, path, i + 1, ocr.DEFAULT_RECIPE) for i in needed}
    for i, future in futures.items():
        texts[i] = future.result()[0]
    return texts, len(needed)
