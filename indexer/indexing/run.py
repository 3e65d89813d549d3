"""An indexing run: find PDFs, extract what is new, update the library state, sync the index.

Order matters for crash safety: pages go to the extraction store as they finish, the library
state changes in one transaction per batch, and only then is the index committed. The index is
always re-derivable from state + store, and ``sync_index`` repairs whatever a crash left behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import stat
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from indexer.config import DataDir
from indexer.engine.whoosh_backend import index as engine
from indexer.engine.whoosh_backend.schema import SCHEMA_VERSION
from indexer.extract.pool import Extractor, FileJob, Outcome
from indexer.indexing.lock import writer_lock
from indexer.indexing.progress import Progress
from indexer.indexing.report import Report, write_json
from indexer.library import catalog, metadata
from indexer.library.state import DocumentRow, KnownFile, Library, file_hash
from indexer.library.store import Store
from indexer.model import Document

#: Commit the index at least this often during a long run, so finished work is searchable.
COMMIT_EVERY_DOCS = 25
COMMIT_EVERY_S = 60.0
#: A full build analyses in parallel (KNOWLEDGE §4: procs=2 halves a build on 2 cores).
BUILD_JOBS = min(2, os.cpu_count() or 1)
PARALLEL_BUILD_FROM = 200  # documents; below this the extra processes cost more than they save
CHANGED = "the file changed while it was read; run index again"
DEFAULT_FIELDS = {"title": "", "type": "other", "year": None, "number": "", "issuer": ""}


@dataclass(frozen=True)
class Seen:
    """A PDF found on disk during this run."""

    path: str  # absolute
    root: Path  # the folder (or file) it was found under
    size: int
    mtime_ns: int


def find_pdfs(roots: list[Path], report: Report) -> list[Seen]:
    """Every ``*.pdf`` under the roots; symlinked folders are not followed (no loops)."""
    seen: dict[str, Seen] = {}
    for root in roots:
        root = Path(os.path.abspath(root))
        if root.is_file():
            candidates = [str(root)]
        elif root.is_dir():
            candidates = list(_walk(root, report))
        else:
            report.failed.append({"path": str(root), "reason": "no such file or folder"})
            continue
        for path in candidates:
            if not _is_utf8(path):  # the library's state, reports and URLs are UTF-8 text
                reason = "the file name is not valid UTF-8; rename the file (or its folder)"
                report.failed.append({"path": printable_path(path), "reason": reason})
                continue
            try:
                info = os.stat(path)
            except OSError as err:
                reason = f"cannot be read ({err.strerror})"
                report.failed.append({"path": path, "reason": reason})
                continue
            if not stat.S_ISREG(info.st_mode):  # a FIFO would block the run at open()
                reason = "not a regular file (a pipe, socket or device named .pdf); remove it"
                report.failed.append({"path": path, "reason": reason})
                continue
            seen.setdefault(path, Seen(path, root, info.st_size, info.st_mtime_ns))
    return sorted(seen.values(), key=lambda s: s.path)


def _is_utf8(path: str) -> bool:
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:  # os.walk hands undecodable bytes over as lone surrogates
        return False
    return True


def printable_path(path: str) -> str:
    """A path whose name is not UTF-8, with the bad bytes written as \\xNN escapes."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _walk(root: Path, report: Report) -> Iterator[str]:
    def unreadable(err: OSError) -> None:
        reason = f"folder cannot be read ({err.strerror}); fix its permissions"
        report.failed.append({"path": err.filename, "reason": reason})

    for folder, subfolders, names in os.walk(root, onerror=unreadable):
        subfolders.sort()
        for name in sorted(names):
            if name.lower().endswith(".pdf"):
                yield os.path.join(folder, name)


def run_index(
    data: DataDir,
    roots: list[Path],
    *,
    jobs: int,
    ocr_mode: str,
    ocr_lang: str,
    progress: Progress,
) -> Report:
    """Bring the index in line with the PDFs under ``roots``; see the module docstring."""
    report = Report(started=time.time())
    with writer_lock(data.lock, progress.say):
        library, store = Library(data.library), Store(data.store)
        _empty_scratch(data)
        try:
            _IndexRun(data, library, store, report, progress).run(roots, jobs, ocr_mode, ocr_lang)
        finally:
            library.close()
            store.close()
            shutil.rmtree(data.scratch, ignore_errors=True)
    report.finished = time.time()
    write_json(data.last_run, report.to_dict())
    return report


def _empty_scratch(data: DataDir) -> None:
    """Empty the extraction workers' temporary folder of what a killed run left there
    (the writer lock says no other run is using it)."""
    shutil.rmtree(data.scratch, ignore_errors=True)
    data.scratch.mkdir()


class _IndexRun:
    def __init__(self, data, library: Library, store: Store, report: Report, progress: Progress):
        self.data, self.library, self.store = data, library, store
        self.report, self.progress = report, progress
        self.known: dict[str, KnownFile] = {}
        self.pending_commit = 0
        self.last_commit = time.monotonic()

    def run(self, roots: list[Path], jobs: int, ocr_mode: str, ocr_lang: str) -> None:
        found = find_pdfs(roots, self.report)
        self.known = self.library.files()
        self.progress.start(len(found))
        complete = self.store.complete_hashes(redo_skipped=ocr_mode != "never")
        changed: dict[str, list[tuple[Seen, str]]] = {}
        for seen in found:
            known = self.known.get(seen.path)
            same_stat = known and (known.size, known.mtime_ns) == (seen.size, seen.mtime_ns)
            if same_stat and known.hash in complete and ocr_mode != "always":
                self._unchanged(seen, known)
                continue
            try:
                content_hash = file_hash(Path(seen.path))
            except OSError as err:
                self._failed(seen.path, f"cannot be read ({err.strerror})")
                continue
            if seen.size == 0:  # or caught in the middle of a rewrite
                same = self._still_same([(seen, content_hash)])
                self._failed(seen.path, "the file is empty (0 bytes)" if same else CHANGED)
                continue
            changed.setdefault(content_hash, []).append((seen, content_hash))
        self.vanished = self._vanished(roots, found)
        jobs_todo = [
            FileJob(Path(entries[0][0].path), content_hash)
            for content_hash, entries in changed.items()
            if content_hash not in complete or ocr_mode == "always"
        ]
        for content_hash in set(changed) - {job.content_hash for job in jobs_todo}:
            self._place(changed[content_hash], Outcome(FileJob(Path("."), content_hash)))
        extractor = Extractor(
            self.store,
            workers=jobs,
            ocr_mode=ocr_mode,
            ocr_lang=ocr_lang,
            on_page=self.progress.page_done,
            on_pages_known=self.progress.pages_known,
            scratch=self.data.scratch,
        )
        for outcome in extractor.run(jobs_todo):
            self._place(changed[outcome.job.content_hash], outcome)
            self._maybe_commit()
        self._remove_vanished()
        self._apply_catalogs(roots)
        sync_index(self.data, self.library, self.store, self.progress.say)
        self.progress.close()

    # -- placing files into documents ------------------------------------------------------

    def _place(self, entries: list[tuple[Seen, str]], outcome: Outcome) -> None:
        """Give every path of one content its document, in one state transaction."""
        content_hash = entries[0][1]
        if not self._still_same(entries):  # also the likely cause of an error reading it
            if not outcome.error:
                self.store.forget(content_hash)
            for seen, _ in entries:
                self._failed(seen.path, CHANGED)
            return
        if outcome.error:
            for seen, _ in entries:
                self._failed(seen.path, outcome.error)
            return
        now = time.time()
        with self.library.transaction():
            for seen, _ in entries:
                self._place_one(seen, content_hash, now)
        self.pending_commit += 1

    def _place_one(self, seen: Seen, content_hash: str, now: float) -> None:
        known = self.known.get(seen.path)
        existing = self.library.live_document_for_hash(content_hash)
        entry = {"path": seen.path, **self.store.page_counts(content_hash)}
        if notes := self.store.notes(content_hash):
            entry["notes"] = notes
        if existing:
            others = [p for p in self.library.paths_of(existing) if p != seen.path]
            moved_from = [p for p in others if p in self.vanished]
            if known and known.hash == content_hash:
                section = self.report.unchanged
            elif others and len(moved_from) < len(others):
                section = self.report.duplicates
                entry["duplicate_of"] = sorted(set(others) - set(moved_from))[0]
            else:
                section = self.report.updated
                if moved_from:
                    entry["moved_from"] = moved_from[0]
            doc_id = existing
        elif known and self._remaining_paths(known.id) == [seen.path]:
            doc_id = known.id
            self.library.replace_content(
                doc_id, content_hash, now, self._detect(content_hash, seen)
            )
            section = self.report.updated
        else:
            doc_id = self.library.issue_id(content_hash, now, self._detect(content_hash, seen))
            section = self.report.added
        self.library.set_file(seen.path, doc_id, seen.size, seen.mtime_ns, content_hash)
        if known and known.id != doc_id:
            self.library.retire_if_orphan(known.id)
        section.append({**entry, "id": doc_id})
        self.progress.file_done(_status_word(section, self.report), seen.path)

    def _remaining_paths(self, doc_id: str) -> list[str]:
        """A document's paths that are still on disk (a replaced file keeps its id only then)."""
        return [p for p in self.library.paths_of(doc_id) if p not in self.vanished]

    def _detect(self, content_hash: str, seen: Seen) -> dict:
        texts = [page.text for page in self.store.pages(content_hash)]
        try:
            return metadata.detect(texts, Path(seen.path).name)
        except Exception as err:  # a detector bug must not cost the file its place in the index
            self.progress.say(f"metadata detection failed on {seen.path} ({err}); using defaults")
            return {}

    def _still_same(self, entries: list[tuple[Seen, str]]) -> bool:
        """Guard against a file rewritten during the run: its stat must not have moved."""
        for seen, _ in entries:
            try:
                info = os.stat(seen.path)
            except OSError:
                return False
            if (info.st_size, info.st_mtime_ns) != (seen.size, seen.mtime_ns):
                return False
        return True

    def _unchanged(self, seen: Seen, known: KnownFile) -> None:
        entry = {"path": seen.path, "id": known.id, **self.store.page_counts(known.hash)}
        self.report.unchanged.append(entry)
        self.progress.file_done("unchanged", seen.path)

    def _failed(self, path: str, reason: str) -> None:
        self.report.failed.append({"path": path, "reason": reason})
        self.progress.file_done("failed", path, f" ({reason})")

    # -- removal, catalogue, commits ---------------------------------------------------------

    def _vanished(self, roots: list[Path], found: list[Seen]) -> set[str]:
        """Known paths inside the scanned roots that are no longer there."""
        present = {seen.path for seen in found}
        prefixes = [os.path.abspath(root) for root in roots]
        inside = (
            path
            for path in self.known
            if any(path == p or path.startswith(p.rstrip(os.sep) + os.sep) for p in prefixes)
        )
        return {path for path in inside if path not in present and not os.path.exists(path)}

    def _remove_vanished(self) -> None:
        with self.library.transaction():
            for path in sorted(self.vanished):
                if path not in self.library.files():
                    continue
                known = self.known[path]
                self.library.drop_file(path)
                if not self._reported_as_moved(path):
                    self.report.removed.append({"path": path, "id": known.id})

    def _reported_as_moved(self, path: str) -> bool:
        return any(entry.get("moved_from") == path for entry in self.report.updated)

    def _apply_catalogs(self, roots: list[Path]) -> None:
        """Catalogue cells override detection; a root without a catalogue clears its overrides."""
        files = self.library.files()
        for root in roots:
            root = Path(os.path.abspath(root))
            if not root.is_dir():
                continue
            under = {
                os.path.relpath(path, root).replace(os.sep, "/"): known.id
                for path, known in files.items()
                if path.startswith(str(root) + os.sep)
            }
            overrides: dict[str, dict] = {}
            sheet = root / catalog.CATALOG_FILE
            if sheet.is_file():
                rows, problems = catalog.read_catalog(sheet)
                overrides, unresolved = catalog.resolve(rows, under)
                self.report.catalog_problems += problems + unresolved
            with self.library.transaction():
                for doc_id in set(under.values()):
                    self.library.set_overrides(doc_id, overrides.get(doc_id, {}))

    def _maybe_commit(self) -> None:
        due = time.monotonic() - self.last_commit > COMMIT_EVERY_S
        if self.pending_commit and (self.pending_commit >= COMMIT_EVERY_DOCS or due):
            sync_index(self.data, self.library, self.store, self.progress.say)
            self.pending_commit = 0
            self.last_commit = time.monotonic()


def _status_word(section: list, report: Report) -> str:
    names = {id(getattr(report, name)): name for name in ("added", "updated", "unchanged")}
    return names.get(id(section), "duplicate")


# -- the index as a function of state + store ---------------------------------------------------


def effective_metadata(row: DocumentRow) -> tuple[dict, list[str]]:
    """Detected metadata with the librarian's catalogue cells laid over it, and which changed."""
    detected = {**DEFAULT_FIELDS, "languages": []}
    detected.update({k: v for k, v in row.detected.items() if v not in (None, "", [])})
    return catalog.apply(detected, row.overrides)


def _fingerprint(row: DocumentRow, paths: list[str], fields: dict) -> str:
    payload = json.dumps([SCHEMA_VERSION, row.hash, paths, fields], sort_keys=True)
    return hashlib.sha1(payload.encode("utf-8")).hexdigest()


def desired_documents(library: Library) -> dict[str, tuple[DocumentRow, list[str], dict, str]]:
    """What the index should hold: id → (row, paths, metadata, fingerprint)."""
    wanted = {}
    for row in library.live_documents():
        paths = library.paths_of(row.id)
        if not paths:
            continue
        fields, _ = effective_metadata(row)
        if not fields["title"]:
            fields["title"] = Path(paths[0]).stem.replace("_", " ")
        wanted[row.id] = (row, paths, fields, _fingerprint(row, paths, fields))
    return wanted


def _documents(wanted: dict, ids: list[str], store: Store) -> Iterator[Document]:
    for doc_id in ids:
        row, paths, fields, fingerprint = wanted[doc_id]
        yield Document(
            id=doc_id,
            content_hash=row.hash,
            paths=paths,
            pages=store.pages(row.hash),
            added=row.added,
            updated=row.updated,
            fingerprint=fingerprint,
            **fields,
        )


def sync_index(data: DataDir, library: Library, store: Store, say=lambda line: None) -> None:
    """Make the index hold exactly the live documents, repairing what a crash left behind.

    An index written by another version of the schema is rebuilt from the store (no OCR).
    """
    ensure_index(data)
    try:
        indexed = engine.indexed_fingerprints(data.index)
    except engine.IndexVersionError:
        say("the index was built by another version of ddsearch: rebuilding it from the store")
        _rebuild(data, library, store)
        return
    wanted = desired_documents(library)
    upserts = sorted(doc_id for doc_id, item in wanted.items() if indexed.get(doc_id) != item[3])
    deletes = sorted(set(indexed) - set(wanted))
    if upserts or deletes or not indexed:  # an empty library still gets an index to open
        jobs = BUILD_JOBS if len(upserts) >= PARALLEL_BUILD_FROM else 1
        engine.apply_changes(data.index, _documents(wanted, upserts, store), deletes, jobs=jobs)


def rebuild(data: DataDir, say) -> int:
    """Re-create the index from state + store (after an analyser or schema change); no OCR."""
    with writer_lock(data.lock, say):
        library, store = Library(data.library), Store(data.store)
        try:
            return _rebuild(data, library, store)
        finally:
            library.close()
            store.close()


def _rebuild(data: DataDir, library: Library, store: Store) -> int:
    """Build a complete new index beside the old one, then swap it in with one rename."""
    fresh = _new_index_dir(data)
    wanted = desired_documents(library)
    engine.apply_changes(fresh, _documents(wanted, sorted(wanted), store), [], jobs=BUILD_JOBS)
    _point_index_at(data, fresh)
    return len(wanted)


def _new_index_dir(data: DataDir) -> Path:
    fresh = data.root / f"index-{time.time_ns()}"
    fresh.mkdir(parents=True)
    return fresh


def _point_index_at(data: DataDir, fresh: Path) -> None:
    """Swap the ``index`` symlink to a complete index in one rename; old readers carry on."""
    previous = data.index.resolve() if data.index.is_symlink() else None
    link = data.root / "index.new-link"
    link.unlink(missing_ok=True)
    os.symlink(fresh.name, link)
    os.replace(link, data.index)
    if previous and previous != fresh.resolve():
        shutil.rmtree(previous, ignore_errors=True)
    for stray in data.root.glob("index-*"):  # left by a rebuild that was killed
        if stray.resolve() != fresh.resolve():
            shutil.rmtree(stray, ignore_errors=True)


def ensure_index(data: DataDir) -> None:
    """The index is a symlink to a directory, so that a rebuild can swap it atomically."""
    if not data.index.exists():
        _point_index_at(data, _new_index_dir(data))


def remove(data: DataDir, target: str, say) -> list[dict]:
    """Drop a document (by id) or a path from the library and the index."""
    with writer_lock(data.lock, say):
        library, store = Library(data.library), Store(data.store)
        try:
            files = library.files()
            path = os.path.abspath(target)
            if path in files:
                paths = [path]
            else:
                paths = [p for p, known in files.items() if known.id == target]
            with library.transaction():
                for p in paths:
                    library.drop_file(p)
            sync_index(data, library, store)
            return [{"path": p, "id": files[p].id} for p in paths]
        finally:
            library.close()
            store.close()


def catalog_rows(data: DataDir, relative_to: Path) -> list[dict]:
    """Every live document's effective metadata for ``catalog export``; paths inside
    ``relative_to`` (the folder the catalogue will live in) are written relative to it."""
    library = Library(data.library)
    try:
        rows = []
        for row in library.live_documents():
            fields, overridden = effective_metadata(row)
            paths = [_relative(path, relative_to) for path in library.paths_of(row.id)]
            if paths:
                rows.append({"id": row.id, "paths": paths, **fields, "overridden": overridden})
        return rows
    finally:
        library.close()


def _relative(path: str, folder: Path) -> str:
    folder_text = os.path.abspath(folder)
    if path.startswith(folder_text + os.sep):
        return os.path.relpath(path, folder_text).replace(os.sep, "/")
    return path
