"""Citator accuracy on the real scans: legal-basis citations, instrument numbers, resolution.

Reads the page texts as the pipeline stored them (a data folder's store.sqlite, e.g. the wave-1
OCR of ../shared/corpus/pdf; read-only, no OCR here) and scores against truth read off the page
images:

- citation recall and precision: `citations.legal_basis` against tests/data/legal_basis_truth.tsv
  (12 instruments); a found citation matches a truth row of a compatible type with the same
  number, or, when the print has none, the same date;
- number accuracy: of the matched rows that print a number, the share read exactly;
- resolution: of the matched citations whose cited instrument is in the corpus, the share
  `citator.resolve` links to that file (and how many it links to a wrong one).

The documents' own numbers (read off their pages or adopted from citations) are scored with
the rest of the catalogue by bench/catalogue_accuracy.py.

    python bench/citations.py --store data/wave1/store.sqlite [--json] [--misses]
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

from corpus_truth import ROOT, open_store, read_labels, stored_pages
from rapidfuzz import fuzz

from indexer.library import citations, citator, metadata, numbers
from indexer.library.metadata.lines import loose

TRUTH = ROOT / "tests" / "data" / "legal_basis_truth.tsv"
TARGETS = {"recall": 0.80, "precision": 0.90}


def read_truth() -> dict[str, list[dict]]:
    with TRUTH.open(encoding="utf-8") as file:
        rows = csv.DictReader((line for line in file if not line.startswith("#")), delimiter="\t")
        truth: dict[str, list[dict]] = {}
        for row in rows:
            truth.setdefault(row["file"], []).append(row)
    return truth


def matches(found: citations.Citation, want: dict) -> bool:
    """Whether a found citation is the truth row's: a compatible type and the same number, the
    same date or the same title words (OCR may misread any one of them)."""
    if not citator.compatible(found.type, want["type"]):
        return False
    if want["type"] == "constitution":
        return True
    same_title = bool(want["title_words"]) and (
        fuzz.partial_ratio(loose(want["title_words"]), loose(found.title)) >= 70
    )
    same_number = bool(want["number"]) and found.number == want["number"]
    same_date = bool(want["date"]) and found.date == want["date"]
    return same_number or same_date or same_title


def measure(store: Path) -> dict:
    db = open_store(store)
    labels = read_labels()
    pages = {label["file"]: stored_pages(db, label["file"]) for label in labels}
    detected = {name: metadata.detect(texts, name) for name, texts in pages.items()}
    documents = [
        citator.Target(name, d["type"], numbers.canonical(d["number"]), d["year"], d["title"])
        for name, d in detected.items()
    ]
    truth = read_truth()
    found_total = matched = numbered = numbers_right = 0
    in_corpus = resolved_right = resolved_wrong = 0
    misses = []
    for name, rows in truth.items():
        found = citations.legal_basis(pages[name])
        found_total += len(found)
        unused = list(found)
        for want in rows:
            hit = next((c for c in unused if matches(c, want)), None)
            if hit is None:
                misses.append({"file": name, "want": want, "found": None})
                continue
            unused.remove(hit)
            matched += 1
            if want["number"]:
                numbered += 1
                numbers_right += hit.number == want["number"]
            target = citator.resolve(hit, documents, name)
            if want["cited_file"]:
                in_corpus += 1
                resolved_right += target == want["cited_file"]
            resolved_wrong += bool(target) and target != want["cited_file"]
        misses += [{"file": name, "want": None, "found": c.as_dict()} for c in unused]
    wanted = sum(len(rows) for rows in truth.values())
    return {
        "documents": len(truth),
        "citations": wanted,
        "recall": matched / wanted,
        "precision": matched / max(found_total, 1),
        "number_accuracy": numbers_right / max(numbered, 1),
        "resolved_share": resolved_right / max(in_corpus, 1),
        "cited_in_corpus": in_corpus,
        "resolved_wrong": resolved_wrong,
        "misses": misses,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True, help="a data folder's store.sqlite")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--misses", action="store_true", help="print every miss")
    args = parser.parse_args()
    results = measure(args.store)
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
        return 0
    if args.misses:
        for miss in results["misses"]:
            print("miss", json.dumps(miss, ensure_ascii=False))
    r = results
    print(f"legal basis of {r['documents']} scans, {r['citations']} citations: recall "
          f"{r['recall']:.1%} (target 80%), precision {r['precision']:.1%} (target 90%), "
          f"numbers read right {r['number_accuracy']:.1%}")  # fmt: skip
    print(f"resolved to the right file: {r['resolved_share']:.1%} of {r['cited_in_corpus']} "
          f"citations of an instrument in the corpus; "
          f"{r['resolved_wrong']} linked wrongly")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
