"""What the catalogue says of real Royal Gazette scans: the instrument's own title, date and
number, on pages of ../shared/corpus/pdf OCR'd by the real pipeline into a real index, and
the date as users reach it (date: ranges, sorting by date, the catalogue export).

The scans are of the half of the corpus detection was tuned on (corpus_labels.tsv's `tune`
rows; tests/data/README.md names them by layout); a few pages of each keep OCR short: the
first pages, where the heading, number and legal basis are, and the last, where the signing
line is.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import pytest
from conftest import PDFS, SCAN_LAW, cut_pages, ddsearch, on_engine
from rapidfuzz import fuzz

from indexer.library import metadata
from indexer.text.khmer import normalize

pytestmark = pytest.mark.slow

#: name in the test library -> (corpus PDF, 1-based pages kept)
SCANS = {
    # a royal kram (page 1) over the law creating the Ministry of Civil Service (page 2)
    "kram_2013.pdf": (SCAN_LAW, [1, 2]),
    # a Gazette issue whose first page ends the instrument before sub-decree 40 (its articles
    # and its signing line, 27 April 2001), then sub-decree 40's heading and number
    "gazette_tail_2001.pdf": ("km_subdecree_2001_040_commune_sangkat_council_members.pdf", [1]),
    # the 1994 civil-service statute: its kram (page 3), the law's heading (page 4), and the
    # signing line (page 22) whose year OCR reads ១៨៩៤, the president's ១៩៩៨: the Assembly's
    # adoption, the kram's formula and the order of events say 1994
    "statute_1994.pdf": ("km_law_1994_civil_service_statute.pdf", [3, 4, 21, 22]),
    # the 2002 amendment of the finance law: its kram fills page 1, the law's heading tops
    # page 2; the year 2002 is in its signing line (day and month handwritten), its number's
    # MMYY (១២០២) and both adoption dates, the Gazette header on every page says 2003
    "amendment_2002.pdf": ("km_law_2003_amend_art26_finance_law.pdf", [1, 2, 3, 4]),
    # a cover (page 1), the kram and its ប្រកាសឱ្យប្រើ line (page 2), the law's heading (page 3)
    "abortion_1997.pdf": ("km_law_1997_abortion.pdf", [1, 2, 3, 8]),
    # the signing line's day written in by hand, faint: the month, never a guessed day
    "hiv_2002.pdf": ("km_law_2002_hiv_aids_limon.pdf", [1, 2, 18]),
    # a royal decree's number (page 1, នស/រកត/០១០៥/០១៩) and its typed signing line (page 6),
    # whose day ២១ the recogniser reads with a space between its digits
    "decree_2005.pdf": ("km_royaldecree_2005_0105_statute_public_admin_establishments.pdf", [1, 6]),
    # a consolidated constitution: its cover, and the page telling of its adoption (21
    # September 1993) and promulgation (the 24th) before the amendments of 1994-2014
    "constitution_1993.pdf": ("km_constitution_2015_broken_tounicode.pdf", [1, 2]),
}


def _similar(found: str, printed: str) -> float:
    return fuzz.ratio(normalize(found).replace(" ", ""), normalize(printed).replace(" ", "")) / 100


@pytest.fixture(scope="module")
def scans(tmp_path_factory, shared_corpus) -> Path:
    """The data folder of an index of SCANS, built by the real command line (OCR)."""
    base = tmp_path_factory.mktemp("scans")
    data, library = base / "data", base / "library"
    for name, (source, pages) in SCANS.items():
        cut_pages(PDFS / source, pages, library / name)
    ddsearch("index", str(library), "--index", str(data), "--quiet", data=data, check=True)
    return data


@pytest.fixture(scope="module", params=["whoosh", "tantivy"])
def searched(request, scans, tmp_path_factory) -> Path:
    """The scans' data folder on each engine."""
    return on_engine(scans, request.param, tmp_path_factory.mktemp("scans-engine"))


def _show(data: Path, name: str) -> dict:
    return json.loads(ddsearch("show", name, "--json", data=data, check=True).stdout)


def _search(data: Path, *args: str) -> list[dict]:
    done = ddsearch("search", *args, "--json", "--limit", "20", data=data, check=True)
    return json.loads(done.stdout)["results"]


@pytest.mark.parametrize(
    "name, printed",
    [
        ("kram_2013.pdf", "ច្បាប់ស្តីពីការបង្កើតក្រសួងមុខងារសាធារណៈ"),
        ("amendment_2002.pdf", "ច្បាប់ស្តីពីវិសោធនកម្មមាត្រា២៦នៃច្បាប់ស្តីពីប្រព័ន្ធហិរញ្ញវត្ថុ"),
        # r5 misreads the cover's large type ការទូតក្រុម: the kram's line on page 2, which the
        # articles repeat, gives the title
        ("abortion_1997.pdf", "ច្បាប់ស្តីពីការរំលូតកូន"),
    ],
)
def test_a_kram_is_titled_by_the_law_it_promulgates_on_the_next_page(scans, name, printed):
    shown = _show(scans, name)
    assert shown["type"] == "law"
    assert _similar(shown["title"], printed) >= 0.8, shown["title"]
    assert not shown["title"].startswith("ព្រះរាជក្រម")


def test_a_year_stated_several_times_outvotes_the_gazette_header(scans) -> None:
    shown = _show(scans, "amendment_2002.pdf")
    assert "២០០៣" in shown["pages"][0]["text"]  # the Gazette issue of 8 January 2003
    # day and month are by hand: r5 reads ធ្នូ less surely than its line (the words the store
    # keeps), so the handwritten day is not taken; the month is the number's (១២០២), doubtful
    assert shown["year"] == 2002 and shown["date"] == "2002-12"
    assert shown["confidence"]["date"] < metadata.DOUBTFUL_BELOW
    assert _show(scans, "kram_2013.pdf")["date"].startswith("2013")


def test_a_day_written_in_by_hand_leaves_the_month(scans) -> None:
    assert _show(scans, "hiv_2002.pdf")["date"] == "2002-07"


def test_a_day_whose_digits_ocr_split_is_joined_where_the_evidence_agrees(scans) -> None:
    shown = _show(scans, "decree_2005.pdf")
    assert shown["number"] == "នស/រកត/០១០៥/០១៩"  # January 2005, like the signing line
    assert shown["date"] == "2005-01-21"


def test_a_constitution_is_dated_by_the_promulgation_it_tells_of(scans) -> None:
    shown = _show(scans, "constitution_1993.pdf")
    assert (shown["type"], shown["year"], shown["date"]) == ("constitution", 1993, "1993-09-24")


def test_a_gazette_page_opening_with_the_instrument_before_is_catalogued_as_its_own(scans):
    shown = _show(scans, "gazette_tail_2001.pdf")
    assert shown["type"] == "sub-decree"
    assert shown["title"].startswith("អនុក្រឹត្យ ស្តីពី")
    assert "ការកំណត់ចំនួនសមាជិក" in normalize(shown["title"]).replace(" ", "")
    assert shown["number"] == "៤០ អនក្រ.បក"
    # the signing line on the page is the instrument before's: not this one's date
    assert shown["date"] != "2001-04-27" and shown["year"] == 2001


def test_a_year_misread_in_some_places_is_outvoted_by_the_others(scans) -> None:
    shown = _show(scans, "statute_1994.pdf")
    text = "\n".join(page["text"] for page in shown["pages"])
    assert any(slip in text for slip in ("១៨៩៤", "១៩៩៨", "ឆ្នាំ ១៩៤\n"))  # misreadings ...
    assert shown["date"] == "1994-10-30"  # ... and outvoted (the citing scans say so too)
    assert shown["year"] == 1994
    printed = "ច្បាប់ស្តីពីសហលក្ខន្តិកៈមន្ត្រីរាជការស៊ីវិលនៃព្រះរាជាណាចក្រកម្ពុជា"
    assert _similar(shown["title"], printed) >= 0.8


def test_a_number_whose_month_and_year_disagree_with_the_document_is_not_shown(scans) -> None:
    """The amendment's real pages, then the same with one digit of its number's MMYY read
    wrong (១២០២ as ១១០២: November, before the Senate's review of 16 December; as ១២០៣: a
    year after its signing)."""
    pages = [page["text"] for page in _show(scans, "amendment_2002.pdf")["pages"]]
    found = metadata.detect(pages)
    assert found["number"] == "នស/រកម/១២០២/០២០"
    assert found["date"].startswith("2002-12")
    header = next(i for i, page in enumerate(pages) if "១២០២" in page)
    for slip in ("១១០២", "១២០៣"):
        misread = [*pages]
        misread[header] = pages[header].replace("១២០២", slip, 1)
        found = metadata.detect(misread)
        assert found["number"] == "", slip
        assert found["year"] == 2002, slip


def test_date_ranges_and_sorting_by_date(searched) -> None:
    scans = searched
    within = {doc["paths"][0].rsplit("/", 1)[-1] for doc in _search(scans, "date:2001..2005")}
    assert within == {
        "gazette_tail_2001.pdf",
        "amendment_2002.pdf",
        "hiv_2002.pdf",
        "decree_2005.pdf",
    }
    october = _search(scans, "date:1994-10")
    assert [doc["date"] for doc in october] == ["1994-10-30"]
    assert [doc["year"] for doc in _search(scans, "date:1994-11..2000")] == [1997]
    assert _search(scans, "date:1995..1996") == []
    newest = [doc["date"] for doc in _search(scans, "", "--sort", "newest")]
    years = ["2013", "2005", "2002", "2002", "2001", "1997", "1994", "1993"]
    assert [date[:4] for date in newest] == years
    assert newest[2] in ("2002-12", "2002-12-30") and newest[3] == "2002-07"  # see above
    oldest = [doc["date"] for doc in _search(scans, "", "--sort", "oldest")]
    assert oldest == newest[::-1]
    text = ddsearch("search", "date:1994-10", data=scans, check=True).stdout
    assert "30 October 1994" in text  # the result line shows the date as a reader writes it


def test_the_doubtful_export_lists_only_what_detection_is_unsure_of(scans, tmp_path) -> None:
    every, doubtful = tmp_path / "all.csv", tmp_path / "doubtful.csv"
    ddsearch("catalog", "export", str(every), data=scans, check=True)
    ddsearch("catalog", "export", str(doubtful), "--doubtful", data=scans, check=True)
    rows = list(csv.DictReader(every.read_text(encoding="utf-8-sig").splitlines()))
    unsure = list(csv.DictReader(doubtful.read_text(encoding="utf-8-sig").splitlines()))
    assert len(rows) == len(SCANS) and {"date", "confidence", "doubtful"} <= set(rows[0])
    assert all(row["doubtful"] for row in unsure)
    assert {row["id"] for row in unsure} == {row["id"] for row in rows if row["doubtful"]}
    for row in rows:
        cells = row["confidence"].split()
        fields = dict(zip(cells[::2], cells[1::2], strict=True))
        assert {"type", "title"} <= set(fields)
        low = {name for name, value in fields.items() if float(value) < metadata.DOUBTFUL_BELOW}
        assert set(row["doubtful"].split()) == low


def test_rebuild_detects_again_what_an_older_detector_found(scans) -> None:
    """Detection is a function of the stored pages: a rebuild (no OCR) re-detects the
    documents an older detector version detected, and a catalogued date still wins."""
    before = _show(scans, "statute_1994.pdf")
    library = sqlite3.connect(scans / "library.sqlite")
    with library:
        library.execute(
            "UPDATE documents SET detected = json_set(detected, '$.detector', 0, "
            "'$.date', '', '$.title', 'stale')"
        )
    library.close()
    ddsearch("rebuild", data=scans, check=True)
    shown = _show(scans, "statute_1994.pdf")
    assert shown["date"] == before["date"] and shown["date"].startswith("1994")
    assert shown["title"] == before["title"] != "stale"
    assert all(
        json.loads(row[0])["detector"] == metadata.DETECTOR_VERSION
        for row in sqlite3.connect(scans / "library.sqlite").execute(
            "SELECT detected FROM documents"
        )
    )
