"""The change log: who changed what in the library, when, and from what to what.

Uploads, catalogue corrections (from the browser or from catalog.csv), withdrawals, records
without a file and accounts are each logged with the values before and after. The log lives in
``library.sqlite`` beside the state it describes, so a backup of the data folder keeps both.
"""

from __future__ import annotations

import csv
import io
import json
import time
from datetime import UTC, datetime

from indexer.library.catalog import quote_formula
from indexer.library.state import Library

#: What a change can be; the website names each in both interface languages.
ACTIONS = (
    "upload",
    "edit",
    "withdraw",
    "restore",
    "record",
    "attach",
    "reocr",
    "catalog",
    "account",
    "reject",
    "discard",
)
CSV_COLUMNS = ("at", "who", "action", "target", "field", "before", "after", "details")


def record(
    library: Library,
    who: str,
    action: str,
    target: str,
    changes: dict[str, tuple] | None = None,
    **details,
) -> None:
    """Log one change: ``changes`` maps a field to its (before, after) values; ``details``
    says anything else (a file name, a job, a reason)."""
    assert action in ACTIONS, action
    body = {"changes": {k: list(v) for k, v in (changes or {}).items()}, **details}
    library.db.execute(
        "INSERT INTO changes (at, who, action, target, details) VALUES (?, ?, ?, ?, ?)",
        (time.time(), who, action, target, json.dumps(body, ensure_ascii=False)),
    )


def entries(library: Library, *, limit: int = 100, offset: int = 0, action: str = "") -> list:
    """The newest changes first: dicts with ``seq``, ``at`` (ISO 8601, UTC), ``who``,
    ``action``, ``target``, ``changes`` ({field: [before, after]}) and ``details``."""
    where, args = ("WHERE action = ?", [action]) if action else ("", [])
    rows = library.db.execute(
        f"SELECT seq, at, who, action, target, details FROM changes {where} "
        "ORDER BY seq DESC LIMIT ? OFFSET ?",
        (*args, limit, offset),
    )
    found = []
    for seq, at, who, act, target, details in rows:
        body = json.loads(details)
        found.append(
            {
                "seq": seq,
                "at": datetime.fromtimestamp(at, UTC).isoformat(timespec="seconds"),
                "who": who,
                "action": act,
                "target": target,
                "changes": body.pop("changes", {}),
                "details": body,
            }
        )
    return found


def count(library: Library, action: str = "") -> int:
    where, args = ("WHERE action = ?", (action,)) if action else ("", ())
    return library.db.execute(f"SELECT count(*) FROM changes {where}", args).fetchone()[0]


def as_csv(found: list[dict]) -> str:
    """The entries as CSV for a spreadsheet: a row per changed field (a row for a change with
    none), UTF-8 with a BOM, no cell able to run as a formula."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for entry in found:
        head = [entry["at"], entry["who"], entry["action"], entry["target"]]
        details = json.dumps(entry["details"], ensure_ascii=False) if entry["details"] else ""
        rows = [
            [field, _cell(before), _cell(after)]
            for field, (before, after) in entry["changes"].items()
        ] or [["", "", ""]]
        for row in rows:
            writer.writerow(quote_formula(str(cell)) for cell in (*head, *row, details))
    return out.getvalue()


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(map(str, value))
    return str(value)
