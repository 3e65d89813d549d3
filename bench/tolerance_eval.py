"""OCR-tolerance evaluation (issue 14): do researchers' Khmer phrases find the scanned laws?

Runs tests/data/tolerance_queries.tsv (title phrases read off the page images of the scanned
Khmer PDFs, body phrases from the transcribed Gazette pages) through the public query API,
`indexer.query.search.search`, over an index of ../shared/corpus/pdf built by the real
pipeline, and reports per kind:

- top 1 / top 5: the expected file is the first / among the first five results;
- right page: the expected file is in the top 5 and its best-matching page (the first of its
  listed pages) is the page the phrase is printed on;
- empty: the search returned no document at all.

    python bench/tolerance_eval.py --index /tmp/wave1     # reuse a data folder (copy it first)
    python bench/tolerance_eval.py                        # index the corpus into --work first
    python bench/tolerance_eval.py --index DIR --misses   # also list every miss
    python bench/tolerance_eval.py --index DIR --label "exact only" --results bench/RESULTS.md

Building the index OCRs ~1,000 pages: about 40 minutes on 2 cores. A data folder is written
to (its reader cache, the lock), so point --index at a copy of a shared one, never the original;
after a schema change, `ddsearch rebuild --index COPY` remakes its index from the store (no OCR).
"""

from __future__ import annotations

import argparse
import csv
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's indexer, not the one the venv installed

from indexer.config import DataDir  # noqa: E402
from indexer.query.search import search  # noqa: E402

PDFS = ROOT.parent / "shared" / "corpus" / "pdf"
QUERIES = ROOT / "tests" / "data" / "tolerance_queries.tsv"
TOP = 5
TARGETS = {"title": "top 5 >= 90%", "body": "top 5 >= 85%, right page >= 80%"}


@dataclass(frozen=True)
class Query:
    kind: str  # title | body
    text: str
    files: tuple[str, ...]  # any of them is the right answer
    page: int


@dataclass(frozen=True)
class Outcome:
    query: Query
    rank: int | None  # 1-based rank of the expected file among the first TOP, or None
    page: int | None  # the expected file's best page, when it is in the first TOP
    total: int
    seconds: float

    @property
    def right_page(self) -> bool:
        return self.page == self.query.page


def load_queries(path: Path = QUERIES) -> list[Query]:
    """The query set; "#" lines are its description."""
    with path.open(encoding="utf-8") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return [
        Query(row["kind"], row["query"], tuple(row["file"].split("|")), int(row["page"]))
        for row in csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
    ]


def build(data: Path) -> None:
    """Index the corpus with the real command line, as a librarian would."""
    subprocess.run(
        [sys.executable, "-m", "indexer.cli", "index", str(PDFS), "--index", str(data), "--quiet"],
        cwd=ROOT,
        check=False,  # a failed file is in the report; the others are indexed
    )


def run_query(index: Path, query: Query) -> Outcome:
    started = time.perf_counter()
    result = search(index, query.text, limit=TOP)
    seconds = time.perf_counter() - started
    for rank, doc in enumerate(result["results"], start=1):
        if any(Path(path).name in query.files for path in doc["paths"]):
            page = doc["pages"][0]["page"] if doc["pages"] else None
            return Outcome(query, rank, page, result["total"], seconds)
    return Outcome(query, None, None, result["total"], seconds)


def figures(outcomes: list[Outcome]) -> dict[str, float]:
    n = len(outcomes)
    return {
        "queries": n,
        "top1": sum(o.rank == 1 for o in outcomes) / n,
        "top5": sum(o.rank is not None for o in outcomes) / n,
        "right_page": sum(o.rank is not None and o.right_page for o in outcomes) / n,
        "empty": sum(o.total == 0 for o in outcomes) / n,
        "p50_ms": 1000 * statistics.median(o.seconds for o in outcomes),
        "max_ms": 1000 * max(o.seconds for o in outcomes),
    }


def table(by_kind: dict[str, dict[str, float]]) -> str:
    lines = [
        "| kind | queries | top 1 | top 5 | right page | no result | p50 / max ms | target |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for kind, f in by_kind.items():
        lines.append(
            f"| {kind} | {f['queries']} | {f['top1']:.0%} | {f['top5']:.0%} | "
            f"{f['right_page']:.0%} | {f['empty']:.0%} | {f['p50_ms']:.0f} / {f['max_ms']:.0f} | "
            f"{TARGETS.get(kind, '')} |"
        )
    return "\n".join(lines)


def miss_lines(outcomes: list[Outcome]) -> list[str]:
    lines = []
    for o in outcomes:
        if o.rank is None:
            why = "no result" if o.total == 0 else f"not in top {TOP} of {o.total}"
        elif o.query.kind == "body" and not o.right_page:
            why = f"rank {o.rank}, page {o.page} not {o.query.page}"
        else:
            continue
        lines.append(f"- {o.query.kind} `{o.query.text}` ({o.query.files[0]}): {why}")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, help="A data folder to reuse (a copy).")
    parser.add_argument("--work", type=Path, default=Path("/tmp/ddsearch-tolerance"))
    parser.add_argument("--label", default="exact only", help="What this run measures.")
    parser.add_argument("--results", type=Path, help="Append the table to this Markdown file.")
    parser.add_argument("--misses", action="store_true", help="List every miss.")
    args = parser.parse_args()

    data = DataDir(args.index or args.work)
    if not data.index.exists():
        print(f"Indexing {PDFS} into {data.root} (OCR: tens of minutes)...", file=sys.stderr)
        build(data.root)
    queries = load_queries()
    search(data.index, queries[0].text)  # open the index once, outside the timings
    outcomes = [run_query(data.index, query) for query in queries]
    kinds = sorted({q.kind for q in queries}, reverse=True)  # title, body
    by_kind = {kind: figures([o for o in outcomes if o.query.kind == kind]) for kind in kinds}
    by_kind["all"] = figures(outcomes)
    report = table(by_kind)
    print(f"{args.label}: {data.root}\n\n{report}")
    misses = miss_lines(outcomes)
    if args.misses:
        print("\n" + "\n".join(misses))
    if args.results:
        command = f"python bench/tolerance_eval.py --index {data.root} --label {args.label!r}"
        with args.results.open("a", encoding="utf-8") as handle:
            handle.write(f"\n`{command}` ({time.strftime('%Y-%m-%d')}):\n\n{report}\n")


if __name__ == "__main__":
    main()
