"""The library's state (files, documents, stable ids) and the extraction store, with the
catalogue and metadata detection that feed the documents' fields."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from indexer.config import DataDir
from indexer.library.state import Library
from indexer.library.store import Store


@contextmanager
def opened(data: DataDir) -> Iterator[tuple[Library, Store]]:
    """The library state and the store of a data folder, closed however the block ends."""
    library, store = Library(data.library), Store(data.store)
    try:
        yield library, store
    finally:
        library.close()
        store.close()
