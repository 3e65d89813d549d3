"""A Whoosh document record's stored fields as the engine's metadata."""

from __future__ import annotations

import json

from indexer.engine import fields


def metadata(stored: dict) -> dict:
    """A document record's stored fields as the engine's metadata dict."""
    languages = [lang for lang in stored.get("languages", "").split(",") if lang]
    return fields.metadata(
        {**stored, "languages": languages, "paths": json.loads(stored.get("paths", "[]"))}
    )
