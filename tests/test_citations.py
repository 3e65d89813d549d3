"""Instrument numbers and legal-basis citations, on lines written as real scans read them."""

from __future__ import annotations

import pytest

from indexer.library.citations import amended, legal_basis
from indexer.library.numbers import canonical, plausible, query_key


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("នស/រកម/០៥០៨/០១៧", "NS/RKM/0508/17"),
        ("NS/RKM/0508/017", "NS/RKM/0508/17"),
        ("នស រកម ០៥០៨ ០១៧", "NS/RKM/0508/17"),
        ("នសរកម០៥០៨០១៧", "NS/RKM/0508/17"),
        ("ជស/រកម១១៩៧០៦", "NS/RKM/1197/6"),  # OCR: ជ for ន, no slash before the serial
        ("នស/រកម/0០១៩៦,/0០៨", "NS/RKM/0196/8"),  # a zero read twice, a comma
        ("នស/រតម/០៧០២/០១៤", "NS/RKM/0702/14"),  # ត for ក
        ("នស.រកត.១០៩៤.៩០", "NS/RKT/1094/90"),
        ("ព្រះរាជក្រមលេខ ០២/នស/៩៤ ចុះថ្ងៃទី", "2/NS/94"),
        ("0២ នស ៩៤", "2/NS/94"),
        ("លេខ ៤០ អនក្រ.បក", "40 អនក្រ.បក"),
        ("No. 40 ANK/BK", "40 អនក្រ.បក"),
        ("លេខ ១៤៧ អនក្រ.បកចុះថ្ងៃទី", "147 អនក្រ.បក"),
        ("លេខ ០៣៤ សរ . មផ", "34 សរ.មផ"),
        ("ប្រកាសលេខ៦៣៧៥ ប្រក. ចុះថ្ងៃទី", "6375 ប្រក"),
        ("១២ សរសេរ", ""),  # សរសេរ ("write") is no code
        # as the r3 OCR read the headers of real scans (corpus/pdf, the 1999 ILO law, the 2002
        # royal decree 164, the 2007 boundary decree):
        ("ជស / រកម / 0៧៩៩ / 09", "NS/RKM/0799/1"),  # Latin 9 for ១ in a Khmer-digit number
        ("NS/RKM/0599/09", "NS/RKM/0599/9"),  # a number in Latin digits keeps its 9
        ("នស/រកត/0៦០២/១៦់៤ ស្តីពី", "NS/RKT/0602/164"),  # a vowel sign between two digits
        ("នស/ រកត/ ០៤០៧/១ ៩k ព្រះរាជត្រត្យ", ""),  # the serial is cut: ១ of ១៥៤
        ("លេខ ១០៣ អនគ្រ.មក", "103 អនក្រ.បក"),  # OCR's spellings of អនក្រ.បក
        ("អនុត្រីត្សលខ ៤០ អនត្រ.បត", "40 អនក្រ.បក"),
    ],
)
def test_numbers_are_found_and_normalised(written: str, expected: str) -> None:
    assert canonical(written) == expected


def test_a_royal_number_is_plausible_when_its_date_is_a_month_of_its_year() -> None:
    assert plausible("NS/RKM/0511/7", 2011) and plausible("NS/RKM/0511/7")
    assert not plausible("NS/RKM/0051/7")  # OCR lost the 1 of 0511: month 00
    assert not plausible("NS/RKM/2613/149", 2013)  # 1213 misread
    assert not plausible("NS/RKT/0906/2", 2004)  # 0904 misread: another year
    assert plausible("NS/RKM/1299/3", 2000) and plausible("2/NS/94", 1994)
    assert not plausible("2/NS/98", 1994)  # ៤ read ៨
    assert plausible("40 អនក្រ.បក", 2001)  # no date to check


def test_a_number_query_is_the_canonical_number_or_the_bare_text() -> None:
    assert query_key("០២/នស/៩៤") == query_key("02 NS 94") == "2/NS/94"
    assert query_key("១៧") == "17"


#: The legal basis of the 2013 kram promulgating the law on the Ministry of Civil Service
#: (km_subdecree_2000_083_..., page 1) as the wave-1 OCR stored it.
KRAM_2013 = """នស/រកម/ ១២ 2 ៤ ° 8 [2a 1824 Gano omatucioy
ព្រះភរូណាព្រូ្រះបាទសេម្តចង្រាះបរមនាថ KENSUG សហមួន
- បានទ្រង់យល់រដ្ឋធម្មនុញ្ញនៃព្រះរាជាណាចក្រកម្ពជា
- បានទ្រង់យល់ព្រះរាជក្រឹត្យលេខនស/រកត/០៩១៣/៩០៣ ចុះថ្ងៃទី២៤ ខែកញ្ញាឆ្នាំ២០១៣
ស្តីពីការតែងតាំងរាជរដ្ឋាភិបាលនៃព្រះរាជាណាចក្រកម្ពជា
- បានទ្រង់យល់ព្រះរាជក្រមលេខ ០២/នស/៩៤ ចុះថ្ងៃទី២០ ខែកក្កដាឆ្នាំ១៩៩៤ ដែល
ប្រកាសឲ្យប្រើច្បាប់ស្តីពីការរៀបចំនិងការប្រព្រឹត្តទៅនៃគណៈរដ្ឋមន្ត្រី
- បានទ្រង់យល់សេចក្តីត្រាបបង្គំទូលថ្វាយរបស់សម្តេចអគ្គមហាសេនាបតីតេជោហ៊ុនសែន
នាយករដ្ឋមន្ត្រីនៃព្រះរាជាណាចក្រកម្ពុជា
ប្រកាសឲ្យ៖ប្រី
ច្បាប់ស្តីពីការបង្កើតក្រសួងមុខងារសាធារណៈដែលរដ្ឋសភាបានអនុម័តកាលពីថ្ងៃទី១២ ខែវិច្ឆិកា
"""


def test_legal_basis_lines_become_citations_and_a_submission_is_none() -> None:
    found = [(c.type, c.number, c.date, c.title) for c in legal_basis([KRAM_2013])]
    assert found == [
        ("constitution", "", "", ""),
        ("royal-decree", "NS/RKT/0913/903", "2013-09-24",
         "ស្តីពីការតែងតាំងរាជរដ្ឋាភិបាលនៃព្រះរាជាណាចក្រកម្ពជា"),
        ("royal-kram", "2/NS/94", "1994-07-20",
         "ច្បាប់ស្តីពីការរៀបចំនិងការប្រព្រឹត្តទៅនៃគណៈរដ្ឋមន្ត្រី"),
    ]  # fmt: skip


def test_one_line_citing_two_instruments_gives_two_citations() -> None:
    line = (
        "- បានឃើញព្រះរាជក្រមលេខ ០៣/នស/៩៤ ចុះថ្ងៃទី ០៥ ខែ សីហា ឆ្នាំ ១៩៩៤ ដែលប្រកាស\n"
        "ឱ្យប្រើច្បាប់ស្តីពីវិនិយោគ និងព្រះរាជក្រមលេខ នស/រកម/០៣០៣/០០៩\n"
        "ចុះថ្ងៃទី ២៤ ខែ មីនា ឆ្នាំ ២០០៣ ដែលប្រកាសឱ្យប្រើច្បាប់ស្តីពីវិសោធនកម្មនៃច្បាប់ស្តីពីវិនិយោគ\n"
    )
    assert [(c.number, c.date) for c in legal_basis([line])] == [
        ("3/NS/94", "1994-08-05"),
        ("NS/RKM/0303/9", "2003-03-24"),
    ]


def test_an_amendments_title_names_what_it_amends() -> None:
    title = (
        "អនុក្រឹត្យ ស្តីពី ការកែសម្រួលមាត្រា ៨ និងមាត្រា ៥៩ នៃអនុក្រឹត្យលេខ ១០៣ អនក្រ.បក "
        "ចុះថ្ងៃទី ២៩ ខែធ្នូ ឆ្នាំ ២០០០ ស្តីពីអត្រានុកូលដ្ឋាន"
    )
    cited = amended(title)
    assert cited and (cited.type, cited.number, cited.date, cited.relation) == (
        "sub-decree", "103 អនក្រ.បក", "2000-12-29", "amends"
    )  # fmt: skip
    law = amended("ច្បាប់ ស្តីពី វិសោធនកម្មច្បាប់ស្តីពីការបោះឆ្នោតជ្រើសរើសក្រុមប្រឹក្សាឃុំសង្កាត់")
    assert law and law.type == "law" and "ការបោះឆ្នោត" in law.title
    assert amended("ច្បាប់ ស្តីពី វិនិយោគ") is None
