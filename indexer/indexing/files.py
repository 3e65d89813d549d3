"""Finding a library's files: every PDF and image file under the folders given, with a
sentence for each path that cannot be indexed (not UTF-8, unreadable, not a regular file)."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from indexer.extract import sources
from indexer.indexing.report import Report


@dataclass(frozen=True)
class Seen:
    """A PDF or image file found on disk during this run."""

    path: str  # absolute
    root: Path  # the folder (or file) it was found under
    size: int
    mtime_ns: int


def find_pdfs(roots: list[Path], report: Report) -> list[Seen]:
    """Every PDF and image file under the roots; symlinked folders are not followed (no loops)."""
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
            if sources.is_document(name):  # PDFs and image files
                yield os.path.join(folder, name)
