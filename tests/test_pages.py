"""The page view (issue 15): which stored words a query matched and where, the page images and
their cache, the render slots, the searchable PDF, and the routes' answers to hostile requests."""

from __future__ import annotations

import subprocess
import sys
import time
from io import BytesIO
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from conftest import LIMON_GUIDELINE, SCAN_LAW, SCAN_TITLE_WORD, WEB_SPEECH, web_client
from PIL import Image

from indexer.config import DataDir
from indexer.errors import RendererBusy
from indexer.library.diskcache import DiskCache, render_slot
from indexer.library.store import Boxes
from indexer.query import pages, search
from indexer.text.khmer import normalize
from indexer.text.wordhits import word_hits


def hits(rows: list[list], query: str) -> list[tuple[int, tuple[int, int, int, int]]]:
    highlight, phrases = search.query_marks(query)
    return [(h.word, h.box(*rows[h.word][2:6])) for h in word_hits(rows, highlight, phrases)]


# --- matching stored words --------------------------------------------------------------------


def test_a_khmer_phrase_that_ocr_read_as_two_words_is_boxed_on_both_parts():
    rows = [
        ["ការបង្កើតក្រសួង", 90, 100, 10, 400, 50, 0],  # 6 clusters: កា រ ប ង្កើ ត ក្រ ...
        ["មុខងារ", 90, 410, 10, 500, 50, 0],
        ["ផ្សេងៗ", 90, 510, 10, 600, 50, 0],
    ]
    found = hits(rows, "ក្រសួងមុខងារ")
    assert [word for word, _ in found] == [0, 1]
    (_, first), (_, second) = found
    assert 100 < first[0] < 400 and first[2] == 400  # the end of the first word only
    assert second == (410, 10, 500, 50)  # the whole second word


def test_a_phrase_with_a_misread_cluster_is_boxed_by_alignment_where_nothing_matches_exactly():
    rows = [["ច្បាប់", 90, 0, 0, 50, 20, 0], ["ក្រសួងមុខតារសាធារណៈ", 40, 60, 0, 300, 20, 0]]
    assert [word for word, _ in hits(rows, SCAN_TITLE_WORD)] == [1]
    assert hits(rows, "ច្បាប់") == [(0, (0, 0, 50, 20))]  # an exact match is not aligned too


def test_latin_words_are_matched_by_their_stems_and_phrases_across_words():
    rows = [
        ["The", 96, 0, 0, 30, 10, -1],
        ["Councils", 96, 35, 0, 90, 10, -1],
        ["of", 96, 95, 0, 110, 10, -1],
        ["communes", 96, 115, 0, 180, 10, -1],
    ]
    assert [word for word, _ in hits(rows, "council")] == [1]
    assert [word for word, _ in hits(rows, '"councils of communes"')] == [1, 2, 3]
    assert hits(rows, "district") == []


@pytest.mark.parametrize("rotation", [90, 180, 270])
def test_boxes_of_a_page_ocr_read_turned_are_turned_back_onto_the_page(rotation):
    page = Image.new("L", (100, 200), 255)  # the page as pdfium renders it
    page.paste(0, (10, 150, 30, 190))  # a "word"
    turned = page.rotate(-rotation, expand=True)  # as OCR turned it (clockwise)
    x0, y0, x1, y1 = Image.eval(turned, lambda v: 255 - v).getbbox()
    boxes = Boxes(turned.width, turned.height, 300, rotation, [["w", 90, x0, y0, x1, y1, 0]])
    upright = boxes.upright()
    assert (upright.width, upright.height) == (100, 200)
    assert upright.words[0][2:6] == [10, 150, 30, 190]


# --- the cache and the render slots -----------------------------------------------------------


def test_the_cache_keeps_its_bound_by_evicting_the_least_recently_used(tmp_path):
    cache = DiskCache(tmp_path, max_bytes=2500)
    for name in ("a", "b", "c"):
        cache.put(name, b"x" * 1000)
        time.sleep(0.01)  # mtimes apart
        if name == "b":
            assert cache.get("a") is not None  # a is used again: b is now the oldest
            time.sleep(0.01)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "c"]
    assert cache.get("b") is None


def test_a_render_slot_held_by_another_process_makes_the_next_render_wait_then_give_up(tmp_path):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, sys, time; f = open(sys.argv[1], 'a'); "
            "fcntl.flock(f, fcntl.LOCK_EX); print('held', flush=True); time.sleep(30)",
            str(tmp_path / "render-0.lock"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(RendererBusy), render_slot(tmp_path, slots=1, wait=0.3):
            pass
        with render_slot(tmp_path, slots=2, wait=0.3):  # a second slot is free
            pass
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()
    with render_slot(tmp_path, slots=1, wait=0.3):  # the holder's lock went with it
        pass


# --- over a real scanned law and a converted Limon document ----------------------------------


@pytest.fixture()
def client(scan_data):
    return web_client(scan_data)


def doc_id(client, name: str) -> str:
    results = client.get("/api/search?per_page=100").get_json()["results"]
    return next(doc["id"] for doc in results if name in doc["paths"])


def inside(hit: list[int], words: list[dict]) -> bool:
    """Whether a hit box lies within one of the page's stored word boxes."""
    x0, y0, x1, y1 = hit
    return any(
        b[0] <= x0 and b[1] <= y0 and x1 <= b[2] and y1 <= b[3]
        for b in (word["box"] for word in words)
    )


@pytest.mark.slow
def test_the_page_view_of_a_scanned_law_boxes_the_khmer_title_word(client):
    law = doc_id(client, SCAN_LAW)
    view = client.get(f"/api/doc/{law}/page/2?q={SCAN_TITLE_WORD}").get_json()
    assert view["method"] == "ocr" and view["pages"] == 2
    assert view["width"] == 2480 and view["height"] == 3509  # A4 at 300 dpi
    assert view["hits"] and all(inside(hit, view["words"]) for hit in view["hits"])
    top = min(view["hits"], key=lambda hit: hit[1])
    assert top[1] < view["height"] * 0.15  # the title, at the top of the page
    assert 2 in [page["page"] for page in view["matching_pages"]]
    html = client.get(f"/doc/{law}/page/2?q={SCAN_TITLE_WORD}").get_data(as_text=True)
    assert html.count('<rect class="hit"') == len(view["hits"])
    assert f'href="/doc/{law}/page/1?q=' in html and 'id="next-page"' not in html
    assert f"/doc/{law}/pdf#page=2" in html and f"/doc/{law}/searchable.pdf" in html


@pytest.mark.slow
def test_a_converted_legacy_font_page_gets_the_same_view_from_its_own_boxes(client):
    guideline = doc_id(client, LIMON_GUIDELINE)
    view = client.get(f"/api/doc/{guideline}/page/1?q=ព្រះរាជអាជ្ញា").get_json()
    assert view["method"] == "converted"
    assert view["hits"] and all(inside(hit, view["words"]) for hit in view["hits"])
    assert view["hits"][0][1] < view["height"] * 0.15  # in the title line


@pytest.mark.slow
def test_a_text_layer_page_gets_the_same_view_from_its_own_boxes(web_data):
    client = web_client(web_data)
    speech = doc_id(client, WEB_SPEECH)
    view = client.get(f"/api/doc/{speech}/page/1?q=គ្រូបង្រៀន").get_json()
    assert view["method"] == "text"
    assert view["hits"] and all(inside(hit, view["words"]) for hit in view["hits"])


@pytest.mark.slow
def test_results_show_the_best_pages_thumbnail_with_its_boxes(client):
    html = client.get(f"/search?q={SCAN_TITLE_WORD}").get_data(as_text=True)
    law = doc_id(client, SCAN_LAW)
    assert f'<a class="thumb" href="/doc/{law}/page/' in html
    assert f"/doc/{law}/thumb/" in html and '<rect class="hit"' in html
    assert f'class="page-link" href="/doc/{law}/page/2?q=' in html


@pytest.mark.slow
def test_page_images_are_webp_at_their_width_cached_with_an_etag(client, scan_data):
    law = doc_id(client, SCAN_LAW)
    first = client.get(f"/doc/{law}/page/1.webp")
    assert first.status_code == 200 and first.mimetype == "image/webp"
    assert Image.open(BytesIO(first.data)).width == pages.SIZES["page"]
    assert "max-age=3600" in first.headers["Cache-Control"]
    again = client.get(f"/doc/{law}/page/1.webp", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and not again.data
    thumb = client.get(f"/doc/{law}/thumb/1.webp")
    assert Image.open(BytesIO(thumb.data)).width == pages.SIZES["thumb"]
    cached = sorted(p.name for p in DataDir(scan_data).cache.glob("*.webp"))
    assert any(name.endswith(f"-1-{pages.SIZES['page']}-v{pages.VERSION}.webp") for name in cached)


@pytest.mark.slow
def test_hostile_page_requests_are_404_or_400_never_500(client):
    law = doc_id(client, SCAN_LAW)
    for url, status in [
        (f"/doc/{law}/page/0", 404),
        (f"/doc/{law}/page/3", 404),
        (f"/doc/{law}/page/{'9' * 400}", 404),
        (f"/doc/{law}/page/two", 404),
        (f"/doc/{law}/page/-1.webp", 404),
        (f"/doc/{law}/page/3.webp", 404),
        (f"/doc/{law}/thumb/0.webp", 404),
        (f"/api/doc/{law}/page/9", 404),
        ("/doc/nosuchdoc/page/1", 404),
        ("/doc/nosuchdoc/page/1.webp", 404),
        ("/doc/nosuchdoc/searchable.pdf", 404),
        ("/doc/..%2f..%2fetc%2fpasswd/page/1.webp", 404),
        ("/doc/%2e%2e/page/1.webp", 404),
        (f"/doc/{law}/page?n=abc", 400),
        (f"/doc/{law}/page?n=99", 400),
        (f"/doc/{law}/page/1?q={'x' * 600}", 400),
    ]:
        response = client.get(url)
        assert response.status_code == status, (url, response.status_code)
    jump = client.get(f"/doc/{law}/page?n=2&q=x")
    assert jump.status_code == 302 and jump.headers["Location"] == f"/doc/{law}/page/2?q=x"
    guideline = doc_id(client, LIMON_GUIDELINE)
    assert client.get(f"/doc/{guideline}/searchable.pdf").status_code == 404  # nothing OCR'd


@pytest.mark.slow
def test_the_searchable_pdf_gives_the_khmer_title_word_on_its_page(client, tmp_path):
    law = doc_id(client, SCAN_LAW)
    response = client.get(f"/doc/{law}/searchable.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    path = tmp_path / "searchable.pdf"
    path.write_bytes(response.data)

    def page_text(pdf: Path, number: int) -> str:
        done = subprocess.run(
            ["pdftotext", "-f", str(number), "-l", str(number), str(pdf), "-"],
            capture_output=True,
            text=True,
            check=True,
        )
        return normalize(done.stdout)

    from conftest import PDFS

    assert page_text(PDFS / SCAN_LAW, 2).strip() == ""  # the original is a bare scan
    assert normalize(SCAN_TITLE_WORD) in page_text(path, 2)
    stored = client.get(f"/api/doc/{law}/page/2").get_json()["text"]
    assert normalize(stored.splitlines()[1]) in page_text(path, 2)  # words in stored order
    pdf = pdfium.PdfDocument(str(path))  # what Chromium's viewer searches with
    try:
        assert len(pdf) == 2
        searcher = pdf[1].get_textpage().search(SCAN_TITLE_WORD)
        assert searcher.get_next() is not None
    finally:
        pdf.close()
