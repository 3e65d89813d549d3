"""Website benchmark (issue 5): requests/s and latency of /search and /api/search under 20
concurrent clients on loopback, against `ddsearch serve` (gunicorn) or, to compare, waitress.
Prints figures; asserts nothing.

    python bench/web_bench.py [--clients 20] [--requests 2000] [--seconds 60]
                              [--data DIR | --whoosh DIR] [--server ddsearch|waitress]
                              [--workers N] [--distinct]

--data: an existing data folder (as `ddsearch --index`); --whoosh: a bare Whoosh index such
as bench/search_bench.py's /tmp/ddsearch-bench/whoosh. Without either, the demo corpus and
every PDF of ../shared/corpus/pdf are indexed (text layers only, --ocr never) into a temporary
folder first.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parents[1]
SHARED_PDFS = REPO.parent / "shared" / "corpus" / "pdf"
ROUTES = ("/search", "/api/search")
QUERIES = (
    {"q": "ក្រុមប្រឹក្សាឃុំ"},
    {"q": "ច្បាប់"},
    {"q": "អនុក្រឹត្យ", "sort": "newest"},
    {"q": "រដ្ឋបាល", "type": "law"},
    {"q": "ការគ្រប់គ្រង", "year": "2000..2010"},
    {"q": "commune council"},
    {"q": "regulation", "lang": "en"},
    {"q": '"commune investment programme"'},
    {"q": "decentrali*"},
    {"q": "budget OR ថវិកា"},
    {"q": "", "type": "sub-decree"},
    {"q": "មាត្រា", "page": "2"},
)


def build_data(folder: Path) -> Path:
    """Index the demo corpus and the shared corpus (text layers only) into ``folder``."""
    library = folder / "library"
    library.mkdir(parents=True)
    for pdf in [*(REPO / "corpus").glob("*.pdf"), *SHARED_PDFS.glob("*.pdf")]:
        (library / pdf.name).symlink_to(pdf)
    data = folder / "data"
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "indexer.cli", "index", str(library), "--index", str(data),
         "--ocr", "never", "--quiet"],
        cwd=REPO, check=False, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    print(f"indexed {library} in {time.perf_counter() - started:.0f} s")
    return data


def data_for_index(index_dir: Path, folder: Path) -> Path:
    """A data folder whose index is an existing index (of either engine)."""
    data = folder / "data"
    data.mkdir()
    (data / "index").symlink_to(index_dir.resolve())
    return data


def distinct_queries(index_dir: Path, requests: int) -> dict[str, list[dict]]:
    """For each route, ``requests`` different queries drawn from the benchmark corpus (the
    search benchmark's kinds: words, phrases, filters), no query shared between routes."""
    from search_bench import make_queries

    from indexer.engine import open_engine

    docs = open_engine(index_dir).stats()["documents"]
    unique: dict[str, dict] = {}
    per_kind = requests * len(ROUTES) // 5 + 50
    for query in make_queries(docs, per_kind, seed=1):
        params = {"q": query["query"], "type": query.get("type"), "year": query.get("year")}
        params = {name: value for name, value in params.items() if value}
        unique.setdefault(urlencode(params), params)
    drawn = list(unique.values())
    if len(drawn) < requests * len(ROUTES):
        raise SystemExit(f"only {len(drawn)} distinct queries; ask for fewer --requests")
    return {route: drawn[i * requests : (i + 1) * requests] for i, route in enumerate(ROUTES)}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(
    data: Path, port: int, server: str = "ddsearch", workers: int = 0
) -> subprocess.Popen:
    """``ddsearch serve`` (gunicorn, ``workers`` processes, 0: one per core), or the same app
    in waitress's single process of 6 threads (`pip install waitress`)."""
    if server == "ddsearch":
        command = ["-m", "indexer.cli", "serve", "--index", str(data), "--port", str(port),
                   "--workers", str(workers)]  # fmt: skip
    else:
        command = ["-m", "waitress", "--threads", "6", f"--port={port}", "--host=127.0.0.1",
                   "--call", "search_web:create_app"]  # fmt: skip
    process = subprocess.Popen(
        [sys.executable, *command],
        cwd=REPO,
        env={**os.environ, "DDSEARCH_INDEX": str(data)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process
        except OSError:
            time.sleep(0.1)
    process.terminate()
    raise SystemExit("the server did not start")


def server_rss(pid: int) -> int:
    """Resident MB of a process and its children (gunicorn's workers)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    pids = [pid, *map(int, children)]
    pages = sum(int(Path(f"/proc/{p}/statm").read_text().split()[1]) for p in pids)
    return pages * os.sysconf("SC_PAGE_SIZE") // 2**20


def load(
    port: int, route: str, clients: int, requests: int, seconds: float, queries=QUERIES
) -> dict:
    """``clients`` threads, each on its own connection (kept open while the server allows),
    send the queries in turn until ``requests`` are done or ``seconds`` have passed."""
    urls = itertools.cycle(f"{route}?{urlencode(q)}" for q in queries)
    lock = threading.Lock()
    latencies: list[float] = []
    errors: list[str] = []
    deadline = time.perf_counter() + seconds
    remaining = [requests]

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.perf_counter() < deadline:
            with lock:
                if remaining[0] <= 0:
                    break
                remaining[0] -= 1
                url = next(urls)
            started = time.perf_counter()
            try:
                connection.request("GET", url)
                reply = connection.getresponse()
                reply.read()
                status = reply.status
            except (OSError, http.client.HTTPException) as err:
                status = repr(err)
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed * 1000)
                if status != 200:
                    errors.append(f"{url}: {status}")
        connection.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100)
    return {
        "requests": len(latencies),
        "seconds": wall,
        "rps": len(latencies) / wall,
        "p50": cuts[49],
        "p95": cuts[94],
        "p99": cuts[98],
        "errors": errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=2000, help="per route")
    parser.add_argument("--seconds", type=float, default=60, help="at most, per route")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--data", type=Path, help="an existing ddsearch data folder")
    source.add_argument("--whoosh", type=Path, help="a bare index folder (either engine)")
    parser.add_argument("--server", choices=("ddsearch", "waitress"), default="ddsearch")
    parser.add_argument("--workers", type=int, default=0, help="0: one per core")
    parser.add_argument(
        "--distinct",
        action="store_true",
        help="with --whoosh: each request a different query of bench/search_bench.py's kinds, "
        "none repeated (no result is served from the ranking cache)",
    )
    args = parser.parse_args()
    per_route = {route: QUERIES for route in ROUTES}
    if args.distinct:
        per_route = distinct_queries(args.whoosh, args.requests)

    with tempfile.TemporaryDirectory(prefix="ddsearch-web-bench-") as tmp:
        if args.data:
            data = args.data
        elif args.whoosh:
            data = data_for_index(args.whoosh, Path(tmp))
        else:
            data = build_data(Path(tmp))
        port = free_port()
        server = start_server(data, port, args.server, args.workers)
        try:
            warm = load(port, "/api/search", 2, 2 * len(QUERIES), 60)  # open searchers
            print(f"warm-up: {warm['requests']} requests, {len(warm['errors'])} errors")
            setup = (
                "waitress, 1 process of 6 threads"
                if args.server == "waitress"
                else f"ddsearch serve (gunicorn), {args.workers or 'one per core'} processes"
            )
            mix = (
                "distinct generated queries" if args.distinct else f"{len(QUERIES)} queries in turn"
            )
            print(f"\n{args.clients} clients, cpu count {os.cpu_count()}, {setup}, {mix}\n")
            print("| route | requests | req/s | p50 ms | p95 ms | p99 ms | errors |")
            print("|---|---|---|---|---|---|---|")
            for route in ROUTES:
                queries = per_route[route]
                r = load(port, route, args.clients, args.requests, args.seconds, queries)
                print(
                    f"| {route} | {r['requests']} | {r['rps']:.1f} | {r['p50']:.0f} | "
                    f"{r['p95']:.0f} | {r['p99']:.0f} | {len(r['errors'])} |"
                )
                for error in r["errors"][:5]:
                    print("   ", error)
            print(f"\nresident memory of the server's processes: {server_rss(server.pid)} MB")
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
