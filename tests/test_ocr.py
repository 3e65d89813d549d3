"""OCR recipe, word boxes, recipes in the store, reocr, show and image files (issues 12, 22).

Real Tesseract and the real neural recogniser on real Gazette pages from ../shared/corpus/
ocr_gt; bounds are the figures bench/ocr_quality.py measured, with some room
(bench/RESULTS.md). The recogniser is loaded once per test process (indexer/extract/neural.py).
"""

from __future__ import annotations

import json
import re
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import PDFS, REPO, SHARED, cut_pages, ddsearch
from ocr_quality import RECIPES, norm
from PIL import Image
from rapidfuzz.distance import Levenshtein

from indexer.extract import digits, neural, ocr, pdf, pieces
from indexer.extract.pool import ocr_reading
from indexer.extract.words import Word
from indexer.library.store import LEGACY_RECIPE, Store
from indexer.text import lexicon

GAZETTE = SHARED / "ocr_gt" / "gazette"
LATIN = re.compile("[A-Za-z]")


def cer(reference: str, text: str) -> float:
    return Levenshtein.distance(norm(reference), norm(text)) / len(norm(reference))


def gazette_half(name: str) -> Image.Image:
    """The top half of a Gazette page: a real scan, half the OCR time."""
    with Image.open(GAZETTE / f"{name}.png") as image:
        return image.crop((0, 0, image.width, image.height // 2))


@pytest.mark.slow
def test_a_gazette_page_reads_within_the_measured_error_rate():
    text, reading = ocr_reading(GAZETTE / "sd2001_040-p1.png", 1, ocr.DEFAULT_RECIPE)
    assert cer((GAZETTE / "sd2001_040-p1.gt.txt").read_text("utf-8"), text) < 0.03  # 0.017
    assert reading.recipe == ocr.DEFAULT_RECIPE.version
    with Image.open(GAZETTE / "sd2001_040-p1.png") as image:
        assert (reading.width, reading.height) == image.size
    first = reading.words[0]
    assert 0 <= first.x0 < first.x1 <= reading.width and 0 <= first.y0 < first.y1
    assert 0 < reading.confidence <= 1 and not LATIN.search(text)


@pytest.mark.slow
@pytest.mark.parametrize(
    "page, box",
    [
        ("law1997_abortion-p2", (330, 960, 980, 1260)),  # registration stamp and handwriting
        ("law2006_ccelec-p1", (1100, 250, 1450, 580)),  # the royal emblem
    ],
)
def test_a_seal_or_stamp_gives_no_latin_junk(page, box):
    with Image.open(GAZETTE / f"{page}.png") as image:
        crop = image.crop(box)
    assert LATIN.search(ocr.read_image(crop, RECIPES["wave1"]).text)  # what wave 1 stored
    assert not LATIN.search(ocr.read_image(crop).text)


@pytest.mark.slow
@pytest.mark.parametrize("given", ["pdf", "png"])
def test_an_upright_page_with_text_showing_through_is_never_turned(given, tmp_path):
    """A faint page whose reverse shows through: Tesseract is surer of it turned by 270° (r4
    turned it and 6 more upright pages of the corpus), but turned it holds no Khmer word."""
    source = PDFS / "km_law_2000_quality_safety_products_services.pdf"
    if given == "pdf":
        path = cut_pages(source, [10], tmp_path / "page.pdf")
    else:
        path = tmp_path / "page.png"
        pdf.render_page(source, 9).convert("L").save(path)
    text, reading = ocr_reading(path, 1, ocr.DEFAULT_RECIPE)
    assert reading.rotation == 0 and reading.width < reading.height  # upright, as printed
    assert text.count("មាត្រា") >= 3 and "ផលិតផល" in text


@pytest.mark.slow
def test_a_page_scanned_sideways_is_read_upright():
    upright = gazette_half("sd2005_148-p3")
    reading = ocr.read_image(upright.rotate(90, expand=True))  # turned anticlockwise
    assert reading.rotation == 90
    assert (reading.width, reading.height) == upright.size
    assert "តំបន់សេដ្ឋកិច្ចពិសេស" in reading.text


@pytest.mark.slow
def test_years_keep_their_digits_where_the_script_model_reads_9_and_4_as_4_and_8():
    """The closing lines of the 1994 land-use law: Tesseract's script model reads ១៩៩៤ as
    ១៩៤៤; the neural recogniser reads it right, and the day Tesseract lost (ថ្ងៃទី ៤)."""
    page = pdf.render_page(PDFS / "km_law_1994_land_use_planning_urbanization_construction.pdf", 9)
    crop = page.crop((200, 1800, 2300, 2300))
    tesseract = replace(ocr.DEFAULT_RECIPE, neural=False)
    assert "១៩៤៤" in ocr.read_image(crop, tesseract).text
    assert "១៩៩៤" in ocr.read_image(crop, replace(tesseract, digits=True)).text  # recipe r4
    text = ocr.read_image(crop).text
    assert text.count("១៩៩៤") == 2 and "១៩៤៤" not in text and "១៩៩៨" not in text
    assert "ថ្ងៃទី ៤" in text


@pytest.mark.parametrize(
    "first, second, expected",
    [
        ("ឆ្នាំ១៩៩៨", "ឆ្លាំ១៩៩៤", "ឆ្នាំ១៩៩៤"),  # only the digits change, not the word
        ("១៩៤៤", "១៩៩៤", "១៩៩៤"),
        ("២០០៨", "២០០៣", "២០០៣"),
        ("១៣៩៥", "១៨៩៥", "១៣៩៥"),  # digits the first reading did not confuse stay
        ("២០០៨", "២០០", "២០០៨"),  # a different count of digits: not the same number
        ("នស/រកត/០៧០៨/១២៨", "នស/រកត/០៧០៤/១២៨", "នស/រកត/០៧០៤/១២៨"),
    ],
)
def test_a_second_reading_changes_only_the_confused_digits(first, second, expected):
    assert digits._swap_confused(first, second) == expected


@pytest.mark.slow
@pytest.mark.parametrize("name", ["eng_p1", "mixed_p1"])
def test_english_and_mixed_pages_stay_as_good(name):
    fixtures = SHARED / "fixtures"
    text, _ = ocr_reading(fixtures / f"{name}.png", 1, ocr.DEFAULT_RECIPE)
    assert cer((fixtures / f"{name}.gt.txt").read_text("utf-8"), text) <= 0.03


def test_text_layer_pages_get_word_boxes_at_300_dpi():
    boxes = pdf.word_boxes(PDFS / "km_speech_2025_moeys_teachers_day_unicode.pdf", {1})[1]
    assert boxes.dpi == 300 and 2400 < boxes.width < 2600  # A4 at 300 dpi
    text, confidence, *box, line = boxes.words[0]
    assert text and confidence == 100 and line == -1
    assert all(0 <= v <= max(boxes.width, boxes.height) for v in box)


def test_an_old_store_is_migrated_and_its_ocr_pages_get_the_wave1_recipe(tmp_path):
    path = tmp_path / "store.sqlite"
    old = sqlite3.connect(path)
    old.executescript(
        "CREATE TABLE pages (hash TEXT NOT NULL, page INTEGER NOT NULL, text TEXT NOT NULL,"
        " method TEXT NOT NULL, quality REAL NOT NULL, ocr_lang TEXT NOT NULL DEFAULT '',"
        " PRIMARY KEY (hash, page));"
        "INSERT INTO pages VALUES ('h', 1, 'ក', 'ocr', 1.0, 'khm+eng'),"
        " ('h', 2, 'a', 'text', 0.99, ''), ('h', 3, '', 'empty', 1.0, 'khm+eng');"
    )
    old.commit()
    old.close()
    store = Store(path)
    assert store.pages_by_recipe(["h"]) == {LEGACY_RECIPE: 2}
    assert [r["recipe"] for r in store.page_records("h")] == [LEGACY_RECIPE, "", LEGACY_RECIPE]
    assert store.ocr_pages_not_by("h", ocr.DEFAULT_RECIPE.version) == [1, 3]
    assert store.boxes("h", 1) is None
    store.close()


@pytest.fixture
def scans(tmp_path) -> Path:
    """A library of a JPG photo of a Gazette half-page and a two-page TIFF of two more."""
    library = tmp_path / "library"
    library.mkdir()
    photo = gazette_half("law2000_audit-p4").convert("RGB")
    exif = Image.Exif()
    exif[0x0112] = 6  # the camera was held sideways: the pixels need turning 90° clockwise
    photo.rotate(90, expand=True).save(library / "photo.JPG", quality=90, exif=exif)
    first, second = gazette_half("law2006_ccelec-p3"), gazette_half("sd2005_148-p3")
    first.save(library / "scan.tiff", save_all=True, append_images=[second])
    return library


@pytest.mark.slow
def test_a_jpg_and_a_two_page_tiff_index_as_documents_and_show_how_they_were_read(scans, tmp_path):
    data = tmp_path / "data"
    report_file = tmp_path / "report.json"
    ddsearch("index", str(scans), "--report", str(report_file), data=data, check=True)
    added = {Path(e["path"]).name: e for e in json.loads(report_file.read_text())["added"]}
    assert {name: e["pages_ocr"] for name, e in added.items()} == {"photo.JPG": 1, "scan.tiff": 2}

    shown = json.loads(ddsearch("show", "scan.tiff", "--json", data=data, check=True).stdout)
    assert shown["id"] == added["scan.tiff"]["id"] and len(shown["pages"]) == 2
    page = shown["pages"][1]
    assert set(page) == {"page", "text", "method", "recipe", "confidence"}
    assert page["method"] == "ocr" and page["recipe"] == ocr.DEFAULT_RECIPE.version
    assert "តំបន់សេដ្ឋកិច្ចពិសេស" in page["text"]
    photo = json.loads(ddsearch("show", added["photo.JPG"]["id"], "--json", data=data).stdout)
    assert "សវនកម្ម" in photo["pages"][0]["text"]  # read upright: EXIF honoured
    store = Store(data / "store.sqlite")
    boxes = store.boxes(shown["content_hash"], 2)
    store.close()
    assert (boxes.width, boxes.height, boxes.dpi) == (*gazette_half("sd2005_148-p3").size, 0)

    found = ddsearch("search", "តំបន់សេដ្ឋកិច្ចពិសេស", "--json", data=data, check=True)
    assert added["scan.tiff"]["id"] in found.stdout
    status = ddsearch("status", "--json", data=data, check=True)
    assert json.loads(status.stdout)["pages_by_recipe"] == {ocr.DEFAULT_RECIPE.version: 3}
    done = ddsearch("show", "nothing.pdf", data=data)
    assert done.returncode == 2 and "no indexed document" in done.stderr


@pytest.mark.slow
def test_reocr_resumes_after_kill_9_without_reading_finished_pages_again(tmp_path):
    library = tmp_path / "library"
    library.mkdir()
    halves = [gazette_half(name) for name in ("law2006_ccelec-p3", "sd2005_148-p3")]
    halves[0].save(library / "scan.tiff", save_all=True, append_images=halves[1:] * 2)
    data = tmp_path / "data"
    ddsearch("index", str(library), "--ocr-lang", "khm", data=data, check=True)
    target = ocr.recipe_for("Khmer").version

    command = [sys.executable, "-m", "indexer.cli", "reocr", "--all", "--jobs", "1"]
    env = {"DDSEARCH_INDEX": str(data), "PATH": "/usr/bin:/bin"}
    worker = subprocess.Popen(command, cwd=REPO, env=env, stderr=subprocess.DEVNULL)
    store = Store(data / "store.sqlite")
    deadline = time.monotonic() + 300
    while not store.pages_by_recipe(_hashes(store)).get(target) and time.monotonic() < deadline:
        time.sleep(0.2)
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    before = {r["page"]: r["text"] for r in _records(store) if r["recipe"] == target}
    assert 1 <= len(before) < 3

    report_file = tmp_path / "report.json"
    ddsearch("reocr", "--all", "--report", str(report_file), data=data, check=True)
    updated = json.loads(report_file.read_text("utf-8"))["updated"]
    assert [entry["pages_reocr"] for entry in updated] == [3 - len(before)]
    records = _records(store)
    assert all(r["recipe"] == target for r in records)
    assert {r["page"]: r["text"] for r in records if r["page"] in before} == before
    assert not store.reindex_pending()
    store.close()
    again = ddsearch("reocr", "--all", data=data, check=True)
    assert "0 updated, 1 unchanged" in again.stdout


def _hashes(store: Store) -> list[str]:
    return [row[0] for row in store.db.execute("SELECT hash FROM files")]


def _records(store: Store) -> list[dict]:
    return [record for h in _hashes(store) for record in store.page_records(h)]


def test_the_recogniser_s_characters_go_to_the_words_whose_boxes_hold_them():
    """Two Tesseract words of one line read as one piece: each cluster (base, vowels,
    subscripts) goes to the word under the x where the recogniser read it, or the nearest."""
    found = [
        Word("x", 50, 100, 10, 300, 60, 0),  # Tesseract's text is replaced
        Word("y", 50, 340, 10, 500, 60, 0),
    ]
    piece = pieces.cut(found, [True, True], 2000, 1000)[0]
    assert piece.words == (0, 1) and piece.box == (92, 0, 508, 72)
    text = "ក្រសួង ស្តី"  # positions in the crop (its left is x 92): 2 clusters + space + 2
    at = [30, 40, 50, 90, 100, 130, 150, 270, 280, 290, 330, 340]
    reading = neural.LineReading(text, tuple(at), (0.99,) * len(text))
    read = pieces.assign(found, piece, reading)
    assert read[0].text == "ក្រសួង" and read[1].text == "ស្តី"
    assert (read[1].x0, read[1].x1) == (340, 500)  # Tesseract's box
    unsure = neural.LineReading(text, tuple(at), (0.3,) * len(text))
    assert pieces.assign(found, piece, unsure) == {}  # a scrawl, not words


def test_wide_pieces_are_batched_fewer_at_a_time():
    widths = [200, 300, 500, 700, 3000, 3000, 3000]
    batches = neural._batches(list(range(7)), widths, 8)
    assert batches == [[0, 1, 2, 3], [4, 5], [6]]  # 2 x 3008 columns fit in 8 x 768
    assert all(neural._padded(w) % neural.WIDTH_STEP == 0 for w in widths)


def test_bfloat16_is_used_only_where_the_cpu_has_units_for_it(tmp_path):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nflags\t\t: fpu avx2 avx512f amx_bf16 amx_tile\n")
    assert neural.has_bfloat16_units(cpuinfo)
    cpuinfo.write_text("processor\t: 0\nflags\t\t: fpu avx2 avx512f\n")
    assert not neural.has_bfloat16_units(cpuinfo)
    assert not neural.has_bfloat16_units(tmp_path / "missing")


def test_khmer_read_turned_holds_no_known_words():
    assert lexicon.known_share("ព្រះរាជក្រឹត្យនេះចូលជាធរមានចាប់ពីថ្ងៃឡាយព្រះហស្តលេខា") > 0.8
    assert lexicon.known_share("ឃ្ឆៀហ្ឍដេុំ ញ៊ថៅ្ខ") < 0.3
    assert lexicon.known_share("no Khmer") == 0.0
