"""From the query tree (its words analysed once, `analysis.QueryTerms`) to Tantivy queries: the
same fields, weights and bounded prefixes as the Whoosh backend's, with Tantivy's own phrase
matching and BM25."""

from __future__ import annotations

import tantivy
from tantivy import Occur, Query

from indexer import querytree as qt
from indexer.engine import expansion
from indexer.engine.fields import (
    DOC_KHMER,
    DOC_KHMER_WORDS,
    DOC_LATIN,
    DOC_LATIN_PAIRS,
    DOCUMENT,
    FACET_FIELDS,
    FACET_SCORES,
    PAGE,
    PAGE_KHMER,
    PAGE_LATIN,
    TITLE_BOOST,
    TITLE_KHMER,
    TITLE_LATIN,
    WORD_LIFT,
    latin_words,
)


class Queries:
    """Builds queries against one searcher (prefixes and rare terms are looked up in it)."""

    def __init__(self, schema: tantivy.Schema, searcher: tantivy.Searcher):
        self.schema, self.searcher = schema, searcher
        self.budget = expansion.Budget()

    # -- building blocks ---------------------------------------------------------------------

    def term(self, field: str, value, boost: float = 1.0) -> Query:
        query = Query.term_query(self.schema, field, value)
        return query if boost == 1.0 else Query.boost_query(query, boost)

    def filter(self, field: str, value, score: float = 0.0) -> Query:
        """A condition that adds ``score`` (nothing by default) to the ranking."""
        return Query.const_score_query(Query.term_query(self.schema, field, value), score)

    def range(self, field: str, start: int | None, end: int | None) -> Query:
        """An integer field within start..end (both inclusive; None leaves an end open)."""
        return Query.range_query(self.schema, field, tantivy.FieldType.Integer, start, end)

    def kind(self, kind: str) -> Query:
        return self.filter("kind", kind)

    def phrase(self, field: str, terms, boost: float = 1.0) -> Query:
        if len(terms) == 1:
            return self.term(field, terms[0], boost)
        query = Query.phrase_query(self.schema, field, list(terms))
        return query if boost == 1.0 else Query.boost_query(query, boost)

    def prefix(self, field: str, prefix: str, boost: float = 1.0) -> Query:
        """The prefix's most frequent terms (`expansion`), any of them."""
        found = dict(
            self.searcher.terms_with_prefix(field, prefix, limit=expansion.SCANNED_TERMS + 1)
        )
        terms = expansion.expand(prefix, iter(found), found.__getitem__, self.budget)
        return _any([self.term(field, term, boost) for term in terms])

    # -- document records --------------------------------------------------------------------

    def documents(self, node: qt.Node | None) -> Query:
        """Document records matching ``node`` (every one for None)."""
        found = self.kind(DOCUMENT)
        condition = self.document(node) if node is not None else None
        return found if condition is None else _all([found, condition])

    def document(self, node: qt.Node) -> Query | None:
        if isinstance(node, qt.Text):
            return self.text(node)
        if isinstance(node, qt.Facet):
            field = FACET_FIELDS.get(node.field, node.field)
            return self.filter(field, node.value, FACET_SCORES.get(field, 0.0))
        if isinstance(node, qt.Ids):
            ids = [self.filter("id", doc_id, score) for doc_id, score in node.scores]
            return _any(ids)
        if isinstance(node, qt.YearRange):
            return Query.const_score_query(self.range("year", node.start, node.end), 0.0)
        if isinstance(node, qt.DateRange):  # every day the date may be is within the range
            bounds = [("date_from", node.start, None), ("date_to", None, node.end)]
            days = [self.range(name, start, end) for name, start, end in bounds if start or end]
            return Query.const_score_query(_all(days), 0.0)
        if isinstance(node, qt.Not):
            child = self.document(node.child)
            return None if child is None else _all([self.kind(DOCUMENT)], [child])
        if isinstance(node, qt.Or):
            children = [self.document(child) for child in node.children]
            if not node.children:
                return Query.empty_query()
            children = [q for q in children if q is not None]
            return _any(children) if children else None
        positives = [self.document(c) for c in node.children if not isinstance(c, qt.Not)]
        negatives = [self.document(c.child) for c in node.children if isinstance(c, qt.Not)]
        positives = [q for q in positives if q is not None]
        negatives = [q for q in negatives if q is not None]
        if not positives and not negatives:
            return None
        return _all(positives or [self.kind(DOCUMENT)], negatives)

    def text(self, text: qt.Text) -> Query | None:
        """Khmer runs as n-gram phrases (with a whole-word lift), Latin words as a stemmed
        phrase, in body or title (title weighted higher), all parts required."""
        parts = []
        for run in text.terms.khmer:
            title = self.phrase(TITLE_KHMER[run.n], run.ngrams, TITLE_BOOST)
            if text.title_only:
                parts.append(title)
                continue
            found = _any([self.phrase(DOC_KHMER[run.n], run.ngrams), title])
            lift = self.phrase(DOC_KHMER_WORDS, run.words, WORD_LIFT)
            parts.append(Query.boolean_query([(Occur.Must, found), (Occur.Should, lift)]))
        title = self.latin(text, in_title=True)
        if title is not None:
            parts.append(title if text.title_only else _any([self.latin(text), title]))
        return _all(parts) if parts else None

    def latin(self, text: qt.Text, in_title: bool = False) -> Query | None:
        """Stemmed Latin words as a phrase (its last word a prefix when typed word*)."""
        words, stems = latin_words(text)
        boost = TITLE_BOOST if in_title else 1.0
        parts = []
        if words:
            parts.append(self.phrase(TITLE_LATIN, words, boost) if in_title else self.body(words))
        if stems:
            field = TITLE_LATIN if in_title else DOC_LATIN
            parts.append(_any([self.prefix(field, stem, boost) for stem in stems]))
        return _all(parts) if parts else None

    def body(self, terms: list[str]) -> Query:
        """One word, or a phrase as its overlapping word pairs."""
        if len(terms) == 1:
            return self.term(DOC_LATIN, terms[0])
        return self.phrase(
            DOC_LATIN_PAIRS, [f"{a} {b}" for a, b in zip(terms, terms[1:], strict=False)]
        )

    # -- page records ------------------------------------------------------------------------

    def pages(self, node: qt.Node | None, doc_id: str) -> Query | None:
        """One document's page records holding the searched terms: each phrase by its two
        rarest terms (pages keep no positions; snippets check the exact text)."""
        leaves = [q for text in qt.positive_texts(node) if (q := self.page(text)) is not None]
        if not leaves:
            return None
        return _all([self.kind(PAGE), self.filter("id", doc_id), _any(leaves)])

    def page(self, text: qt.Text) -> Query | None:
        if text.title_only:
            return None
        parts = []
        for run in text.terms.khmer:
            field = PAGE_KHMER[min(run.n, max(PAGE_KHMER))]
            parts += [self.term(field, term) for term in self.rarest(field, run.page_ngrams)]
        terms = list(text.terms.latin)
        if text.prefix and terms:
            parts.append(self.prefix(PAGE_LATIN, terms.pop()))
        parts += [self.term(PAGE_LATIN, term) for term in self.rarest(PAGE_LATIN, terms)]
        return _all(parts) if parts else None

    def rarest(self, field: str, terms, keep: int = 2) -> list[str]:
        return sorted(set(terms), key=lambda term: self.searcher.doc_freq(field, term))[:keep]


def _all(required: list[Query], excluded: list[Query] = ()) -> Query:
    if len(required) == 1 and not excluded:
        return required[0]
    clauses = [(Occur.Must, q) for q in required] + [(Occur.MustNot, q) for q in excluded]
    return Query.boolean_query(clauses)


def _any(queries: list[Query]) -> Query:
    if not queries:
        return Query.empty_query()
    if len(queries) == 1:
        return queries[0]
    return Query.boolean_query([(Occur.Should, q) for q in queries])
