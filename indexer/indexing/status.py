"""``ddsearch status``: what the index holds, what the last run left failing, how big it is."""

from __future__ import annotations

import json
import time
from pathlib import Path

from indexer.config import DataDir
from indexer.engine import DEFAULT, backend_of, open_engine
from indexer.library import opened


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    if path.is_dir():
        return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    return 0


def pages_by_recipe(data: DataDir) -> dict[str, int]:
    """OCR'd pages of the live documents by the recipe that read them (``reocr`` upgrades)."""
    if not (data.store.exists() and data.library.exists()):
        return {}
    with opened(data) as (library, store):
        return store.pages_by_recipe(row.hash for row in library.live_documents())


def status(data: DataDir) -> dict:
    """The status figures; every key is part of the ``status --json`` contract."""
    stats = open_engine(data.index).stats()
    last_run = json.loads(data.last_run.read_text("utf-8")) if data.last_run.is_file() else {}
    store_files = [data.store, data.store.with_name(data.store.name + "-wal")]
    return {
        "data_dir": str(data.root),
        "engine": backend_of(data.index) or data.engine or DEFAULT,
        "documents": stats["documents"],
        "pages": stats["pages"],
        "pages_by_method": stats["pages_by_method"],
        "pages_by_recipe": pages_by_recipe(data),
        "last_run": {
            "finished": last_run.get("finished"),
            "counts": last_run.get("counts", {}),
            "failed": last_run.get("failed", []),
        },
        "index_bytes": _size(data.index.resolve()) if data.index.exists() else 0,
        "store_bytes": sum(_size(path) for path in store_files),
        "last_updated": last_run.get("finished"),
    }


def format_status(figures: dict) -> str:
    """The status figures as a few readable lines."""
    methods = figures["pages_by_method"]
    recipes = dict(sorted(figures["pages_by_recipe"].items()))
    updated = figures["last_updated"]
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(updated)) if updated else "never"
    lines = [
        f"data folder: {figures['data_dir']} ({figures['engine']} index)",
        f"documents:   {figures['documents']}",
        f"pages:       {figures['pages']} ({methods.get('text', 0)} text layer, "
        f"{methods.get('converted', 0)} converted from legacy fonts, "
        f"{methods.get('ocr', 0)} OCR, {methods.get('empty', 0)} empty, "
        f"{methods.get('skipped', 0)} awaiting OCR)",
        *[f"  OCR recipe {recipe}: {count} pages" for recipe, count in recipes.items()],
        f"index size:  {figures['index_bytes'] / 1e6:.1f} MB; "
        f"extraction store: {figures['store_bytes'] / 1e6:.1f} MB",
        f"last update: {when}",
    ]
    failed = figures["last_run"]["failed"]
    lines.append(f"last run failures: {len(failed)}")
    lines += [f"  {entry['path']}: {entry['reason']}" for entry in failed]
    return "\n".join(lines)
