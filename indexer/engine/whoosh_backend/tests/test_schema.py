"""Whoosh indexes the terms the analysis made, at their positions, and nothing else."""

from __future__ import annotations

import pytest

from indexer.engine.fields import Analysed
from indexer.engine.whoosh_backend.schema import Terms, build_schema, records
from indexer.model import Document, Method, Page
from indexer.text.analysis import KHMER_NGRAMS, LATIN


def test_the_tokenizer_gives_the_analysed_terms_and_positions():
    schema = build_schema()
    text = "ការធ្វើការ Sub-decree No 40"
    (_, page) = records(Document("d", "h", ["d.pdf"], [Page(1, text, Method.TEXT, 1.0)]))
    given = [(t.text, t.pos) for t in schema["page_km2"].analyzer(page["page_km2"], positions=True)]
    assert given == [(term, position) for term, position, _, _ in KHMER_NGRAMS[2](text)]
    assert [term for term, _ in page["page_en"].analysed.terms()] == LATIN.terms(text)


def test_plain_text_is_refused_rather_than_indexed_unanalysed():
    with pytest.raises(TypeError, match="analysed terms"):
        list(build_schema()["body_km3"].analyzer("ការ"))
    assert list(build_schema()["body_km3"].analyzer(Terms.of(Analysed("km3", ())))) == []
