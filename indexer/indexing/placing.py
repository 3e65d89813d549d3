"""Placing extracted files into documents: a new id, the same id for a moved or replaced
file, one document for duplicate contents; and the report entry that says which."""

from __future__ import annotations

import os
import time

from indexer.extract.pool import Outcome
from indexer.indexing.detection import detect_stored
from indexer.indexing.files import Seen
from indexer.indexing.progress import Progress
from indexer.indexing.report import Report
from indexer.library.state import KnownFile, Library
from indexer.library.store import Store

CHANGED = "the file changed while it was read; run index again"

#: The report section a placed file goes to, and the word its progress line shows.
STATUS_WORDS = {"added": "added", "updated": "updated", "unchanged": "unchanged"}


class Placer:
    """Places the files of one run; ``vanished`` are the known paths gone from disk."""

    def __init__(self, library: Library, store: Store, report: Report, progress: Progress):
        self.library, self.store, self.report, self.progress = library, store, report, progress
        self.known: dict[str, KnownFile] = library.files()
        self.vanished: set[str] = set()

    def place(self, entries: list[tuple[Seen, str]], outcome: Outcome) -> bool:
        """Give every path of one content its document, in one state transaction; False when
        the content could not be placed (its error, or the file changed meanwhile)."""
        content_hash = entries[0][1]
        if not still_same(entries):  # also the likely cause of an error reading it
            if not outcome.error:
                self.store.forget(content_hash)
            for seen, _ in entries:
                self.failed(seen.path, CHANGED)
            return False
        if outcome.error:
            for seen, _ in entries:
                self.failed(seen.path, outcome.error)
            return False
        now = time.time()
        with self.library.transaction():
            for seen, _ in entries:
                section, entry = self._place_one(seen, content_hash, now)
                getattr(self.report, section).append(entry)
                self.progress.file_done(STATUS_WORDS.get(section, "duplicate"), seen.path)
        return True

    def _place_one(self, seen: Seen, content_hash: str, now: float) -> tuple[str, dict]:
        """(report section, entry) of one path of a content, its document given in state."""
        known = self.known.get(seen.path)
        existing = self.library.live_document_for_hash(content_hash)
        entry = {"path": seen.path, **self.store.page_counts(content_hash)}
        if notes := self.store.notes(content_hash):
            entry["notes"] = notes
        if existing:
            others = [p for p in self.library.paths_of(existing) if p != seen.path]
            moved_from = [p for p in others if p in self.vanished]
            if known and known.hash == content_hash:
                section = "unchanged"
            elif others and len(moved_from) < len(others):
                section = "duplicates"
                entry["duplicate_of"] = sorted(set(others) - set(moved_from))[0]
            else:
                section = "updated"
                if moved_from:
                    entry["moved_from"] = moved_from[0]
            doc_id = existing
        elif known and self._remaining_paths(known.id) == [seen.path]:
            doc_id = known.id
            self.library.replace_content(
                doc_id, content_hash, now, self._detect(content_hash, seen)
            )
            section = "updated"
        else:
            detected = self._detect(content_hash, seen)
            doc_id = self.library.take_attachment(seen.path, content_hash, now, detected)
            doc_id = doc_id or self.library.issue_id(content_hash, now, detected)
            section = "added"
        self.library.set_file(seen.path, doc_id, seen.size, seen.mtime_ns, content_hash)
        if known and known.id != doc_id:
            self.library.retire_if_orphan(known.id)
        return section, {**entry, "id": doc_id}

    def _remaining_paths(self, doc_id: str) -> list[str]:
        """A document's paths that are still on disk (a replaced file keeps its id only then)."""
        return [p for p in self.library.paths_of(doc_id) if p not in self.vanished]

    def _detect(self, content_hash: str, seen: Seen) -> dict:
        return detect_stored(self.store, content_hash, seen.path, self.progress.say)

    def unchanged(self, seen: Seen, known: KnownFile) -> None:
        entry = {"path": seen.path, "id": known.id, **self.store.page_counts(known.hash)}
        self.report.unchanged.append(entry)
        self.progress.file_done("unchanged", seen.path)

    def failed(self, path: str, reason: str) -> None:
        self.report.failed.append({"path": path, "reason": reason})
        self.progress.file_done("failed", path, f" ({reason})")


def still_same(entries: list[tuple[Seen, str]]) -> bool:
    """Guard against a file rewritten during the run: its stat must not have moved."""
    for seen, _ in entries:
        try:
            info = os.stat(seen.path)
        except OSError:
            return False
        if (info.st_size, info.st_mtime_ns) != (seen.size, seen.mtime_ns):
            return False
    return True
