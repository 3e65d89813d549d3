"""Precision and recall of the provinces `indexer.library.places` finds, against truth read off
the pages (bench/data/places_truth.tsv: 72 documents of ../shared/corpus, 7 naming places, 65
national controls) and off catalogue titles (bench/data/place_titles_truth.tsv: 60 titles).

The Khmer PDFs' text is their stored reading in a data folder that indexed ../shared/corpus/pdf
(``--index``; read only, nothing is OCR'd here); text files are read as indexing reads them.
Each half (tune, check) is scored apart; pass ``--half tune`` while tuning.

    python bench/places_accuracy.py --index DATA [--half tune|check|all] [--show]
"""

from __future__ import annotations

import argparse
import csv
import json
import sqlite3
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from indexer.extract import textdocs  # noqa: E402
from indexer.library import metadata, places  # noqa: E402
from indexer.library.gazetteer import gazetteer  # noqa: E402
from indexer.text.khmer import clean  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus"
TRUTH = REPO / "bench" / "data" / "places_truth.tsv"
TITLES = REPO / "bench" / "data" / "place_titles_truth.tsv"
TITLE_SOURCE = CORPUS / "text" / "metadata" / "cambodia_law_titles_ansvar.tsv"


def rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t"))


def stored_readings(data: Path) -> dict[str, tuple[list[str], str]]:
    """File name -> (page texts, detected title) of the PDFs a data folder indexed."""
    library = sqlite3.connect(f"file:{data / 'library.sqlite'}?mode=ro", uri=True)
    store = sqlite3.connect(f"file:{data / 'store.sqlite'}?mode=ro", uri=True)
    found = {}
    for path, content_hash, detected in library.execute(
        "SELECT f.path, d.hash, d.detected FROM files f JOIN documents d ON d.id = f.id"
    ):
        pages = [
            text
            for (text,) in store.execute(
                "SELECT text FROM pages WHERE hash = ? ORDER BY page", (content_hash,)
            )
        ]
        found[Path(path).name] = (pages, json.loads(detected).get("title", ""))
    return found


def document_text(document: str, readings: dict) -> tuple[list[str], str]:
    path = CORPUS / document
    if document.startswith("pdf/"):
        return readings[path.name]
    pages = [clean(page) for page in textdocs.read_pages(path)]
    return pages, metadata.detect(pages, path.name)["title"]


def provinces(codes: list[str]) -> set[str]:
    return {code for code in codes if len(code) == 2}


def score(results: list[tuple[str, set[str], set[str]]]) -> dict:
    found = sum(len(got) for _, _, got in results)
    right = sum(len(got & truth) for _, truth, got in results)
    wanted = sum(len(truth) for _, truth, _ in results)
    controls = [got for _, truth, got in results if not truth]
    return {
        "documents": len(results),
        "naming places": sum(bool(truth) for _, truth, _ in results),
        "precision": right / found if found else 1.0,
        "recall": right / wanted if wanted else 1.0,
        "found": found,
        "right": right,
        "wanted": wanted,
        "controls with a place": sum(bool(got) for got in controls),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, required=True, help="data folder of the corpus PDFs")
    parser.add_argument("--half", choices=("tune", "check", "all"), default="tune")
    parser.add_argument("--show", action="store_true", help="print every document's result")
    args = parser.parse_args()
    names = gazetteer().places
    readings = stored_readings(args.index)
    titles = {row["id"]: row["title"] for row in rows(TITLE_SOURCE)}
    for label, truth_rows, read in (
        ("pages", rows(TRUTH), lambda row: document_text(row["document"], readings)),
        ("titles", rows(TITLES), lambda row: ([], titles[row["id"]])),
    ):
        for half in ("tune", "check") if args.half == "all" else (args.half,):
            results = []
            for row in truth_rows:
                if row["half"] != half:
                    continue
                pages, title = read(row)
                truth = set(row["provinces"].split()) - {"-"}
                got = provinces(places.detect(pages, title))
                name = row.get("document") or row["id"]
                results.append((name, truth, got))
                if args.show and (truth or got):
                    mark = "ok " if truth == got else "ERR"
                    shown = ", ".join(names[c].en for c in sorted(got)) or "-"
                    print(f"  {mark} {name[:70]}: truth {sorted(truth) or '-'} got {shown}")
            figures = score(results)
            print(
                f"{label:6} {half:5} documents {figures['documents']:3} "
                f"(naming places {figures['naming places']:2}): "
                f"precision {figures['precision']:.2f} ({figures['right']}/{figures['found']}), "
                f"recall {figures['recall']:.2f} ({figures['right']}/{figures['wanted']}), "
                f"controls given a place {figures['controls with a place']}"
            )


if __name__ == "__main__":
    main()
