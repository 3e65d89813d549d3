"""OCR through the queue (issue 17): local ``--jobs 2`` against ``--broker`` with two local
workers of one job each, then one worker of 1 and of 2 jobs; and what travels per page.

    nice python bench/queue_bench.py [--pages 24] [--rounds 2]

The same scanned Royal Gazette pages (the first pages of each scanned sub-decree and law in
../shared/corpus/pdf, ingest_bench.scanned_sample) are indexed into fresh data folders by each
set-up in turn, interleaved over ``--rounds`` so that the shared machine's load falls on all
alike. A real ``redis-server`` on a free loopback port is started and stopped here; the tests
(tests/test_queue.py) use the same helpers. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import io
import json
import os
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from ingest_bench import CORPUS, scanned_sample

REPO = Path(__file__).resolve().parents[1]
PR_SET_CHILD_SUBREAPER = 36


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    """A throw-away ``redis-server`` on a free loopback port, without persistence; yields
    its URL without a database number."""
    port = free_port()
    server = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                break
            if time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start")
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(10)


def start_worker(
    url: str, jobs: int, log: Path, redeliver_after: float | None = None
) -> subprocess.Popen:
    """A real ``ddsearch worker`` in its own process group (a kill takes its pool too)."""
    command = [sys.executable, "-m", "indexer.cli", "worker", "--broker", url, "--jobs", str(jobs)]
    if redeliver_after:
        command += ["--redeliver-after", str(redeliver_after)]
    with log.open("ab") as out:
        return subprocess.Popen(
            command, cwd=REPO, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def kill_group(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(10)


def stop_worker(process: subprocess.Popen) -> None:
    """Warm shutdown: the worker ends its pool and is reaped, so its CPU time (and that of
    its Tesseracts) is counted in this process's RUSAGE_CHILDREN."""
    process.terminate()
    process.wait(60)


def adopt_orphans() -> None:
    """Become the reaper of our descendants' orphans (the indexing pool's forkserver outlives
    the indexer a moment), so that all CPU time of a set-up can be counted."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)


def reap_orphans(keep: set[int]) -> None:
    """Wait until every child but ``keep`` (the Redis server) has ended and been reaped."""
    deadline = time.monotonic() + 60
    while (left := _children() - keep) and time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(-1, os.WNOHANG)
        time.sleep(0.05)
    if left:
        raise RuntimeError(f"processes {sorted(left)} did not end")


def _children() -> set[int]:
    found = set()
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError):
                stat = Path(f"/proc/{entry.name}/stat").read_bytes().rsplit(b")", 1)[1].split()
                if int(stat[1]) == os.getpid():
                    found.add(int(entry.name))
    return found


def cpu_seconds() -> float:
    """CPU time of all reaped descendants so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def worker_startup_cpu(url: str, log: Path, times: int = 3) -> float:
    """CPU seconds of starting an idle one-job worker and stopping it (median): a worker's
    fixed cost, counted in every broker set-up above, paid once per worker session."""
    adopt_orphans()
    keep, used = _children(), []
    for _ in range(times):
        before = cpu_seconds()
        worker = start_worker(url, 1, log)
        time.sleep(5)  # started and waiting on the queue by then
        stop_worker(worker)
        reap_orphans(keep)
        used.append(cpu_seconds() - before)
    return statistics.median(used)


def index(library: Path, data: Path, jobs: int, broker: str | None = None) -> tuple[float, float]:
    """Wall seconds of a real ``ddsearch index``, and the CPU seconds of the indexing process
    itself (its pool runs under the forkserver, which it does not reap)."""
    command = [sys.executable, "-m", "indexer.cli", "index", str(library), "--jobs", str(jobs)]
    command += ["--broker", broker] if broker else []
    env = {**os.environ, "DDSEARCH_INDEX": str(data)}
    started = time.perf_counter()
    run = subprocess.Popen([*command, "--quiet"], env=env, cwd=REPO, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(run.pid, 0)
    run.returncode = os.waitstatus_to_exitcode(status)
    if run.returncode:
        raise RuntimeError(f"ddsearch index exited with {run.returncode}")
    return time.perf_counter() - started, usage.ru_utime + usage.ru_stime


def transfer_sizes(sample: list[tuple[Path, int]]) -> list[str]:
    """Bytes on the wire per page: what is sent (JSON as Celery sends it) against the
    alternatives, and the answer."""
    from kombu.utils.json import dumps

    from indexer.extract import ocr, pagejob, sources
    from indexer.extract.pool import PageRequest, ocr_task

    pngs, cuts, wholes, jobs, answers = [], [], [], [], []
    for path, index_ in sample:
        image = sources.page_image(path, index_)
        out = io.BytesIO()
        image.save(out, format="PNG")
        pngs.append(len(out.getvalue()))
        payload = pagejob.page_payload(path, index_ + 1)
        cuts.append(len(payload["data"]))
        wholes.append((CORPUS / path.name).stat().st_size)  # the sample's source file
        page = PageRequest(path, "h" * 64, index_ + 1, ocr.DEFAULT_RECIPE, False)
        job = pagejob.job(payload, page, "r" * 32)
        jobs.append(len(dumps(job)))
    for path, index_ in sample[:4]:  # answers need OCR: a few pages tell their size
        text, confidence, boxes = ocr_task(path, index_ + 1, ocr.DEFAULT_RECIPE)
        answers.append(len(json.dumps({"text": text, "boxes": boxes.words}, ensure_ascii=False)))
    return [
        f"per page, mean of {len(sample)} Gazette pages at 300 dpi:",
        f"  one-page PDF (sent)         {kb(cuts)}",
        f"  job as Celery sends it      {kb(jobs)} (JSON, base64 page)",
        f"  grayscale PNG of the render {kb(pngs)}",
        f"  the whole source PDF        {kb(wholes)} (PDF bytes + page number)",
        f"  answer (text + word boxes)  {kb(answers)} (of {len(answers)} pages)",
    ]


def kb(sizes: list[float]) -> str:
    return f"{statistics.mean(sizes) / 1000:.0f} KB (max {max(sizes) / 1000:.0f})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=24)
    parser.add_argument("--rounds", type=int, default=2)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch, redis_server() as server:
        work = Path(scratch)
        library = work / "library"
        library.mkdir()
        sample = scanned_sample(arguments.pages, library)
        print(f"{len(sample)} scanned Gazette pages from {len(list(library.iterdir()))} files")
        print(f"load average before: {os.getloadavg()[0]:.2f}")
        setups = {
            "local --jobs 2": (None, []),
            "broker, 2 workers x 1 job": (1, [1, 1]),
            "broker, 1 worker x 1 job": (2, [1]),
            "broker, 1 worker x 2 jobs": (3, [2]),
        }
        seconds: dict[str, list[float]] = {name: [] for name in setups}
        cpu: dict[str, list[float]] = {name: [] for name in setups}
        indexer_cpu: dict[str, list[float]] = {name: [] for name in setups}
        adopt_orphans()
        keep, run = _children(), 0
        for _ in range(arguments.rounds):
            for name, (db, workers) in setups.items():
                run += 1
                data = work / f"data{run}"
                url = f"{server}/{db}" if db is not None else None
                before = cpu_seconds()
                started = [start_worker(url, n, work / f"w{run}.log") for n in workers]
                try:
                    # the local pool prepares and cuts pages; 1 process leaves the cores to OCR
                    wall, own = index(library, data, 1 if url else 2, url)
                finally:
                    for worker in started:
                        stop_worker(worker)
                reap_orphans(keep)
                seconds[name].append(wall)
                cpu[name].append(cpu_seconds() - before)
                indexer_cpu[name].append(own)
                print(f"  {name}: {wall:.1f} s, {cpu[name][-1]:.1f} s CPU", flush=True)
        print(f"load average after: {os.getloadavg()[0]:.2f}")
        base = statistics.median(seconds["local --jobs 2"])
        base_cpu = statistics.median(cpu["local --jobs 2"])
        for name, values in seconds.items():
            middle, used = statistics.median(values), statistics.median(cpu[name])
            own = statistics.median(indexer_cpu[name])
            print(
                f"{name:26} {middle:5.1f} s {len(sample) / middle:5.2f} pages/s "
                f"{middle / base - 1:+4.0%} wall; all CPU {used / len(sample):.2f} s/page "
                f"{used / base_cpu - 1:+4.0%}; indexing process {own:.1f} s CPU"
            )
        startup = worker_startup_cpu(f"{server}/4", work / "idle.log")
        print(f"an idle worker's start and stop: {startup:.2f} s CPU")
        print("\n".join(transfer_sizes(sample)))


if __name__ == "__main__":
    main()
