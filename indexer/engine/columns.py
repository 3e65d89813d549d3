"""The document table of one commit as numpy columns: sorting and facet counts without
touching the index (KNOWLEDGE §4: Whoosh's `groupedby` visits every matching page), the
same for every engine. Rows are numbered by the engine (Whoosh: document numbers)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from indexer.engine.fields import LIST_FIELDS, ListField, date_days

NO_YEAR = -1
NO_DATE = -1


@dataclass
class ListColumn:
    """A list field's values as (document, value) pairs: counted over the matches with one
    bincount, whatever the number of values (25 provinces and 210 districts, or 2 languages)."""

    field: ListField
    values: list[str]
    pair_docs: np.ndarray  # docnum of each (document, value) pair
    pair_values: np.ndarray  # index into values of each pair

    @classmethod
    def of(cls, field: ListField, table: dict[int, dict]) -> ListColumn:
        pairs = [
            (docnum, value)
            for docnum, row in table.items()
            for value in row[field.name]
            if not field.levels or len(value) in field.levels
        ]
        values = sorted({value for _, value in pairs})
        index = {value: i for i, value in enumerate(values)}
        return cls(
            field,
            values,
            np.fromiter((d for d, _ in pairs), np.int64, len(pairs)),
            np.fromiter((index[v] for _, v in pairs), np.int64, len(pairs)),
        )

    def counts(self, matched: np.ndarray) -> np.ndarray:
        """Documents per value among the matched (a boolean array by docnum)."""
        return np.bincount(self.pair_values[matched[self.pair_docs]], minlength=len(self.values))


@dataclass
class Columns:
    """The document table as arrays by document number, for sorting and facet counts."""

    docnums: np.ndarray  # of every document record, ascending
    types: list[str]
    type: np.ndarray  # index into types
    year: np.ndarray  # NO_YEAR when undated
    date_from: np.ndarray  # YYYYMMDD, the first day the date may be; NO_DATE when undated
    date_to: np.ndarray  # the last day it may be
    added: np.ndarray
    lists: list[ListColumn]  # one per `LIST_FIELDS`

    @classmethod
    def of(cls, table: dict[int, dict]) -> Columns:
        size = max(table, default=-1) + 1
        types = sorted({row["type"] for row in table.values()})
        columns = cls(
            np.fromiter(table, np.int64, len(table)),
            types,
            np.zeros(size, np.int64),
            np.full(size, NO_YEAR, np.int64),
            np.full(size, NO_DATE, np.int64),
            np.full(size, NO_DATE, np.int64),
            np.zeros(size),
            [ListColumn.of(field, table) for field in LIST_FIELDS],
        )
        for docnum, row in table.items():
            columns.type[docnum] = types.index(row["type"])
            columns.year[docnum] = NO_YEAR if row["year"] is None else row["year"]
            days = date_days(row["date"], row["year"])
            if days:
                columns.date_from[docnum], columns.date_to[docnum] = days
            columns.added[docnum] = row["added"]
        return columns

    def order(self, docnums: np.ndarray, scores: np.ndarray, sort: str) -> np.ndarray:
        """Indices of the matches in order (best score first; ties by document number);
        by date, a date known only to its month or year comes after the days it may be
        (newest first: as its first day; oldest first: as its last), undated documents last."""
        if sort == "relevance":
            return np.lexsort((docnums, -scores))
        if sort == "added":
            return np.lexsort((docnums, -scores, -self.added[docnums]))
        if sort == "newest":
            days = self.date_from[docnums]
            return np.lexsort((docnums, -scores, -days, days == NO_DATE))
        days = self.date_to[docnums]
        return np.lexsort((docnums, -scores, days, days == NO_DATE))

    def facets(self, docnums: np.ndarray) -> dict[str, dict[str, int]]:
        """Documents by type and by each list field (language, place: most first, ties by
        name) and by year (newest first)."""

        def by_count(names: list[str], counts: np.ndarray) -> dict[str, int]:
            pairs = sorted(zip(names, counts.tolist(), strict=True), key=lambda p: (-p[1], p[0]))
            return {name: count for name, count in pairs if count}

        types = np.bincount(self.type[docnums], minlength=len(self.types))
        years = dict(zip(*np.unique(self.year[docnums], return_counts=True), strict=True))
        matched = np.zeros(len(self.type), bool)
        matched[docnums] = True
        return {
            "type": by_count(self.types, types),
            "year": {
                str(y): int(n) for y, n in sorted(years.items(), reverse=True) if y != NO_YEAR
            },
            **{c.field.facet: by_count(c.values, c.counts(matched)) for c in self.lists},
        }
