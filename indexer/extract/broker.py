"""OCR on other machines through a queue: Celery, with Redis as broker and result backend.

The indexer sends only the pages that need OCR (``pagejob``), each answer comes back through
the result backend and is stored as it arrives, by this process alone. Faults it is built
for: a worker killed mid-page is redelivered (late acknowledgement; Redis hands an unacked page
to another worker after ``REDELIVER_AFTER_S``, longer than any page may run); every run has its
own id, kept alive in Redis while it runs, so the jobs a killed run left are skipped by the
workers and their answers are never read by a later run or by another indexer; a broker that
cannot be reached is one sentence (errors.BrokerUnavailable) within seconds.
"""

from __future__ import annotations

import contextlib
import itertools
import threading
import time
import uuid
from concurrent.futures import Future, ProcessPoolExecutor
from functools import partial
from pathlib import Path

from celery import Celery, states
from kombu.utils.url import maybe_sanitize_url

from indexer.errors import BrokerUnavailable, OcrRefused
from indexer.extract import pagejob
from indexer.extract.pool import PageRequest

QUEUE = "ddsearch-ocr"
TASK = "ddsearch.ocr_page"
#: A worker gives up a page after this long (a real Gazette page takes 1-10 s).
PAGE_LIMIT_S = 900
#: An unacknowledged page (its worker was killed) goes to another worker after this long.
REDELIVER_AFTER_S = 2 * PAGE_LIMIT_S
CONNECT_TIMEOUT_S = 3
#: A run's id lives this long in Redis unless the run renews it (every HEARTBEAT_S).
RUN_TTL_S = 30
HEARTBEAT_S = 5
#: Pages in the queue at a time: enough for a room of workers, little to redo after a kill.
WINDOW = 64
POLL_S = 0.2


def celery_app(url: str, redeliver_after: float = REDELIVER_AFTER_S) -> Celery:
    """The Celery app of indexers and workers alike: JSON only (a broker shared by a room
    never makes a worker unpickle code), late acks, one page prefetched per process."""
    app = Celery("ddsearch", broker=url, backend=url, set_as_current=False)
    app.conf.update(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        task_default_queue=QUEUE,
        task_acks_late=True,
        task_reject_on_worker_lost=True,  # a killed worker process's page goes back at once
        task_time_limit=PAGE_LIMIT_S,
        worker_prefetch_multiplier=1,
        # a page whose broker connection is lost cannot be acknowledged: it is redelivered
        worker_cancel_long_running_tasks_on_connection_loss=True,
        worker_redirect_stdouts=False,
        worker_hijack_root_logger=False,
        result_expires=3600,
        broker_connection_timeout=CONNECT_TIMEOUT_S,
        broker_connection_retry_on_startup=False,
        task_publish_retry_policy={"max_retries": 2, "interval_start": 0.5, "interval_step": 1},
        redis_socket_connect_timeout=CONNECT_TIMEOUT_S,
        redis_socket_timeout=30,
        broker_transport_options={
            "visibility_timeout": redeliver_after,
            # look for pages of dead workers this often (Kombu's default scans every 100 s)
            "unacked_restore_interval": max(1, min(10, int(redeliver_after / 3))),
            "unacked_restore_throttle": 1,
            "socket_connect_timeout": CONNECT_TIMEOUT_S,
        },
    )
    return app


def check_reachable(app: Celery) -> None:
    """Raise BrokerUnavailable, within seconds, unless both the broker and the result backend
    answer."""
    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=CONNECT_TIMEOUT_S)
        app.backend.client.ping()
    except Exception as err:
        raise unreachable(app, err) from None


def unreachable(app: Celery, err: BaseException) -> BrokerUnavailable:
    url = maybe_sanitize_url(app.conf.broker_url)
    return BrokerUnavailable(
        f"The OCR broker {url} cannot be reached ({err}): start Redis there (README, "
        "'OCR on several machines'), or give the right --broker."
    )


def run_key(run: str) -> str:
    return f"ddsearch:run:{run}"


class BrokerReader:
    """A pool.PageReader whose pages are read by ``ddsearch worker`` processes anywhere.

    ``run_file`` (in the data folder) names the run in progress, so that the next run on the
    same folder ends a killed run at once instead of after RUN_TTL_S."""

    def __init__(self, url: str, run_file: Path):
        self.app = celery_app(url)
        check_reachable(self.app)
        self.run = uuid.uuid4().hex
        self.run_file = run_file
        self._ids = itertools.count()
        self._pending: dict[str, tuple[Future, dict]] = {}  # task id: the answer, what was asked
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._lost: BrokerUnavailable | None = None  # once the broker is gone, nothing is sent
        client = self.app.backend.client
        if run_file.exists():
            client.delete(run_key(run_file.read_text().strip()))
        client.set(run_key(self.run), 1, ex=RUN_TTL_S)
        run_file.write_text(self.run)
        self._collector = threading.Thread(target=self._collect, name="ocr-answers", daemon=True)
        self._collector.start()

    def window(self, workers: int) -> int:
        return max(workers * 2, WINDOW)

    def submit(self, pool: ProcessPoolExecutor, page: PageRequest) -> Future:
        """Cut the page in the local pool, then queue it; the future is the worker's answer."""
        answer: Future = Future()
        cut = pool.submit(pagejob.page_payload, page.path, page.number)
        cut.add_done_callback(partial(self._send, answer, page))
        return answer

    def _send(self, answer: Future, page: PageRequest, cut: Future) -> None:
        try:
            job = pagejob.job(cut.result(), page, self.run)
        except BaseException as err:  # the cut failed (a broken file or pool): as a local OCR
            answer.set_exception(err)
            return
        if self._lost:
            answer.set_exception(self._lost)
            return
        task_id = f"{self.run}.{next(self._ids)}"
        with self._lock:
            self._pending[task_id] = (answer, {k: v for k, v in job.items() if k != "data"})
        try:
            self.app.send_task(TASK, args=[job], task_id=task_id, queue=QUEUE)
        except Exception as err:
            with self._lock:
                self._pending.pop(task_id, None)
            answer.set_exception(unreachable(self.app, err))

    def _collect(self) -> None:
        """Hand each answer to its future as it arrives; keep the run alive meanwhile."""
        client, renewed = self.app.backend.client, time.monotonic()
        while not self._stop.wait(POLL_S):
            try:
                if time.monotonic() - renewed > HEARTBEAT_S:
                    client.set(run_key(self.run), 1, ex=RUN_TTL_S)
                    renewed = time.monotonic()
                with self._lock:
                    ids = list(self._pending)
                answers = self.app.backend.get_many(ids, interval=0, max_iterations=1)
                for task_id, meta in answers if ids else ():
                    self._settle(task_id, meta)
            except Exception as err:  # the broker went away: every page waiting fails the run
                self._lost = unreachable(self.app, err)
                with self._lock:
                    waiting, self._pending = list(self._pending.values()), {}
                for answer, _ in waiting:
                    answer.set_exception(self._lost)
                return

    def _settle(self, task_id: str, meta: dict) -> None:
        with self._lock:
            answer, asked = self._pending.pop(task_id)
        self.app.backend.forget(task_id)
        result = meta.get("result")
        if meta["status"] != states.SUCCESS:
            answer.set_exception(RuntimeError(f"OCR failed on a worker ({result})"))
        elif "refused" in result:
            answer.set_exception(OcrRefused(result["refused"]))
        elif "stale" in result:  # this run's id expired: the indexer stalled for RUN_TTL_S
            answer.set_exception(RuntimeError(result["stale"]))
        else:
            try:
                answer.set_result(pagejob.answer(result, asked))
            except (RuntimeError, KeyError, TypeError) as err:
                answer.set_exception(RuntimeError(str(err)))

    def close(self) -> None:
        """End the run: its id goes, so workers skip whatever of it is still queued."""
        self._stop.set()
        self._collector.join()
        # a broker that is down forgets the run by itself (RUN_TTL_S)
        with contextlib.suppress(Exception):
            self.app.backend.client.delete(run_key(self.run))
        self.run_file.unlink(missing_ok=True)
