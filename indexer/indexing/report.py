"""The closing report of an indexing run: added, updated, unchanged, duplicates, removed, failed."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

SECTIONS = ("added", "updated", "unchanged", "duplicates", "removed", "failed")


@dataclass
class Report:
    """One entry per file under each section; JSON keys are part of the documented contract."""

    added: list[dict] = field(default_factory=list)
    updated: list[dict] = field(default_factory=list)
    unchanged: list[dict] = field(default_factory=list)
    duplicates: list[dict] = field(default_factory=list)
    removed: list[dict] = field(default_factory=list)
    failed: list[dict] = field(default_factory=list)
    catalog_problems: list[str] = field(default_factory=list)
    started: float = 0.0
    finished: float = 0.0

    def to_dict(self) -> dict:
        body = {name: getattr(self, name) for name in SECTIONS}
        return {
            **body,
            "catalog_problems": self.catalog_problems,
            "started": self.started,
            "finished": self.finished,
            "counts": {name: len(getattr(self, name)) for name in SECTIONS},
        }

    def summary(self) -> str:
        """Counts on one line, then a line per failure, note on a new file, catalogue problem."""
        counts = ", ".join(f"{len(getattr(self, name))} {name}" for name in SECTIONS)
        lines = [f"done in {self.finished - self.started:.1f} s: {counts}"]
        lines += [f"  failed: {entry['path']}: {entry['reason']}" for entry in self.failed]
        lines += [
            f"  note: {entry['path']}: {note}"
            for entry in self.added + self.updated
            for note in entry.get("notes", [])
        ]
        lines += [f"  removed: {entry['path']}" for entry in self.removed]
        lines += [f"  catalogue: {problem}" for problem in self.catalog_problems]
        return "\n".join(lines)


def write_json(path: Path, data: dict) -> None:
    """Write JSON atomically: a reader never sees half a file, even after a crash."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(handle, 0o644)  # mkstemp's 0600 would hide it from a server run as another user
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(data, out, ensure_ascii=False, indent=2)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
