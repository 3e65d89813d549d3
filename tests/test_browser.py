"""The website in a real browser: Playwright driving Debian's Chromium (never a downloaded
one) against `ddsearch serve` (gunicorn) on loopback, over the web tests' index.

Screenshots of the results and document pages go to test-artifacts/ for a person to look at.
"""

from __future__ import annotations

import html
import re
import unicodedata
from pathlib import Path

import pytest
from conftest import REPO, SCAN_TITLE_WORD
from playwright.sync_api import expect, sync_playwright
from web_bench import free_port, start_server

from indexer.query import documents

pytestmark = pytest.mark.slow  # a real browser against a real server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = REPO / "test-artifacts"
KHMER_QUERY = "ក្រុមប្រឹក្សាឃុំ"


@pytest.fixture(scope="module")
def site(web_data):
    """The base URL of the site, served by `ddsearch serve`; and its data folder."""
    port = free_port()
    server = start_server(web_data, port)
    yield f"http://127.0.0.1:{port}", web_data
    server.terminate()
    server.wait(timeout=30)


@pytest.fixture(scope="module")
def browser():
    assert Path(CHROMIUM).exists(), "install Debian's chromium: apt-get install chromium"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture()
def page(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    yield context.new_page()
    context.close()


def plain(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def test_english_search_facet_sort_and_document_with_pdf_at_the_hit(site, page):
    base, _ = site
    page.goto(base + "/")
    page.get_by_label("Search the documents").fill("commune")
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".count")).to_contain_text("documents match")
    hits = page.locator("li.hit")
    total = hits.count()
    assert total >= 2

    page.locator('[data-facet="type=report"]').click()
    expect(hits).to_have_count(1)
    assert "type=report" in page.url
    page.locator(".active a.remove").click()
    expect(hits).to_have_count(total)
    assert "type=" not in page.url

    page.get_by_role("link", name="Oldest").click()
    assert "sort=oldest" in page.url
    years = [int(y) for y in page.locator("li.hit .year").all_inner_texts()]
    assert years == sorted(years)

    page.get_by_role("link", name="Newest").click()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "results-en.png"), full_page=True)

    page.locator("li.hit h2 a", has_text="Report on the Progress").click()
    expect(page.locator("h1")).to_contain_text("Report on the Progress")
    expect(page.locator(".matching mark").first).to_have_text(re.compile("commune", re.I))
    pdf_link = page.locator(".matching a.pdf-link").first
    href = pdf_link.get_attribute("href")
    assert re.fullmatch(r"/doc/\w+/pdf#page=[12]", href)
    reply = page.request.get(base + href.split("#")[0])
    assert reply.status == 200 and reply.headers["content-type"] == "application/pdf"
    assert reply.body().startswith(b"%PDF")


def test_khmer_search_in_the_khmer_interface_shows_the_indexed_text(site, page):
    base, data = site
    page.goto(base + "/search")
    page.locator("#switch-ui").click()
    expect(page.locator("html")).to_have_attribute("lang", "km")
    page.get_by_label("ស្វែងរកក្នុងឯកសារ").fill(KHMER_QUERY)
    page.get_by_role("button", name="ស្វែងរក").click()
    expect(page.locator("li.hit").first).to_be_visible()
    assert re.search("[០-៩]", page.locator(".count").inner_text())

    title = page.locator("li.hit h2 a", has_text="អនុក្រឹត្យ").first
    doc_id = title.get_attribute("href").split("/doc/")[1].split("?")[0]
    indexed = documents.document(data / "index", doc_id)
    assert plain(title.inner_text()) == plain(indexed["title"])
    snippet = page.locator(f'li.hit:has(a[href^="/doc/{doc_id}"]) .snippet').first
    shown = plain(snippet.inner_text()).strip("…")
    page_text = plain(" ".join(p["text"] for p in documents.document_pages(data / "index", doc_id)))
    for piece in shown.split("…"):
        assert plain(html.unescape(piece)) in page_text
    assert page.locator(f'li.hit:has(a[href^="/doc/{doc_id}"]) .snippet mark').count() > 0
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "results-km.png"), full_page=True)

    title.click()
    expect(page.locator("h1")).to_contain_text("អនុក្រឹត្យ")
    expect(page.locator(".method").first).to_contain_text("ពីស្រទាប់អត្ថបទ")
    first_page = page.locator("#page-1 .text").inner_text()
    assert plain(first_page) == plain(documents.document_pages(data / "index", doc_id)[0]["text"])
    page.screenshot(path=str(ARTIFACTS / "document-km.png"), full_page=True)

    page.locator("#switch-ui").click()  # and back, remembered across pages
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.goto(base + "/help")
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_the_khmer_font_is_loaded_from_the_site(site, page):
    base, _ = site
    page.goto(base + f"/search?q={KHMER_QUERY}&lang_ui=km")
    page.wait_for_load_state("networkidle")
    loaded = page.evaluate(
        "document.fonts.check('16px \"Khmer OS Content\"', 'ក្រុម') && "
        "[...document.fonts].some(f => f.family.includes('Khmer OS') && f.status == 'loaded')"
    )
    assert loaded


# --- the page view over a real scanned law (issue 15) -----------------------------------------


@pytest.fixture(scope="module")
def scan_site(scan_data):
    """`ddsearch serve` over the index of a real Royal Gazette scan (conftest.scan_data)."""
    port = free_port()
    server = start_server(scan_data, port)
    yield f"http://127.0.0.1:{port}"
    server.terminate()
    server.wait(timeout=30)


def test_a_khmer_search_on_a_scan_opens_the_page_view_with_the_word_boxed(scan_site, page):
    page.goto(scan_site + "/")
    page.get_by_label("Search the documents").fill(SCAN_TITLE_WORD)
    with page.expect_response(re.compile(r"/thumb/\d+\.webp$")) as thumbnail:
        page.get_by_role("button", name="Search").click()
    assert thumbnail.value.status == 200
    expect(page.locator("li.hit").first.locator(".thumb svg rect.hit").first).to_be_attached()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "results-scan-thumbnail.png"), full_page=True)

    page.locator("li.hit .page-link", has_text="p. 2").first.click()
    expect(page.locator(".page-of")).to_have_text("Page 2 of 2")
    page.wait_for_load_state("networkidle")
    boxes = page.locator("svg.page-image rect.hit")
    expect(boxes.first).to_be_visible()
    # Each box lies over its word: on screen, inside the stored word box scaled with the image.
    view = page.request.get(page.url.replace("/doc/", "/api/doc/", 1)).json()
    svg = page.locator("svg.page-image").bounding_box()
    scale = svg["width"] / view["width"]
    for index in range(boxes.count()):
        shown = boxes.nth(index).bounding_box()
        words = [
            w["box"]
            for w in view["words"]
            if w["box"][0] * scale + svg["x"] - 2 <= shown["x"]
            and w["box"][1] * scale + svg["y"] - 2 <= shown["y"]
            and shown["x"] + shown["width"] <= w["box"][2] * scale + svg["x"] + 2
            and shown["y"] + shown["height"] <= w["box"][3] * scale + svg["y"] + 2
        ]
        assert words, (index, shown)
    loaded = page.evaluate(
        "() => fetch(document.querySelector('svg.page-image image').getAttribute('href'))"
        ".then(r => r.headers.get('content-type'))"
    )
    assert loaded == "image/webp"
    page.screenshot(path=str(ARTIFACTS / "page-view-scan.png"), full_page=True)

    page.locator("#previous-page").click()
    expect(page.locator(".page-of")).to_have_text("Page 1 of 2")
    assert "/page/1?q=" in page.url
    page.locator("#next-page").click()
    expect(page.locator(".page-of")).to_have_text("Page 2 of 2")
    page.get_by_label("Go to page").fill("1")
    page.get_by_role("button", name="Go").click()
    expect(page.locator(".page-of")).to_have_text("Page 1 of 2")
    expect(page.locator("details.page-text summary")).to_contain_text("read by OCR")


def test_the_searchable_pdf_of_a_scan_opens_in_chromiums_viewer(scan_site, page):
    page.goto(scan_site + f"/search?q={SCAN_TITLE_WORD}")
    page.locator("li.hit h2 a").first.click()
    href = page.locator("#searchable-pdf").get_attribute("href")
    response = page.goto(scan_site + href + "#page=2")
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    page.wait_for_timeout(2000)  # the viewer lays the pages out
    viewer = page.locator('embed[type="application/pdf"]')
    assert viewer.count() == 1 or any(f.url.startswith("chrome-extension://") for f in page.frames)
    page.screenshot(path=str(ARTIFACTS / "searchable-pdf-viewer.png"))
