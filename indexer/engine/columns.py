"""The document table of one commit as numpy columns: sorting and facet counts without
touching the index (KNOWLEDGE §4: Whoosh's `groupedby` visits every matching page), the
same for every engine. Rows are numbered by the engine (Whoosh: document numbers)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

NO_YEAR = -1


@dataclass
class Columns:
    """The document table as arrays by document number, for sorting and facet counts."""

    docnums: np.ndarray  # of every document record, ascending
    types: list[str]
    type: np.ndarray  # index into types
    year: np.ndarray  # NO_YEAR when undated
    added: np.ndarray
    language_names: list[str]
    languages: np.ndarray  # [language, docnum]: whether the document is in that language

    @classmethod
    def of(cls, table: dict[int, dict]) -> Columns:
        size = max(table, default=-1) + 1
        types = sorted({row["type"] for row in table.values()})
        names = sorted({lang for row in table.values() for lang in row["languages"]})
        columns = cls(
            np.fromiter(table, np.int64, len(table)),
            types,
            np.zeros(size, np.int64),
            np.full(size, NO_YEAR, np.int64),
            np.zeros(size),
            names,
            np.zeros((len(names), size), bool),
        )
        for docnum, row in table.items():
            columns.type[docnum] = types.index(row["type"])
            columns.year[docnum] = NO_YEAR if row["year"] is None else row["year"]
            columns.added[docnum] = row["added"]
            for lang in row["languages"]:
                columns.languages[names.index(lang), docnum] = True
        return columns

    def order(self, docnums: np.ndarray, scores: np.ndarray, sort: str) -> np.ndarray:
        """Indices of the matches in order (best score first; ties by document number);
        undated documents go last when sorting by year."""
        if sort == "relevance":
            return np.lexsort((docnums, -scores))
        if sort == "added":
            return np.lexsort((docnums, -scores, -self.added[docnums]))
        sign = -1 if sort == "newest" else 1
        years = self.year[docnums]
        return np.lexsort((docnums, -scores, sign * years, years == NO_YEAR))

    def facets(self, docnums: np.ndarray) -> dict[str, dict[str, int]]:
        """Documents by type and language (most first, ties by name) and by year (newest
        first)."""

        def by_count(names: list[str], counts: np.ndarray) -> dict[str, int]:
            pairs = sorted(zip(names, counts.tolist(), strict=True), key=lambda p: (-p[1], p[0]))
            return {name: count for name, count in pairs if count}

        types = np.bincount(self.type[docnums], minlength=len(self.types))
        years = dict(zip(*np.unique(self.year[docnums], return_counts=True), strict=True))
        languages = self.languages[:, docnums].sum(axis=1)
        return {
            "type": by_count(self.types, types),
            "year": {
                str(y): int(n) for y, n in sorted(years.items(), reverse=True) if y != NO_YEAR
            },
            "language": by_count(self.language_names, languages),
        }
