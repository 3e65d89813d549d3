"""Title accuracy: the detected title of each Khmer PDF against the title printed on its pages.

Reads the page texts as the pipeline stored them (a data folder's store.sqlite, e.g. the wave-1
OCR of all of ../shared/corpus/pdf; opened read-only, no OCR here), runs `metadata.detect`, and
scores each title against tests/data/corpus_labels.tsv's `printed_title` (read off the page
images) with rapidfuzz's ratio scaled to 0..1, on both texts normalised and without spaces
(Khmer spacing is layout, not part of a title). A title also fails when it is a Royal Gazette
running header, the file name or Latin crumbs.

The files are split in two halves by their place in the labels: the detector was tuned on
the "tune" half (odd rows), the "held-out" half was looked at only for the final figures.

    python bench/title_accuracy.py --store /work/data/wave1/store.sqlite
    python bench/title_accuracy.py --store ... --json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sqlite3
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's indexer, not one installed in the venv

from metadata_accuracy import read_labels  # noqa: E402  (bench/ is on a bench script's path)
from rapidfuzz import fuzz  # noqa: E402

from indexer.library import metadata  # noqa: E402
from indexer.text.khmer import khmer_share, normalize  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
LABELS = ROOT / "tests" / "data" / "corpus_labels.tsv"
#: A title counts as right at this similarity to the printed one.
CLOSE = 0.8
TARGET = 0.8
_RUNNING_HEADER = re.compile(r"រាជកិច្ច|ទំព័រ|^ឆ្នាំទី")


def similarity(found: str, printed: str) -> float:
    """rapidfuzz ratio of the two titles, normalised and without whitespace, in 0..1."""
    return fuzz.ratio(_compare_form(found), _compare_form(printed)) / 100


def _compare_form(title: str) -> str:
    return re.sub(r"\s+", "", normalize(title))


def junk_kind(title: str, filename: str) -> str:
    """'' for a title that reads as one; else what it is instead."""
    stem = Path(filename).stem
    if _RUNNING_HEADER.search(normalize(title)):
        return "running header"
    if title == stem.replace("_", " ") or stem.lower() in title.lower():
        return "file name"
    if khmer_share(title) < 0.5:
        return "latin"
    return ""


def stored_pages(db: sqlite3.Connection, path: Path) -> list[str] | None:
    """The file's page texts as the store holds them, None when it was not extracted."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    rows = db.execute("SELECT text FROM pages WHERE hash = ? ORDER BY page", (digest,))
    texts = [row[0] for row in rows]
    return texts or None


def measure(store: Path) -> dict:
    db = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
    rows, missing = [], []
    for i, label in enumerate(read_labels()):
        pages = stored_pages(db, CORPUS / "pdf" / label["file"])
        if pages is None:
            missing.append(label["file"])
            continue
        title = metadata.detect(pages, label["file"])["title"]
        score = similarity(title, label["printed_title"])
        junk = junk_kind(title, label["file"])
        rows.append({
            "file": label["file"], "half": "tune" if i % 2 == 0 else "held-out",
            "score": round(score, 3), "close": score >= CLOSE and not junk, "junk": junk,
            "found": title, "printed": label["printed_title"],
        })  # fmt: skip
    halves = {}
    for half in ("tune", "held-out", "all"):
        chosen = [r for r in rows if half in ("all", r["half"])]
        halves[half] = {
            "documents": len(chosen),
            "close_share": sum(r["close"] for r in chosen) / max(len(chosen), 1),
            "junk": sum(bool(r["junk"]) for r in chosen),
        }
    return {"halves": halves, "missing": missing, "rows": rows}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True, help="a data folder's store.sqlite")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--half", choices=("tune", "held-out", "all"), default="all",
                        help="whose rows to print")  # fmt: skip
    args = parser.parse_args()
    results = measure(args.store)
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
        return 0
    for row in results["rows"]:
        if args.half in ("all", row["half"]):
            mark = "ok  " if row["close"] else "MISS"
            print(f"{mark} {row['score']:.2f} {row['junk'] or '':14} {row['file']}\n"
                  f"       found:   {row['found']}\n       printed: {row['printed']}")  # fmt: skip
    for half, figures in results["halves"].items():
        share, junk = figures["close_share"], figures["junk"]
        print(f"{half:9} {figures['documents']:2} documents: {share:.1%} within {CLOSE} of the "
              f"printed title (target {TARGET:.0%}), {junk} junk")  # fmt: skip
    if results["missing"]:
        print("not in the store:", ", ".join(results["missing"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
