"""The citator over a real library: citations parsed at sync from the stored OCR, links resolved
between the indexed documents, and dropped with a removed document."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from conftest import PDFS, cut_pages

from indexer.config import DataDir
from indexer.indexing import run as ingest
from indexer.indexing.progress import Progress
from indexer.library import citator

KRAM_2013 = "km_subdecree_2000_083_council_admin_reform_secretariat.pdf"  # its name is wrong
LAW_1994 = "km_law_1994_council_of_ministers_functioning.pdf"


def links(data: DataDir, doc_id: str) -> dict[str, list[dict]]:
    db = sqlite3.connect(f"file:{data.library}?mode=ro", uri=True)
    try:
        return citator.links(citator.load(db), doc_id)
    finally:
        db.close()


@pytest.mark.slow
def test_the_2013_kram_cites_the_1994_law_and_removal_drops_the_link(
    tmp_path: Path, shared_corpus: Path
) -> None:
    """The 2013 kram promulgating the law on the Ministry of Civil Service cites "ព្រះរាជក្រមលេខ
    ០២/នស/៩៤ ... ច្បាប់ស្តីពីការរៀបចំនិងការប្រព្រឹត្តទៅនៃគណៈរដ្ឋមន្ត្រី": OCR'd and indexed with
    that law (its cover and its kram, 3 pages OCR'd), each lists the other."""
    library, data = tmp_path / "library", DataDir(tmp_path / "data")
    cut_pages(PDFS / KRAM_2013, [1], library / KRAM_2013)
    cut_pages(PDFS / LAW_1994, [1, 3], library / LAW_1994)
    progress = Progress(quiet=True)
    report = ingest.run_index(
        data, [library], jobs=2, ocr_mode="auto", ocr_lang="khm+eng", progress=progress
    ).to_dict()
    ids = {Path(entry["path"]).name: entry["id"] for entry in report["added"]}
    kram, law = ids[KRAM_2013], ids[LAW_1994]

    basis = links(data, kram)["legal_basis"]
    cited = [entry for entry in basis if entry.get("id") == law]
    assert cited, basis
    assert (cited[0]["type"], cited[0]["number"], cited[0]["date"]) == (
        "royal-kram", "2/NS/94", "1994-07-20"
    )  # fmt: skip
    assert [entry["id"] for entry in links(data, law)["cited_by"]] == [kram]
    # the constitution and the royal decree it cites are not in this library: kept as text
    assert any(entry["type"] == "royal-decree" and "id" not in entry for entry in basis)

    ingest.remove(data, str(library / KRAM_2013), say=lambda line: None)
    assert links(data, law)["cited_by"] == []
    # a rebuild keeps the citations (parsed again from the store only if the parser changed)
    ingest.rebuild(data, say=lambda line: None)
    assert links(data, law)["cited_by"] == []
    assert links(data, kram)["legal_basis"] == []  # a removed document links to nothing
