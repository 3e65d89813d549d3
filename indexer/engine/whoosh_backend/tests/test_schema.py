"""The schema's fields analyse with the project's own analyzers, positions and offsets kept."""

from __future__ import annotations

from indexer.engine.whoosh_backend.schema import build_schema
from indexer.text.analysis import LATIN, khmer_trigrams


def test_mixed_text_goes_to_each_script_field():
    schema = build_schema()
    text = "អនុក្រឹត្យ Sub-decree No 40"
    khmer = {t.text for t in schema["body_km2"].analyzer(text)}
    latin = [t.text for t in schema["body_en"].analyzer(text)]
    assert "អនុ" in khmer and not any(ch.isascii() for term in khmer for ch in term)
    assert latin == LATIN.terms(text) == ["sub", "decre", "no", "40"]


def test_whoosh_tokenizer_reports_positions_and_chars():
    schema = build_schema()
    tokens = [
        (t.text, t.pos, t.startchar, t.endchar)
        for t in schema["body_km3"].analyzer("ការធ្វើការ", positions=True, chars=True)
    ]
    assert tokens == list(khmer_trigrams("ការធ្វើការ"))
