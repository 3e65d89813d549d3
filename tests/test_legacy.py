"""Legacy-font (Limon, ABC) text layers converted to Unicode instead of OCR'd.

Expected words are read from the page images (rendered at 110 dpi and looked at), not from OCR.
"""

from __future__ import annotations

import json

import pytest
from conftest import PDFS, cut_pages

from indexer.config import DataDir
from indexer.engine import open_engine
from indexer.extract import legacy, pool
from indexer.extract.legacy import fonts
from indexer.extract.legacy.convert import convert
from indexer.extract.ocr import DEFAULT_LANG
from indexer.indexing.progress import Progress
from indexer.indexing.run import run_index
from indexer.model import Method
from indexer.text.khmer import normalize
from search_web.i18n import STRINGS

GUIDELINE = PDFS / "km_guideline_1993_role_limon.pdf"


def index(library, data: DataDir, ocr_mode: str = "auto") -> dict:
    """One quiet `ddsearch index` run of ``library``; its report."""
    progress = Progress(quiet=True)
    return run_index(
        data, [library], jobs=1, ocr_mode=ocr_mode, ocr_lang=DEFAULT_LANG, progress=progress
    ).to_dict()


CRIMINAL_CODE = PDFS / "km_criminal_code_2009_mixed_limon_unicode.pdf"


def limon(typed: str) -> str:
    text, missing = convert(typed, fonts.table("limon"))
    assert not missing
    return normalize(text)


def test_tables_say_what_they_map():
    """Every row's readable column agrees with its code points, so a reviewer can trust it."""
    families = json.loads((fonts.DATA / "families.json").read_text("utf-8"))
    for path in [fonts.DATA / spec["file"] for spec in families["tables"].values()]:
        lines = [line for line in path.read_text("utf-8").splitlines() if line[:1] != "#"]
        assert lines[0].split("\t") == ["legacy", "unicode", "typed", "shows"], path.name
        for line in lines[1:]:
            legacy_codes, points, typed, shows = line.split("\t")
            text = "".join(chr(int(point, 16)) for point in points.split())
            assert shows.replace("◌", "") in (text, "(space)", "(zero-width space)"), line
            codes = bytes(int(code, 16) for code in legacy_codes.split())
            assert typed == codes.decode("cp1252", "replace").replace(" ", "␠"), line
        header = path.read_text("utf-8").split("\nlegacy\t")[0]
        assert "KhmerConverter" in header and "LGPL-2.1" in header, path.name  # source, licence
    assert fonts.table("abc-a").codes[(0x20,)] == "\u200b"  # its own row
    assert fonts.table("abc-a").codes[(0x6B,)] == "ក"  # from its base, abc
    lines = (fonts.DATA / "lookalikes.tsv").read_text("utf-8").splitlines()
    shown = [line.split("\t")[2] for line in lines if line[:1] != "#"][1:]
    assert shown == [f"{typed} → {reads}" for typed, reads in fonts.lookalikes()]


@pytest.mark.parametrize(
    ("name", "encoding", "table"),
    [
        ("AOOMBO+LimonS1", "legacy", "limon"),  # subset prefix stripped
        ("NJGCBL+LimonS1", "legacy", "limon"),  # the CID half of a Word font
        ("LimonR5", "legacy", "limon"),
        ("Limon F2", "legacy", "limon"),
        ("NJGGJF+LmnTT-F2", "legacy", "limon"),
        ("ABC-TEXT-16-Normal", "legacy", "abc"),
        ("DOIFNC+ABCTEXTFIVE", "legacy", "abc"),
        ("AGIKLE+ABC-TEXT-05A", "legacy", "abc-a"),
        ("NJGHGE+TacteingA", "ornament", None),
        ("Baidok3C", "unknown", None),
        ("ABCDEE+Calibri", "unicode", None),  # a subset prefix that spells ABC is no ABC font
        ("KhmerOSSystem", "unicode", None),
        ("TimesNewRomanPSMT", "unicode", None),
    ],
)
def test_font_names_decide_the_encoding(name, encoding, table):
    font = fonts.classify(name)
    assert font.encoding == encoding
    assert (font.table.key if font.table else None) == table


@pytest.mark.parametrize(
    ("typed", "unicode"),
    [
        ("maRta", "មាត្រា"),  # ្រ drawn before its base
        ("eKalkarN_", "គោលការណ៍"),  # េ…ា is ោ
        ("edImI,", "ដើម្បី"),  # េ…ី is ើ, subscript after its base
        ("eFVI", "ធ្វើ"),
        ("erob", "រៀប"),  # េ…ៀ is ៀ
        ("enA", "នៅ"),
        ("RsþI", "ស្ត្រី"),  # ro after the other subscript
        ("kBaØa", "កញ្ញា"),  # ញ drawn as ព+ា over its subscript
        ("bBa©Úl", "បញ្ចូល"),
        ("bu:Enþ", "ប៉ុន្តែ"),
        ("Fm’", "ធម៌"),  # robat
        ("c,ab;", "ច្បាប់"),
        ("km<úCa", "កម្ពុជា"),
        (")an", "បាន"),  # a code that is two letters
        ("TUlRBHbgÁMeyIg´", "ទូលព្រះបង្គំយើងខ្ញុំ"),
        ("ns¼rkm¼1109¼022", "នស/រកម/1109/022"),
        ("m \naRta", "មាត្រា"),  # a line break extraction put inside a cluster
    ],
)
def test_limon_words_convert(typed, unicode):
    assert limon(typed) == normalize(unicode)


def test_characters_outside_the_table_are_reported_not_dropped_silently(tmp_path):
    text, missing = convert("maRta€", fonts.table("limon"))
    assert text == "មាត្រា" and missing == {"€": 1}
    # Word leaves a control code (U+0002) where it printed a line-end hyphen (ប្រជាធិប-/តេយ្យ on
    # the 1993 constitution's page 3).
    cut = cut_pages(PDFS / "km_constitution_1993_limon.pdf", [3], tmp_path / "c.pdf")
    prepared = pool.prepare(cut, "auto")
    assert [p.method for p in prepared.accepted] == [Method.CONVERTED]
    assert any("Limon table lacks" in note and "U+0002" in note for note in prepared.notes)
    assert "\x02" not in prepared.accepted[0].text


def test_a_limon_page_converts_to_its_words(tmp_path):
    prepared = pool.prepare(cut_pages(GUIDELINE, [1], tmp_path / "g.pdf"), "auto")
    (page,) = prepared.accepted
    assert page.method == Method.CONVERTED and not prepared.rejected
    lines = page.text.splitlines()
    assert lines[0] == "គោលការណ៍ណែនាំស្តីពីតួនាទីរបស់ព្រះរាជអាជ្ញា"  # the title
    assert lines[1] == "" and lines[2].startswith("អនុម័តដោយសមាជអង្គការសហប្រជាជាតិលើកទីប្រាំបី")
    assert "ថ្ងៃទី ២៧ ខែសីហា" in page.text


@pytest.mark.parametrize(
    ("name", "number", "words", "typed"),
    [
        # The HIV/AIDS law's typist wrote ្ធ with the Limon glyph of ្ឋ (`æ`); the subscript
        # under ដ is ឋ, as typed.
        ("km_law_2002_hiv_aids_limon.pdf", 16, ["ប្រយុទ្ធនឹងជំងឺអេដស៍", "ពាក់ព័ន្ធ", "រដ្ឋ"], ["ទ្ឋ", "ន្ឋ"]),
        # ឡ typed as ទ over the subscript of ប (`T,`), as it is drawn.
        ("km_constitution_limon.pdf", 9, ["សកម្មភាពខាងសាសនាទាំងឡាយ"], ["ទ្ប"]),
    ],
)
def test_a_letter_typed_with_a_look_alike_glyph_converts_to_the_word(
    tmp_path, name, number, words, typed
):
    """Words read from the page images; ្ឋ under ទ or ន, and ទ្ប, are no Khmer spelling."""
    cut = cut_pages(PDFS / name, [number], tmp_path / "p.pdf")
    (conversion,) = legacy.convert_document(cut).values()
    assert all(word in conversion.text for word in words)
    assert not any(sequence in conversion.text for sequence in typed)


def test_the_criminal_codes_mixed_page_keeps_both_parts(tmp_path):
    """Page 5: its page number is in Calibri (Unicode), its articles in Limon S5/R1/R2/R3."""
    cut = cut_pages(CRIMINAL_CODE, [5], tmp_path / "cc.pdf")
    (conversion,) = legacy.convert_document(cut).values()
    assert conversion.unicode_chars and conversion.legacy_chars > 500
    prepared = pool.prepare(cut, "auto")
    (page,) = prepared.accepted
    assert page.method == Method.CONVERTED
    assert page.text.startswith("- 3 -\n")  # the Unicode part, where the page has it
    assert "មាត្រា ១០.-ការអនុវត្តច្បាប់ព្រហ្មទណ្ឌដែលស្រាលជាងឬធ្ងន់ជាង" in page.text
    assert "ប៉ុន្តែ" in page.text and "maRta" not in page.text


def test_limons_colon_after_a_gap_is_the_colon_not_the_vowel_sign(tmp_path):
    """Limon types ៖ as a space and the glyph of ៈ (`³`). The criminal code positions every
    glyph, so its spaces are gaps pdfium infers; page 6's image reads ត្រូវបានបំពេញ ៖ (a spaced
    colon before a list), and ៈ stays where it is a vowel sign (សាធារណៈ)."""
    cut = cut_pages(CRIMINAL_CODE, [6], tmp_path / "cc.pdf")
    (conversion,) = legacy.convert_document(cut).values()
    assert "ត្រូវបានបំពេញ ៖\n" in conversion.text and "បំពេញៈ" not in conversion.text
    assert ["ត្រូវបានបំពេញ", "៖"] in [
        [a[0], b[0]] for a, b in zip(conversion.words, conversion.words[1:], strict=False)
    ]
    assert limon("saFarN³") == "សាធារណៈ" and limon("Rtg; ³") == normalize("ត្រង់ ៖")


def test_a_page_in_a_legacy_font_without_a_table_falls_back_to_ocr(tmp_path):
    """The guideline's page 1 with its Limon fonts renamed to Baidok, a family we have no table
    for: its text is Latin garbage we cannot read, so the page goes to OCR, with a note."""
    cut = cut_pages(GUIDELINE, [1], tmp_path / "g.pdf")
    renamed = cut.read_bytes().replace(b"+LimonS1", b"+Baidok1").replace(b"+LimonR1", b"+Baidok2")
    cut.write_bytes(renamed)
    prepared = pool.prepare(cut, "auto")
    assert not prepared.accepted and [p.number for p in prepared.rejected] == [1]
    assert any("Baidok1" in note and "no conversion table" in note for note in prepared.notes)


@pytest.mark.slow
def test_a_limon_header_over_a_scan_keeps_its_text_and_ocr_reads_the_scan(tmp_path):
    """The 1994 territory law's Gazette scan carries its page number (1239) as Limon text."""
    library = tmp_path / "library"
    cut_pages(PDFS / "km_law_1994_territory.pdf", [1], library / "territory.pdf")
    data = DataDir(tmp_path / "data")
    report = index(library, data)
    (entry,) = report["added"]
    assert entry["pages_ocr"] == 1 and entry["pages_converted"] == 0
    (page,) = open_engine(data.index).pages(entry["id"])
    assert page["method"] == "ocr"
    first, body = page["text"].split("\n", 1)
    assert first == "១២៣៩"  # the converted header, exactly
    assert "១២៣៩" not in body  # OCR read the scan alone, not the header again
    assert "ជាតិសាសនា" in body and "កម្ពុជា" in body  # the motto and kingdom, from the scan


def test_every_method_has_a_label_in_every_language():
    for language, strings in STRINGS.items():
        for method in Method:
            if method is not Method.SKIPPED:  # not shown: such pages are not indexed as text
                assert f"method_{method}" in strings, (language, method)


def test_status_counts_converted_pages():
    from indexer.indexing.status import format_status

    figures = {
        "data_dir": "/d",
        "engine": "whoosh",
        "documents": 1,
        "pages": 3,
        "pages_by_method": {"converted": 2, "ocr": 1},
        "pages_by_recipe": {},
        "index_bytes": 0,
        "store_bytes": 0,
        "last_updated": None,
        "last_run": {"failed": []},
    }
    assert "2 converted from legacy fonts, 1 OCR" in format_status(figures)


def test_a_converted_document_is_found_by_its_khmer_words_and_labelled(tmp_path):
    """The whole way: index a Limon page (no OCR), search its Khmer title, see the method."""
    from search_web import create_app

    library = tmp_path / "library"
    cut_pages(GUIDELINE, [1], library / "guideline.pdf")
    data = DataDir(tmp_path / "data")
    report = index(library, data)
    (entry,) = report["added"]
    assert (entry["pages_converted"], entry["pages_text"], entry["pages_ocr"]) == (1, 0, 0)
    client = create_app(tmp_path / "data").test_client()
    found = client.get("/api/search", query_string={"q": "ព្រះរាជអាជ្ញា"}).get_json()
    assert [r["id"] for r in found["results"]] == [entry["id"]]
    title = found["results"][0]["title"]  # metadata puts a space before ស្តីពី
    assert title.replace(" ", "") == "គោលការណ៍ណែនាំស្តីពីតួនាទីរបស់ព្រះរាជអាជ្ញា"
    assert found["results"][0]["type"] == "guideline"
    page = client.get(f"/doc/{entry['id']}").get_data(as_text=True)
    assert "converted from a legacy font" in page
    khmer_page = client.get(f"/doc/{entry['id']}?lang_ui=km").get_data(as_text=True)
    assert "បម្លែងពីពុម្ពអក្សរចាស់" in khmer_page


@pytest.mark.slow
def test_reocr_converts_a_legacy_font_page_an_older_pipeline_ocrd(tmp_path):
    """A data folder of wave 1 holds OCR of Limon pages (its gate could only reject them):
    `reocr` converts such a page from its text layer instead of reading it again."""
    from indexer.indexing.reocr import run_reocr
    from indexer.library.store import LEGACY_RECIPE, Store

    library = tmp_path / "library"
    cut_pages(GUIDELINE, [1], library / "guideline.pdf")
    data = DataDir(tmp_path / "data")
    quiet = Progress(quiet=True)
    index(library, data, ocr_mode="always")
    store = Store(data.store)
    (content_hash,) = {row[0] for row in store.db.execute("SELECT hash FROM pages")}
    ocr_text = store.pages(content_hash)[0].text
    with store.db:  # as wave 1 left it: OCR by the recipe of its day
        store.db.execute("UPDATE pages SET recipe = ?", (LEGACY_RECIPE,))
    store.close()

    report = run_reocr(data, [], lang=None, jobs=1, progress=quiet).to_dict()
    (entry,) = report["updated"]
    assert (entry["pages_reocr"], entry["pages_converted"]) == (1, 1)
    store = Store(data.store)
    (page,) = store.pages(content_hash)
    assert page.method == Method.CONVERTED and page.text != ocr_text
    assert "ព្រះរាជអាជ្ញា" in normalize(page.text)
    assert store.ocr_pages_not_by(content_hash, "any recipe") == []  # nothing left for reocr
    store.close()
    from indexer.query import search

    found = search.search(data.index, "តួនាទីរបស់ព្រះរាជអាជ្ញា")["results"]  # the title's words
    assert [hit["id"] for hit in found] == [entry["id"]] and found[0]["type"] == "guideline"
