"""The query language researchers type, parsed into an engine-neutral tree.

    council election          both words (AND is the default)
    "commune council"         a phrase
    council OR commune        either; NOT word and -word exclude; ( ) group
    title:budget              in the title only (also title:"a phrase")
    type:sub-decree  lang:km  year:2001  year:2001..2005  year:..2005
    date:2001..2005  date:2004-07  date:2004-07-15  date:2004-01..2004-06
                              signed within those days (a date known only to its month
                              or year counts when all of it is within)
    number:០២/នស/៩៤   an instrument by its number (any digits, with or without the slashes)
    cites:ID          the documents that cite (or amend) document ID
    place:Kandal      about a province, district or commune: its name in Khmer or English
                      (place:កណ្តាល, place:"Kien Svay", place:ខេត្តសៀមរាប) or its code
    decentrali*               words starting with a prefix

Khmer may be typed with or without spaces, with Khmer or Arabic digits and either spelling of
្ដ/្ត: the analyzers fold all of that. A malformed query never raises: `parse` falls back to
the query's plain words and says why in `ParsedQuery.warning`.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from functools import lru_cache

from indexer.library import numbers
from indexer.library.gazetteer import gazetteer
from indexer.querytree import (
    And,
    DateRange,
    Facet,
    Ids,
    Node,
    Not,
    Or,
    Text,
    YearRange,
    positive_texts,
)
from indexer.text.khmer import clean, fold
from indexer.vocabulary import date_span, language_code

FIELDS = ("title", "type", "year", "date", "lang", "number", "cites", "place")
OPERATORS = ("AND", "OR", "NOT")
#: The tree's names, for the query layer (ql.Text, ql.And, ...), which builds it.
__all__ = [
    "And", "DateRange", "Facet", "Ids", "Node", "Not", "Or", "ParsedQuery", "QuerySyntaxError",
    "Text", "YearRange", "parse", "parse_date", "parse_language", "parse_place", "parse_year",
    "positive_texts",
]  # fmt: skip


@dataclass(frozen=True)
class ParsedQuery:
    node: Node | None  # None: no query at all, every document matches
    warning: str | None = None


class QuerySyntaxError(ValueError):
    """A query that does not follow the syntax; its message ends "so ..." in the warning."""


_LEXEME = re.compile(
    r"""(?P<space>\s+)
    |(?P<lparen>\()|(?P<rparen>\))
    |(?P<field>[A-Za-z]+):(?=\S)
    |(?P<quote>")
    |(?P<minus>-)(?=[^\s\-)])
    |(?P<word>[^\s"()]+)""",
    re.VERBOSE,
)
_YEAR_RANGE = re.compile(r"(\d{4})?(?:\.\.|-|–)(\d{4})?|(\d{4})")


@lru_cache(maxsize=1024)
def parse(query: str) -> ParsedQuery:
    """Parse a query; on a syntax error, search its plain words instead and say so. The tree
    is immutable, so a query asked again (a result's next page, the website's lane choice
    and its search) is parsed and analysed once."""
    query = clean(query)
    if not query:
        return ParsedQuery(None)
    try:
        node = _Parser(_lex(query)).parse()
        key = numbers.canonical(query)
        if key and len(re.sub(r"[\s/.,:;\-]", "", query)) <= len(key) + 8:
            # a query that is only a number: that instrument first, then the texts that cite it
            return ParsedQuery(Or((Facet("number", key), node)))
        return ParsedQuery(node)
    except QuerySyntaxError as error:
        words = tuple(Text(word) for word in _plain_words(query))
        node = words[0] if len(words) == 1 else And(words) if words else Or(())
        return ParsedQuery(node, f"{error}, so its words were searched for instead.")


def parse_year(value: str) -> YearRange:
    """Read "2001", "2001..2005", "..2005", "2001.." (Khmer digits too) as a year range."""
    match = _YEAR_RANGE.fullmatch(fold(value.strip()))
    if not match or match.group(0) in ("..", "-", "–"):
        raise QuerySyntaxError(
            f'"{value}" is not a year or a range of years such as 2001 or 2001..2005'
        )
    start, end, single = match.groups()
    if single:
        return YearRange(int(single), int(single))
    return YearRange(int(start) if start else None, int(end) if end else None)


_DATE_PART = r"\d{4}(?:-\d\d?(?:-\d\d?)?)?"
_DATE_RANGE = re.compile(rf"({_DATE_PART})?(\.\.)({_DATE_PART})?|({_DATE_PART})")


def parse_date(value: str) -> DateRange:
    """Read "2004-07-15", "2004-07", "2004", "2001..2005", "2004-01..2004-06", "..2005"
    (Khmer digits too) as the days they cover."""
    match = _DATE_RANGE.fullmatch(fold(value.strip()))
    spans = None
    if match and match.group(0) != "..":
        start, _, end, single = match.groups()
        spans = [date_span(_iso(part)) if part else () for part in (start or single, end or single)]
    if not spans or None in spans:
        raise QuerySyntaxError(
            f'"{value}" is not a date or a range of dates such as 2004-07-15, 2004-07, '
            "2001..2005 or 2004-01..2004-06"
        )
    first, last = spans
    return DateRange(first[0] if first else None, last[1] if last else None)


def _iso(part: str) -> str:
    """2004-7-5 as 2004-07-05; an impossible date as '' (no span)."""
    numbers_ = [int(piece) for piece in part.split("-")]
    if len(numbers_) > 1 and not 1 <= numbers_[1] <= 12:
        return ""
    if len(numbers_) == 3:
        try:
            return datetime.date(*numbers_).isoformat()
        except ValueError:
            return ""
    return "-".join(f"{n:02d}" for n in numbers_)


def parse_language(value: str) -> Facet:
    """Read a language name or code (km, khmer, en, english) as a language facet."""
    code = language_code(value)
    if code is None:
        raise QuerySyntaxError(f'"{value}" is not a language we index (use km or en)')
    return Facet("lang", code)


def parse_place(value: str) -> Node:
    """Read a place's name (Khmer or English, with or without its unit word) or code as a
    place facet; a name several places share matches any of them."""
    codes = gazetteer().resolve(value)
    if not codes:
        raise QuerySyntaxError(
            f'"{value}" is not a province, district or commune of Cambodia\'s gazetteer '
            "(write its name in Khmer or English, e.g. Kandal or កណ្តាល, or its code)"
        )
    facets = tuple(Facet("place", code) for code in sorted(codes))
    return facets[0] if len(facets) == 1 else Or(facets)


def _plain_words(query: str) -> list[str]:
    """The words of a query with its syntax (quotes, brackets, operators, fields) taken out."""
    words = re.split(r"[\s\"()*:]+", query)
    return [w.lstrip("-") for w in words if w.lstrip("-") and w not in OPERATORS]


def _lex(query: str) -> list[tuple[str, str]]:
    """Split a query into (kind, text) lexemes; a quote consumes its whole phrase."""
    lexemes = []
    position = 0
    while position < len(query):
        match = _LEXEME.match(query, position)
        kind = match.lastgroup
        position = match.end()
        if kind == "quote":
            close = query.find('"', position)
            if close < 0:
                raise QuerySyntaxError("The quote marks in the query are not balanced")
            lexemes.append(("phrase", query[position:close]))
            position = close + 1
        elif kind == "word" and match.group() in OPERATORS:
            lexemes.append(("operator", match.group()))
        elif kind != "space":
            lexemes.append((kind, match.group(kind)))
    return lexemes


class _Parser:
    """Recursive descent over the lexemes: OR binds loosest, then AND (implicit), then NOT."""

    def __init__(self, lexemes: list[tuple[str, str]]):
        self.lexemes = lexemes
        self.index = 0

    def parse(self) -> Node:
        node = self.or_expression()
        if self.peek() is not None:
            raise QuerySyntaxError("A closing bracket in the query has no opening one")
        return node

    def peek(self) -> tuple[str, str] | None:
        return self.lexemes[self.index] if self.index < len(self.lexemes) else None

    def take(self) -> tuple[str, str]:
        lexeme = self.lexemes[self.index]
        self.index += 1
        return lexeme

    def at_operator(self, name: str) -> bool:
        return self.peek() == ("operator", name)

    def or_expression(self) -> Node:
        children = [self.and_expression()]
        while self.at_operator("OR"):
            self.take()
            children.append(self.and_expression())
        return children[0] if len(children) == 1 else Or(tuple(children))

    def and_expression(self) -> Node:
        children = [self.unary()]
        while (lexeme := self.peek()) is not None and lexeme[0] != "rparen":
            if self.at_operator("OR"):
                break
            if self.at_operator("AND"):
                self.take()
            children.append(self.unary())
        return children[0] if len(children) == 1 else And(tuple(children))

    def unary(self) -> Node:
        lexeme = self.peek()
        if lexeme in (("operator", "NOT"), ("minus", "-")):
            self.take()
            return Not(self.unary())
        return self.atom()

    def atom(self) -> Node:
        lexeme = self.peek()
        if lexeme is None or lexeme[0] == "operator":
            operator = lexeme[1] if lexeme else self.lexemes[-1][1]
            raise QuerySyntaxError(f'"{operator}" in the query needs a search term after it')
        kind, text = self.take()
        if kind == "lparen":
            node = self.or_expression()
            if self.peek() != ("rparen", ")"):
                raise QuerySyntaxError("A bracket in the query is not closed")
            self.take()
            return node
        if kind == "rparen":
            raise QuerySyntaxError("A closing bracket in the query has no opening one")
        if kind == "field":
            return self.field(text.lower())
        return self.text(kind, text)

    def text(self, kind: str, text: str, title_only: bool = False) -> Text:
        if kind == "word" and len(text) > 1 and text.endswith("*"):
            return Text(text.rstrip("*"), prefix=True, title_only=title_only)
        return Text(text, title_only=title_only)

    def field(self, name: str) -> Node:
        if name not in FIELDS and name != "language":
            raise QuerySyntaxError(
                f'"{name}:" is not a field we know '
                "(use title:, type:, year:, date:, lang:, number:, place: or cites:)"
            )
        kind, value = self.take() if self.peek() else ("word", "")
        if name == "title":
            if kind not in ("word", "phrase"):
                raise QuerySyntaxError('"title:" needs a word or a "quoted phrase" after it')
            return self.text(kind, value, title_only=True)
        if kind not in ("word", "phrase"):
            raise QuerySyntaxError(f'"{name}:" needs a value after it')
        if name == "year":
            return parse_year(value)
        if name == "date":
            return parse_date(value)
        if name == "type":
            return Facet("type", value.strip().lower())
        if name == "number":
            return Facet("number", numbers.query_key(value))
        if name == "cites":
            return Facet("cites", value.strip())
        if name == "place":
            return parse_place(value)
        return parse_language(value)
