"""Background runs of the indexing code for the workspace: a queue in ``workspace.sqlite`` and
one runner at a time, across the server's processes and restarts.

A job is a run of the ``ddsearch`` command itself (`ddsearch index FILES` for uploads,
`ddsearch reocr ID` for a document): the same code, the same writer lock, the same report, in
its own process at a lower CPU priority than the searches. Every server process has a runner
thread; the one holding ``jobs/runner.lock`` runs the queue, oldest first, one job at a time.
A job found running when a runner takes the lock was left by a process that died (a restart):
it is queued again, and since runs are incremental and resumable nothing is lost or read twice.
A job whose run finds another writer (exit status 3) waits and is tried again.

Huey (with its SQLite storage) was weighed: it needs a consumer process of its own beside
gunicorn, or one per server process racing for the writer lock, and the page still needs a
table of who asked for what with its progress and report; the table and a lock do it.
"""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

from indexer.config import DataDir
from indexer.workspace import rejected
from indexer.workspace.db import connect_workspace

KINDS = ("index", "reocr")
POLL_S = 1.0
RETRY_BUSY_S = 15.0  # another writer holds the lock: try again after this long
NICENESS = 10  # runs yield the CPU to searches
EXIT_BUSY = 3
_COLUMNS = (
    "id", "kind", "args", "state", "who", "created", "not_before", "started", "finished",
    "exit_status", "message", "report",
)  # fmt: skip


def enqueue(data: DataDir, kind: str, args: dict, who: str) -> int:
    """Queue a run; its id."""
    assert kind in KINDS, kind
    db = connect_workspace(data)
    try:
        cursor = db.execute(
            "INSERT INTO jobs (kind, args, state, who, created) VALUES (?, ?, 'queued', ?, ?)",
            (kind, json.dumps(args, ensure_ascii=False), who, time.time()),
        )
    finally:
        db.close()
    _wake.set()  # this process's runner looks at once; the others within POLL_S
    return cursor.lastrowid


def job(data: DataDir, job_id: int) -> dict | None:
    """One job with its arguments, report and, while it runs, its progress figures."""
    found = _select(data, "WHERE id = ?", (job_id,))
    return found[0] if found else None


def recent(data: DataDir, limit: int = 20) -> list[dict]:
    """The newest jobs first."""
    return _select(data, "ORDER BY id DESC LIMIT ?", (limit,))


def _select(data: DataDir, where: str, args: tuple) -> list[dict]:
    if not data.workspace.exists():
        return []
    db = connect_workspace(data)
    try:
        rows = db.execute(f"SELECT {', '.join(_COLUMNS)} FROM jobs {where}", args).fetchall()
    finally:
        db.close()
    found = []
    for row in rows:
        entry = dict(zip(_COLUMNS, row, strict=True))
        entry["args"] = json.loads(entry["args"])
        entry["report"] = json.loads(entry["report"]) if entry["report"] else None
        entry["progress"] = _progress(data, entry["id"]) if entry["state"] == "running" else None
        found.append(entry)
    return found


def _progress(data: DataDir, job_id: int) -> dict | None:
    try:
        return json.loads((data.jobs / f"{job_id}.progress.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


# --- the runner --------------------------------------------------------------------------------

_wake = threading.Event()
_started: dict[int, threading.Thread] = {}
_start_lock = threading.Lock()


def start_runner(data: DataDir) -> None:
    """Start this process's runner thread (once per process: a thread does not survive the
    fork of a server's worker, so each worker starts its own)."""
    with _start_lock:
        thread = _started.get(os.getpid())
        if thread is None or not thread.is_alive():
            thread = threading.Thread(target=_loop, args=(data,), name="ddsearch-jobs", daemon=True)
            _started[os.getpid()] = thread
            thread.start()


def _loop(data: DataDir) -> None:
    while True:
        try:
            run_queue(data)
        except Exception as err:  # a runner must outlive a bad job or a full disk
            print(f"ddsearch: the job runner stumbled ({err}); it goes on", file=sys.stderr)
        _wake.wait(POLL_S)
        _wake.clear()


def run_queue(data: DataDir) -> int:
    """If no other process is running the queue, run its due jobs one after another; how
    many were run."""
    if not _due(data):
        return 0
    data.jobs.mkdir(parents=True, exist_ok=True)
    fd = os.open(data.jobs / "runner.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return 0  # another process is the runner
        _requeue_orphans(data)
        done = 0
        while (claimed := _claim(data)) is not None:
            _run(data, claimed)
            done += 1
        return done
    finally:
        os.close(fd)


def _due(data: DataDir) -> bool:
    if not data.workspace.exists():
        return False
    db = connect_workspace(data)
    try:
        row = db.execute(
            "SELECT 1 FROM jobs WHERE state = 'running' OR (state = 'queued' AND not_before <= ?) "
            "LIMIT 1",
            (time.time(),),
        ).fetchone()
        return row is not None
    finally:
        db.close()


def _requeue_orphans(data: DataDir) -> None:
    """Jobs marked running when the runner lock was free: their runner died."""
    db = connect_workspace(data)
    try:
        db.execute(
            "UPDATE jobs SET state = 'queued', message = ? WHERE state = 'running'",
            ("The server stopped during this run; it was started again and goes on.",),
        )
    finally:
        db.close()


def _claim(data: DataDir) -> dict | None:
    db = connect_workspace(data)
    try:
        row = db.execute(
            "SELECT id FROM jobs WHERE state = 'queued' AND not_before <= ? ORDER BY id LIMIT 1",
            (time.time(),),
        ).fetchone()
        if row is None:
            return None
        db.execute(
            "UPDATE jobs SET state = 'running', started = ? WHERE id = ?", (time.time(), row[0])
        )
    finally:
        db.close()
    return job(data, row[0])


def commit(data: DataDir) -> None:
    """Bring the index in line with the library state now (`ddsearch sync`), in a process of
    its own at the runs' lower priority: a correction is searchable when this returns, and
    the server's processes, which hold the GIL while they search, never spend it re-indexing
    a document (measured: bench/RESULTS.md, Workspace)."""
    done = subprocess.run(
        ["nice", "-n", str(NICENESS), sys.executable, "-m", "indexer.cli", "sync",
         "--index", str(data.root)],
        capture_output=True, text=True, check=False,
        env={**os.environ, "DDSEARCH_INDEX": str(data.root)},
    )  # fmt: skip
    if done.returncode:
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        raise RuntimeError(lines[-1] if lines else f"ddsearch sync ended with {done.returncode}")


def command(data: DataDir, entry: dict, report: Path, progress: Path) -> list[str]:
    """The ddsearch command line of a job, at a lower CPU priority."""
    args = entry["args"]
    common = ["--index", str(data.root), "--report", str(report), "--quiet"]
    common += ["--progress-json", str(progress)]
    what = ["index", *args["paths"]] if entry["kind"] == "index" else ["reocr", args["id"]]
    return ["nice", "-n", str(NICENESS), sys.executable, "-m", "indexer.cli", *what, *common]


def _run(data: DataDir, entry: dict) -> None:
    report = data.jobs / f"{entry['id']}.report.json"
    progress = data.jobs / f"{entry['id']}.progress.json"
    report.unlink(missing_ok=True)
    done = subprocess.run(
        command(data, entry, report, progress),
        capture_output=True,
        text=True,
        env={**os.environ, "DDSEARCH_INDEX": str(data.root)},
        check=False,
    )
    state, not_before, message = "done", 0.0, ""
    if done.returncode == EXIT_BUSY:
        state, not_before = "queued", time.time() + RETRY_BUSY_S
        message = "Another indexing run is writing to the library: this one waits for it."
    elif done.returncode not in (0, 1):
        state = "failed"
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        message = lines[-1] if lines else f"the run ended with status {done.returncode}"
    body = report.read_text(encoding="utf-8") if report.exists() else None
    if body and state == "done" and entry["kind"] == "index":
        found = json.loads(body)
        try:
            rejected.set_aside(data, entry, found)  # never tried again by the next run
        except (OSError, sqlite3.Error) as err:
            message = f"The files this run could not take stay in the library folder ({err})."
        body = json.dumps(found, ensure_ascii=False)
    db = connect_workspace(data)
    try:
        db.execute(
            "UPDATE jobs SET state = ?, not_before = ?, finished = ?, exit_status = ?, "
            "message = ?, report = ? WHERE id = ?",
            (state, not_before, time.time(), done.returncode, message, body, entry["id"]),
        )
    finally:
        db.close()
    report.unlink(missing_ok=True)
    progress.unlink(missing_ok=True)
