"""An indexing run: find the files, extract what is new, update the library state, sync the index.

Order matters for crash safety: pages go to the extraction store as they finish, the library
state changes in one transaction per batch, and only then is the index committed. The index is
always re-derivable from state + store, and `sync.sync_index` repairs whatever a crash left.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

from indexer.config import DataDir
from indexer.extract.pool import Extractor, FileJob, Outcome, PageReader
from indexer.indexing.corrections import apply_sheet_row
from indexer.indexing.files import Seen, find_files
from indexer.indexing.lock import writer_lock
from indexer.indexing.placing import CHANGED, Placer, still_same
from indexer.indexing.progress import Progress
from indexer.indexing.report import Report, write_json
from indexer.indexing.sync import choose_engine, sync_index
from indexer.library import catalog, opened
from indexer.library.state import Library, file_hash
from indexer.library.store import Store

#: Commit the index at least this often during a long run, so finished work is searchable.
COMMIT_EVERY_DOCS = 25
COMMIT_EVERY_S = 60.0


def run_index(
    data: DataDir,
    roots: list[Path],
    *,
    jobs: int,
    ocr_mode: str,
    ocr_lang: str,
    progress: Progress,
    broker: str | None = None,
    engine: str | None = None,
) -> Report:
    """Bring the index in line with the files under ``roots``; see the module docstring.
    With ``broker``, pages are OCR'd by ``ddsearch worker``s through that Redis; with
    ``engine``, the folder's index moves to that engine (rebuilt from the store)."""
    report = Report(started=time.time())
    with writer_lock(data.lock, progress.say), opened(data) as (library, store):
        if engine:
            choose_engine(data, engine)
        _empty_scratch(data)
        try:
            _IndexRun(data, library, store, report, progress).run(
                roots, jobs, ocr_mode, ocr_lang, broker
            )
        finally:
            shutil.rmtree(data.scratch, ignore_errors=True)
    report.finished = time.time()
    write_json(data.last_run, report.to_dict())
    return report


def page_reader(data: DataDir, broker: str | None) -> PageReader | None:
    """Who OCRs the run's pages: the local pool (None), or the workers behind ``broker``."""
    if not broker:
        return None
    from indexer.extract.broker import BrokerReader  # Celery is imported only when used

    return BrokerReader(broker, data.root / "broker-run")


def _empty_scratch(data: DataDir) -> None:
    """Empty the extraction workers' temporary folder of what a killed run left there
    (the writer lock says no other run is using it)."""
    shutil.rmtree(data.scratch, ignore_errors=True)
    data.scratch.mkdir()


class _IndexRun:
    """One run's steps: what changed, extraction, placing, removal, catalogue, commits."""

    def __init__(self, data, library: Library, store: Store, report: Report, progress: Progress):
        self.data, self.library, self.store = data, library, store
        self.report, self.progress = report, progress
        self.placer = Placer(library, store, report, progress)
        self.pending_commit = 0
        self.last_commit = time.monotonic()

    def run(
        self, roots: list[Path], jobs: int, ocr_mode: str, ocr_lang: str, broker: str | None
    ) -> None:
        found = find_files(roots, self.report)
        self.progress.start(len(found))
        complete = self.store.complete_hashes(redo_skipped=ocr_mode != "never")
        changed = self._changed(found, complete, redo_all=ocr_mode == "always")
        self.placer.vanished = self._vanished(roots, found)
        todo = [
            FileJob(Path(entries[0][0].path), content_hash)
            for content_hash, entries in changed.items()
            if content_hash not in complete or ocr_mode == "always"
        ]
        for content_hash in set(changed) - {job.content_hash for job in todo}:
            self._place(changed[content_hash], Outcome(FileJob(Path("."), content_hash)))
        extractor = Extractor(
            self.store,
            workers=jobs,
            ocr_mode=ocr_mode,
            ocr_lang=ocr_lang,
            on_page=self.progress.page_done,
            on_pages_known=self.progress.pages_known,
            scratch=self.data.scratch,
            reader=page_reader(self.data, broker) if todo and ocr_mode != "never" else None,
        )
        for outcome in extractor.run(todo):
            self._place(changed[outcome.job.content_hash], outcome)
            self._maybe_commit()
        self._remove_vanished()
        self._apply_catalogs(roots)
        sync_index(self.data, self.library, self.store, self.progress.say)
        self.progress.close()

    def _changed(
        self, found: list[Seen], complete: set[str], redo_all: bool
    ) -> dict[str, list[tuple[Seen, str]]]:
        """The files to (re)place, by content hash; unchanged and unreadable ones are
        reported here. A file whose size and mtime did not move is not even read."""
        changed: dict[str, list[tuple[Seen, str]]] = {}
        for seen in found:
            known = self.placer.known.get(seen.path)
            same_stat = known and (known.size, known.mtime_ns) == (seen.size, seen.mtime_ns)
            if same_stat and known.hash in complete and not redo_all:
                self.placer.unchanged(seen, known)
                continue
            try:
                content_hash = file_hash(Path(seen.path))
            except OSError as err:
                self.placer.failed(seen.path, f"cannot be read ({err.strerror})")
                continue
            if seen.size == 0:  # or caught in the middle of a rewrite
                same = still_same([(seen, content_hash)])
                self.placer.failed(seen.path, "the file is empty (0 bytes)" if same else CHANGED)
                continue
            changed.setdefault(content_hash, []).append((seen, content_hash))
        return changed

    def _place(self, entries: list[tuple[Seen, str]], outcome: Outcome) -> None:
        if self.placer.place(entries, outcome):
            self.pending_commit += 1

    def _vanished(self, roots: list[Path], found: list[Seen]) -> set[str]:
        """Known paths inside the scanned roots that are no longer there."""
        present = {seen.path for seen in found}
        prefixes = [os.path.abspath(root) for root in roots]
        inside = (
            path
            for path in self.placer.known
            if any(path == p or path.startswith(p.rstrip(os.sep) + os.sep) for p in prefixes)
        )
        return {path for path in inside if path not in present and not os.path.exists(path)}

    def _remove_vanished(self) -> None:
        moved = {entry.get("moved_from") for entry in self.report.updated}
        with self.library.transaction():
            for path in sorted(self.placer.vanished):
                if path not in self.library.files():
                    continue
                self.library.drop_file(path)
                if path not in moved:
                    self.report.removed.append({"path": path, "id": self.placer.known[path].id})

    def _apply_catalogs(self, roots: list[Path]) -> None:
        """Catalogue cells override detection. Only the cells changed since the last run are
        applied (an emptied cell, or a root without a catalogue, gives the field back to
        detection), so corrections made in the browser meanwhile stay; records without a
        file are changed only by a row naming them."""
        files = self.library.files()
        records = [row.id for row in self.library.live_documents() if row.is_record]
        for root in roots:
            root = Path(os.path.abspath(root))
            if not root.is_dir():
                continue
            self.library.note_root(str(root))
            under = {
                os.path.relpath(path, root).replace(os.sep, "/"): known.id
                for path, known in files.items()
                if path.startswith(str(root) + os.sep)
            }
            cells: dict[str, dict] = {}
            sheet = root / catalog.CATALOG_FILE
            if sheet.is_file():
                rows, problems = catalog.read_catalog(sheet)
                cells, unresolved = catalog.resolve(rows, under, records)
                self.report.catalog_problems += problems + unresolved
            with self.library.transaction():
                for doc_id in set(under.values()) | set(cells):
                    apply_sheet_row(self.library, doc_id, cells.get(doc_id, {}), str(sheet))

    def _maybe_commit(self) -> None:
        due = time.monotonic() - self.last_commit > COMMIT_EVERY_S
        if self.pending_commit and (self.pending_commit >= COMMIT_EVERY_DOCS or due):
            sync_index(self.data, self.library, self.store, self.progress.say)
            self.pending_commit = 0
            self.last_commit = time.monotonic()
