"""The query tree: what the query layer builds (`indexer.query.language.parse`) and the engine
reads. It sits below both, so that data flows one way: query -> tree -> engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from indexer.text.analysis import QueryTerms, analyse_query


@dataclass(frozen=True)
class Text:
    """Words that must occur together, in order (one word is a phrase of one). Its words
    are analysed once, here: the engine and the highlighter both read ``terms``."""

    text: str
    prefix: bool = False  # the last word may continue (typed as word*)
    title_only: bool = False
    terms: QueryTerms = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "terms", analyse_query(self.text))


@dataclass(frozen=True)
class Facet:
    """An exact metadata value: field is "type", "lang", "number" (its `numbers.query_key`),
    "place" (a gazetteer code) or "cites" (a document id, which the query layer turns into the
    ids of those citing it)."""

    field: str
    value: str


@dataclass(frozen=True)
class YearRange:
    """The instrument's own year, both ends inclusive; None leaves an end open."""

    start: int | None
    end: int | None


@dataclass(frozen=True)
class DateRange:
    """The instrument's own date within these days (YYYYMMDD numbers, both ends inclusive;
    None leaves an end open): a document matches when every day its date may be is inside."""

    start: int | None
    end: int | None


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]  # no children: matches nothing


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class Ids:
    """Documents found by an earlier stage (approximate matching), each with the score it
    ranks by: not typed by researchers, built by the query API."""

    scores: tuple[tuple[str, float], ...]  # (document id, score)


Node = Text | Facet | YearRange | DateRange | Ids | And | Or | Not


def positive_texts(node: Node | None) -> list[Text]:
    """The Text leaves that documents match by containing (not those under a NOT): the
    words to find pages and highlight snippets with."""
    if isinstance(node, Text):
        return [node]
    if isinstance(node, And | Or):
        return [text for child in node.children for text in positive_texts(child)]
    return []
