"""Uploaded files their indexing run could not take (empty, not a readable PDF, an image too
large to decode…): moved out of the library folder into ``rejected/`` in the data folder, so
that the next run does not try them again forever, and listed with the run's sentence until
someone removes them. The library folder keeps only what the library holds; a file fixed
can be uploaded again.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from indexer.config import DataDir
from indexer.errors import BadParameter, Sentence
from indexer.indexing.placing import CHANGED
from indexer.library import changelog
from indexer.library.state import Library
from indexer.workspace.db import connect_workspace

_COLUMNS = ("id", "file", "original", "job", "who", "reason", "at")


def set_aside(data: DataDir, job: dict, report: dict) -> None:
    """Move the files of an upload run (``job``) that its ``report`` lists as failed into
    ``rejected/``; each failed entry then says where (``rejected``: its name there). A file
    that changed while it was read is left for the next run to try again."""
    uploaded = set(job["args"].get("paths", []))
    for entry in report.get("failed", []):
        path = entry.get("path", "")
        if path not in uploaded or entry.get("reason") == CHANGED or not os.path.isfile(path):
            continue
        try:
            name = _move(Path(path), data.rejected)
        except OSError as err:
            entry["reason"] += f" (it could not be moved out of the library folder: {err})"
            continue
        entry["rejected"] = name
        _remember(data, name, path, job, entry["reason"])


def _move(path: Path, folder: Path) -> str:
    """Move ``path`` into ``folder`` under its name, or name-2, name-3… (never over a file)."""
    folder.mkdir(parents=True, exist_ok=True)
    stem, dot, suffix = path.name.rpartition(".")
    if not dot:
        stem, suffix = path.name, ""
    for number in range(1, 10_000):
        name = path.name if number == 1 else f"{stem}-{number}{dot}{suffix}"
        try:
            os.link(path, folder / name)  # fails if the name is taken
        except FileExistsError:
            continue
        except OSError:  # another file system: copy, then drop the original
            if (folder / name).exists():
                continue
            shutil.copy2(path, folder / name)
        path.unlink()
        return name
    raise OSError("no free name in the rejected folder")


def _remember(data: DataDir, name: str, path: str, job: dict, reason: str) -> None:
    original = Path(path).name
    db = connect_workspace(data)
    try:
        db.execute(
            "INSERT INTO rejected (file, original, job, who, reason, at) VALUES (?, ?, ?, ?, ?, ?)",
            (name, original, job["id"], job["who"], reason, time.time()),
        )
    finally:
        db.close()
    library = Library(data.library)
    try:
        with library.transaction():
            library.detach(path)  # a rejected scan leaves its record waiting for another
            details = {"file": name, "reason": reason, "job": job["id"]}
            changelog.record(library, job["who"], "reject", original, **details)
    finally:
        library.close()


def listed(data: DataDir) -> list[dict]:
    """The files set aside, newest first: id, file (its name in rejected/), original (its
    name in the library folder), job, who uploaded it, reason, at (unix time)."""
    if not data.workspace.exists():
        return []
    db = connect_workspace(data)
    try:
        rows = db.execute(f"SELECT {', '.join(_COLUMNS)} FROM rejected ORDER BY id DESC")
        return [dict(zip(_COLUMNS, row, strict=True)) for row in rows]
    finally:
        db.close()


def remove(data: DataDir, rejected_id: int, who: str) -> str:
    """Delete a file set aside; its name."""
    db = connect_workspace(data)
    try:
        row = db.execute("SELECT file FROM rejected WHERE id = ?", (rejected_id,)).fetchone()
        if row is None:
            raise BadParameter(
                Sentence("no_rejected", "This file is no longer in the rejected folder.")
            )
        (data.rejected / row[0]).unlink(missing_ok=True)
        db.execute("DELETE FROM rejected WHERE id = ?", (rejected_id,))
    finally:
        db.close()
    _log(data, who, "discard", row[0])
    return row[0]


def _log(data: DataDir, who: str, action: str, target: str, **details) -> None:
    library = Library(data.library)
    try:
        changelog.record(library, who, action, target, **details)
    finally:
        library.close()
