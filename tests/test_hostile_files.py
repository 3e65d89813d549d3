"""Hostile files: every one ends in the report with a reason or is indexed; the batch finishes.

One real ``ddsearch index`` run over the library that ``tests/hostile.py`` writes (28 cases,
about 15 s: the 2,000-page PDF has a text layer, only 5 blank pages are OCR'd).
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import sys
from pathlib import Path

import hostile
import pytest
from conftest import REPO, ddsearch

from indexer.config import DataDir
from indexer.engine import open_engine

pytestmark = pytest.mark.slow  # the real CLI in a subprocess over a hostile library

#: A bound, not a target: the blank 50,000 pt page renders at 7,000 px a side (~50 MB).
MAX_RSS_MB = 1000
DATA_FILES = {
    "analysis.sqlite",
    "index",
    "index.lock",
    "last-run.json",
    "library.sqlite",
    "store.sqlite",
    "writer.lock",
}


def test_hostile_files_are_reported_or_indexed(tmp_path: Path):
    library, data, private_tmp = tmp_path / "library", DataDir(tmp_path / "data"), tmp_path / "tmp"
    private_tmp.mkdir()
    cases = hostile.make_library(library, tmp_path / "scratch")
    assert len({case.kind for case in cases}) >= 15
    report_file = tmp_path / "report.json"
    command = [sys.executable, "-m", "indexer.cli", "index", str(library), "--jobs", "2"]
    command += ["--quiet", "--report", str(report_file)]
    env = {**os.environ, "DDSEARCH_INDEX": str(data.root), "TMPDIR": str(private_tmp)}
    env["PYTHONPATH"] = str(REPO)
    with hostile.rewriting(library / hostile.CHANGING):
        status, peak_mb, stderr = hostile.run_watched(command, env=env, timeout=600)
    print(f"peak RSS of the run's processes: {peak_mb:.0f} MB")

    assert status == 1, stderr  # some files failed, the rest is committed
    report = json.loads(report_file.read_text("utf-8"))
    indexed = {
        _relative(entry["path"], library): entry
        for section in ("added", "updated", "duplicates")
        for entry in report[section]
    }
    failed = {_relative(entry["path"], library): entry["reason"] for entry in report["failed"]}
    assert not set(indexed) & set(failed)
    for case in cases:
        where = f"{case.kind} ({case.name})"
        if case.expect == hostile.INDEXED:
            assert case.name in indexed, f"{where}: {failed.get(case.name, 'not in the report')}"
            pages = open_engine(data.index).pages(indexed[case.name]["id"])
            assert len(pages) == case.pages, where
        elif case.expect == hostile.FAILED:
            assert case.name in failed, f"{where} was not reported as failed"
            assert case.reason in failed[case.name], f"{where}: {failed[case.name]}"
        elif case.expect == hostile.EITHER:
            assert case.name in indexed or case.name in failed, f"{where} is missing"
            assert case.reason in failed.get(case.name, case.reason), f"{where}: {failed}"
        else:
            assert not any(name.startswith(case.name) for name in failed), where
    assert all(reason and "\n" not in reason for reason in failed.values())
    named = {case.name for case in cases}
    assert set(indexed) | set(failed) <= named, "the report names a file no case made"
    assert not any("loop/up" in name for name in indexed), "a symlinked folder was followed"

    print(f"file rewritten during the run: {failed.get(hostile.CHANGING, 'indexed')}")
    _check_changing_file(data, library, indexed)
    _check_searchable(data)
    assert peak_mb < MAX_RSS_MB
    assert list(private_tmp.iterdir()) == [], "temporary files left behind"
    _check_data_folder(data)


def _relative(path: str, library: Path) -> str:
    return os.path.relpath(path, library)


def _check_changing_file(data: DataDir, library: Path, indexed: dict) -> None:
    """If the rewritten file made it in, its pages are those of the version its hash names."""
    entry = indexed.get(hostile.CHANGING)
    if entry is None:
        return
    with sqlite3.connect(data.library) as db:
        (recorded,) = db.execute(
            "SELECT hash FROM files WHERE path = ?", (str(library / hostile.CHANGING),)
        ).fetchone()
    hashes = [hashlib.sha256(version).hexdigest() for version in hostile.CHANGING_VERSIONS]
    assert recorded in hashes
    version = hashes.index(recorded)
    pages = open_engine(data.index).pages(entry["id"])
    assert len(pages) == (2, 4)[version]
    assert ("alpha", "beta")[version] in pages[0]["text"]


def _check_searchable(data: DataDir) -> None:
    """The last page of the 2,000-page PDF and the Khmer-named file are found by a search."""
    found = json.loads(ddsearch("search", hostile.MARKER, "--json", data=data.root).stdout)
    assert found["total"] == 1
    assert [page["page"] for page in found["results"][0]["pages"]] == [hostile.LONG_PAGES]
    found = json.loads(ddsearch("search", "Khmer-named", "--json", data=data.root).stdout)
    assert any(path.endswith("សង្កាត់.pdf") for path in found["results"][0]["paths"])


def _check_data_folder(data: DataDir) -> None:
    """Only the documented files: no journal, no half-written report, no stray index copy."""
    names = {path.name for path in data.root.iterdir()}
    index_dirs = {name for name in names if name.startswith("index-")}
    assert names - index_dirs == DATA_FILES
    assert index_dirs == {data.index.resolve().name}
    strays = [p for p in data.index.resolve().iterdir() if p.name.endswith((".tmp", ".new"))]
    assert strays == []
