"""The website through Flask's test client, over an index built by the real CLI from the demo
corpus (one OCR'd scan) and two real PDFs of ../shared/corpus."""

from __future__ import annotations

import csv
import io
import shutil
import socket
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import DEMO, REPO, ddsearch, on_engine, web_client
from web_bench import free_port, start_server

from indexer.query import search

pytestmark = pytest.mark.slow  # an index built by the CLI (with OCR) in a subprocess; servers

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module", params=["whoosh", "tantivy"])
def site_data(request, web_data, tmp_path_factory) -> Path:
    """The web tests' data folder on each engine."""
    return on_engine(web_data, request.param, tmp_path_factory.mktemp("web-engine"))


@pytest.fixture()
def client(site_data):
    return web_client(site_data)


def api(client, url: str) -> dict:
    response = client.get(url)
    assert response.status_code == 200, response.data[:500]
    return response.get_json()


def doc_id(client, path_part: str) -> str:
    """The id of the indexed document whose file name contains ``path_part``."""
    results = api(client, "/api/search?per_page=100")["results"]
    return next(d["id"] for d in results if any(path_part in p for p in d["paths"]))


def text(response) -> str:
    return response.get_data(as_text=True)


# --- the search page ---------------------------------------------------------------------------


def test_english_search_lists_ranked_documents_with_marked_snippets_and_page_links(client):
    page = text(client.get("/search?q=commune"))
    report = doc_id(client, "en_report_2023")
    assert "Report on the Progress of Decentralisation" in page
    assert "<mark>commune</mark>" in page
    assert f'href="/doc/{report}/page/2?q=commune"' in page  # the page view of the hit
    assert "Report</span>" in page and "2023" in page and "English" in page


def test_khmer_search_finds_khmer_documents_and_marks_the_words(client):
    found = api(client, "/api/search?q=ក្រុមប្រឹក្សាឃុំ")
    subdecree = doc_id(client, "km_subdecree_2024")
    assert subdecree in [d["id"] for d in found["results"]]
    page = text(client.get("/search?q=ក្រុមប្រឹក្សាឃុំ"))
    assert "<mark>" in page and f"/doc/{subdecree}?q=" in page
    assert "Sub-decree" in page


def test_facets_narrow_the_search_and_active_filters_can_be_removed(client):
    everything = api(client, "/api/search?q=commune")
    assert everything["facets"]["type"]["report"] == 1 and everything["total"] >= 2
    page = text(client.get("/search?q=commune"))
    assert 'href="/search?q=commune&amp;type=report"' in page
    narrowed = text(client.get("/search?q=commune&type=report"))
    assert api(client, "/api/search?q=commune&type=report")["total"] == 1
    assert "Active filters" in narrowed
    assert 'href="/search?q=commune"' in narrowed  # the link that removes the filter


def test_year_and_language_filters_and_the_year_range_form(client):
    assert {d["year"] for d in api(client, "/api/search?year=2024")["results"]} == {2024}
    ranged = api(client, "/api/search?year_from=2023&year_to=2025")["results"]
    assert {d["year"] for d in ranged} == {2023, 2024, 2025}
    reversed_range = api(client, "/api/search?year_from=2025&year_to=2023")["results"]
    assert len(reversed_range) == len(ranged)
    assert {d["year"] for d in api(client, "/api/search?year_from=2024")["results"]} == {2024, 2025}
    page = text(client.get("/search?year_from=2023&year_to=2025"))
    assert 'name="year_from"' in page and 'value="2023"' in page and 'value="2025"' in page
    english = api(client, "/api/search?lang=en")["results"]
    assert english and all("en" in d["language"] for d in english)


def test_sort_by_newest_and_oldest_uses_the_instruments_year(client):
    newest = [d["year"] for d in api(client, "/api/search?sort=newest")["results"]]
    oldest = [d["year"] for d in api(client, "/api/search?sort=oldest")["results"]]
    assert newest == sorted(newest, reverse=True) and oldest == sorted(oldest)
    page = text(client.get("/search?q=commune&sort=newest"))
    assert 'href="/search?q=commune"' in page  # back to relevance
    assert 'aria-current="true">Newest' in page


def test_pagination_pages_through_all_results(client):
    first = text(client.get("/search?per_page=2"))
    assert 'rel="next" href="/search?page=2&amp;per_page=2"' in first
    seen = []
    for number in (1, 2, 3):
        seen += [d["id"] for d in api(client, f"/api/search?per_page=2&page={number}")["results"]]
    assert len(seen) == len(set(seen)) == api(client, "/api/search")["total"]
    last = text(client.get("/search?per_page=2&page=3"))
    assert 'rel="prev"' in last and 'rel="next"' not in last


def test_no_results_page_suggests_removing_filters_and_spelling(client):
    page = text(client.get("/search?q=commune&type=law"))
    assert "No documents match" in page and "Check the spelling" in page
    assert 'href="/search?q=commune"' in page and 'href="/help"' in page


def test_a_misspelt_word_shows_did_you_mean_links_and_close_matches(client):
    found = api(client, "/api/search?q=comune")
    assert found["suggestions"] == ["commune"]
    assert found["results"] and all(doc["approximate"] for doc in found["results"])
    page = text(client.get("/search?q=comune"))
    assert "Did you mean" in page and 'href="/search?q=commune"' in page
    assert 'class="close-match"' in page and "close match" in page
    khmer = text(client.get("/search?q=comune&lang_ui=km"))
    assert "តើអ្នកចង់រក" in khmer and "ស្រដៀង" in khmer


def test_the_cross_language_toggle_searches_the_glossary_and_says_what_was_added(client):
    plain = api(client, "/api/search?q=commune+council&lang=km")
    crossed = api(client, "/api/search?q=commune+council&lang=km&cross=1")
    assert "ក្រុមប្រឹក្សាឃុំ" in crossed["also_searched"] and plain["also_searched"] == []
    subdecree = doc_id(client, "km_subdecree_2024")
    assert subdecree in [d["id"] for d in crossed["results"]]
    page = text(client.get("/search?q=commune+council&cross=1"))
    assert "Also searched" in page and 'name="cross" value="1" checked' in page
    assert 'name="cross" value="1" checked' not in text(client.get("/search?q=commune"))


def test_query_help_page_lists_the_syntax_with_example_links(client):
    page = text(client.get("/help"))
    assert "year:2001..2005" in page and 'href="/search?q=commune+council"' in page


def test_malformed_query_shows_the_warning_not_an_error(client):
    response = client.get('/search?q="commune')
    assert response.status_code == 200
    assert 'class="warning"' in text(response)


def test_user_input_is_escaped_everywhere(client):
    evil = "<script>alert(1)</script>"
    for url in (f"/search?q={evil}", f"/doc/{doc_id(client, 'en_report')}?q={evil}"):
        page = text(client.get(url))
        assert evil not in page and "&lt;script&gt;" in page


# --- the interface language --------------------------------------------------------------------


def test_khmer_interface_with_khmer_digits_is_remembered_in_a_cookie(client):
    response = client.get("/search?q=commune&lang_ui=km")
    page = text(response)
    assert '<html lang="km">' in page and "ស្វែងរក" in page
    assert "របាយការណ៍" in page  # the type "report" by its Khmer name
    assert "២០២៣" in page and "2023</span>" not in page
    assert "lang_ui=km" in response.headers["Set-Cookie"]
    again = text(client.get("/search?q=commune"))
    assert '<html lang="km">' in again
    back = text(client.get("/search?q=commune&lang_ui=en"))
    assert '<html lang="en">' in back and "2023" in back


def test_instrument_numbers_read_as_their_documents_print_them(client):
    """A number is an identifier: a Khmer document's reads as it prints it (Khmer digits) in
    either interface, an English document's Latin one is never changed."""
    khmer = text(client.get("/search?q=ឃុំ&lang_ui=km"))
    assert "លេខ ១២ អនក្រ.បក" in khmer
    assert "១២ អនក្រ.បក" in text(client.get("/search?q=ឃុំ&lang_ui=en"))
    assert "25 Sor.Sor.Ror" in text(client.get("/search?q=petroleum&lang_ui=km"))
    document = text(client.get(f"/doc/{doc_id(client, 'km_subdecree_2024')}?lang_ui=km"))
    assert "<dd>១២ អនក្រ.បក</dd>" in document


def test_the_browser_language_chooses_the_interface_at_first(client):
    page = text(client.get("/search", headers={"Accept-Language": "km-KH,km;q=0.9"}))
    assert '<html lang="km">' in page


def test_every_label_exists_in_both_languages():
    from search_web.i18n import STRINGS

    assert STRINGS["en"].keys() == STRINGS["km"].keys()
    assert all(value.strip() for strings in STRINGS.values() for value in strings.values())


# --- the document page and its PDF ----------------------------------------------------------------


def test_document_page_shows_metadata_matching_pages_and_every_page_text(client):
    report = doc_id(client, "en_report_2023")
    page = text(client.get(f"/doc/{report}?q=commune"))
    assert "Report on the Progress of Decentralisation" in page
    assert "Pages matching “commune”" in page and "<mark>commune</mark>" in page
    assert 'id="page-1"' in page and 'id="page-2"' in page
    assert "from the text layer" in page
    assert f'href="/doc/{report}/pdf#page=2"' in page
    assert f'href="/doc/{report}/pdf?download=1"' in page


def test_document_page_says_which_pages_were_read_by_ocr(client):
    scan = doc_id(client, "_scan_demo")
    page = text(client.get(f"/doc/{scan}"))
    assert "read by OCR" in page and "សារាចរ" in page


def test_unknown_documents_are_proper_404_pages(client):
    for url in ("/doc/nosuchid", "/doc/nosuchid/pdf", "/doc/" + "x" * 300, "/no/such/page"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "Not found" in text(response)
    assert client.get("/api/doc/nosuchid").get_json()["status"] == 404


def test_pdf_route_serves_the_indexed_file_and_nothing_else(client, web_data):
    report = doc_id(client, "en_report_2023")
    response = client.get(f"/doc/{report}/pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    original = web_data.parent / "web-library" / "en_report_2023_dd_reform_progress_demo.pdf"
    assert response.data == original.read_bytes()
    download = client.get(f"/doc/{report}/pdf?download=1")
    assert download.headers["Content-Disposition"].startswith("attachment")
    for sneaky in (
        "/doc/../../etc/passwd/pdf",
        "/doc/%2e%2e%2fetc%2fpasswd/pdf",
        f"/doc/{report}/pdf/../../../etc/passwd",
        "/doc/..%2F..%2Fetc%2Fpasswd/pdf",
        "/static/../indexer/cli.py",
        "/static/",
    ):
        assert client.get(sneaky).status_code == 404, sneaky


# --- JSON, CSV, Atom, OpenSearch ------------------------------------------------------------------


def test_api_search_is_the_search_contract_with_the_pages_parameters(client, site_data):
    got = api(client, "/api/search?q=commune&type=report&per_page=5")
    want = search.search(site_data / "index", "commune", type="report", limit=5)
    for result in want["results"]:  # the API names files, never the server's folders
        result["paths"] = [Path(path).name for path in result["paths"]]
    assert got == want
    assert all("/" not in path for result in got["results"] for path in result["paths"])


def test_api_document_gives_metadata_pages_and_matching_pages(client):
    report = doc_id(client, "en_report_2023")
    got = api(client, f"/api/doc/{report}?q=commune")
    assert got["id"] == report and got["type"] == "report" and got["year"] == 2023
    assert [p["page"] for p in got["pages"]] == [1, 2]
    assert {p["method"] for p in got["pages"]} == {"text"}
    assert {p["page"] for p in got["matching_pages"]} == {1, 2}
    assert got["pdf"].endswith(f"/doc/{report}/pdf")
    assert got["paths"] == ["en_report_2023_dd_reform_progress_demo.pdf"]


def test_csv_export_lists_every_match_with_khmer_intact(client):
    response = client.get("/search.csv?lang=km")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    body = response.get_data(as_text=True)
    assert body.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(body.lstrip("\ufeff"))))
    assert len(rows) == api(client, "/api/search?lang=km")["total"]
    subdecree = next(r for r in rows if r["type"] == "sub-decree")
    assert subdecree["title"].startswith("អនុក្រឹត្យ") and subdecree["url"].endswith(subdecree["id"])


def test_atom_feed_lists_the_newest_matching_documents(client):
    response = client.get("/feed.atom?q=commune")
    assert response.mimetype == "application/atom+xml"
    feed = ET.fromstring(response.data)
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == api(client, "/api/search?q=commune")["total"]
    updated = [e.find(f"{ATOM}updated").text for e in entries]
    assert updated == sorted(updated, reverse=True)
    assert all(e.find(f"{ATOM}id").text.startswith("http://localhost/doc/") for e in entries)
    assert "commune" in feed.find(f"{ATOM}title").text


def test_opensearch_description_points_at_the_search_page(client):
    response = client.get("/opensearch.xml")
    assert response.mimetype == "application/opensearchdescription+xml"
    root = ET.fromstring(response.data)
    templates = [u.get("template") for u in root if u.tag.endswith("Url")]
    assert "http://localhost/search?q={searchTerms}" in templates
    assert 'rel="search"' in text(client.get("/help"))


# --- bad parameters and safety ------------------------------------------------------------------

BAD = [
    ("page=0", "page="),
    ("page=x", "page="),
    ("page=99999", "page="),
    ("page=" + "9" * 5000, "page="),  # past int()'s 4,300-digit limit
    ("page=" + "0" * 5000, "page="),
    ("page=١", "page="),
    ("per_page=0", "per_page="),
    ("per_page=101", "per_page="),
    ("sort=random", "Sort by"),
    ("sort=random", "Sort by"),
    ("type=novel", "not a document type"),
    ("lang=fr", "km (Khmer) or en (English)"),
    ("year=abc", "not a year"),
    ("year=20011", "not a year"),
    ("year_from=20x1", "four digits"),
    ("q=" + "ក" * 501, "shorten it to 500"),
]


@pytest.mark.parametrize("route", ["/search", "/api/search", "/search.csv", "/feed.atom"])
@pytest.mark.parametrize(("query", "sentence"), BAD, ids=[q[:20] for q, _ in BAD])
def test_bad_parameters_give_a_400_with_a_sentence(client, route, query, sentence):
    response = client.get(f"{route}?{query}")
    assert response.status_code == 400
    assert sentence in text(response)


def test_an_overlong_query_on_a_document_page_is_a_400(client):
    report = doc_id(client, "en_report_2023")
    for url in (f"/doc/{report}?q={'a' * 501}", f"/api/doc/{report}?q={'a' * 501}"):
        assert client.get(url).status_code == 400


@pytest.mark.parametrize(
    "url",
    [
        "/search?q=commune",
        "/help",
        "/api/search",
        "/search.csv",
        "/feed.atom",
        "/opensearch.xml",
        "/doc/nosuchid",
        "/search?page=0",
        "/static/style.css",
    ],
)
def test_security_headers_on_every_response(client, url):
    headers = client.get(url).headers
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "same-origin"


def test_pages_have_no_inline_scripts_or_styles(client):
    report = doc_id(client, "en_report_2023")
    for url in ("/search?q=commune", f"/doc/{report}?q=commune", "/help", "/doc/nosuchid"):
        page = text(client.get(url))
        assert "<script" not in page and "<style" not in page and "style=" not in page


def test_the_khmer_font_is_served_by_the_app(client):
    css = text(client.get("/static/style.css"))
    assert "@font-face" in css and 'url("KhmerOScontent.ttf")' in css
    font = client.get("/static/KhmerOScontent.ttf")
    assert font.status_code == 200 and len(font.data) > 100_000


def test_a_missing_index_is_a_503_page_that_says_what_to_do(tmp_path):
    client = web_client(tmp_path / "empty")
    response = client.get("/search?q=commune")
    assert response.status_code == 503 and "ddsearch index" in text(response)
    assert client.get("/api/search").status_code == 503


def test_an_index_with_no_documents_says_so_and_every_route_answers(tmp_path):
    """What a new office sees after indexing a library folder that has no PDFs yet."""
    library, data = tmp_path / "library", tmp_path / "data"
    library.mkdir()
    ddsearch("index", str(library), "--quiet", data=data, check=True)
    assert "no documents yet" in ddsearch("search", "ឃុំ", data=data, check=True).stdout
    client = web_client(data)
    assert "ddsearch index FOLDER" in text(client.get("/"))
    page = text(client.get("/search?q=ឃុំ&type=prakas&sort=newest"))
    assert "No documents match" in page and "ddsearch index" not in page
    for url in ["/search?q=commune", "/search.csv?q=x", "/feed.atom", "/api/search?q=ឃុំ"]:
        assert client.get(url).status_code == 200, url
    assert api(client, "/api/search")["total"] == 0
    assert client.get("/doc/abc").status_code == 404


# --- living with the librarian: new commits, rebuilds ---------------------------------------------


@pytest.fixture()
def small_library(tmp_path) -> tuple[Path, Path]:
    library, data = tmp_path / "library", tmp_path / "data"
    library.mkdir()
    shutil.copy(DEMO / "en_report_2023_dd_reform_progress_demo.pdf", library)
    ddsearch("index", str(library), "--index", str(data), "--ocr", "never", data=data, check=True)
    return library, data


def test_a_running_app_sees_new_index_commits_without_restart(small_library):
    library, data = small_library
    client = web_client(data)
    assert api(client, "/api/search")["total"] == 1
    assert api(client, "/api/search?q=ក្រុមប្រឹក្សាឃុំ")["total"] == 0
    shutil.copy(DEMO / "km_subdecree_2024_012_commune_functions_demo.pdf", library)
    ddsearch("index", str(library), "--index", str(data), "--ocr", "never", data=data, check=True)
    assert api(client, "/api/search")["total"] == 2
    assert api(client, "/api/search?q=ក្រុមប្រឹក្សាឃុំ")["total"] == 1
    assert "អនុក្រឹត្យ" in text(client.get("/search?q=ក្រុមប្រឹក្សាឃុំ"))


def test_document_and_search_links_survive_a_rebuild_and_a_move(small_library):
    library, data = small_library
    client = web_client(data)
    report = doc_id(client, "en_report")
    before = (text(client.get(f"/doc/{report}?q=commune")), api(client, "/api/search?q=commune"))
    ddsearch("rebuild", "--index", str(data), data=data, check=True)
    assert text(client.get(f"/doc/{report}?q=commune")) == before[0]
    assert api(client, "/api/search?q=commune")["results"][0]["id"] == report
    (library / "en_report_2023_dd_reform_progress_demo.pdf").rename(library / "moved.pdf")
    ddsearch("index", str(library), "--index", str(data), "--ocr", "never", data=data, check=True)
    assert client.get(f"/doc/{report}").status_code == 200
    assert client.get(f"/doc/{report}/pdf").status_code == 200


def test_pdf_route_is_a_404_when_the_indexed_file_is_gone(small_library):
    library, data = small_library
    client = web_client(data)
    report = doc_id(client, "en_report")
    (library / "en_report_2023_dd_reform_progress_demo.pdf").unlink()
    response = client.get(f"/doc/{report}/pdf")
    assert response.status_code == 404 and "no longer where it was indexed" in text(response)


# --- serving ------------------------------------------------------------------------------------


def test_ddsearch_serve_answers_more_clients_than_it_has_threads(web_data):
    """Each process takes as many connections as it has threads and closes each after its
    response (search_web/server.py): the other clients wait in the kernel's queue, and none
    is turned away."""
    import http.client
    from concurrent.futures import ThreadPoolExecutor

    port = free_port()
    server = start_server(web_data, port, workers=2)

    def fetch(n: int) -> tuple[int, str | None, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)  # HTTP/1.1
        try:
            connection.request("GET", f"/search?q=commune&page={n % 3 + 1}&per_page=2")
            reply = connection.getresponse()
            return reply.status, reply.headers["Connection"], reply.read()
        finally:
            connection.close()

    try:
        with ThreadPoolExecutor(max_workers=24) as pool:
            replies = list(pool.map(fetch, range(24)))
        assert [status for status, _, _ in replies] == [200] * 24
        assert {connection for _, connection, _ in replies} == {"close"}
        assert b"<mark>commune</mark>" in replies[0][2]
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_flask_finds_the_app_factory(web_data):
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "search_web", "routes"],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={"DDSEARCH_INDEX": str(web_data), "PATH": "/usr/bin:/bin"},
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "/doc/<doc_id>/pdf" in done.stdout


def test_ddsearch_serve_says_when_its_port_is_taken(web_data):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "indexer.cli", "serve", "--index", str(web_data),
             "--port", str(port)],
            cwd=REPO, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    assert done.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr and "--port" in done.stderr
