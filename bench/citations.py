"""Citator accuracy on the real scans: legal-basis citations, instrument numbers, resolution.

Reads the page texts as the pipeline stored them (a data folder's store.sqlite, e.g. the wave-1
OCR of ../shared/corpus/pdf; read-only, no OCR here) and scores against truth read off the page
images:

- citation recall and precision: `citations.legal_basis` against tests/data/legal_basis_truth.tsv
  (12 instruments); a found citation matches a truth row of a compatible type with the same
  number, or, when the print has none, the same date;
- number accuracy: of the matched rows that print a number, the share read exactly;
- own numbers: the share of the 40 Khmer PDFs whose own number is detected, the share right of
  those whose pages print one (corpus_labels.tsv's own_number; '-' where they print none), and
  how many are wrong (a number other than the printed one, or one on a document that prints
  none), each by source: read off the document's own pages, or adopted from a citation in
  another document (`citator.cited_numbers`);
- resolution: of the matched citations whose cited instrument is in the corpus, the share
  `citator.resolve` links to that file (and how many it links to a wrong one).

    python bench/citations.py --store /work/data/wave1/store.sqlite [--json] [--misses]
"""

from __future__ import annotations

import argparse
import csv
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

from indexer.library import citations, citator, metadata, numbers  # noqa: E402
from indexer.library.metadata.lines import header_lines, loose  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus"
TRUTH = ROOT / "tests" / "data" / "legal_basis_truth.tsv"
TARGETS = {"recall": 0.80, "precision": 0.90, "own_number_detected": 0.70}


def read_truth() -> dict[str, list[dict]]:
    with TRUTH.open(encoding="utf-8") as file:
        rows = csv.DictReader((line for line in file if not line.startswith("#")), delimiter="\t")
        truth: dict[str, list[dict]] = {}
        for row in rows:
            truth.setdefault(row["file"], []).append(row)
    return truth


def stored_pages(db: sqlite3.Connection, name: str) -> list[str]:
    digest = hashlib.sha256((CORPUS / "pdf" / name).read_bytes()).hexdigest()
    rows = db.execute("SELECT text FROM pages WHERE hash = ? ORDER BY page", (digest,))
    return [row[0] for row in rows]


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
    db = sqlite3.connect(f"file:{store}?mode=ro", uri=True)
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
    own = own_numbers(labels, detected, documents, pages)
    return {
        "documents": len(truth),
        "citations": wanted,
        "recall": matched / wanted,
        "precision": matched / max(found_total, 1),
        "number_accuracy": numbers_right / max(numbered, 1),
        **own,
        "resolved_share": resolved_right / max(in_corpus, 1),
        "cited_in_corpus": in_corpus,
        "resolved_wrong": resolved_wrong,
        "misses": misses,
    }


#: corpus_labels.tsv's own_number of a document whose pages print no number.
NONE_PRINTED = "-"


def cited_truth() -> dict[str, set[str]]:
    """Per corpus file, the numbers the truth's legal-basis lines cite it by (read off the
    citing scans' images): what a number adopted from a citation is checked against when the
    document prints none."""
    cited: dict[str, set[str]] = {}
    for rows in read_truth().values():
        for row in rows:
            if row["cited_file"] and row["number"]:
                cited.setdefault(row["cited_file"], set()).add(row["number"])
    return cited


#: A header line that may hold the own number: លេខ (as OCR reads it too) or a royal code; not
#: the Gazette's running header ("ឆ្នាំទី ៥ លេខ ៤៣ ... រាជកិច្ចទំព័រ ៦៧៩២").
NUMBER_LINE = re.compile(r"ល[េ]?ខ|[នជឧ0]?ស\s*/|/\s*\d{3,4}\s*/")
RUNNING_HEADER = re.compile(r"ទំព័រ|ទ័រ|រាជកិច្ច")


def number_line(texts: list[str]) -> str:
    """The first header line of the first pages that looks like the number's (what OCR made
    of it), for the misses printed with --misses."""
    for page in texts[: metadata.HEAD_PAGES]:
        for shown, folded, _ in header_lines(page):
            if NUMBER_LINE.search(folded) and not RUNNING_HEADER.search(folded):
                return shown
    return ""


def own_numbers(labels: list[dict], detected: dict, documents: list, pages: dict) -> dict:
    """Own-number figures by source: "page" (read off the document) and "cited" (adopted
    from another document's citation that resolves to it)."""
    kept = {name: citations.document_citations(texts, detected[name]["title"])
            for name, texts in pages.items()}  # fmt: skip
    library = citator.Library(documents, {name: name for name in pages}, kept)
    adopted = citator.cited_numbers(library)
    cited = cited_truth()
    printed = [label for label in labels if label["own_number"] != NONE_PRINTED]
    counts = {"page": [0, 0, 0], "cited": [0, 0, 0]}  # detected, right, wrong
    printed_right = 0
    misses = []
    for label in labels:
        name, want = label["file"], label["own_number"]
        got, source = numbers.canonical(detected[name]["number"]), "page"
        if not got and name in adopted:
            got, source = adopted[name].number, "cited"
        if not got:
            if want != NONE_PRINTED:
                misses.append({"file": name, "want": want, "got": ""})
            continue
        if want == NONE_PRINTED:  # right only as the citing scans print it (their truth)
            right = source == "cited" and got in cited.get(name, set())
            wrong = not right and (source == "page" or bool(cited.get(name)))
        else:
            right, wrong = got == want, got != want
        counts[source][0] += 1
        counts[source][1] += right
        printed_right += right and want != NONE_PRINTED
        counts[source][2] += wrong
        if not right:
            misses.append({"file": name, "want": want, "got": got, "source": source})
    for miss in misses:
        miss["header"] = number_line(pages[miss["file"]])
    detected_total = counts["page"][0] + counts["cited"][0]
    return {
        "own_number_detected": detected_total / len(labels),
        "own_numbers_detected": detected_total,
        "own_number_right": printed_right / len(printed),
        "own_numbers_printed": len(printed),
        "own_numbers_none_printed": len(labels) - len(printed),
        "own_numbers_wrong": sum(c[2] for c in counts.values()),
        "own_number_sources": {
            source: {"detected": c[0], "right": c[1], "wrong": c[2]} for source, c in counts.items()
        },
        "own_number_misses": misses,
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
        for miss in results["own_number_misses"]:
            print("own ", json.dumps(miss, ensure_ascii=False))
    r = results
    print(f"legal basis of {r['documents']} scans, {r['citations']} citations: recall "
          f"{r['recall']:.1%} (target 80%), precision {r['precision']:.1%} (target 90%), "
          f"numbers read right {r['number_accuracy']:.1%}")  # fmt: skip
    page, cited = r["own_number_sources"]["page"], r["own_number_sources"]["cited"]
    print(f"own number detected on {r['own_number_detected']:.1%} of the 40 Khmer PDFs "
          f"({r['own_numbers_detected']}; target 70%): {page['detected']} read off the "
          f"document ({page['right']} right, {page['wrong']} wrong), {cited['detected']} from "
          f"a citation in another ({cited['right']} right, {cited['wrong']} wrong); right "
          f"{r['own_number_right']:.1%} of the {r['own_numbers_printed']} that print one "
          f"({r['own_numbers_none_printed']} print none)")  # fmt: skip
    print(f"resolved to the right file: {r['resolved_share']:.1%} of {r['cited_in_corpus']} "
          f"citations of an instrument in the corpus; "
          f"{r['resolved_wrong']} linked wrongly")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
