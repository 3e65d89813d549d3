"""Metadata detected from a content's stored pages (never by OCR again), recorded with the
detector's version, so that a newer detector re-detects what an older one found."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from indexer.library import metadata
from indexer.library.state import Library
from indexer.library.store import Store

VERSION_KEY = "detector"


def detect_stored(store: Store, content_hash: str, path: str, say: Callable[[str], None]) -> dict:
    """The metadata of a stored content, with the detector's version; {} (defaults) when the
    detector fails on it, which must not cost the file its place in the index."""
    stored = store.pages(content_hash)
    texts = [page.text for page in stored]
    try:
        found = metadata.detect(texts, Path(path).name, words_reader(store, content_hash, stored))
    except Exception as err:
        say(f"metadata detection failed on {path} ({err}); using defaults")
        return {}
    return {**found, VERSION_KEY: metadata.DETECTOR_VERSION}


def words_reader(store: Store, content_hash: str, stored: list) -> metadata.WordsOf:
    """A page's OCR'd words and the recipe that read them, read from the store when asked
    (detection wants one page's, the signing line's)."""

    def words_of(index: int) -> metadata.PageWords | None:
        number = stored[index].number
        record = store.page_record(content_hash, number) or {}
        boxes = store.boxes(content_hash, number)
        if record.get("method") != "ocr" or boxes is None:
            return None
        return metadata.PageWords(record["recipe"], boxes.words)

    return words_of


def redetect_outdated(library: Library, store: Store, say: Callable[[str], None]) -> int:
    """Detect again, from the store, every live document an older detector detected; how
    many were."""
    outdated = [
        row
        for row in library.live_documents()
        if row.detected.get(VERSION_KEY) != metadata.DETECTOR_VERSION
    ]
    if not outdated:
        return 0
    with library.transaction():
        for row in outdated:
            paths = library.paths_of(row.id)
            library.set_detected(
                row.id, detect_stored(store, row.hash, paths[0] if paths else "", say)
            )
    return len(outdated)
