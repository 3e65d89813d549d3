"""Hostile requests against the website: property-based fuzzing of every route and the JSON API,
script injection in every parameter and in indexed metadata, path traversal on the PDF route,
huge and malformed parameters, and header tricks against the real server (`ddsearch serve`,
gunicorn). Never a 500, never reflected markup, never a file from outside the library.

Run with ``-s`` to see how many requests were tried; DDSEARCH_FUZZ_EXAMPLES=2000 fuzzes at full
size (default 60 examples per fuzzing test and route).
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import socket
from collections import Counter
from pathlib import Path
from urllib.parse import quote, quote_from_bytes

import pytest
from conftest import REPO, ddsearch, web_client
from hostile import assemble
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from web_bench import free_port, start_server

pytestmark = pytest.mark.slow  # an index built by the CLI in a subprocess, and a real server

DEMO_REPORT = REPO / "corpus" / "en_report_2023_dd_reform_progress_demo.pdf"
SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
FORMULA = '=HYPERLINK("http://evil.example/","open")'
ATTACKS = (
    SCRIPT,
    IMG,
    "'><svg onload=alert(1)>",
    "javascript:alert(1)",
    '" onmouseover="alert(1)',
    "</title><script>alert(1)</script>",
    "]]><x-fuzz/><![CDATA[",
    "{{7*7}}{% raw %}",
    "%3Cscript%3Ealert(1)%3C/script%3E",
    "\u202e<script>",
)
#: What must never appear in a page or a feed: the attacks' tags, or an attribute broken out
#: of (Jinja escapes quotes, so ``onerror=`` in text is harmless). The site's own page images
#: are ``<svg class=…>`` and ``<img class=…>``, so the attacks' img and svg are told by what
#: follows the tag name. A CSV is data, not markup: it keeps titles as they are, and is
#: checked for spreadsheet formulas instead.
RAW_MARKUP = ("<script", "<img src=x", "<svg onload", "<x-fuzz", 'onmouseover="')
PARAMETERS = ("q", "type", "year", "year_from", "year_to", "lang", "sort", "page", "per_page")
PARAMETERS += ("lang_ui", "download")
MARKUP_TYPES = ("text/html", "application/atom+xml", "application/opensearchdescription+xml")

tried: Counter[str] = Counter()


# --- the hostile library -------------------------------------------------------------------------


def hostile_pdf(target: Path) -> Path:
    """A one-page PDF with a text layer (Helvetica) whose text and /Title hold markup."""

    def literal(text: str) -> bytes:
        escaped = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        return b"(" + escaped.encode("latin-1") + b")"

    lines = [
        f"Sub-Decree on commune budgets {SCRIPT}",
        f"The commune council publishes its budget {IMG} every year.",
        "Each commune council shall display the annual budget in the commune office,",
        "so that citizens can read the revenue and the expenditure of the commune.",
        "The district administration checks the budget and reports to the province.",
        f"Attack text in the body: {SCRIPT} and {IMG} and {FORMULA}.",
    ]
    content = b"BT /F1 11 Tf 50 790 Td 16 TL " + b" ".join(literal(x) + b" '" for x in lines)
    content += b" ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Title " + literal(f"{SCRIPT} {IMG}") + b" /Author " + literal(SCRIPT) + b" >>",
    ]
    target.write_bytes(assemble(objects, info=6))
    return target


@pytest.fixture(scope="module")
def hostile_data(tmp_path_factory, shared_corpus) -> Path:
    """A library of the hostile PDF (its title, number and issuer overridden with markup and
    a spreadsheet formula by the catalogue) and one ordinary document."""
    base = tmp_path_factory.mktemp("hostile")
    library, data = base / "library", base / "data"
    library.mkdir()
    hostile_pdf(library / "hostile.pdf")
    shutil.copy(DEMO_REPORT, library)
    with open(library / "catalog.csv", "w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(["path", "title", "number", "issuer"])
        writer.writerow(["hostile.pdf", f"{SCRIPT} {IMG}", FORMULA, SCRIPT])
    ddsearch("index", str(library), "--index", str(data), "--ocr", "never", data=data, check=True)
    return data


@pytest.fixture(scope="module")
def client(hostile_data):
    return web_client(hostile_data)


@pytest.fixture(scope="module")
def hostile_id(client) -> str:
    results = client.get("/api/search?per_page=100").get_json()["results"]
    return next(doc["id"] for doc in results if doc["paths"] == ["hostile.pdf"])


@pytest.fixture(scope="module", autouse=True)
def count_requests():
    yield
    print(f"\nhostile requests tried: {sum(tried.values())} ({dict(tried)})")


def get(client, url: str, kind: str, **kwargs):
    """A request through the test client, counted, that must never be a server error."""
    tried[kind] += 1
    response = client.get(url, **kwargs)
    assert response.status_code < 500, (url, response.status_code, response.data[:300])
    return response


def assert_no_markup(response, url) -> None:
    """No unescaped markup in anything a browser or feed reader would render."""
    if response.mimetype in MARKUP_TYPES:
        body = response.get_data(as_text=True).lower()
        for raw in RAW_MARKUP:
            assert raw not in body, (url, raw)


# --- markup in the index -------------------------------------------------------------------------


def test_the_hostile_document_is_indexed_with_its_markup_as_text(client, hostile_id):
    doc = client.get(f"/api/doc/{hostile_id}").get_json()
    assert doc["title"] == f"{SCRIPT} {IMG}" and doc["issuer"] == SCRIPT
    assert SCRIPT in doc["pages"][0]["text"] and IMG in doc["pages"][0]["text"]


def test_indexed_markup_is_escaped_on_every_page_and_feed(client, hostile_id):
    urls = [
        "/search?q=commune",
        "/search?q=script+alert",
        "/search?q=onerror",
        "/",
        f"/doc/{hostile_id}",
        f"/doc/{hostile_id}?q=script",
        f"/doc/{hostile_id}?q=commune&lang_ui=km",
        f"/doc/{hostile_id}/page/1?q=script",
        f"/doc/{hostile_id}/page/1?q=onerror&lang_ui=km",
        "/feed.atom?q=commune",
        "/feed.atom",
        "/search.csv?q=commune",
        "/opensearch.xml",
        "/help",
    ]
    for url in urls:
        response = get(client, url, "indexed markup")
        assert response.status_code == 200, url
        assert_no_markup(response, url)
    page = get(client, f"/doc/{hostile_id}", "indexed markup").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page  # shown, as text
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in page


def test_json_keeps_markup_as_data_and_snippets_escaped(client, hostile_id):
    for url in ("/api/search?q=alert", f"/api/doc/{hostile_id}?q=alert"):
        response = get(client, url, "indexed markup")
        assert response.mimetype == "application/json"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        body = response.get_json()
        pages = body["results"][0]["pages"] if "results" in body else body["matching_pages"]
        snippets = " ".join(page["snippet"] for page in pages)
        assert "&lt;script&gt;" in snippets and "<script" not in snippets
        assert SCRIPT in json.dumps(body, ensure_ascii=False)  # the title, as data


def test_csv_cells_cannot_run_as_spreadsheet_formulas(client, hostile_id):
    response = get(client, "/search.csv?q=commune", "indexed markup")
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    hostile = next(row for row in rows if row["id"] == hostile_id)
    assert hostile["number"] == "'" + FORMULA
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row.values())


# --- injection in every parameter ----------------------------------------------------------------

ROUTES = (
    "/",
    "/search",
    "/help",
    "/api/search",
    "/search.csv",
    "/feed.atom",
    "/opensearch.xml",
    "/doc/{id}",
    "/api/doc/{id}",
    "/doc/{id}/pdf",
)


@pytest.mark.parametrize("route", ROUTES)
def test_script_injection_in_every_parameter_is_never_reflected(client, hostile_id, route):
    url = route.format(id=hostile_id)
    for name in PARAMETERS:
        for attack in ATTACKS:
            response = get(client, url, "injection", query_string={name: attack})
            assert response.status_code in (200, 400), (url, name, attack)
            assert_no_markup(response, (url, name))
    for attack in ATTACKS if "{id}" in route else ():  # as the document id, too
        response = get(client, route.format(id=quote(attack, safe="")), "injection")
        assert response.status_code == 404 and b"<script" not in response.data


# --- path traversal on the PDF route -------------------------------------------------------------

TRAVERSALS = (
    "/doc/..%2f..%2fetc%2fpasswd/pdf",
    "/doc/..%2F..%2F..%2F..%2Fetc%2Fpasswd/pdf",
    "/doc/%2e%2e%2f%2e%2e%2fetc%2fpasswd/pdf",
    "/doc/..%252f..%252fetc%252fpasswd/pdf",
    "/doc/%252e%252e%252fetc%252fpasswd/pdf",
    "/doc/..%5c..%5cetc%5cpasswd/pdf",
    "/doc/%c0%ae%c0%ae%c0%afetc%c0%afpasswd/pdf",
    "/doc/%e0%80%ae%e0%80%ae/pdf",
    "/doc/../../etc/passwd/pdf",
    "/doc/....//....//etc/passwd/pdf",
    "/doc/%2fetc%2fpasswd/pdf",
    "/doc//etc/passwd/pdf",
    "/doc/%00/pdf",
    "/doc/%00..%2f..%2fetc%2fpasswd/pdf",
    "/doc/{id}%00/pdf",
    "/doc/{id}%00.pdf/pdf",
    "/doc/{id}/pdf%00",
    "/doc/{id}/pdf/..%2f..%2f..%2fetc%2fpasswd",
    "/doc/{id}/..%2f..%2fpyproject.toml",
    "/doc/{id}%2f..%2f..%2fpyproject.toml/pdf",
    "/doc/{id}/pdf?path=/etc/passwd",
    "/doc/{id}/pdf?download=../../etc/passwd",
    "/doc/{id}%20/pdf",
    "/doc/{ID}/pdf",
    "/doc/" + "a" * 65 + "/pdf",
    "/doc/" + "%e1%9e%80" * 20 + "/pdf",
    "/api/doc/..%2f..%2fetc%2fpasswd",
    "/static/..%2f..%2fpyproject.toml",
    "/static/%2e%2e/%2e%2e/pyproject.toml",
    "/static/..%5c..%5cpyproject.toml",
    "/static/%00",
    "/static//etc/passwd",
    "/static/../../../../etc/passwd",
    "//etc/passwd",
    "/..%2f..%2fetc%2fpasswd",
)


@pytest.mark.parametrize("path", TRAVERSALS)
def test_path_traversal_serves_no_file_outside_the_library(client, hostile_id, path):
    url = path.format(id=hostile_id, ID=hostile_id.upper())
    response = get(client, url, "traversal", follow_redirects=True)  # // is redirected
    body = response.data
    assert b"root:" not in body and b"[project]" not in body and b"import " not in body
    if body.startswith(b"%PDF"):  # only the indexed file of the asked-for document
        assert body == (Path(client.application.config["DATA"].root).parent / "library"
                        / "hostile.pdf").read_bytes(), url  # fmt: skip
    else:
        assert response.status_code in (400, 404), url


def test_the_pdf_route_serves_the_indexed_file(client, hostile_id):
    response = get(client, f"/doc/{hostile_id}/pdf", "traversal")
    assert response.status_code == 200 and response.data.startswith(b"%PDF-1.")
    assert response.headers["Content-Disposition"] == f"inline; filename={hostile_id}.pdf"


# --- property-based fuzzing ----------------------------------------------------------------------

KHMER = st.text(st.characters(min_codepoint=0x1780, max_codepoint=0x17FF), max_size=60)
CONTROL = st.text(st.characters(codec="utf-8", categories=("Cc", "Cf", "Zl", "Zp")), max_size=20)
SYNTAX = st.text(st.sampled_from("\"'()[]{}<>:*-+~^\\/.%&=;, ANDORNOT"), max_size=40)
HUGE = st.builds(lambda text, times: text * times, st.text(min_size=1, max_size=5),
                 st.integers(100, 20_000))  # fmt: skip
VALUES = st.one_of(
    st.text(),
    KHMER,
    CONTROL,
    SYNTAX,
    HUGE,
    st.sampled_from(ATTACKS),
    st.builds("".join, st.lists(st.one_of(KHMER, SYNTAX, st.sampled_from(ATTACKS)), max_size=4)),
    st.integers(-(10**30), 10**30).map(str),
)
QUERY = st.dictionaries(st.one_of(st.sampled_from(PARAMETERS), st.text(max_size=10)), VALUES,
                        max_size=5)  # fmt: skip
FUZZ = settings(
    max_examples=int(os.environ.get("DDSEARCH_FUZZ_EXAMPLES", "60")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@pytest.mark.parametrize("route", ROUTES)
@FUZZ
@given(query=QUERY)
def test_fuzzed_parameters_never_break_a_route(client, hostile_id, route, query):
    url = route.format(id=hostile_id)
    response = get(client, url, "fuzzed parameters", query_string=query)
    assert response.status_code in (200, 400), (url, query, response.data[:300])
    assert_no_markup(response, (url, query))
    if route.startswith("/api/"):
        assert response.is_json


@FUZZ
@given(raw=st.binary(max_size=300))
def test_fuzzed_raw_query_strings_never_break_the_search(client, raw):
    for route in ("/search", "/api/search", "/feed.atom"):
        url = f"{route}?{quote_from_bytes(raw, safe='=&')}"
        response = get(client, url, "fuzzed raw query strings")
        assert response.status_code in (200, 400), (url, response.data[:300])
        assert_no_markup(response, url)


@FUZZ
@given(doc_id=st.one_of(st.text(min_size=1), KHMER.filter(bool), st.sampled_from(ATTACKS)))
def test_fuzzed_document_ids_are_404s(client, doc_id):
    for route in ("/doc/{}", "/api/doc/{}", "/doc/{}/pdf"):
        url = route.format(quote(doc_id, safe=""))
        response = get(client, url, "fuzzed document ids", follow_redirects=True)  # //
        assert response.status_code == 404, (url, response.data[:300])
        assert_no_markup(response, url)


# --- header tricks against the real server -------------------------------------------------


@pytest.fixture(scope="module")
def server(hostile_data):
    port = free_port()
    process = start_server(hostile_data, port)
    yield port
    process.terminate()
    process.wait(timeout=10)


def raw_get(port: int, path: str, headers: dict[str, str | bytes], method: str = "GET"):
    """One HTTP/1.1 request written byte for byte: (status, headers text, body)."""
    tried["header tricks"] += 1
    lines = [f"{method} {path} HTTP/1.1".encode()]
    for name, value in headers.items():
        lines.append(
            name.encode() + b": " + (value if isinstance(value, bytes) else value.encode())
        )
    lines.append(b"Connection: close")
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(b"\r\n".join(lines) + b"\r\n\r\n")
        reply = b""
        while chunk := sock.recv(65536):
            reply += chunk
    head, _, body = reply.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    assert status < 500, (path, headers, reply[:500])
    return status, head.decode("latin-1"), body


HOSTS = (
    'attacker.test"><x-fuzz>',
    "localhost<x-fuzz>",
    "localhost/<x-fuzz>",
    "localhost:80@attacker.test",
    "localhost:99999",
    "[::1]:8080",
    "",
    "a" * 64,  # a DNS label has at most 63 characters
    "a" * 10_000,
    "xn--zz",  # broken IDNA
    "localhost\x00attacker.test",
)
ABSOLUTE_URL_ROUTES = ("/feed.atom?q=commune", "/opensearch.xml", "/search.csv?q=commune")


@pytest.mark.parametrize("host", HOSTS, ids=range(len(HOSTS)))
def test_markup_in_the_host_header_never_reaches_absolute_urls(server, host):
    for path in (*ABSOLUTE_URL_ROUTES, "/api/doc/nosuchid", "/search?q=x"):
        status, _, body = raw_get(server, path, {"Host": host})
        text = body.decode("utf-8", "replace")
        assert "<x-fuzz" not in text and "attacker.test" not in text, (host, path)


def test_forwarded_headers_are_not_trusted(server):
    tricks = {
        "Host": "127.0.0.1",
        "X-Forwarded-Host": "attacker.test",
        "X-Forwarded-Proto": "javascript",
        "X-Forwarded-Prefix": "/<x-fuzz>",
        "X-Forwarded-For": "<x-fuzz>, 1.2.3.4",
        "Forwarded": 'for="<x-fuzz>";host=attacker.test;proto=https',
        "X-Original-URL": "/doc/..%2f..%2fetc%2fpasswd/pdf",
        "X-Rewrite-URL": "/etc/passwd",
    }
    for path in ABSOLUTE_URL_ROUTES:
        status, _, body = raw_get(server, path, tricks)
        text = body.decode("utf-8")
        assert status == 200 and "http://127.0.0.1/" in text
        assert "attacker.test" not in text and "x-fuzz" not in text and "javascript:" not in text


LANGUAGE_TRICKS = (
    ("Accept-Language", "km;q=abc, en;q=1e999"),
    ("Accept-Language", "*;q=-1, km;q=NaN"),
    ("Accept-Language", ",,,;;;q=;"),
    ("Accept-Language", f"km-{SCRIPT}"),
    ("Accept-Language", "km;q=0.9," * 2000),
    ("Accept-Language", b"\xff\xfe km"),
    ("Cookie", f"lang_ui={SCRIPT}"),
    ("Cookie", "lang_ui=km; lang_ui=en; lang_ui=fr"),
    ("Cookie", 'lang_ui="km"'),
    ("Cookie", "lang_ui=" + "k" * 8000),
    ("Cookie", b"lang_ui=\xe1\x9e\x80; =; ;;"),
    ("Cookie", "lang_ui=%3Cscript%3E"),
)


#: gunicorn's limit_request_field_size: a longer header line is answered 431 by the server.
MAX_HEADER_FIELD = 8190


@pytest.mark.parametrize(("header", "value"), LANGUAGE_TRICKS, ids=range(len(LANGUAGE_TRICKS)))
def test_weird_language_headers_and_cookies_pick_a_known_interface(server, header, value):
    for path in ("/search?q=commune", "/help", "/doc/nosuchid"):
        status, head, body = raw_get(server, path, {"Host": "127.0.0.1", header: value})
        if len(value) > MAX_HEADER_FIELD:  # the server refuses it before the app sees it
            assert status == 431 and b"<script" not in body
            continue
        text = body.decode("utf-8")
        assert status in (200, 404), (path, header, value)
        assert '<html lang="en">' in text or '<html lang="km">' in text
        assert "<script" not in text and "Set-Cookie" not in head


def test_other_methods_are_refused_cleanly(server):
    for method in ("POST", "PUT", "DELETE", "PATCH", "TRACE", "PROPFIND"):
        status, _, body = raw_get(server, "/search?q=commune", {"Host": "127.0.0.1"}, method)
        assert status == 405, method
    status, head, body = raw_get(server, "/search?q=commune", {"Host": "127.0.0.1"}, "HEAD")
    assert status == 200 and body == b""
