"""The evaluation query set of issue 14 (tests/data/tolerance_queries.tsv) is well formed: its
files and pages exist, its Khmer is valid, and every body phrase is in its transcription."""

from __future__ import annotations

import csv
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from conftest import PDFS, SHARED

from indexer.text.khmer import clean, clusters, is_khmer, is_valid_cluster

QUERIES = Path(__file__).parent / "data" / "tolerance_queries.tsv"
GAZETTE = SHARED / "ocr_gt" / "gazette"


def rows() -> list[dict]:
    with QUERIES.open(encoding="utf-8") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


def test_columns_and_kinds(shared_corpus):
    table = rows()
    assert all(set(row) == {"kind", "query", "file", "page", "note"} for row in table)
    kinds = [row["kind"] for row in table]
    assert set(kinds) == {"title", "body"}
    assert kinds.count("title") >= 40 and kinds.count("body") >= 30
    titled = {name for row in table if row["kind"] == "title" for name in row["file"].split("|")}
    assert len(titled) >= 30  # one or two phrases for each scanned Khmer PDF
    assert len({(row["kind"], row["query"]) for row in table}) == len(table)


@pytest.mark.parametrize("row", rows(), ids=lambda row: f"{row['kind']}:{row['query']}")
def test_row(row, shared_corpus):
    for name in row["file"].split("|"):
        pdf = PDFS / name
        assert pdf.is_file(), name
        assert 1 <= int(row["page"]) <= len(pdfium.PdfDocument(str(pdf)))
    text = clean(row["query"])
    khmer = [text[a:b] for a, b in clusters(text) if is_khmer(text[a])]
    assert len(khmer) >= 4, "a phrase of 2-4 words"
    assert all(is_valid_cluster(c) for c in khmer if not c.isdigit())
    if row["kind"] == "body":
        page = row["note"].split(".gt.txt")[0]
        transcription = (GAZETTE / f"{page}.gt.txt").read_text(encoding="utf-8")
        lines = [line.replace(" ", "") for line in transcription.splitlines()]
        assert any(row["query"].replace(" ", "") in line for line in lines)
        assert page.endswith(f"-p{row['page']}")
