"""``ddsearch worker``: a Celery worker that OCRs the pages indexers put on the queue.

Any machine with the same install and Tesseract languages can run one. It holds no state:
each job carries its page, and each answer goes back through the result backend to the one
indexer that asked. One single-threaded Tesseract per job slot (``--jobs``), as locally.
"""

from __future__ import annotations

import os
import sys
import time

from kombu.utils.url import maybe_sanitize_url

from indexer.extract import broker, pagejob

STALE = "the run that asked for this page has ended (killed or finished); the page was skipped"


def ocr_page(task, job: dict) -> dict:
    """The task: refuse what this worker cannot read as asked, skip the jobs of ended runs,
    read the rest."""
    page = f"page {job['page']} of {job['hash'][:12]}"
    refused = pagejob.refusal(job)
    if refused:
        _log(f"refused {page}: {refused}")
        return {"refused": refused}
    if not task.app.backend.client.exists(broker.run_key(job["run"])):
        _log(f"skipped {page}: {STALE}")
        return {"stale": STALE}
    started = time.perf_counter()
    answer = pagejob.read(job)
    _log(f"read {page} in {time.perf_counter() - started:.1f} s")
    return answer


def _log(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def run_worker(url: str, jobs: int, redeliver_after: float) -> None:
    """Serve the queue until stopped (Ctrl-C or SIGTERM hand back unfinished pages)."""
    app = broker.celery_app(url, redeliver_after)
    broker.check_reachable(app)
    app.task(name=broker.TASK, bind=True)(ocr_page)
    _log(
        f"ddsearch worker {pagejob.version()}: {jobs} OCR job(s) from {broker.QUEUE} on "
        f"{maybe_sanitize_url(url)}"
    )
    app.worker_main(
        [
            "worker",
            f"--concurrency={jobs}",
            "--pool=prefork",
            f"--queues={broker.QUEUE}",
            f"--hostname=ddsearch-{os.getpid()}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=WARNING",
        ]
    )
