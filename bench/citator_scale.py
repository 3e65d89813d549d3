"""How long the citator's whole-library passes take on a large library: `cited_numbers` (every
sync) and `Library.resolved()` (the links, once per server process).

The documents and citations of the 40 Khmer PDFs, as detected and parsed from a store's page
texts, are copied ``--copies`` times with distinct ids, numbers and titles and their years
spread over ±15 years, so that resolution faces a library that size (no OCR here).

    python bench/citator_scale.py --store data/wave1/store.sqlite [--copies 125]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's indexer, not one installed in the venv

from corpus_truth import open_store, read_labels, stored_pages  # noqa: E402  (bench/ on path)

from indexer.library import citations, citator, metadata, numbers  # noqa: E402

YEARS_SPREAD = 15


def library(store: Path, copies: int) -> citator.Library:
    db = open_store(store)
    pages = {label["file"]: stored_pages(db, label["file"]) for label in read_labels()}
    detected = {name: metadata.detect(texts, name) for name, texts in pages.items()}
    parsed = {
        name: citations.document_citations(texts, detected[name]["title"])
        for name, texts in pages.items()
    }
    spread = random.Random(1)
    targets, kept = [], {}
    for copy in range(copies):
        for name, found in detected.items():
            doc_id = f"{name}-{copy}"
            number = numbers.canonical(found["number"])
            year = (found["year"] or 2000) + spread.randint(-YEARS_SPREAD, YEARS_SPREAD)
            targets.append(
                citator.Target(
                    doc_id,
                    found["type"],
                    f"{number}-{copy}" if number else "",
                    year,
                    f"{found['title']} {copy}",
                )
            )
            kept[doc_id] = parsed[name]
    return citator.Library(targets, {target.id: target.id for target in targets}, kept)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, required=True, help="a data folder's store.sqlite")
    parser.add_argument("--copies", type=int, default=125, help="copies of the 40 documents")
    args = parser.parse_args()
    big = library(args.store, args.copies)
    count = sum(len(found) for found in big.citations.values())
    print(f"{len(big.targets)} documents, {count} citations")
    adopted = timed("cited_numbers", lambda: citator.cited_numbers(big))
    print(f"  {len(adopted)} numbers adopted")
    timed("resolved", big.resolved)
    return 0


def timed(name: str, work):
    """Run ``work``, printing its wall and CPU seconds (CPU: what load on a shared machine
    does not inflate)."""
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    print(f"{name}: {time.perf_counter() - wall:.1f} s, {time.process_time() - cpu:.1f} s CPU")
    return result


if __name__ == "__main__":
    sys.exit(main())
