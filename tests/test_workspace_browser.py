"""The workspace in a real browser: Playwright driving Debian's Chromium against `ddsearch
serve` (gunicorn, a process per core) over a library built by the real CLI. Real sign-in with
the form's CSRF token, a correction found by the public search, real corpus PDFs uploaded and
indexed by the background run, drag and drop, the form without JavaScript, the sign-in limit
counted across the server's processes."""

from __future__ import annotations

import re

import pytest
from conftest import PDFS, REPO
from playwright.sync_api import expect
from test_browser import (  # noqa: F401  (the same browser)
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    browser,  # noqa: F401  (fixture)
)
from web_bench import free_port, start_server
from workspace_helpers import PASSWORDS, make_library

pytestmark = pytest.mark.slow  # a real browser against a real server

#: Real corpus PDFs with text layers (indexed in seconds, no OCR).
UPLOADS = ("en_national_research_agenda_2025.pdf", "km_speech_2025_moeys_teachers_day_unicode.pdf")
RUN_TIMEOUT_MS = 300_000


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    library, data = make_library(tmp_path_factory.mktemp("workspace-browser"))
    port = free_port()
    server = start_server(data, port)
    yield f"http://127.0.0.1:{port}", library, data
    server.terminate()
    server.wait(timeout=30)


@pytest.fixture()
def page(browser):  # noqa: F811
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    yield context.new_page()
    context.close()


def sign_in(page, base: str, name: str = "eva") -> None:
    page.goto(base + "/admin/")
    expect(page).to_have_url(re.compile(r"/admin/login\?next=/admin/"))
    page.get_by_label("Name").fill(name)
    page.get_by_label("Password").fill(PASSWORDS[name])
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("h1")).to_have_text("Workspace")


def test_an_editor_corrects_a_title_and_the_public_search_finds_it(site, page):
    base, _, _ = site
    page.goto(base + "/search?q=commune")
    expect(page.locator("#edit-link")).to_have_count(0)
    sign_in(page, base)
    page.goto(base + "/search?q=progress+of+decentralisation")
    page.locator("li.hit h2 a").first.click()
    page.locator("#edit-link").click()
    page.get_by_label("Title", exact=True).fill("Decentralisation Progress Report (checked)")
    page.get_by_label("Subjects").fill("quokka monitoring")
    page.get_by_label("Places").fill("Atlantis")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".problem")).to_contain_text("'Atlantis' is not a place of the gazetteer")
    page.get_by_label("Places").fill("Kandal / Kien Svay")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".saved")).to_contain_text("Saved")
    expect(page.get_by_label("Places")).to_have_value("Kandal / Kien Svay")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "workspace-edit.png"), full_page=True)
    page.goto(base + "/search?q=quokka")
    expect(page.locator("li.hit h2 a")).to_have_text("Decentralisation Progress Report (checked)")
    page.locator("li.hit h2 a").click()
    expect(page.locator("dd.places")).to_contain_text("Kandal (Kien Svay)")


def test_real_pdfs_uploaded_in_the_browser_are_indexed_in_the_background(site, page):
    base, library, _ = site
    sign_in(page, base)
    page.get_by_role("link", name="Add files").first.click()
    page.get_by_label("Files to add").set_input_files([str(PDFS / n) for n in UPLOADS])
    page.get_by_role("button", name="Add to the library").click()
    expect(page.locator("li.upload-saved")).to_have_count(2)
    page.locator("#job-link").click()
    # The page follows the run by itself (a meta refresh: no script needed).
    expect(page.locator(".job-state")).to_contain_text("finished", timeout=RUN_TIMEOUT_MS)
    expect(page.locator(".report-added li")).to_have_count(2)
    page.screenshot(path=str(ARTIFACTS / "workspace-run.png"), full_page=True)
    assert {p.name for p in library.iterdir()} >= set(UPLOADS)
    page.goto(base + "/search?q=គ្រូបង្រៀនជាតួអង្គសំខាន់")
    expect(page.locator("li.hit").first).to_be_visible()
    page.goto(base + "/search?q=national+research+agenda")
    expect(page.locator("li.hit h2 a").first).to_contain_text(re.compile("research", re.I))


def test_files_dropped_on_the_form_are_uploaded(site, page):
    base, library, _ = site
    sign_in(page, base)
    page.goto(base + "/admin/upload")
    page.evaluate(
        """() => {
            const transfer = new DataTransfer();
            const file = new File(["%PDF-1.4 not really"], "dropped.pdf");
            transfer.items.add(file);
            const zone = document.getElementById("drop-zone");
            zone.dispatchEvent(new DragEvent("dragover", {dataTransfer: transfer, bubbles: true}));
            zone.dispatchEvent(new DragEvent("drop", {dataTransfer: transfer, bubbles: true}));
        }"""
    )
    expect(page.locator("#drop-hint")).to_have_text("dropped.pdf")
    page.get_by_role("button", name="Add to the library").click()
    expect(page.locator("li.upload-saved")).to_contain_text("dropped.pdf")
    page.locator("#job-link").click()
    expect(page.locator(".job-state")).to_contain_text("finished", timeout=RUN_TIMEOUT_MS)
    expect(page.locator(".report-failed")).to_contain_text("not a readable PDF")
    # Out of the library folder, listed on the home page until removed there.
    expect(page.locator(".report-failed")).to_contain_text("rejected/dropped.pdf")
    assert not (library / "dropped.pdf").exists()
    page.goto(base + "/admin/")
    rejected = page.locator("#rejected li", has_text="dropped.pdf")
    expect(rejected).to_contain_text("not a readable PDF")
    rejected.get_by_role("button", name="Remove").click()
    expect(page.locator("#rejected")).not_to_contain_text("dropped.pdf")


def test_the_workspace_works_without_javascript(site, browser):  # noqa: F811
    base, _, _ = site
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, base)
        page.goto(base + "/admin/records/new")
        page.get_by_label("Title", exact=True).fill("Guide to commune budgets (printed)")
        page.get_by_label("Shelf").fill("B2")
        page.get_by_role("button", name="Save").click()
        expect(page.locator(".saved")).to_contain_text("The record was added")
        page.locator("#withdraw").click()
        expect(page.locator(".withdrawn")).to_be_visible()
        page.locator("#restore").click()
        page.locator("#public-page").click()
        expect(page.locator(".holding")).to_contain_text("on the shelf at B2")
    finally:
        context.close()


def test_sign_in_attempts_are_limited_across_the_servers_processes(site, page):
    base, _, _ = site
    page.goto(base + "/admin/login")
    for _ in range(5):  # each on a new connection: gunicorn's processes take turns
        page.get_by_label("Name").fill("ana")
        page.get_by_label("Password").fill("not the password")
        with page.expect_response(re.compile("/admin/login")) as answer:
            page.get_by_role("button", name="Sign in").click()
        assert answer.value.status == 401
    page.get_by_label("Name").fill("ana")
    page.get_by_label("Password").fill(PASSWORDS["ana"])
    with page.expect_response(re.compile("/admin/login")) as answer:
        page.get_by_role("button", name="Sign in").click()
    assert answer.value.status == 429
    assert 0 < int(answer.value.headers["retry-after"]) <= 900
    expect(page.locator("#too-many")).to_contain_text("Too many failed sign-ins")
    page.screenshot(path=str(ARTIFACTS / "workspace-too-many.png"))
    assert REPO.exists()
