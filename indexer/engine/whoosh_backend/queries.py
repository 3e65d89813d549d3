"""From the query tree (its words analysed once, `analysis.QueryTerms`) to Whoosh queries."""

from __future__ import annotations

from whoosh import query as wq

from indexer import querytree as qt
from indexer.engine import expansion
from indexer.engine.fields import (
    DOC_KHMER,
    DOC_KHMER_WORDS,
    DOC_LATIN,
    DOC_LATIN_PAIRS,
    FACET_FIELDS,
    FACET_SCORES,
    PAGE_KHMER,
    PAGE_LATIN,
    TITLE_BOOST,
    TITLE_KHMER,
    TITLE_LATIN,
    WORD_LIFT,
    latin_words,
    word_pairs,
)
from indexer.engine.whoosh_backend.matching import PositionsPhrase


def document_query(node: qt.Node | None) -> wq.Query | None:
    """The Whoosh query over document records; None when the tree puts no condition."""
    if node is None:
        return None
    if isinstance(node, qt.Text):
        return _text_query(node)
    if isinstance(node, qt.Facet):
        field = FACET_FIELDS.get(node.field, node.field)
        term = wq.Term(field, node.value)
        if field == "id":  # page records carry their document's id too
            term = wq.And([wq.Term("kind", "doc"), term])
        return wq.ConstantScoreQuery(term, FACET_SCORES.get(field, 0.0))
    if isinstance(node, qt.Ids):
        kind = wq.ConstantScoreQuery(wq.Term("kind", "doc"), 0.0)
        ids = [wq.ConstantScoreQuery(wq.Term("id", i), score) for i, score in node.scores]
        return wq.And([kind, wq.Or(ids)]) if ids else wq.NullQuery
    if isinstance(node, qt.YearRange):
        return wq.ConstantScoreQuery(wq.NumericRange("year", node.start, node.end), 0.0)
    if isinstance(node, qt.DateRange):
        within = wq.And(
            [
                wq.NumericRange("date_from", node.start, None),
                wq.NumericRange("date_to", None, node.end),
            ]
        )
        return wq.ConstantScoreQuery(within, 0.0)
    if isinstance(node, qt.Not):
        child = document_query(node.child)
        return None if child is None else wq.AndNot(wq.Term("kind", "doc"), child)
    if isinstance(node, qt.Or):
        if not node.children:
            return wq.NullQuery
        children = [q for child in node.children if (q := document_query(child)) is not None]
        return wq.Or(children) if children else None
    positives = [document_query(c) for c in node.children if not isinstance(c, qt.Not)]
    negatives = [document_query(c.child) for c in node.children if isinstance(c, qt.Not)]
    positives = [q for q in positives if q is not None]
    negatives = [q for q in negatives if q is not None]
    if not positives and not negatives:
        return None
    required = wq.And(positives) if positives else wq.Term("kind", "doc")
    return wq.AndNot(required, wq.Or(negatives)) if negatives else required


def page_query(text: qt.Text, reader) -> wq.Query | None:
    """The same words over page records, as plain terms (pages keep no positions), and of
    each phrase only its two rarest terms: enough to narrow a document to a few candidate
    pages cheaply; snippets then check the exact text."""
    if text.title_only:
        return None
    parts = []
    for run in text.terms.khmer:
        field = PAGE_KHMER[min(run.n, max(PAGE_KHMER))]
        parts += [wq.Term(field, term) for term in _rarest(reader, field, run.page_ngrams)]
    terms = list(text.terms.latin)
    if text.prefix and terms:
        parts.append(wq.Prefix(PAGE_LATIN, terms.pop()))
    parts += [wq.Term(PAGE_LATIN, term) for term in _rarest(reader, PAGE_LATIN, terms)]
    return _all(parts)


def _text_query(text: qt.Text) -> wq.Query | None:
    """Khmer runs as n-gram phrases (with a whole-word lift), Latin words as a stemmed
    phrase, in body or title (title weighted higher), all parts required."""
    parts = []
    for run in text.terms.khmer:
        body = _ngram_query(DOC_KHMER[run.n], run.ngrams, 3)
        title = _ngram_query(TITLE_KHMER[run.n], run.ngrams, 3)
        title.boost = TITLE_BOOST
        if text.title_only:
            parts.append(title)
            continue
        words = _phrase(DOC_KHMER_WORDS, run.words, boost=WORD_LIFT)
        parts.append(wq.AndMaybe(wq.Or([body, title]), words))
    title = _latin_query(text, in_title=True)
    if title is not None:
        parts.append(title if text.title_only else wq.Or([_latin_query(text), title]))
    return _all(parts)


def _rarest(reader, field: str, terms, keep: int = 2) -> list[str]:
    return sorted(set(terms), key=lambda term: reader.doc_frequency(field, term))[:keep]


def _latin_query(text: qt.Text, in_title: bool = False) -> wq.Query | None:
    """Stemmed Latin words as a phrase (its last word a prefix when typed word*)."""
    words, stems = latin_words(text)
    boost = TITLE_BOOST if in_title else 1.0
    parts = []
    if words:
        parts.append(_phrase(TITLE_LATIN, words, boost) if in_title else _body_words(words))
    if stems:
        field = TITLE_LATIN if in_title else DOC_LATIN
        parts.append(wq.Or([wq.Prefix(field, stem, boost=boost) for stem in stems]))
    return _all(parts)


def _body_words(terms: list[str]) -> wq.Query:
    """One word, or a phrase as its overlapping word pairs: two words are one term, longer
    phrases check positions of pairs only (common English words make long position lists)."""
    if len(terms) == 1:
        return wq.Term(DOC_LATIN, terms[0])
    return _ngram_query(DOC_LATIN_PAIRS, word_pairs(terms), 2)


def _phrase(field: str, terms, boost: float = 1.0) -> wq.Query:
    if len(terms) == 1:
        return wq.Term(field, terms[0], boost=boost)
    return PositionsPhrase(field, list(terms), boost=boost)


def _ngram_query(field: str, ngrams, n: int) -> wq.Query:
    """One n-gram, or a phrase of overlapping n-grams. Every n-th one and the last already
    cover the whole phrase, so only their positions are checked (Khmer runs are
    analysis.RUN_GAP = 3 positions apart, so a cover cannot straddle two runs)."""
    if len(ngrams) == 1:
        return wq.Term(field, ngrams[0])
    cover = sorted({*range(0, len(ngrams), n), len(ngrams) - 1})
    return PositionsPhrase(field, list(ngrams), verify=cover)


def _all(parts: list[wq.Query]) -> wq.Query | None:
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.And(parts)


# --- bounded expansion ------------------------------------------------------------------------


def bounded(query: wq.Query, reader) -> tuple[wq.Query, bool]:
    """``query`` with each prefix replaced by its most frequent terms (`expansion`), and
    whether a cap left terms out."""
    budget = expansion.Budget()

    def walk(q: wq.Query) -> wq.Query:
        if isinstance(q, wq.Prefix):
            return _expanded(q, reader, budget)
        return q.apply(walk)

    return walk(query), budget.capped


def _expanded(prefix: wq.Prefix, reader, budget: expansion.Budget) -> wq.Query:
    name = prefix.fieldname
    terms = expansion.expand(
        prefix.text,
        reader.expand_prefix(name, prefix.text),
        lambda term: reader.doc_frequency(name, term),
        budget,
    )
    if not terms:
        return wq.NullQuery
    field = reader.schema[name]
    words = [field.from_bytes(t) if isinstance(t, bytes) else t for t in terms]
    return wq.Or([wq.Term(name, w, boost=prefix.boost) for w in words])
