"""The query language: what each construct parses to, and the fallback for malformed queries."""

from __future__ import annotations

import pytest

from indexer.query.language import (
    And,
    DateRange,
    Facet,
    Not,
    Or,
    ParsedQuery,
    QuerySyntaxError,
    Text,
    YearRange,
    parse,
    parse_year,
    positive_texts,
)


@pytest.mark.parametrize(
    ("query", "node"),
    [
        ("council", Text("council")),
        ("commune council", And((Text("commune"), Text("council")))),
        ("commune AND council", And((Text("commune"), Text("council")))),
        ('"commune council"', Text("commune council")),
        ("a OR b c", Or((Text("a"), And((Text("b"), Text("c")))))),
        ("(a OR b) c", And((Or((Text("a"), Text("b"))), Text("c")))),
        ("a -b", And((Text("a"), Not(Text("b"))))),
        ("a NOT b", And((Text("a"), Not(Text("b"))))),
        ("sub-decree", Text("sub-decree")),
        ("decentrali*", Text("decentrali", prefix=True)),
        ("title:budget", Text("budget", title_only=True)),
        ('title:"land law"', Text("land law", title_only=True)),
        ("type:Sub-Decree", Facet("type", "sub-decree")),
        ("lang:khmer", Facet("lang", "km")),
        ("year:2001", YearRange(2001, 2001)),
        ("year:2001..2005", YearRange(2001, 2005)),
        ("year:២០០១..២០០៥", YearRange(2001, 2005)),
        ("year:..2005", YearRange(None, 2005)),
        ("year:2001..", YearRange(2001, None)),
        ("and or not", And((Text("and"), Text("or"), Text("not")))),
        ("Note: council", And((Text("Note:"), Text("council")))),
    ],
)
def test_constructs(query, node):
    parsed = parse(query)
    assert parsed.node == node and parsed.warning is None


def test_khmer_typed_with_spaces_is_one_text():
    assert parse("ក្រុម ប្រឹក្សា ឃុំ").node == Text("ក្រុមប្រឹក្សាឃុំ")
    assert parse("ឃុំ OR សង្កាត់").node == Or((Text("ឃុំ"), Text("សង្កាត់")))


def test_empty_query_matches_everything():
    assert parse("").node is None and parse("  \u200b ").node is None


@pytest.mark.parametrize(
    ("query", "words", "reason"),
    [
        ('council "land use', ("council", "land", "use"), "quote"),
        ("council AND", ("council",), '"AND"'),
        ("OR council", ("council",), '"OR"'),
        ("council NOT", ("council",), '"NOT"'),
        ("foo:bar", ("foo", "bar"), '"foo:"'),
        ("year:abc", ("year", "abc"), "year"),
        ("lang:fr council", ("lang", "fr", "council"), "language"),
        ("(council", ("council",), "bracket"),
        ("council)", ("council",), "bracket"),
    ],
)
def test_malformed_queries_fall_back_to_their_words(query, words, reason):
    parsed = parse(query)
    expected = Text(words[0]) if len(words) == 1 else And(tuple(Text(w) for w in words))
    assert parsed.node == expected
    assert reason in parsed.warning and parsed.warning.endswith("searched for instead.")


@pytest.mark.parametrize("query", ["AND", "NOT", '"', "OR OR", "()"])
def test_a_query_of_syntax_alone_matches_nothing(query):
    parsed = parse(query)
    assert parsed.node == Or(()) and parsed.warning


def test_positive_texts_leave_out_excluded_words():
    node = parse('council -election OR "land law" type:law').node
    assert positive_texts(node) == [Text("council"), Text("land law")]


def test_year_parser_says_what_it_wants():
    with pytest.raises(QuerySyntaxError, match="2001..2005"):
        parse_year("last year")


@pytest.mark.parametrize(
    "query, start, end",
    [
        ("date:2001..2005", 20010101, 20051231),
        ("date:2004-07", 20040701, 20040731),
        ("date:2004-02", 20040201, 20040229),  # a leap year's February
        ("date:2004-7-5", 20040705, 20040705),
        ("date:២០០៤-០៧-១៥", 20040715, 20040715),  # Khmer digits
        ("date:2004-01..2004-06", 20040101, 20040630),
        ("date:..2005", None, 20051231),
        ("date:1994-10..", 19941001, None),
    ],
)
def test_dates_and_ranges_of_dates(query, start, end):
    assert parse(query) == ParsedQuery(DateRange(start, end))


@pytest.mark.parametrize("value", ["2004-13", "2004-02-30", "..", "July 2004", "04-07-2004"])
def test_a_date_that_is_no_date_is_searched_as_words_and_said(value):
    parsed = parse(f"date:{value}")
    assert "2004-07-15" in parsed.warning and not isinstance(parsed.node, DateRange)
