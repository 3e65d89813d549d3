"""Finding a library's files: every PDF, image and text document under the folders given,
with a sentence for each path that cannot be indexed (not UTF-8, unreadable, not a regular
file). A folder's IGNORE_FILE lists what under it is not part of the library (a README, the
sources of the documents, drafts): one pattern a line, `*` and `?` as in file names, matched
against the path below that folder or a name; a pattern ending in "/" names folders."""

from __future__ import annotations

import fnmatch
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from indexer.extract import sources
from indexer.indexing.report import Report


@dataclass(frozen=True)
class Seen:
    """A file to index found on disk during this run."""

    path: str  # absolute
    root: Path  # the folder (or file) it was found under
    size: int
    mtime_ns: int


IGNORE_FILE = ".ddsearchignore"


def find_files(roots: list[Path], report: Report) -> list[Seen]:
    """Every file to index under the roots (`sources.is_document`) that no ignore file
    leaves out; symlinked folders are not followed (no loops)."""
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

    ignored: dict[str, list[str]] = {}  # folder -> the patterns of its ignore file
    for folder, subfolders, names in os.walk(root, onerror=unreadable):
        if IGNORE_FILE in names:
            ignored[folder] = _patterns(os.path.join(folder, IGNORE_FILE))
        rules = [(base, p) for base, patterns in ignored.items() for p in patterns]
        rules = [(b, p) for b, p in rules if folder == b or folder.startswith(b + os.sep)]
        subfolders[:] = sorted(d for d in subfolders if not _ignored(folder, d, rules, True))
        for name in sorted(names):
            if sources.is_document(name) and not _ignored(folder, name, rules, False):
                yield os.path.join(folder, name)


def _patterns(path: str) -> list[str]:
    try:
        with open(path, encoding="utf-8-sig") as handle:
            lines = [line.strip() for line in handle]
    except (OSError, UnicodeDecodeError):
        return []
    return [line for line in lines if line and not line.startswith("#")]


def _ignored(folder: str, name: str, rules: list[tuple[str, str]], is_folder: bool) -> bool:
    """Whether an ignore rule (its folder, its pattern) names this file or folder."""
    for base, pattern in rules:
        if pattern.endswith("/"):
            if not is_folder:
                continue
            pattern = pattern.rstrip("/")
        relative = os.path.relpath(os.path.join(folder, name), base).replace(os.sep, "/")
        if fnmatch.fnmatchcase(relative, pattern.lstrip("/")) or (
            "/" not in pattern and fnmatch.fnmatchcase(name, pattern)
        ):
            return True
    return False
