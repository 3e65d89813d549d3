"""The document fields every engine indexes beyond text, described once for all backends.

A list field holds several values per document (its languages, the places it concerns): every
backend indexes its values as exact keywords that the query language's facet names (``lang:``,
``place:``), stores them with the document, and counts them for the search's facets. A new
list field is a row here (and a Document attribute), not a special case in each backend.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ListField:
    """A field of several exact values per document."""

    name: str  # the Document attribute, the stored field and the metadata key
    query: str  # its facet's name in the query tree (`indexer.query.language.Facet.field`)
    facet: str  # its name among a search's facet counts
    levels: tuple[int, ...] = ()  # value lengths counted as facets (all when empty)


LIST_FIELDS = (
    ListField("languages", "lang", "language"),
    # places by gazetteer code; the facet counts provinces (2 digits) and districts (4)
    ListField("places", "place", "place", levels=(2, 4)),
)
