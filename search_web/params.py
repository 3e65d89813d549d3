"""Read and check a search's URL parameters, and build the URLs that change one of them.

Every search is a GET URL with readable parameters (q, type, year, lang, place, sort, page,
per_page, cross=1 to search the glossary's terms in the other language too); a bad value
raises BadParameter with a sentence for the 400 page.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace

from indexer.errors import BadParameter
from indexer.vocabulary import LANGUAGE_CODES, SORTS, type_problem

MAX_QUERY_CHARS = 500
MAX_PLACE_CHARS = 100
PER_PAGE = 10
MAX_PER_PAGE = 100
MAX_OFFSET = 10_000
_YEAR = re.compile(r"\d{4}")
_YEARS = re.compile(r"(\d{4})?\.\.(\d{4})?|\d{4}")


@dataclass(frozen=True)
class SearchParams:
    q: str = ""
    type: str = ""
    year: str = ""  # "2001", "2001..2005", "2001..", "..2005"
    lang: str = ""
    place: str = ""  # a gazetteer code (the place facet), or a place's name
    sort: str = "relevance"
    page: int = 1
    per_page: int = PER_PAGE
    cross: int = 0  # 1: also search the other language's glossary terms

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    def url_args(self, **changes) -> dict[str, str | int]:
        """The parameters with some changed, leaving out defaults, for url_for; any change of
        the query or a filter goes back to the first page."""
        if changes.keys() - {"page", "sort", "per_page", "cross"} or "cross" in changes:
            changes.setdefault("page", 1)
        changed = replace(self, **changes)
        defaults = SearchParams()
        return {
            name: value
            for name, value in asdict(changed).items()
            if value != getattr(defaults, name)
        }

    @property
    def filters(self) -> dict[str, str]:
        """The active filters, by parameter name."""
        return {
            name: getattr(self, name)
            for name in ("type", "year", "lang", "place")
            if getattr(self, name)
        }


def parse_search(args) -> SearchParams:
    """The search in a request's query string (a MultiDict); BadParameter if it cannot be run."""
    q = args.get("q", "").strip()
    if len(q) > MAX_QUERY_CHARS:
        raise BadParameter(
            f"The query is {len(q)} characters long; shorten it to {MAX_QUERY_CHARS} or fewer."
        )
    type_ = args.get("type", "").strip()
    if type_ and (problem := type_problem(type_)):
        raise BadParameter(problem)
    lang = args.get("lang", "").strip()
    if lang and lang not in LANGUAGE_CODES:
        raise BadParameter("The language filter lang= takes km (Khmer) or en (English).")
    sort = args.get("sort", "relevance").strip() or "relevance"
    if sort not in SORTS:
        raise BadParameter(f"Sort by {', '.join(SORTS)}; “{sort[:40]}” is not one of them.")
    per_page = _integer(args, "per_page", PER_PAGE, 1, MAX_PER_PAGE)
    page = _integer(args, "page", 1, 1, MAX_OFFSET // per_page + 1)
    cross = _integer(args, "cross", 0, 0, 1)
    place = args.get("place", "").strip()
    if len(place) > MAX_PLACE_CHARS:
        raise BadParameter(f"Name a place in {MAX_PLACE_CHARS} characters or fewer.")
    return SearchParams(q, type_, _year(args), lang, place, sort, page, per_page, cross)


def page_number(args, pages: int) -> int:
    """The page asked for by the go-to-page form (``n``), from 1 to ``pages``."""
    if pages < 1:
        raise BadParameter("This document has no pages to go to.")
    return _integer(args, "n", 1, 1, pages)


def _year(args) -> str:
    """The year filter: year=2001 or year=2001..2005, or the range form's year_from/year_to."""
    year = args.get("year", "").strip()
    start, end = args.get("year_from", "").strip(), args.get("year_to", "").strip()
    if start or end:
        for value in (start, end):
            if value and not _YEAR.fullmatch(value):
                raise BadParameter(f"“{value[:40]}” is not a year; write years as four digits.")
        if start and end and start > end:
            start, end = end, start
        year = start if start == end else f"{start}..{end}"
    if year and not _YEARS.fullmatch(year):
        raise BadParameter(
            f"“{year[:40]}” is not a year or a range of years such as 2001 or 2001..2005."
        )
    return "" if year == ".." else year


def _integer(args, name: str, default: int, low: int, high: int) -> int:
    raw = args.get(name, "").strip()
    if not raw:
        return default
    digits = raw.lstrip("0") or "0"  # int() refuses over 4,300 digits, leading zeros too
    whole = raw.isascii() and raw.isdigit() and len(digits) <= len(str(high))
    if not whole or not low <= int(digits) <= high:
        raise BadParameter(f"{name}= takes a whole number from {low} to {high}, not “{raw[:20]}”.")
    return int(digits)
