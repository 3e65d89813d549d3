"""The citator over a real library: citations parsed at sync from the stored OCR, links resolved
between the indexed documents, and dropped with a removed document."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from conftest import PDFS, cut_pages

from indexer.config import DataDir
from indexer.extract.ocr import DEFAULT_LANG
from indexer.indexing import run as ingest
from indexer.indexing import sync
from indexer.indexing.progress import Progress
from indexer.library import catalog, citations, citator
from indexer.query import search
from search_web import create_app

KRAM_2013 = "km_subdecree_2000_083_council_admin_reform_secretariat.pdf"  # its name is wrong
LAW_1994 = "km_law_1994_council_of_ministers_functioning.pdf"
LAW_1996 = "km_law_1996_02.pdf"  # its kram's code, នស/រកម/០១៩៦/០២, survives OCR


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
    that law (its cover and its kram) and the 1996 kram (4 pages OCR'd), each lists the other;
    a number finds its instrument, the law's too, which prints none but is cited by one;
    removing a document removes its links."""
    library, data = tmp_path / "library", DataDir(tmp_path / "data")
    cut_pages(PDFS / KRAM_2013, [1], library / KRAM_2013)
    cut_pages(PDFS / LAW_1994, [1, 3], library / LAW_1994)
    cut_pages(PDFS / LAW_1996, [1], library / LAW_1996)
    progress = Progress(quiet=True)
    report = ingest.run_index(
        data, [library], jobs=2, ocr_mode="auto", ocr_lang=DEFAULT_LANG, progress=progress
    ).to_dict()
    ids = {Path(entry["path"]).name: entry["id"] for entry in report["added"]}
    kram, law, law_1996 = ids[KRAM_2013], ids[LAW_1994], ids[LAW_1996]

    basis = links(data, kram)["legal_basis"]
    cited = [entry for entry in basis if entry.get("id") == law]
    assert cited, basis
    assert (cited[0]["type"], cited[0]["number"], cited[0]["date"]) == (
        "royal-kram", "2/NS/94", "1994-07-20"
    )  # fmt: skip
    assert sorted(entry["id"] for entry in links(data, law)["cited_by"]) == sorted([kram, law_1996])
    cites = search.search(data.index, f"cites:{law}")
    assert sorted(hit["id"] for hit in cites["results"]) == sorted([kram, law_1996])

    # the document page and its JSON twin
    client = create_app(data.root).test_client()
    twin = client.get(f"/api/doc/{kram}").get_json()
    assert law in [entry.get("id") for entry in twin["legal_basis"]]
    assert {"legal_basis", "cited_by", "amends", "amended_by"} <= set(twin)
    assert kram in [entry["id"] for entry in client.get(f"/api/doc/{law}").get_json()["cited_by"]]
    page = client.get(f"/doc/{kram}").get_data(as_text=True)
    assert "Legal basis" in page and f'href="/doc/{law}"' in page
    # the 1994 law prints no number: it has the one the krams citing it print, marked so
    law_twin = client.get(f"/api/doc/{law}").get_json()
    assert law_twin["number"] == "2/NS/94"
    assert law_twin["number_cited_in"][0]["id"] in (kram, law_1996)
    assert "as cited in" in client.get(f"/doc/{law}").get_data(as_text=True)
    assert [hit["id"] for hit in search.search(data.index, "number:០២/នស/៩៤")["results"]] == [law]

    # number: with Khmer or Arabic digits, with or without the slashes; a bare number first
    for typed in ("number:នស/រកម/០១៩៦/០២", "number:NS/RKM/0196/02", 'number:"នស រកម ០១៩៦ ០២"'):
        assert [hit["id"] for hit in search.search(data.index, typed)["results"]] == [law_1996]
    assert search.search(data.index, "នស/រកម/០១៩៦/០២")["results"][0]["id"] == law_1996
    # the constitution and the royal decree it cites are not in this library: kept as text
    assert any(entry["type"] == "royal-decree" and "id" not in entry for entry in basis)

    # the librarian gives the 1994 law its number in catalog.csv: number: finds it, links follow
    rows = sync.catalog_rows(data, library)
    for row in rows:
        row["number"] = "០២/នស/៩៤" if row["id"] == law else row["number"]
    catalog.write_catalog(library / catalog.CATALOG_FILE, rows)
    ingest.run_index(
        data, [library], jobs=2, ocr_mode="auto", ocr_lang=DEFAULT_LANG, progress=progress
    )
    assert [hit["id"] for hit in search.search(data.index, "number:02/NS/94")["results"]] == [law]
    assert law in [entry.get("id") for entry in links(data, kram)["legal_basis"]]

    sync.remove(data, str(library / KRAM_2013), say=lambda line: None)
    assert [entry["id"] for entry in links(data, law)["cited_by"]] == [law_1996]
    # a rebuild keeps the citations (parsed again from the store only if the parser changed)
    sync.rebuild(data, say=lambda line: None)
    assert [entry["id"] for entry in links(data, law)["cited_by"]] == [law_1996]
    assert links(data, kram)["legal_basis"] == []  # a removed document links to nothing


def _target(doc_id: str, kind: str, number: str, year: int | None, title: str) -> citator.Target:
    return citator.Target(doc_id, kind, number, year, title)


def test_a_citation_resolves_by_number_then_by_type_year_and_title_words() -> None:
    law = _target("law94", "law", "", 1954, "ច្បាប់ ស្តីពី និងការប្រព្រីត្ត៖ទៅនៃគណៈរដ្ឋមន្ត្រី")  # OCR
    other = _target("law96", "law", "NS/RKM/0196/2", 1996, "ច្បាប់ ស្តីពី ការបង្កើតក្រសួងវប្បធម៌")
    decree = _target("rd", "royal-decree", "NS/RKT/0913/903", 2013, "ព្រះរាជក្រឹត្យ")
    library = [law, other, decree]
    kram_94 = citations.Citation(
        "royal-kram", "2/NS/94", "1994-07-20", "ច្បាប់ស្តីពីការរៀបចំនិងការប្រព្រឹត្តទៅនៃគណៈរដ្ឋមន្ត្រី"
    )
    # no document carries 2/NS/94: a law (a kram's) of 1994 (read 1954) with that title does
    assert citator.resolve(kram_94, library) == "law94"
    assert citator.resolve(citations.Citation("royal-kram", "NS/RKM/0196/2", "", ""), library) == (
        "law96"
    )
    assert citator.resolve(citations.Citation("royal-decree", "NS/RKT/0913/903", "", ""), library)
    unknown = citations.Citation("sub-decree", "17 អនក្រ.បក", "2004-06-14", "ស្តីពីការកែសម្រួល")
    assert citator.resolve(unknown, library) is None
    # another year whose digits OCR does not confuse is another instrument
    moved = citations.Citation("royal-kram", "", "2002-07-20", kram_94.title)
    assert citator.resolve(moved, library) is None
    # a document never resolves to itself
    assert citator.resolve(kram_94, library, self_id="law94") is None


def test_a_document_without_a_number_takes_the_one_others_cite_it_by() -> None:
    """The 1994 law prints no number; the krams citing it print ០២/នស/៩៤, one OCR'd as ៩៨.
    Only a citation that names it alone gives it a number, and not one another document has."""
    law = _target("law94", "law", "", 1994, "ច្បាប់ ស្តីពី ការរៀបចំនិងការប្រព្រឹត្តទៅនៃគណៈរដ្ឋមន្ត្រី")
    twins = [_target(f"sd{i}", "sub-decree", "", 2002, "អនុក្រឹត្យ ស្តីពី អត្រានុកូលដ្ឋាន") for i in (1, 2)]
    citing = [_target(f"k{i}", "law", f"NS/RKM/0{i}96/2", 1996, f"ច្បាប់ {i}") for i in (1, 2, 3)]
    kram = "ច្បាប់ស្តីពីការរៀបចំនិងការប្រព្រឹត្តទៅនៃគណៈរដ្ឋមន្ត្រី"

    def cites(number: str, date: str = "1994-07-20") -> citations.Citation:
        return citations.Citation("royal-kram", number, date, kram)

    civil = citations.Citation("sub-decree", "60 អនក្រ.បក", "2002-06-24", "ស្តីពីអត្រានុកូលដ្ឋាន")
    kept = {
        "k1": [cites("2/NS/94"), civil],
        "k2": [cites("2/NS/94")],
        "k3": [cites("2/NS/98")],  # ៤ read ៨: not of the date cited
    }
    targets = [law, *twins, *citing]
    library = citator.Library(targets, {t.id: t.id for t in targets}, kept)
    assert citator.cited_numbers(library) == {"law94": citator.CitedNumber("2/NS/94", "k1")}
    cited_in = citator.links(library, "law94")["number_cited_in"]
    assert [(entry["id"], entry["cited"]) for entry in cited_in] == [("k1", "2/NS/94")]
    assert "number_cited_in" not in citator.links(library, "sd1")  # two documents fit: none

    # one number against another, as often: neither; a number another document has: none
    kept["k2"], kept["k3"] = [cites("3/NS/94")], []
    assert citator.cited_numbers(citator.Library(targets, library.hashes, kept)) == {}
    numbered = [*targets, _target("other", "law", "2/NS/94", 1994, "ច្បាប់ ស្តីពី វិនិយោគ")]
    kept["k2"] = []
    assert citator.cited_numbers(citator.Library(numbered, library.hashes, kept)) == {}


def test_a_day_the_citations_agree_on_fills_or_mends_the_documents_own() -> None:
    """Citations of the 1994 law on the Council of Ministers as the corpus's scans print them
    ("ព្រះរាជក្រមលេខ ០២/នស/៩៤ ចុះថ្ងៃទី២០ ខែកក្កដា ឆ្នាំ១៩៩៤"), one read ១៩៩៨ by OCR."""
    law = citator.Target("law", "law", "2/NS/94", 1994, "ច្បាប់ស្តីពីការរៀបចំនិងការប្រព្រឹត្តទៅនៃគណៈរដ្ឋមន្ត្រី")
    citing = [citator.Target(f"sd{i}", "sub-decree", "", 2005, f"អនុក្រឹត្យ {i}") for i in range(3)]
    dates = ["1994-07-20", "1994-07-20", "1998-07-20"]
    kept = {
        f"sd{i}": [citations.Citation("royal-kram", "2/NS/94", date, "", "basis")]
        for i, date in enumerate(dates)
    }
    library = citator.Library([law, *citing], {t.id: t.id for t in [law, *citing]}, kept)
    cited = citator.cited_dates(library)["law"]
    assert (cited.date, cited.citations) == ("1994-07-20", 2)
    assert citator.dated_by_citations("1994-07", cited) == "1994-07-20"  # the day OCR lost
    assert citator.dated_by_citations("1994", cited) == "1994-07-20"
    assert citator.dated_by_citations("1994-07-29", cited) == "1994-07-20"  # two against one
    assert citator.dated_by_citations("1994-08", cited) is None  # another month: a slip
    assert citator.dated_by_citations("", cited) is None  # nothing of its own to agree with
    single = citator.CitedDate("1994-07-20", 1)
    assert citator.dated_by_citations("1994-07-29", single) == "1994-07"  # neither is surer
