"""The metadata a document shows: what detection found (and what sync worked out from all
documents: places, other-language versions), with the librarian's catalogue cells laid over it.
Shared by sync, `ddsearch show` and the workspace, so all three show the same fields."""

from __future__ import annotations

from dataclasses import dataclass

from indexer.library import catalog, places, works
from indexer.library.state import DocumentRow, Library
from indexer.model import LIBRARIAN_ONLY

DEFAULT_FIELDS = {
    "title": "",
    "type": "other",
    "date": "",
    "year": None,
    "number": "",
    "issuer": "",
    **dict.fromkeys(LIBRARIAN_ONLY, ""),
}
#: Keys of the detected metadata that are no field (the detector's version).
_NOT_FIELDS = ("detector",)


def effective_metadata(row: DocumentRow, derived: Derived | None = None) -> tuple[dict, list[str]]:
    """Detected metadata (with the places and other-language versions found at sync, when
    ``derived`` is given) with the librarian's catalogue cells laid over it, and which
    changed."""
    detected = {**DEFAULT_FIELDS, "languages": [], "places": [], "work": [], "confidence": {}}
    detected.update(
        {k: v for k, v in row.detected.items() if v not in (None, "", []) and k not in _NOT_FIELDS}
    )
    if derived:
        detected["places"] = derived.places.get(row.hash, [])
        detected["work"] = derived.detected_works.get(row.id, [])
    fields, overridden = catalog.apply(detected, row.overrides)
    if derived:  # its links as sync settled them: either side's catalogue cell may set one
        fields["work"] = derived.works.get(row.id, [])
    return fields, overridden


@dataclass
class Derived:
    """What sync works out from the stored pages and the metadata of all documents: each
    content's places, and each document's versions in the other language."""

    places: dict[str, list[str]]  # content hash -> gazetteer codes
    works: dict[str, list[str]]  # document id -> ids of its other-language versions
    detected_works: dict[str, list[str]]  # the same, as detection alone linked them

    @classmethod
    def read(cls, library: Library) -> Derived:
        linked = works.stored(library.db)
        detected = works.stored(library.db, how="detected")
        return cls(places.detected(library.db), linked, detected)
