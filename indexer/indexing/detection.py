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
    texts = [page.text for page in store.pages(content_hash)]
    try:
        found = metadata.detect(texts, Path(path).name)
    except Exception as err:
        say(f"metadata detection failed on {path} ({err}); using defaults")
        return {}
    return {**found, VERSION_KEY: metadata.DETECTOR_VERSION}


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
