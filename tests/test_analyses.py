"""The kept analyses (indexer/indexing/analyses.py): a rebuild reads them instead of analysing
again, a changed page is analysed again, entries of contents gone are dropped, and a rebuild
killed mid-way leaves only whole entries."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import zlib

import pytest
from conftest import REPO
from make_corpus import write_data_folder

from indexer.config import DataDir
from indexer.errors import IndexBusy
from indexer.indexing import analyses, sync
from indexer.indexing.lock import writer_lock
from indexer.library import opened
from indexer.model import Page
from indexer.query.search import search
from indexer.text.analysis import PageTokens, page_tokens


@pytest.fixture
def data(tmp_path) -> DataDir:
    folder = DataDir(tmp_path / "data")
    write_data_folder(folder.root, 3, pages_per_document=2)
    return folder


def entries(data: DataDir) -> dict[tuple[str, int], PageTokens]:
    kept = analyses.Analyses(data.analyses)
    try:
        rows = kept.db.execute("SELECT hash, page, tokens FROM analyses").fetchall()
    finally:
        kept.close()
    return {(h, page): PageTokens.decode(zlib.decompress(blob)) for h, page, blob in rows}


def test_a_rebuild_reads_the_kept_analyses_instead_of_analysing(data, monkeypatch):
    sync.rebuild(data, print)
    with opened(data) as (library, store):
        assert len(entries(data)) == sum(len(store.pages(d.hash)) for d in library.live_documents())
    before = search(data.index, "the")

    def analyse(text, words=True):  # titles are still analysed (no words): cheap
        if words:
            raise AssertionError("a page was analysed again")
        return page_tokens(text, words)

    monkeypatch.setattr(analyses, "page_tokens", analyse)
    monkeypatch.setattr("indexer.engine.fields.analysis.page_tokens", analyse)
    sync.rebuild(data, print)
    assert search(data.index, "the")["results"] == before["results"]


def test_a_changed_page_is_analysed_again_and_gone_contents_are_dropped(data):
    """(A page's text changes when it is OCR'd again: reocr re-indexes its document.)"""
    sync.rebuild(data, print)
    with opened(data) as (library, store):
        first, second = library.live_documents()[:2]
        store.put_page(first.hash, Page(1, "ក្រុមប្រឹក្សាឃុំ commune", "text", 1.0))
        with library.transaction():
            for path in library.paths_of(second.id):
                library.drop_file(path)
        sync.sync_index(data, library, store)
    assert not [key for key in entries(data) if key[0] == second.hash]
    sync.rebuild(data, print)
    kept = entries(data)
    assert kept[first.hash, 1] == page_tokens("ក្រុមប្រឹក្សាឃុំ commune")
    assert search(data.index, "commune")["total"] == 1


@pytest.mark.slow  # rebuild processes, killed
def test_a_rebuild_killed_mid_way_leaves_whole_entries_and_no_process(tmp_path):
    """Killed while it analyses, then while it writes the index (every analysis kept): the
    entries are whole, and no process of the killed rebuild outlives it holding the lock."""
    data = DataDir(tmp_path / "data")
    write_data_folder(data.root, 12, pages_per_document=4)
    command = [sys.executable, "-m", "indexer.cli", "rebuild", "--index", str(data.root)]
    for analysing in (True, False):
        process = subprocess.Popen(command, cwd=REPO, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 120
        if analysing:
            while time.monotonic() < deadline and not (data.analyses.exists() and entries(data)):
                time.sleep(0.05)
        else:
            time.sleep(2.0)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        assert released(data), "a process of the killed rebuild still holds the writer lock"
        with opened(data) as (_library, store):
            for (content_hash, number), tokens in entries(data).items():
                page = next(p for p in store.pages(content_hash) if p.number == number)
                assert tokens == page_tokens(page.text)
        assert sync.rebuild(data, print) == 12
    with opened(data) as (library, store):
        pages = sum(len(store.pages(row.hash)) for row in library.live_documents())
    assert len(entries(data)) == pages


def released(data: DataDir, seconds: float = 10.0) -> bool:
    """Whether the writer lock is free within ``seconds`` (a killed run's workers end within
    milliseconds of it)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            with writer_lock(data.lock, lambda line: None):
                return True
        except IndexBusy:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)
