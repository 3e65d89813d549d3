"""What an index is made of (issue 24): for Whoosh, each field's terms (its term table is most
of it) and its files by kind; for Tantivy, its files by kind (postings, positions, terms,
stored, columns).

    python bench/index_size.py DATA/index
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

TANTIVY_KINDS = {
    ".idx": "postings",
    ".pos": "positions",
    ".term": "term dictionary",
    ".store": "stored (metadata, page texts)",
    ".fast": "columns (fast fields)",
    ".fieldnorm": "field lengths",
}


def whoosh(folder: Path) -> None:
    """Terms by field (each costs an entry in the term table, .trm, with its postings inlined
    when few, else a block in .pst), and bytes by file kind."""
    from whoosh import index

    from indexer.engine.whoosh_backend.backend import _SCHEMA

    terms = Counter()
    with index.open_dir(str(folder), schema=_SCHEMA).reader() as reader:
        segments = len(list(reader.leaf_readers()))
        for name, _term in reader.all_terms():
            terms[name] += 1
    files = Counter()
    for path in folder.iterdir():
        files[path.suffix] += path.stat().st_size
    print(f"{segments} segment(s); a term in two segments is counted once\n")
    print("| field | terms | share |\n|---|---|---|")
    for name, count in terms.most_common(12):
        print(f"| {name} | {count:,} | {count / sum(terms.values()):.0%} |")
    print("\n| file kind | MB |\n|---|---|")
    for suffix, size in files.most_common():
        print(f"| {suffix or '(none)'} | {size / 1e6:.1f} |")


def tantivy(folder: Path) -> None:
    files = Counter()
    for path in folder.iterdir():
        files[TANTIVY_KINDS.get(path.suffix, "other")] += path.stat().st_size
    print("| file kind | MB |\n|---|---|")
    for kind, size in files.most_common():
        print(f"| {kind} | {size / 1e6:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("index", type=Path, help="an index folder (or a data folder's index link)")
    folder = parser.parse_args().index.resolve()
    total = sum(path.stat().st_size for path in folder.iterdir())
    print(f"{folder}: {total / 1e6:.1f} MB\n")
    (tantivy if (folder / "meta.json").exists() else whoosh)(folder)


if __name__ == "__main__":
    main()
