"""Finding a document the way a librarian names it: its id, its path, or its file name."""

from __future__ import annotations

import os
from pathlib import Path

from indexer.errors import BadParameter
from indexer.library.state import DocumentRow, Library


class NotFound(BadParameter):
    """No document, or more than one, answers to the name; the message says what to do."""


def live_row(library: Library, doc_id: str) -> DocumentRow | None:
    """The live document with this id, or None."""
    return library.live_document(doc_id)


def find_document(library: Library, target: str) -> str:
    """The id of the live document named by ``target``: an id, a path as indexed, or a file
    name that only one indexed file has."""
    files = library.files()
    if live_row(library, target):
        return target
    path = os.path.abspath(target)
    if path in files and live_row(library, files[path].id):
        return files[path].id
    named = {known.id for p, known in files.items() if Path(p).name == target}
    named = {doc_id for doc_id in named if live_row(library, doc_id)}
    if len(named) == 1:
        return named.pop()
    if named:
        raise NotFound(
            f"{len(named)} indexed documents have a file called {target!r}: "
            "name one by its id or its full path"
        )
    raise NotFound(f"no indexed document has the id, path or file name {target!r}")
