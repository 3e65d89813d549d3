"""A Whoosh document record's stored fields as the engine's metadata: Whoosh stores a list
field as its values joined by commas (a KEYWORD field), other lists and maps as JSON."""

from __future__ import annotations

import json

from indexer.engine import fields
from indexer.engine.fields import LIST_FIELDS


def metadata(stored: dict) -> dict:
    """A document record's stored fields as the engine's metadata dict."""
    lists = {f.name: [v for v in stored.get(f.name, "").split(",") if v] for f in LIST_FIELDS}
    kept = {
        name: json.loads(stored[name])
        for name in ("paths", "work", "confidence")
        if isinstance(stored.get(name), str)
    }
    return fields.metadata({**stored, **lists, **kept})
