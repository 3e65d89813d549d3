"""Bounded query cost (issues 14, 24): the costliest queries we can construct, alone and while
20 clients send ordinary queries.

1. Each costly kind is timed alone through `indexer.query.search.search` (no two queries the
   same, so none is served from the ranking cache), with whether it was cut short.
2. `ddsearch serve` on the same index: 20 clients send bench/search_bench.py's ordinary
   queries (distinct, as web_bench.py --distinct) to /api/search, first alone, then while 2
   more clients send the costly ones; the ordinary queries' latency is reported for both
   (target p95 <= 250 ms beside the costly clients).

    python bench/cost_bench.py --index /tmp/ddsearch-bench-500/whoosh/index [--requests 1000]

The index is bench/search_bench.py's, of either engine (--docs 500 builds in a few minutes).
"""

from __future__ import annotations

import argparse
import random
import statistics
import string
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from search_bench import CONSONANTS  # noqa: E402
from web_bench import data_for_index, distinct_queries, free_port, load, start_server  # noqa: E402

from indexer.query.search import search  # noqa: E402


def costly(kind: str, rng: random.Random) -> str:
    """One costly query of a kind, drawn at random so that repeats are rare."""
    letters = string.ascii_lowercase
    if kind == "one_prefix":
        return rng.choice(letters) + "*"
    if kind == "five_prefixes":
        return " ".join(f"{c}*" for c in rng.sample(letters, 5))
    if kind == "sixteen_or_prefixes":
        return " OR ".join(f"{c}*" for c in rng.sample(letters, 16))
    if kind == "two_letter_or_prefixes":
        pairs = iter(rng.sample(letters, 24))
        return " OR ".join(f"{a}{b}*" for a, b in zip(pairs, pairs, strict=False))
    if kind == "long_khmer_misread":  # approximate matching of a long run of common clusters
        return "".join(
            rng.choice(("ការ", "និង", "ក្រុម", "ប្រឹក្សា", "ឃុំ", "ជា", "នៃ")) for _ in range(40)
        )
    if kind == "many_khmer_phrases":  # 20 approximate phrases of random letters
        return " OR ".join("".join(rng.sample(CONSONANTS, 6)) for _ in range(20))
    if kind == "many_misspellings":
        return " OR ".join("".join(rng.sample(letters, 7)) for _ in range(30))
    raise ValueError(kind)


KINDS = (
    "one_prefix",
    "five_prefixes",
    "sixteen_or_prefixes",
    "two_letter_or_prefixes",
    "long_khmer_misread",
    "many_khmer_phrases",
    "many_misspellings",
)


def alone(index: Path, per_kind: int) -> dict[str, dict]:
    rng = random.Random(7)
    figures = {}
    for kind in KINDS:
        times, cut = [], 0
        for _ in range(per_kind):
            query = costly(kind, rng)
            started = time.perf_counter()
            result = search(index, query)
            times.append((time.perf_counter() - started) * 1000)
            cut += result["cut_short"] is not None
        figures[kind] = {"p50": statistics.median(times), "max": max(times), "cut": cut}
    return figures


ALONE, BESIDE = "ordinary, alone", "ordinary, beside 2 costly"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, required=True, help="search_bench.py's index")
    parser.add_argument("--per-kind", type=int, default=10)
    parser.add_argument("--requests", type=int, default=1000, help="ordinary requests a phase")
    parser.add_argument("--seconds", type=float, default=120)
    args = parser.parse_args()

    search(args.index, "council")  # open the index outside the timings
    print("| costly kind | example | p50 ms | max ms | cut short |\n|---|---|---|---|---|")
    for kind, f in alone(args.index, args.per_kind).items():
        example = costly(kind, random.Random(0))[:40]
        cut = f"{f['cut']}/{args.per_kind}"
        print(f"| {kind} | `{example}` | {f['p50']:.0f} | {f['max']:.0f} | {cut} |")

    # Two sets of distinct queries: the second phase must not be answered from the cache.
    alone_queries, beside_queries = distinct_queries(args.index, args.requests).values()
    rng = random.Random(11)
    hostile = [{"q": costly(rng.choice(KINDS), rng)} for _ in range(5000)]
    found: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="ddsearch-cost-bench-") as tmp:
        data = data_for_index(args.index, Path(tmp))
        port = free_port()
        server = start_server(data, port)
        try:
            load(port, "/api/search", 2, 20, 60)  # open searchers

            def run(name, clients, queries):
                requests = args.requests if name.startswith("ordinary") else len(queries)
                found[name] = load(port, "/api/search", clients, requests, args.seconds, queries)

            run("ordinary, alone", 20, alone_queries)
            threads = [
                threading.Thread(
                    target=run, args=("ordinary, beside 2 costly", 20, beside_queries)
                ),
                threading.Thread(target=run, args=("costly", 2, hostile)),
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        finally:
            server.terminate()
            server.wait(timeout=10)
    print("\n| clients | requests | p50 ms | p95 ms | p99 ms | errors |\n|---|---|---|---|---|---|")
    for name, clients in (
        ("ordinary, alone", 20),
        ("ordinary, beside 2 costly", 20),
        ("costly", 2),
    ):
        r = found[name]
        print(
            f"| {clients} {name} | {r['requests']} | {r['p50']:.0f} | {r['p95']:.0f} | "
            f"{r['p99']:.0f} | {len(r['errors'])} |"
        )


if __name__ == "__main__":
    main()
