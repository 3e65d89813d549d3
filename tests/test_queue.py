"""OCR through the queue (issue 17), with a real ``redis-server`` and real ``ddsearch worker``
and ``ddsearch index --broker`` processes, on a few real Gazette pages.

"Stored once" is read from SQLite's rowids: ``INSERT OR REPLACE`` gives a replaced row a new
rowid, so in a fresh store a page written twice leaves the highest rowid above the row count,
and a page that keeps its rowid across runs was not written (nor OCR'd) again.
"""

from __future__ import annotations

import itertools
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import hostile
import pytest
from conftest import PDFS, REPO, cut_pages, ddsearch
from queue_bench import kill_group, redis_server, start_worker

from indexer.extract import broker as queue
from indexer.extract import ocr, pagejob, sources
from indexer.extract.pool import PageRequest
from indexer.extract.worker import STALE

pytestmark = pytest.mark.slow  # real Redis, worker and indexer processes, OCR

SCAN = PDFS / "km_law_1994_investment.pdf"
#: A page a worker was killed on goes to another worker after this long (seconds).
REDELIVER_AFTER = 5
EXIT_BROKER = 4


@pytest.fixture(scope="module")
def redis_url():
    with redis_server() as url:
        yield url


_DATABASES = itertools.count(1)


@pytest.fixture
def broker(redis_url):
    """A database of its own for each test: no test sees another's queue or answers."""
    return f"{redis_url}/{next(_DATABASES) % 16}"


@pytest.fixture
def workers(tmp_path):
    """Start real workers; all are killed at the end of the test."""
    started: list[subprocess.Popen] = []

    def start(url: str, name: str, jobs: int = 1) -> subprocess.Popen:
        worker = start_worker(url, jobs, tmp_path / f"{name}.log", REDELIVER_AFTER)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        kill_group(worker)


@pytest.fixture(scope="module")
def library(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("queue-library")
    cut_pages(SCAN, [2, 3, 4], folder / "investment.pdf")
    # an image file's page travels as PNG, a PDF's as a one-page PDF
    sources.page_image(SCAN, 5, dpi=150).save(folder / "scan.png")
    return folder


@pytest.fixture(scope="module")
def local_pages(library, tmp_path_factory) -> list[tuple]:
    """The pages as a local run stores them: what every broker run must store too."""
    data = tmp_path_factory.mktemp("queue-local")
    ddsearch("index", str(library), "--jobs", "2", "--quiet", data=data, check=True)
    return pages(data)


def pages(data: Path) -> list[tuple]:
    with sqlite3.connect(data / "store.sqlite") as db:
        return db.execute(
            "SELECT p.hash, p.page, method, recipe, text, confidence, dpi, words FROM pages p "
            "JOIN page_words USING (hash, page) ORDER BY p.hash, p.page"
        ).fetchall()


def rowids(data: Path) -> dict[tuple[str, int], int]:
    with sqlite3.connect(data / "store.sqlite") as db:
        return {
            (h, page): rowid for h, page, rowid in db.execute("SELECT hash, page, rowid FROM pages")
        }


def index_process(library: Path, data: Path, url: str) -> subprocess.Popen:
    command = [sys.executable, "-m", "indexer.cli", "index", str(library), "--jobs", "1"]
    return subprocess.Popen(
        [*command, "--broker", url, "--index", str(data), "--quiet"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def wait_for(condition, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def reading(worker: subprocess.Popen) -> bool:
    """Whether the worker is in the middle of a page (its Tesseract is running)."""
    return "tesseract" in map(hostile.program, hostile.descendants(worker.pid))


def stored(data: Path) -> int:
    try:
        return len(rowids(data))
    except sqlite3.OperationalError:  # not created yet
        return 0


def test_broker_runs_store_what_a_local_run_stores_two_indexers_apart_and_reocr(
    library, local_pages, broker, workers, tmp_path
):
    other = tmp_path / "other"
    cut_pages(SCAN, [5], other / "other.pdf")
    workers(broker, "w1")
    workers(broker, "w2")
    first, second = tmp_path / "first", tmp_path / "second"
    runs = [index_process(library, first, broker), index_process(other, second, broker)]
    for run in runs:
        out, err = run.communicate(timeout=300)
        assert run.returncode == 0, out + err
    assert pages(first) == local_pages
    assert {row[6] for row in local_pages} == {0, 300}  # the image's boxes and the PDF's
    assert [row[1] for row in pages(second)] == [1]
    assert pages(second)[0][0] not in {row[0] for row in local_pages}
    again = ddsearch("reocr", "--all", "--lang", "khm", "--broker", broker, data=second)
    assert again.returncode == 0, again.stdout + again.stderr
    assert pages(second)[0][3] == ocr.recipe_for("khm").version


def test_worker_killed_mid_page_loses_nothing_and_stores_every_page_once(
    library, local_pages, broker, workers, tmp_path
):
    doomed = workers(broker, "doomed")
    workers(broker, "survivor")
    data = tmp_path / "data"
    run = index_process(library, data, broker)
    wait_for(lambda: reading(doomed))
    kill_group(doomed)
    out, err = run.communicate(timeout=300)
    assert run.returncode == 0, out + err
    assert pages(data) == local_pages
    assert max(rowids(data).values()) == len(local_pages)  # no page written twice


def test_indexer_killed_mid_run_resumes_without_reading_a_stored_page_again(
    library, local_pages, broker, workers, tmp_path
):
    workers(broker, "w", jobs=1)
    data = tmp_path / "data"
    run = index_process(library, data, broker)
    wait_for(lambda: stored(data) >= 1)
    kill_group(run)
    run.communicate()
    before = rowids(data)
    assert 1 <= len(before) < len(local_pages)
    done = ddsearch("index", str(library), "--broker", broker, "--quiet", data=data)
    assert done.returncode == 0, done.stdout + done.stderr
    after = rowids(data)
    assert {page: after[page] for page in before} == before  # not stored, nor read, again
    assert pages(data) == local_pages


def test_broker_down_is_one_sentence_and_exit_status(library, tmp_path):
    started = time.monotonic()
    done = ddsearch("index", str(library), "--broker", "redis://127.0.0.1:1/0", data=tmp_path)
    assert done.returncode == EXIT_BROKER
    assert "The OCR broker redis://127.0.0.1:1/0 cannot be reached" in done.stderr
    assert "Traceback" not in done.stderr
    assert time.monotonic() - started < 30
    worker = ddsearch("worker", "--broker", "redis://127.0.0.1:1/0", data=tmp_path)
    assert worker.returncode == EXIT_BROKER
    assert "cannot be reached" in worker.stderr and "Traceback" not in worker.stderr


def test_a_worker_without_the_language_refuses_and_the_report_says_why(
    library, broker, workers, tmp_path
):
    workers(broker, "w")
    done = ddsearch(
        "index", str(library), "--broker", broker, "--ocr-lang", "fra", data=tmp_path / "d"
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "cannot read the page: Tesseract has no language data for fra" in done.stdout
    assert "apt-get install tesseract-ocr-fra" in done.stdout


def test_a_worker_refuses_another_version_or_recipe_and_skips_jobs_of_ended_runs(
    library, broker, workers
):
    workers(broker, "w")
    page = PageRequest(library / "investment.pdf", "h", 1, ocr.DEFAULT_RECIPE, False)
    job = pagejob.job(pagejob.page_payload(page.path, 1), page, "a-run-that-ended")
    assert pagejob.refusal(job) == ""
    assert "reads by recipe" in pagejob.refusal({**job, "recipe_version": "r1:khm"})
    app = queue.celery_app(broker)
    answers = [
        app.send_task(queue.TASK, args=[sent], queue=queue.QUEUE).get(timeout=60)
        for sent in ({**job, "ddsearch": "0.0.1"}, job)
    ]
    assert f"runs ddsearch {pagejob.version()} and the indexer 0.0.1" in answers[0]["refused"]
    assert "install the same version" in answers[0]["refused"]
    assert answers[1] == {"stale": STALE}  # not read: no run is waiting for it
