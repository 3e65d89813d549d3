"""Index while serving (issue 6): `ddsearch serve` (gunicorn) answers 20 concurrent clients on
loopback while `ddsearch index` adds documents in batches and `ddsearch rebuild` swaps the
index once. Prints failed requests, how soon each new document is visible, and p50/p95 latency
before, during and after the writing. tests/test_serve_while_indexing.py runs it small.

    python bench/serve_while_indexing.py [--documents 50] [--batches 5] [--clients 20]
                                         [--before 10] [--after 10]

The documents are distinct one-page PDFs cut from the 56-page English
en_national_research_agenda_2025.pdf of ../shared/corpus/pdf (text layers, no OCR).
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(BENCH.parent / "tests"))
from conftest import cut_pages  # noqa: E402
from web_bench import QUERIES, REPO, SHARED_PDFS, free_port, start_server  # noqa: E402

AGENDA = SHARED_PDFS / "en_national_research_agenda_2025.pdf"
#: Pages of the agenda with a real text layer (50 words or more): each makes one document.
AGENDA_PAGES = [*range(3, 51), 54, 55]
SEED_DOCUMENTS = (
    "en_report_2023_dd_reform_progress_demo.pdf",
    "km_subdecree_2024_012_commune_functions_demo.pdf",
)
ROUTES = ("/search", "/api/search")
MAX_REQUESTS = 200_000  # the load's hard bounds, whatever the writer does
MAX_SECONDS = 1200
POLL_SECONDS = 0.1


@dataclass
class Sample:
    at: float  # time.monotonic() when sent
    ms: float
    url: str
    outcome: int | str  # 200, else the status and the start of the body, or the error


@dataclass
class Write:
    """One `ddsearch index` or `ddsearch rebuild` run."""

    command: str
    started: float
    finished: float
    returncode: int
    committed: float  # time.time() of the index's newest commit when the run ended
    added: list[str] = field(default_factory=list)  # file names this run added


class Load:
    """``clients`` threads, each on its own connection, sending web_bench's queries to both
    routes until `stop` (or the hard bounds); unlike web_bench.load, every request is kept
    with its send time, so that latencies can be split by what the writer was doing."""

    def __init__(self, port: int, clients: int):
        self.port, self.clients = port, clients
        self.samples: list[Sample] = []
        self._urls = itertools.cycle(f"{route}?{urlencode(q)}" for q in QUERIES for route in ROUTES)
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._client) for _ in range(clients)]

    def start(self) -> Load:
        self._deadline = time.monotonic() + MAX_SECONDS
        for thread in self._threads:
            thread.start()
        return self

    def stop(self) -> list[Sample]:
        self._stop.set()
        for thread in self._threads:
            thread.join()
        return self.samples

    def _client(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        while not self._stop.is_set() and time.monotonic() < self._deadline:
            with self._lock:
                if len(self.samples) >= MAX_REQUESTS:
                    break
                url = next(self._urls)
            sent = time.monotonic()
            try:
                connection.request("GET", url)
                reply = connection.getresponse()
                body = reply.read()
                outcome: int | str = reply.status
                if outcome != 200:
                    outcome = f"{outcome} {body[:300]!r}"
            except (OSError, http.client.HTTPException) as err:
                outcome = repr(err)
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            with self._lock:
                self.samples.append(Sample(sent, (time.monotonic() - sent) * 1000, url, outcome))
        connection.close()


class Watcher:
    """Polls /api/search (every document: at most 100) and notes when (time.time()) each
    file name first appears, and the total it last saw."""

    def __init__(self, port: int):
        self.port = port
        self.first_seen: dict[str, float] = {}
        self.total = 0
        self.failures: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._poll)

    def start(self) -> Watcher:
        self._deadline = time.monotonic() + MAX_SECONDS
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _poll(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        while not self._stop.wait(POLL_SECONDS) and time.monotonic() < self._deadline:
            try:
                connection.request("GET", "/api/search?per_page=100")
                reply = connection.getresponse()
                body = reply.read()
            except (OSError, http.client.HTTPException) as err:
                self.failures.append(repr(err))
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                continue
            if reply.status != 200:
                self.failures.append(f"status {reply.status}")
                continue
            now, found = time.time(), json.loads(body)
            self.total = found["total"]
            for result in found["results"]:
                for name in result["paths"]:
                    self.first_seen.setdefault(name, now)
        connection.close()


def make_documents(folder: Path, count: int) -> list[Path]:
    """``count`` distinct one-page PDFs, each a text page of the research agenda."""
    if count > len(AGENDA_PAGES):
        raise SystemExit(f"At most {len(AGENDA_PAGES)} documents can be cut from {AGENDA.name}.")
    return [
        cut_pages(AGENDA, [page], folder / f"agenda_page_{page:02d}.pdf")
        for page in AGENDA_PAGES[:count]
    ]


def ddsearch(*args: str, data: Path) -> int:
    done = subprocess.run(
        [sys.executable, "-m", "indexer.cli", *args, "--index", str(data)],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        timeout=600,
    )
    return done.returncode


def write_in_batches(
    library: Path, data: Path, documents: list[Path], batches: int, rebuild_after: int
) -> list[Write]:
    """Copy the documents into the library a batch at a time, indexing after each batch, and
    rebuild the index once after batch ``rebuild_after`` (1-based)."""
    writes = []
    size = -(-len(documents) // batches)
    for number, start in enumerate(range(0, len(documents), size), start=1):
        batch = documents[start : start + size]
        for pdf in batch:
            shutil.copy(pdf, library / pdf.name)
        began = time.monotonic()
        code = ddsearch("index", str(library), "--ocr", "never", "--quiet", data=data)
        ended = time.monotonic()
        writes.append(
            Write("index", began, ended, code, last_commit(data), [p.name for p in batch])
        )
        if number == rebuild_after:
            began = time.monotonic()
            code = ddsearch("rebuild", data=data)
            writes.append(Write("rebuild", began, time.monotonic(), code, last_commit(data)))
    return writes


def last_commit(data: Path) -> float:
    """When the index was last committed: Whoosh writes a new table of contents per commit."""
    return max(toc.stat().st_mtime for toc in (data / "index").glob("*.toc"))


def deleted_index_files(pid: int) -> int:
    """Files of a deleted index directory the server still holds open or mapped."""
    held = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.endswith(" (deleted)") and "/index-" in target:
            held.add(target)
    for line in Path(f"/proc/{pid}/maps").read_text().splitlines():
        if line.endswith(" (deleted)") and "/index-" in line:
            held.add(line.split(maxsplit=5)[-1])
    return len(held)


def percentiles(samples: list[Sample]) -> dict:
    if len(samples) < 2:
        return {"requests": len(samples), "p50": float("nan"), "p95": float("nan")}
    cuts = statistics.quantiles([s.ms for s in samples], n=100)
    return {"requests": len(samples), "p50": cuts[49], "p95": cuts[94]}


def run(
    workdir: Path,
    *,
    documents: int,
    batches: int,
    clients: int = 20,
    before: float = 10,
    after: float = 10,
) -> dict:
    """The whole experiment in ``workdir``; returns its figures (see `report`)."""
    library, data = workdir / "library", workdir / "data"
    library.mkdir(parents=True)
    for name in SEED_DOCUMENTS:
        shutil.copy(REPO / "corpus" / name, library / name)
    if ddsearch("index", str(library), "--ocr", "never", "--quiet", data=data) != 0:
        raise RuntimeError("the seed library could not be indexed")
    new = make_documents(workdir / "new", documents)

    port = free_port()
    server = start_server(data, port)
    try:
        load, watcher = Load(port, clients).start(), Watcher(port).start()
        time.sleep(before)
        writing_started = time.monotonic()
        writes = write_in_batches(library, data, new, batches, rebuild_after=(batches + 1) // 2)
        writing_finished = time.monotonic()
        time.sleep(after)
        samples = load.stop()
        watcher.stop()
        held = deleted_index_files(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=10)

    phases = {
        "before": [s for s in samples if s.at < writing_started],
        "during": [s for s in samples if writing_started <= s.at <= writing_finished],
        "after": [s for s in samples if s.at > writing_finished],
    }
    delays = [
        watcher.first_seen[name] - write.committed
        for write in writes
        for name in write.added
        if name in watcher.first_seen
    ]
    return {
        "clients": clients,
        "requests": len(samples),
        "failed": [f"{s.url}: {s.outcome}" for s in samples if s.outcome != 200],
        "watch_failures": watcher.failures,
        "phases": {name: percentiles(part) for name, part in phases.items()},
        "writes": writes,
        "documents_added": [name for write in writes for name in write.added],
        "never_seen": [name for w in writes for name in w.added if name not in watcher.first_seen],
        "visible_after_commit_s": delays,
        "final_total": watcher.total,
        "expected_total": len(SEED_DOCUMENTS) + documents,
        "deleted_index_files_held": held,
    }


def report(figures: dict) -> str:
    """The figures as the lines RESULTS.md quotes."""
    delays = figures["visible_after_commit_s"]
    lines = [
        f"{figures['clients']} clients, {figures['requests']} requests, "
        f"{len(figures['failed'])} failed; watcher failures {len(figures['watch_failures'])}",
        "",
        "| phase | requests | p50 ms | p95 ms |",
        "|---|---|---|---|",
    ]
    for name, p in figures["phases"].items():
        lines.append(f"| {name} | {p['requests']} | {p['p50']:.0f} | {p['p95']:.0f} |")
    lines.append("")
    for write in figures["writes"]:
        lines.append(
            f"- {write.command}: {write.finished - write.started:.1f} s, exit {write.returncode}"
            + (f", {len(write.added)} new documents" if write.command == "index" else "")
        )
    if delays:
        lines.append(
            f"- new documents visible after their commit: max {max(delays):.2f} s, "
            f"median {statistics.median(delays):.2f} s (polling every {POLL_SECONDS} s)"
        )
    lines.append(
        f"- documents never seen: {len(figures['never_seen'])}; final total "
        f"{figures['final_total']} of {figures['expected_total']}; files of deleted index "
        f"directories still held by the server: {figures['deleted_index_files_held']}"
    )
    lines += [f"    {failure}" for failure in figures["failed"][:10]]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=50)
    parser.add_argument("--batches", type=int, default=5)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--before", type=float, default=10, help="seconds of load first")
    parser.add_argument("--after", type=float, default=10, help="seconds of load after")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ddsearch-serve-index-") as tmp:
        figures = run(
            Path(tmp),
            documents=args.documents,
            batches=args.batches,
            clients=args.clients,
            before=args.before,
            after=args.after,
        )
    print(report(figures))


if __name__ == "__main__":
    main()
