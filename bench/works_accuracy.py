"""Links between English translations and their Khmer originals (`indexer.library.works`),
against the pairs verified on the pages (bench/data/work_pairs.tsv).

Run it on a data folder that indexed ../shared/corpus/pdf and ../shared/corpus/text/en (for
instance a copy of the r4 index, `cp -a`, then `ddsearch index ../shared/corpus/text/en
--index COPY`): recall is the share of the true pairs linked, precision the share of links
that are true pairs; controls are the (English, Khmer) pairs of the same type and year (one
year apart counts) that are no work, none of which may be linked. ``--show`` prints the scores
of every candidate of the English documents of the chosen half.

    python bench/works_accuracy.py --index DATA [--half tune|check|all] [--show]
"""

from __future__ import annotations

import argparse
import csv
import sqlite3
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from indexer.library import works  # noqa: E402
from indexer.library.citator import compatible  # noqa: E402
from indexer.library.effective import Derived, effective_metadata  # noqa: E402
from indexer.library.state import Library  # noqa: E402

PAIRS = REPO / "bench" / "data" / "work_pairs.tsv"


def rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return list(
            csv.DictReader([line for line in handle if not line.startswith("#")], delimiter="\t")
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--half", choices=("tune", "check", "all"), default="tune")
    parser.add_argument("--show", action="store_true")
    args = parser.parse_args()
    library = Library(args.index / "library.sqlite")
    derived = Derived.read(library)
    name_of = {known.id: Path(path).name for path, known in library.files().items()}
    meta = {row.id: (row, effective_metadata(row, derived)[0]) for row in library.live_documents()}
    db = sqlite3.connect(args.index / "library.sqlite")
    terms = works._terms(db, {row.hash for row, _ in meta.values()}, lambda h: [])
    versions = {
        doc_id: works.Version(
            doc_id,
            works.language_of(fields["languages"]),
            fields["type"],
            fields["year"],
            fields["number"],
            fields["title"],
            *terms[row.hash],
        )
        for doc_id, (row, fields) in meta.items()
    }
    weights = works._rarity(list(versions.values()))
    linked = {
        frozenset((a, b))
        for a, b in db.execute("SELECT id, other FROM works")
        if name_of.get(a) and name_of.get(b)
    }
    by_name = {name: doc_id for doc_id, name in name_of.items()}
    truth = rows(PAIRS)
    for half in ("tune", "check") if args.half == "all" else (args.half,):
        wanted = {
            frozenset((by_name[r["english"]], by_name[r["khmer"]]))
            for r in truth
            if r["half"] == half
        }
        english = {by_name[r["english"]] for r in truth if r["half"] == half}
        english |= {
            i for i, v in versions.items() if v.language == "en" and _half(name_of[i]) == half
        }
        in_half = {pair for pair in linked if pair & english}
        controls = {
            frozenset((en, km))
            for en in english
            for km, version in versions.items()
            if version.language == "km"
            and frozenset((en, km)) not in wanted
            and compatible(versions[en].type, version.type)
            and versions[en].years & {version.year}
        }
        right = len(in_half & wanted)
        recall = right / len(wanted)
        print(
            f"{half:5} pairs {len(wanted)}: recall {recall:.2f} ({right}/{len(wanted)}), "
            f"precision {right / len(in_half) if in_half else 1.0:.2f} ({right}/{len(in_half)}); "
            f"controls of the same type and year {len(controls)}, linked "
            f"{len(controls & in_half)}"
        )
        if args.show:
            for en in sorted(english, key=name_of.get):
                print(f"  {name_of[en][:70]} [{versions[en].type} {versions[en].year}]")
                for km, version in versions.items():
                    if version.language != "km" or not compatible(versions[en].type, version.type):
                        continue
                    if (
                        versions[en].years
                        and version.years
                        and not versions[en].years & version.years
                    ):
                        continue
                    one, other = versions[en], version
                    title = max(
                        works._title_share(one.title, other.title),
                        works._named(one, other),
                        works._named(other, one),
                    )
                    text = works._cosine(versions[en].terms, version.terms, weights)
                    mark = "TRUE" if frozenset((en, km)) in wanted else "    "
                    link = "linked" if frozenset((en, km)) in linked else ""
                    print(
                        f"    {mark} {name_of[km][:55]:55} title {title:.2f} text {text:.2f} "
                        f"numbers {versions[en].number or '-'} / {version.number or '-'} {link}"
                    )


def _half(name: str) -> str:
    import hashlib

    return "tune" if int(hashlib.sha1(name.encode()).hexdigest()[0], 16) % 2 == 0 else "check"


if __name__ == "__main__":
    main()
