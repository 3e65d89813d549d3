"""The OCR confusion table (indexer/data/ocr_confusions.tsv) and the alignment that makes it
(bench/ocr_confusions.py)."""

from __future__ import annotations

import csv
from pathlib import Path

from ocr_confusions import cluster_list, substitutions

from indexer.text.khmer import clusters, is_valid_cluster, normalize

TABLE = Path(__file__).resolve().parents[1] / "indexer" / "data" / "ocr_confusions.tsv"


def test_a_misread_cluster_is_one_substitution_and_its_letter_another():
    truth = cluster_list("ព្រះរាជក្រម រដ្ឋសភា ឥណទាន")
    ocr = cluster_list("ព្រះរាជក្រម រន្ឋសភា គណទាន")
    pairs, chars, changed = substitutions(truth, ocr)
    assert pairs == {("ដ្ឋ", "ន្ឋ"): 1, ("ឥ", "គ"): 1}
    assert chars == {("ដ", "ន"): 1, ("ឥ", "គ"): 1}
    assert changed == 2


def test_table_rows_are_normalised_khmer_counted_pairs():
    with TABLE.open(encoding="utf-8") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    rows = list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))
    assert {row["level"] for row in rows} == {"char", "cluster"}
    assert len(rows) >= 30
    for row in rows:
        assert row["truth"] != row["ocr"] and int(row["count"]) >= 2
        for side in (row["truth"], row["ocr"]):
            assert side == normalize(side)
            if row["level"] == "cluster":
                assert clusters(side) == [(0, len(side))]
        if row["level"] == "cluster":  # OCR may write punctuation (៖ for ព្រះ)
            assert is_valid_cluster(row["truth"])
    counts = [int(row["count"]) for row in rows if row["level"] == "cluster"]
    assert counts == sorted(counts, reverse=True)
