"""The life of an index folder: the ``index`` location is a symlink to ``index-<ns>`` beside
it, so that a rebuild swaps a complete new index in with one rename."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path


def new_beside(location: Path) -> Path:
    """A new empty folder next to the location, for an index being built."""
    fresh = location.parent / f"{location.name}-{time.time_ns()}"
    fresh.mkdir(parents=True)
    return fresh


def point_at(location: Path, fresh: Path) -> None:
    """Swap the link to a complete index in one rename; old readers carry on. The folder it
    named before, and those a killed rebuild left, are deleted."""
    previous = location.resolve() if location.is_symlink() else None
    link = location.parent / f"{location.name}.new-link"
    link.unlink(missing_ok=True)
    os.symlink(fresh.name, link)
    os.replace(link, location)
    if previous and previous != fresh.resolve():
        shutil.rmtree(previous, ignore_errors=True)
    for stray in location.parent.glob(f"{location.name}-[0-9]*"):  # of rebuilds killed
        if not stray.is_symlink() and stray.resolve() != fresh.resolve():
            shutil.rmtree(stray, ignore_errors=True)
