"""Crash consistency and two writers, with real ``ddsearch index`` processes and SIGKILL.

After every kill the data folder must be a consistent state: the index opens, every document
it holds is whole and searchable, the store has no corrupt entry, no finished OCR page is
ever done again, and no process the run started (workers, forkserver, resource tracker,
Tesseract) outlives it by more than a few seconds, nor any temporary file.
``bench/crash_bench.py`` runs the same harness at full size (30 kills).
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import hostile
import pypdfium2 as pdfium
import pytest
from conftest import PDFS, REPO, cut_pages, ddsearch

from indexer.config import DataDir
from indexer.engine import open_engine
from indexer.library.state import Library
from indexer.library.store import Store
from indexer.query import search

pytestmark = pytest.mark.slow  # real `ddsearch index` processes, OCR and SIGKILL

EXIT_BUSY = 3
#: How long the processes of a killed run may outlive it: its workers watch it and end at once.
LINGER_SECONDS = 10.0


def index_process(
    library: Path, data: Path, *, jobs: int = 2, tmpdir: Path | None = None
) -> subprocess.Popen:
    """Start a real ``ddsearch index`` in its own process group, so a kill takes all of it."""
    command = [sys.executable, "-m", "indexer.cli", "index", str(library), "--jobs", str(jobs)]
    env = {**os.environ, "DDSEARCH_INDEX": str(data)}
    if tmpdir:
        env["TMPDIR"] = str(tmpdir)
    return subprocess.Popen(
        command,
        env=env,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def worker_programs(pid: int) -> list[str]:
    """The programs the run's workers are running: those below its children (the indexing
    process itself runs ``tesseract --list-langs`` at the start, which is not OCR)."""
    below = set(hostile.descendants(pid))
    for child in list(below):
        if _parent(child) == pid:
            below.discard(child)
    return [hostile.program(other) for other in below]


def _parent(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            return int(handle.read().rsplit(b")", 1)[1].split()[1])
    except OSError:
        return None


def phase_of(programs: list[str]) -> str:
    """What a run was doing, from the programs running under it."""
    if "tesseract" in programs:
        return "Tesseract running"
    if {"pdftotext", "pdffonts", "pdfinfo"} & set(programs):
        return "poppler running"
    return "Python only (gate, store, state, index)"


def kill_run(process: subprocess.Popen) -> list[str]:
    """SIGKILL the indexing process alone, as a cron job's timeout would, and return the
    processes it had started (workers, forkserver, resource tracker, Tesseract) that are still
    alive after ``LINGER_SECONDS``; those are then killed, so that the machine stays clean."""
    started = _processes_under(process.pid)
    with contextlib.suppress(ProcessLookupError):
        process.kill()
    process.wait()
    process.stderr.close()
    deadline = time.monotonic() + LINGER_SECONDS
    while (alive := _still_alive(started)) and time.monotonic() < deadline:
        time.sleep(0.05)
    for pid in alive:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return [f"{started[pid][1]} (pid {pid})" for pid in alive]


def _processes_under(pid: int) -> dict[int, tuple[str, str]]:
    """Every process whose parent chain leads to ``pid``: pid -> (start time, program)."""
    found = {}
    for child in hostile.descendants(pid):
        if (started := _start_time(child)) is not None:
            found[child] = (started, hostile.program(child))
    return found


def _still_alive(processes: dict[int, tuple[str, str]]) -> list[int]:
    """Those of ``processes`` still running (a reused pid has another start time)."""
    return [pid for pid, (started, _) in processes.items() if _start_time(pid) == started]


def _start_time(pid: int) -> str | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            fields = handle.read().rsplit(b")", 1)[1].split()
    except OSError:
        return None
    return None if fields[0] == b"Z" else fields[19].decode()  # a zombie has ended


def ocr_rowids(store: Path) -> dict[tuple[str, int], int]:
    """Every OCR'd page (text or empty) and its row id: a page OCR'd again gets a new row id."""
    if not store.exists():
        return {}
    with sqlite3.connect(store, timeout=60) as db:
        try:
            rows = db.execute(
                "SELECT hash, page, rowid FROM pages WHERE method IN ('ocr', 'empty')"
            ).fetchall()
        except sqlite3.OperationalError:  # killed before the schema was written
            return {}
    return {(content_hash, page): rowid for content_hash, page, rowid in rows}


def consistency_problems(data: DataDir) -> tuple[list[str], set[str]]:
    """Everything wrong with a data folder after a crash, and the ids the index holds."""
    problems = []
    for database in (data.store, data.library):
        if database.exists():
            with sqlite3.connect(database, timeout=60) as db:
                verdict = db.execute("PRAGMA integrity_check").fetchone()[0]
            if verdict != "ok":
                problems.append(f"{database.name}: {verdict}")
    store, library = Store(data.store), Library(data.library)
    try:
        problems += _store_problems(store)
        if not data.index.exists():
            return problems, set()
        indexed = _index_contents(data.index)
        for doc_id, pages in indexed.items():
            problems += _document_problems(data, doc_id, pages, library, store)
        return problems, {doc_id for doc_id in indexed if not doc_id.startswith("orphan:")}
    finally:
        store.close()
        library.close()


def _store_problems(store: Store) -> list[str]:
    problems = []
    files = store.db.execute("SELECT hash, pages, complete FROM files").fetchall()
    for content_hash, pages, complete in files:
        numbers = sorted(store.stored_methods(content_hash))
        if any(not 1 <= number <= pages for number in numbers):
            problems.append(f"store: {content_hash[:8]} has pages outside 1..{pages}")
        if complete and len(numbers) != pages:
            problems.append(f"store: {content_hash[:8]} complete with {len(numbers)}/{pages}")
    return problems


def _index_contents(index_dir: Path) -> dict[str, Counter]:
    """Document id → Counter of its page numbers, for every document record in the index;
    page records without a document record appear with their pages too."""
    inventory = open_engine(index_dir).inventory()
    documents = set(open_engine(index_dir).fingerprints())
    return {
        doc_id if doc_id in documents else f"orphan:{doc_id}": pages
        for doc_id, pages in inventory.items()
    }


def _document_problems(data, doc_id, pages, library: Library, store: Store) -> list[str]:
    """One indexed document must be whole: its pages are exactly the store's, and it is found."""
    if doc_id.startswith("orphan:"):
        return [f"index: pages of {doc_id[7:]} without its document record"]
    row = library.db.execute("SELECT hash FROM documents WHERE id = ?", (doc_id,)).fetchone()
    if row is None:
        return [f"index: {doc_id} is not in the library"]
    stored = store.pages(row[0])
    expected = store.db.execute("SELECT pages FROM files WHERE hash = ?", (row[0],)).fetchone()
    whole = list(range(1, expected[0] + 1)) if expected else None
    if sorted(pages.elements()) != whole or len(stored) != len(whole):
        return [f"index: {doc_id} is half-present ({sorted(pages)} vs {expected} in the store)"]
    indexed = open_engine(data.index).pages(doc_id)
    if [(p["page"], p["text"]) for p in indexed] != [(p.number, p.text) for p in stored]:
        return [f"index: {doc_id}'s pages differ from the store's"]
    word = _distinctive_word(stored)
    if word:
        found = search.search(data.index, f'"{word}"', limit=1000)
        if doc_id not in {result["id"] for result in found["results"]}:
            return [f"index: {doc_id} is not found by searching {word!r}"]
    return []


def _distinctive_word(pages) -> str:
    """The longest plain word (Latin or Khmer letters) of the document's text."""
    words = re.findall(r"[A-Za-z]{5,}|[\u1780-\u17d2]{6,}", " ".join(p.text for p in pages))
    return max(words, key=len, default="")


@dataclass(frozen=True)
class Moment:
    """When to kill a run: ``delay`` seconds after its start, or after the condition that
    ``arm(data)`` returns first holds for the running process (then ``target`` names it)."""

    delay: float
    target: str = "random"
    arm: Callable[[DataDir], Callable[[subprocess.Popen], bool]] | None = None
    patience: float = 15.0  # seconds to wait for the condition before killing anyway
    before: Callable[[], None] | None = None  # run first, e.g. to give the run work to commit


@dataclass
class CrashLog:
    """What a series of kills did, for the test's assertions and the benchmark's figures."""

    tried: int = 0
    survived: int = 0
    finished_early: int = 0  # runs that ended before their moment came
    phases: Counter = field(default_factory=Counter)  # (aimed at, seen at the kill): count
    ocr_lost_in_flight: int = 0  # Tesseract processes killed (their pages are done later)
    pages_reocrd: int = 0  # finished OCR pages done again: must stay 0
    problems: list[str] = field(default_factory=list)


def kill_rounds(
    library: Path, data: DataDir, moments: list[Moment], *, jobs: int = 2, tmpdir: Path
) -> CrashLog:
    """One ``ddsearch index`` run per moment, SIGKILLed then, the data folder checked after;
    the runs' temporary files go to ``tmpdir``, which must stay empty."""
    log = CrashLog()
    done_before = ocr_rowids(data.store)
    indexed_before: set[str] = set()
    for moment in moments:
        if moment.before:
            moment.before()
        ready = moment.arm(data) if moment.arm else None
        process = index_process(library, data.root, jobs=jobs, tmpdir=tmpdir)
        aimed, start = moment.target, time.monotonic()
        while ready and process.poll() is None and not ready(process):
            if time.monotonic() - start > moment.patience:
                aimed += " (not seen)"  # missed, or it never came: killed anyway
                break
            time.sleep(0.01)
        start = time.monotonic()
        while process.poll() is None and time.monotonic() - start < moment.delay:
            time.sleep(0.01)
        if process.poll() is not None:
            log.finished_early += 1
            kill_run(process)
            continue
        running = worker_programs(process.pid)
        lingering = kill_run(process)
        phase = (aimed, phase_of(running))
        log.tried += 1
        log.phases[phase] += 1
        log.ocr_lost_in_flight += running.count("tesseract")
        round_problems, indexed = _after_kill(data, done_before, indexed_before)
        if lingering:
            round_problems.append(f"processes of the killed run still alive: {lingering}")
        left = sorted(tmpdir.iterdir())
        if left:
            round_problems.append(f"temporary files left behind: {[p.name for p in left]}")
        for path in left:  # so that the next kill is judged on its own
            shutil.rmtree(path) if path.is_dir() else path.unlink()
        done_now = ocr_rowids(data.store)
        log.pages_reocrd += sum(done_now.get(key) != rowid for key, rowid in done_before.items())
        done_before = done_now
        indexed_before |= indexed
        log.problems += [
            f"kill {log.tried} ({aimed}, +{moment.delay:.2f} s): {p}" for p in round_problems
        ]
        log.survived += not round_problems
    return log


def _after_kill(
    data: DataDir, done_before: dict, indexed_before: set[str]
) -> tuple[list[str], set[str]]:
    """What is wrong after a kill, and the ids the index holds."""
    problems = []
    status = ddsearch("status", "--json", data=data.root)
    if status.returncode != 0:
        problems.append(f"status fails: {status.stderr.strip()[-300:]}")
    found, indexed = consistency_problems(data)
    problems += found
    if lost := indexed_before - indexed:
        problems.append(f"committed documents lost: {sorted(lost)}")
    done_now = ocr_rowids(data.store)
    redone = [key for key, rowid in done_before.items() if done_now.get(key) != rowid]
    if redone:
        problems.append(f"{len(redone)} finished OCR pages were done again or lost")
    return problems, indexed


def small_library(folder: Path) -> Path:
    """Five real files: two with text layers, three scans cut to 2 pages (6 OCR pages)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in (
        "km_speech_2025_moeys_teachers_day_unicode.pdf",
        "en_petroleum_regulation_second_amendment_unofficial.pdf",
    ):
        (folder / name).write_bytes((PDFS / name).read_bytes())
    for name in (
        "km_law_2003_amend_art26_finance_law.pdf",
        "km_subdecree_2002_060_civil_registration_amend_art8_59.pdf",
        "km_law_1996_02.pdf",
    ):
        cut_pages(PDFS / name, [1, 2], folder / name)
    return folder


def test_kills_at_random_moments_leave_a_consistent_index(tmp_path, shared_corpus):
    library, data = small_library(tmp_path / "library"), DataDir(tmp_path / "data")
    seed = random.randrange(1 << 30)
    choose = random.Random(seed)
    # The first kill lands within 2 s, so inside the first run's OCR: with the faster recipe
    # the six pages take ~5 s, and four later moments could all miss runs left with little.
    moments = [Moment(choose.uniform(0.5, 2.0))] + [
        Moment(choose.uniform(0.5, 6.0)) for _ in range(3)
    ]
    (tmp_path / "tmp").mkdir()
    log = kill_rounds(library, data, moments, tmpdir=tmp_path / "tmp")
    print(f"seed {seed}: {log}")
    assert log.problems == [], f"seed {seed}"
    assert log.tried >= 1 and log.survived == log.tried

    before = ocr_rowids(data.store)
    final = ddsearch("index", str(library), "--report", str(tmp_path / "r.json"), data=data.root)
    assert final.returncode == 0, final.stderr
    after = ocr_rowids(data.store)
    assert {key: after[key] for key in before} == before, "the re-run redid finished OCR"
    report = json.loads((tmp_path / "r.json").read_text("utf-8"))
    assert sum(len(report[s]) for s in ("added", "updated", "unchanged")) == 5
    assert len(after) == 6
    problems, indexed = consistency_problems(data)
    assert problems == [] and len(indexed) == 5
    assert not data.scratch.exists(), "the killed runs' temporary files stayed"


def test_a_blank_page_ocrd_before_a_kill_is_not_ocrd_again(tmp_path, shared_corpus):
    """A blank page's OCR gives nothing ('empty'); that result is kept like any other."""
    library, data = tmp_path / "library", DataDir(tmp_path / "data")
    scan = cut_pages(PDFS / "km_law_2003_amend_art26_finance_law.pdf", [1, 2], library / "s.pdf")
    document = pdfium.PdfDocument(str(scan))
    document.new_page(595, 842, index=0)
    document.save(str(library / "blank-first.pdf"))
    document.close()
    scan.unlink()
    process = index_process(library, data.root, jobs=1)
    deadline = time.monotonic() + 120
    while not ocr_rowids(data.store) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert kill_run(process) == []
    before = ocr_rowids(data.store)
    assert len(before) == 1, "the kill should come after the blank page, before the scans"
    assert Store(data.store).pages(next(iter(before))[0])[0].method == "empty"

    ddsearch("index", str(library), data=data.root, check=True)
    after = ocr_rowids(data.store)
    assert len(after) == 3
    assert {key: after[key] for key in before} == before, "the blank page was OCR'd again"


def test_a_killed_run_leaves_no_process_and_no_temporary_folder(tmp_path, shared_corpus):
    """SIGKILL of the indexing process alone, mid-OCR: its workers, their Tesseract, the
    forkserver and the resource tracker end within seconds, and the forkserver's ``pymp-*``
    socket folder goes with them (each was about 60 MB left running per kill)."""
    library, scratch = tmp_path / "library", tmp_path / "tmp"
    scratch.mkdir()
    cut_pages(PDFS / "km_law_2003_amend_art26_finance_law.pdf", [1, 2, 3, 4], library / "s.pdf")
    process = index_process(library, tmp_path / "data", jobs=2, tmpdir=scratch)
    deadline = time.monotonic() + 120
    while process.poll() is None and time.monotonic() < deadline:
        if "tesseract" in worker_programs(process.pid):
            break
        time.sleep(0.02)
    assert process.poll() is None, "the run ended before its OCR started"
    assert kill_run(process) == []
    assert sorted(p.name for p in scratch.iterdir()) == []


def finished(process: subprocess.Popen) -> tuple[int, str]:
    """Wait for a run: its exit status and what it wrote to stderr (the pipe then closed)."""
    _, stderr = process.communicate(timeout=300)
    return process.returncode, stderr


def test_two_writers_started_at_once_never_corrupt_anything(tmp_path, shared_corpus):
    library = tmp_path / "library"
    library.mkdir()
    for name in (
        "km_speech_2025_moeys_teachers_day_unicode.pdf",
        "en_petroleum_regulation_second_amendment_unofficial.pdf",
    ):
        (library / name).write_bytes((PDFS / name).read_bytes())
    data, collisions = DataDir(tmp_path / "data"), 0
    for round_number in range(4):
        if round_number:  # later rounds have work to do: a new file each time
            hostile_text = hostile.text_pdf([hostile.prose(f"Round {round_number}")])
            (library / f"round-{round_number}.pdf").write_bytes(hostile_text)
        pair = [index_process(library, data.root) for _ in range(2)]
        outcomes = [finished(process) for process in pair]
        statuses = sorted(status for status, _ in outcomes)
        assert statuses in ([0, 0], [0, EXIT_BUSY]), outcomes
        for status, stderr in outcomes:
            if status == EXIT_BUSY:
                assert "another ddsearch process" in stderr and "wait for it" in stderr
                assert "Traceback" not in stderr
        problems, indexed = consistency_problems(data)
        assert problems == []
        assert len(indexed) == 2 + round_number
        collisions += statuses == [0, EXIT_BUSY]
    assert collisions, "the two writers never met: the test proved nothing"
