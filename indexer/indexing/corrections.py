"""Catalogue corrections, however they come (a catalog.csv row, a form in the browser): set a
document's overrides and log what changed, before -> after, in the same transaction."""

from __future__ import annotations

from indexer.library import changelog
from indexer.library.catalog import CATALOG_FILE, CATALOGUED, WITHDRAWN, merge_sheet
from indexer.library.effective import Derived, effective_metadata
from indexer.library.state import DocumentRow, Library


def correct(
    library: Library,
    row: DocumentRow,
    overrides: dict,
    who: str,
    action: str,
    derived: Derived | None = None,
    **details,
) -> dict[str, tuple]:
    """Give ``row``'s document these overrides; the fields whose effective value changed,
    {field: (before, after)}, are logged and returned. Call inside a transaction. With
    ``derived`` (`effective.Derived`), places and other-language versions are compared with what
    sync found, not only with the catalogue's cells."""
    before, _ = effective_metadata(row, derived)
    after, _ = effective_metadata(
        DocumentRow(row.id, row.hash, row.added, row.updated, row.detected, overrides), derived
    )
    if derived and overrides.get("work") != row.overrides.get("work"):
        # the links the new cell makes (sync settles them from both sides' cells)
        after["work"] = overrides.get("work", derived.detected_works.get(row.id, []))
    changes = {name: (before.get(name), after.get(name)) for name in CATALOGUED}
    changes = {name: pair for name, pair in changes.items() if pair[0] != pair[1]}
    if overrides != row.overrides:
        library.set_overrides(row.id, overrides)
    if changes:
        changelog.record(library, who, action, row.id, changes, **details)
    return changes


def apply_sheet_row(library: Library, doc_id: str, sheet: dict, sheet_path: str) -> None:
    """Apply the cells of a document's catalog.csv row that changed since they were last
    applied (`catalog.merge_sheet`), logged as made by the spreadsheet (``sheet_path``)."""
    base = library.sheet_cells(doc_id)
    row = library.live_document(doc_id)
    if row is None or sheet == base:
        return
    merged = merge_sheet(row.overrides, base, sheet)
    correct(library, row, merged, CATALOG_FILE, "catalog", file=sheet_path)
    withdrawn = sheet.get(WITHDRAWN, False)
    if withdrawn != base.get(WITHDRAWN, False) and withdrawn != row.withdrawn:
        library.set_withdrawn(doc_id, withdrawn)  # the cell changed since: as the buttons do
        action = "withdraw" if withdrawn else "restore"
        changes = {WITHDRAWN: (row.withdrawn, withdrawn)}
        changelog.record(library, CATALOG_FILE, action, doc_id, changes, file=sheet_path)
    library.set_sheet_cells(doc_id, sheet)
