"""``ddsearch reocr``: read again, by the current OCR recipe, pages an older recipe read.

A page an older pipeline OCR'd because its text layer was in a legacy Khmer font is converted
from that layer instead (exact, and a hundred times faster than OCR).

Every OCR'd page records its recipe, so the work left is always "pages of these documents not
read by the target recipe": a run killed half-way resumes where it stopped and never reads a
finished page twice. A re-read page is committed to the store at once (as in ``index``); its
document is re-indexed in batches, and the store remembers which documents the index still
holds older text of (``reindex_pending``), so a kill between the two is repaired next time.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from indexer.config import DataDir
from indexer.engine import open_engine
from indexer.errors import IndexVersionError
from indexer.extract import ocr
from indexer.extract.pool import Extractor, FileJob
from indexer.indexing import run as indexing
from indexer.indexing.detection import detect_stored
from indexer.indexing.lock import index_commit_lock, writer_lock
from indexer.indexing.progress import Progress
from indexer.indexing.report import Report, write_json
from indexer.indexing.sync import desired_documents, documents, sync_index
from indexer.library import opened
from indexer.library.lookup import find_document, live_row
from indexer.library.state import Library, file_hash
from indexer.library.store import Store

GONE = "its file is no longer where it was indexed, or has changed; run `ddsearch index` first"


def run_reocr(
    data: DataDir,
    targets: list[str],
    *,
    lang: str | None,
    jobs: int,
    progress: Progress,
    broker: str | None = None,
) -> Report:
    """Re-read the named documents' pages (all documents when ``targets`` is empty) that the
    recipe for ``lang`` did not read; raises lookup.NotFound for a name that is no document."""
    recipe = ocr.recipe_for(lang)
    report = Report(started=time.time())
    with writer_lock(data.lock, progress.say), opened(data) as (library, store):
        data.scratch.mkdir(parents=True, exist_ok=True)
        _Reocr(data, library, store, report, progress).run(targets, recipe, jobs, broker)
    report.finished = time.time()
    write_json(data.last_run, report.to_dict())
    return report


class _Reocr:
    def __init__(self, data, library: Library, store: Store, report: Report, progress: Progress):
        self.data, self.library, self.store = data, library, store
        self.report, self.progress = report, progress

    def run(self, targets: list[str], recipe: ocr.Recipe, jobs: int, broker: str | None) -> None:
        ids = [find_document(self.library, t) for t in targets] or [
            row.id for row in self.library.live_documents() if not row.is_record
        ]
        self._reindex(self.store.reindex_pending())  # what a killed run left unindexed
        work, paths = [], {}
        for doc_id in dict.fromkeys(ids):
            row = live_row(self.library, doc_id)
            pages = self.store.ocr_pages_not_by(row.hash, recipe.version)
            if not pages:
                entry = {"path": self._first_path(doc_id), "id": doc_id, "pages_reocr": 0}
                self.report.unchanged.append(entry)
                continue
            path = self._readable_path(doc_id, row.hash)
            if path is None:
                self.report.failed.append({"path": self._first_path(doc_id), "reason": GONE})
                continue
            paths[row.hash] = (doc_id, path, len(pages))
            work.append(FileJob(Path(path), row.hash, tuple(pages)))
        self.progress.start(len(work))
        for job in work:
            self.store.mark_reindex(job.content_hash)
        extractor = Extractor(
            self.store,
            workers=jobs,
            ocr_mode="auto",  # so that legacy-font pages are converted, not OCR'd (_reread)
            ocr_lang=recipe.lang,
            on_page=self.progress.page_done,
            on_pages_known=self.progress.pages_known,
            scratch=self.data.scratch,
            reader=indexing.page_reader(self.data, broker) if work else None,
        )
        done, last_commit = [], time.monotonic()
        for outcome in extractor.run(work):
            doc_id, path, count = paths[outcome.job.content_hash]
            if outcome.error:
                self.report.failed.append({"path": path, "reason": outcome.error})
                self.progress.file_done("failed", path, f" ({outcome.error})")
                continue
            entry = {"path": path, "id": doc_id, "pages_reocr": count}
            self.report.updated.append({**entry, "pages_converted": outcome.pages_converted})
            self.progress.file_done("updated", path)
            done.append(outcome.job.content_hash)
            due = time.monotonic() - last_commit > indexing.COMMIT_EVERY_S
            if len(done) >= indexing.COMMIT_EVERY_DOCS or due:
                self._reindex(set(done))
                done, last_commit = [], time.monotonic()
        self._reindex(set(done))
        self.progress.close()

    def _first_path(self, doc_id: str) -> str:
        paths = self.library.paths_of(doc_id)
        return paths[0] if paths else doc_id

    def _readable_path(self, doc_id: str, content_hash: str) -> str | None:
        """A path of the document whose file still holds the content that was indexed."""
        for path in self.library.paths_of(doc_id):
            try:
                if os.path.isfile(path) and file_hash(Path(path)) == content_hash:
                    return path
            except OSError:
                continue
        return None

    def _reindex(self, hashes: set[str]) -> None:
        """Detect the metadata of these contents' documents again and re-index them."""
        if not hashes:
            return
        rows = {row.hash: row for row in self.library.live_documents() if row.hash in hashes}
        with self.library.transaction():
            for row in rows.values():
                path = self._first_path(row.id)
                detected = detect_stored(self.store, row.hash, path, self.progress.say)
                if detected:  # a detector bug must not lose what was detected before
                    self.library.set_detected(row.id, detected)
        engine = open_engine(self.data.index)
        engine.create()
        try:
            engine.fingerprints()
        except IndexVersionError:  # sync rebuilds it from the store, new pages included
            sync_index(self.data, self.library, self.store, self.progress.say)
        else:
            with index_commit_lock(self.data.index_lock):
                wanted = desired_documents(self.library, engine.version)
                ids = sorted(row.id for row in rows.values() if row.id in wanted)
                engine.apply_changes(documents(self.data, wanted, ids, self.store), [])
        for content_hash in hashes:
            self.store.reindexed(content_hash)
