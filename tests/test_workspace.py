"""The workspace (/admin) through Flask's test client over the real app: accounts made by the
real CLI, sign-in with the form's real CSRF token and the real session store, corrections,
withdrawals, records without a file, uploads indexed by the real background runner (which runs
the real `ddsearch index`), the change log, and everything an editor types escaped."""

from __future__ import annotations

import csv
import io
import re
import time
from datetime import timedelta
from html import unescape
from pathlib import Path

import pytest
from conftest import PDFS, ddsearch, web_client
from workspace_helpers import (
    PASSWORDS,
    TEXT_PDF,
    bomb_png,
    make_library,
    post_files,
    sign_in,
    token,
)

from indexer.config import DataDir
from indexer.indexing.lock import writer_lock
from indexer.library.catalog import read_catalog
from indexer.workspace import jobs

pytestmark = pytest.mark.slow  # indexes built by the CLI in subprocesses, background runs

SCRIPT = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://evil.example/","open")'
REPORT = "en_report_2023_dd_reform_progress_demo.pdf"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> tuple[Path, Path]:
    """(library folder, data folder), shared by this module's tests."""
    return make_library(tmp_path_factory.mktemp("workspace"))


@pytest.fixture()
def client(site):
    return web_client(site[1])


@pytest.fixture()
def editor(site):
    client = web_client(site[1])
    assert sign_in(client, "eva").status_code == 302
    return client


@pytest.fixture()
def admin(site):
    client = web_client(site[1])
    assert sign_in(client, "ana").status_code == 302
    return client


def doc_id(client, name: str) -> str:
    results = client.get("/api/search?per_page=100").get_json()["results"]
    return next(d["id"] for d in results if any(name in p for p in d["paths"]))


def post(client, url: str, form: dict | None = None, page: str | None = None, **kwargs):
    """POST a form with the CSRF token of the page it is on."""
    return client.post(
        url, data={**(form or {}), "csrf_token": token(client, page or url)}, **kwargs
    )


def cookie_header(response) -> str:
    return next(h for h in response.headers.get_all("Set-Cookie") if h.startswith("ddsearch_"))


# --- the gate ---------------------------------------------------------------------------------


def test_no_workspace_until_an_account_exists(tmp_path):
    library, data = tmp_path / "library", tmp_path / "data"
    library.mkdir()
    ddsearch("index", str(library), "--index", str(data), data=data, check=True)
    client = web_client(data)
    for url in ("/admin/", "/admin/login", "/admin/api/", "/admin/upload"):
        assert client.get(url).status_code == 404, url
    assert client.post("/admin/login", data={"username": "x"}).status_code == 404
    assert not (data / "sessions").exists()  # the public site wrote nothing


def admin_rules(client) -> list:
    return [r for r in client.application.url_map.iter_rules() if r.rule.startswith("/admin")]


def test_nothing_under_admin_answers_without_a_session(client, site):
    some_id = doc_id(client, REPORT)
    for rule in admin_rules(client):
        url = re.sub(r"<(int:)?(\w+)>", lambda m: "1" if m.group(1) else some_id, rule.rule)
        url = url.replace(f"/users/{some_id}/", "/users/ana/")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            response = client.open(url, method=method)
            if rule.endpoint == "admin.login":
                assert response.status_code in (200, 400), (url, method)  # the sign-in page
            elif method == "POST":
                assert response.status_code == 400, (url, method)  # no CSRF token
            elif url.startswith("/admin/api/"):
                assert response.status_code == 401, url
                assert response.get_json()["error"]
            else:
                assert response.status_code == 302, url
                assert response.headers["Location"].startswith("/admin/login?next=")


def test_every_state_changing_request_without_a_valid_token_is_refused(editor, admin, site):
    target = doc_id(editor, REPORT)
    before = editor.get(f"/admin/api/doc/{target}").get_json()
    attempts = [
        (f"/admin/doc/{target}/edit", {"title": "changed"}),
        (f"/admin/doc/{target}/withdraw", {}),
        (f"/admin/doc/{target}/reocr", {}),
        ("/admin/records/new", {"title": "A book"}),
        ("/admin/upload", {}),
        ("/admin/logout", {}),
    ]
    for url, form in attempts:
        for bad in ({}, {"csrf_token": "forged"}, {"csrf_token": token(admin, "/admin/upload")}):
            response = editor.post(url, data={**form, **bad})
            assert response.status_code == 400, (url, bad)
            assert "The form was refused" in response.get_data(as_text=True)
    for bad in ({}, {"csrf_token": "forged"}):
        form = {"username": "intruder", "role": "admin", "password": "x" * 12, **bad}
        assert admin.post("/admin/users", data=form).status_code == 400
    assert editor.get(f"/admin/api/doc/{target}").get_json() == before
    assert editor.get("/admin/").status_code == 200  # still signed in: logout was refused too
    names = [a["name"] for a in admin.get("/admin/api/users").get_json()["accounts"]]
    assert names == ["ana", "eva"]


# --- signing in and sessions -------------------------------------------------------------------


def test_sign_in_renews_the_session_and_its_cookie_is_httponly_and_samesite(client):
    page = client.get("/admin/login")
    before = cookie_header(page).split(";")[0]
    signed = sign_in(client, "eva")
    assert signed.status_code == 302 and signed.headers["Location"] == "/admin/"
    cookie = cookie_header(signed)
    assert cookie.split(";")[0] != before  # a new session id
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    home = client.get("/admin/")
    assert home.status_code == 200 and "eva" in home.get_data(as_text=True)


def test_the_cookie_is_secure_when_the_site_is_served_over_https(site, monkeypatch):
    monkeypatch.setenv("DDSEARCH_SECURE_COOKIES", "1")
    client = web_client(site[1])
    assert "Secure" in cookie_header(client.get("/admin/login"))


def test_a_wrong_password_or_name_is_a_401_with_a_sentence(client):
    for name, password in (("eva", "not her password"), ("nobody", "whatever it is")):
        response = sign_in(client, name, password)
        assert response.status_code == 401
        assert "The name or the password is wrong" in response.get_data(as_text=True)
        assert "wrong_sign_in" not in response.get_data(as_text=True)  # no key for a sentence
    assert client.get("/admin/").status_code == 302


def test_sign_out_ends_the_session_on_the_server(site):
    client = web_client(site[1])
    sign_in(client, "eva")
    stolen = client.get_cookie("ddsearch_session").value
    out = post(client, "/admin/logout", page="/admin/")
    assert out.status_code == 302
    replay = web_client(site[1])
    replay.set_cookie("ddsearch_session", stolen)
    assert replay.get("/admin/").status_code == 302  # the old id leads nowhere


def test_a_session_ends_after_its_idle_time(site):
    client = web_client(site[1])
    client.application.config["PERMANENT_SESSION_LIFETIME"] = timedelta(seconds=1)
    sign_in(client, "eva")
    assert client.get("/admin/").status_code == 200
    time.sleep(2.5)
    assert client.get("/admin/").status_code == 302


def test_sign_in_is_limited_per_account_and_per_address(site):
    _forget_attempts(site[1])  # the failures of the tests before
    # Per account: from five addresses, then a sixth with the right password.
    for number in range(5):
        client = web_client(site[1])
        client.environ_base["REMOTE_ADDR"] = f"10.0.0.{number + 1}"
        assert sign_in(client, "eva", "wrong password!").status_code == 401
    client = web_client(site[1])
    client.environ_base["REMOTE_ADDR"] = "10.0.0.9"
    refused = sign_in(client, "EVA", PASSWORDS["eva"])
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 15 * 60
    assert "Too many failed sign-ins" in refused.get_data(as_text=True)
    # Per address: five names tried from one address; another process sees the count.
    for number in range(5):
        client = web_client(site[1])
        client.environ_base["REMOTE_ADDR"] = "10.0.1.1"
        assert sign_in(client, f"guess{number}", "some password").status_code == 401
    other_process = web_client(site[1])
    other_process.environ_base["REMOTE_ADDR"] = "10.0.1.1"
    assert sign_in(other_process, "ana", PASSWORDS["ana"]).status_code == 429
    other_process.environ_base["REMOTE_ADDR"] = "10.0.1.2"
    assert sign_in(other_process, "ana", PASSWORDS["ana"]).status_code == 302
    _forget_attempts(site[1])  # for the other tests of this module


def test_behind_a_proxy_the_sign_in_limit_counts_each_visitors_address(site, monkeypatch):
    """nginx in front (10.0.2.1): with DDSEARCH_PROXIES=1 the limit counts the address it
    forwards, and https as it says; without it the forwarded headers are not believed."""
    _forget_attempts(site[1])

    def through_proxy(visitor: str, **headers) -> object:
        client = web_client(site[1])
        client.environ_base.update(REMOTE_ADDR="10.0.2.1", HTTP_X_FORWARDED_FOR=visitor)
        client.environ_base.update(headers)
        return client

    for number in range(5):  # not believed: five failures of one address, the proxy's
        assert (
            sign_in(through_proxy(f"192.0.2.{number}"), f"x{number}", "guess it").status_code == 401
        )
    assert sign_in(through_proxy("192.0.2.50"), "ana", PASSWORDS["ana"]).status_code == 429
    _forget_attempts(site[1])

    monkeypatch.setenv("DDSEARCH_PROXIES", "1")
    for number in range(5):
        assert sign_in(through_proxy("198.51.100.1"), f"y{number}", "guess it").status_code == 401
    assert sign_in(through_proxy("198.51.100.1"), "ana", PASSWORDS["ana"]).status_code == 429
    monkeypatch.setenv("DDSEARCH_SECURE_COOKIES", "1")
    https = {"HTTP_X_FORWARDED_PROTO": "https", "HTTP_X_FORWARDED_HOST": "dd.example.org"}
    visitor = through_proxy(
        "198.51.100.2", **https, HTTP_REFERER="https://dd.example.org/admin/login"
    )
    signed_in = sign_in(visitor, "ana")
    assert signed_in.status_code == 302 and "Secure" in cookie_header(signed_in)
    assert visitor.get("/admin/").status_code == 200
    assert "https://dd.example.org/" in visitor.get("/feed.atom").get_data(as_text=True)
    _forget_attempts(site[1])


def _forget_attempts(data: Path) -> None:
    from indexer.workspace.db import connect_workspace

    db = connect_workspace(DataDir(data))
    db.execute("DELETE FROM attempts")
    db.close()


def test_sign_in_goes_back_where_it_was_asked_but_never_to_another_site(site):
    client = web_client(site[1])
    form = {"username": "eva", "password": PASSWORDS["eva"]}
    for target, lands in (
        ("/admin/records/new", "/admin/records/new"),
        ("https://evil.example/", "/admin/"),
        ("//evil.example/admin", "/admin/"),
        ("/search?q=x", "/admin/"),
    ):
        form["csrf_token"] = token(client, "/admin/login")
        response = client.post("/admin/login", data={**form, "next": target})
        assert response.headers["Location"] == lands, target
        post(client, "/admin/logout", page="/admin/")


def test_an_editor_cannot_do_an_admins_work(editor):
    for url in (
        "/admin/users",
        "/admin/api/users",
        "/admin/log",
        "/admin/api/log",
        "/admin/log.csv",
    ):
        assert editor.get(url).status_code == 403, url
    form = {"username": "mallory", "role": "admin", "password": "long enough password"}
    page_token = token(editor, "/admin/upload")
    response = editor.post("/admin/users", data={**form, "csrf_token": page_token})
    assert response.status_code == 403
    removal = editor.post("/admin/users/ana/remove", data={"csrf_token": page_token})
    assert removal.status_code == 403
    assert "Only an admin" in removal.get_data(as_text=True)


def test_admins_manage_accounts_and_a_new_password_ends_other_sessions(admin, site):
    form = {"username": "tola", "role": "editor", "password": "tola's first password"}
    assert post(admin, "/admin/users", form).status_code == 302
    tola = web_client(site[1])
    assert sign_in(tola, "tola", form["password"]).status_code == 302
    new = {"password": "tola's second password"}
    assert post(admin, "/admin/users/tola/password", new, page="/admin/users").status_code == 302
    assert tola.get("/admin/").status_code == 302  # signed out by the new password
    assert sign_in(tola, "tola", new["password"]).status_code == 302
    short = post(admin, "/admin/users", {"username": "x", "role": "editor", "password": "short"})
    assert short.status_code == 400 and "at least 10" in short.get_data(as_text=True)
    last_admin = post(admin, "/admin/users/ana/remove", page="/admin/users")
    assert last_admin.status_code == 400 and "only admin" in last_admin.get_data(as_text=True)
    assert post(admin, "/admin/users/tola/remove", page="/admin/users").status_code == 302
    assert tola.get("/admin/").status_code == 302
    log = admin.get("/admin/api/log?action=account").get_json()["entries"]
    assert [e["details"].get("event") for e in log[:3]] == ["removed", "password changed", "added"]


def test_the_cli_manages_accounts(tmp_path):
    data = tmp_path / "data"
    added = ddsearch("user", "add", "sok", "--role", "editor", "--index", str(data),
                     data=data, input="a good long password\na good long password\n")  # fmt: skip
    assert added.returncode == 0, added.stderr
    short = ddsearch("user", "add", "dara", "--role", "admin", "--password-stdin",
                     data=data, input="short\n")  # fmt: skip
    assert short.returncode == 2 and "at least 10" in short.stderr
    again = ddsearch("user", "add", "SOK", "--role", "admin", "--password-stdin",
                     data=data, input="another long password\n")  # fmt: skip
    assert again.returncode == 2 and "already an account" in again.stderr
    listed = ddsearch("user", "list", "--json", data=data, check=True)
    assert [(a["name"], a["role"]) for a in __import__("json").loads(listed.stdout)] == [
        ("sok", "editor")
    ]
    assert ddsearch("user", "passwd", "sok", "--password-stdin", data=data,
                    input="a newer long password\n").returncode == 0  # fmt: skip
    stored = b"".join(path.read_bytes() for path in data.glob("workspace.sqlite*"))
    assert b"$argon2id$" in stored and b"long password" not in stored  # only hashes are kept
    assert ddsearch("user", "remove", "sok", data=data).returncode == 0
    assert ddsearch("user", "remove", "sok", data=data).returncode == 2


# --- catalogue corrections ------------------------------------------------------------------------


def test_a_correction_applies_at_once_everywhere_and_survives_the_next_run(editor, site):
    library, data = site
    target = doc_id(editor, REPORT)
    page = editor.get(f"/doc/{target}").get_data(as_text=True)
    assert f'id="edit-link" href="/admin/doc/{target}/edit"' in page
    assert "edit-link" not in web_client(data).get(f"/doc/{target}").get_data(as_text=True)
    form = {"title": "Commune Budget Handbook (corrected)", "type": "manual", "year": "2019",
            "number": "", "issuer": "Ministry of Interior", "languages": "en"}  # fmt: skip
    saved = post(editor, f"/admin/doc/{target}/edit", form)
    assert saved.status_code == 200 and "Saved" in saved.get_data(as_text=True)

    found = editor.get("/api/search?q=handbook&type=manual&year=2019").get_json()
    assert [d["id"] for d in found["results"]] == [target]
    assert found["facets"]["type"] == {"manual": 1}
    assert "Commune Budget Handbook (corrected)" in editor.get(f"/doc/{target}").get_data(
        as_text=True
    )
    assert editor.get(f"/api/doc/{target}").get_json()["issuer"] == "Ministry of Interior"
    feed = editor.get("/feed.atom?q=handbook").get_data(as_text=True)
    assert "Commune Budget Handbook (corrected)" in feed and '<category term="manual"' in feed
    admin_view = editor.get(f"/admin/api/doc/{target}").get_json()
    assert set(admin_view["overridden"]) >= {"title", "type", "year", "issuer"}

    # The next indexing run does not undo it; the export shows it; re-importing changes nothing.
    ddsearch("index", str(library), "--index", str(data), "--ocr", "never", data=data, check=True)
    assert editor.get(f"/api/doc/{target}").get_json()["title"].endswith("(corrected)")
    export = library / "catalog.csv"
    ddsearch("catalog", "export", str(export), "--index", str(data), data=data, check=True)
    rows, problems = read_catalog(export)
    row = next(r for r in rows if r.id == target)
    assert row.values["title"] == form["title"] and not problems
    with export.open(encoding="utf-8-sig", newline="") as handle:
        exported = {r["id"]: r for r in csv.DictReader(handle)}
    assert set(exported[target]["overridden"].split()) >= {"title", "type", "year", "issuer"}

    def everything() -> list[dict]:
        found = editor.get("/api/search?per_page=100").get_json()["results"]
        return sorted(found, key=lambda doc: doc["id"])  # equal scores: order is the index's

    def exported_values(path: Path) -> dict:
        """The export's values and overridden columns (not detection's confidence, which a
        pinned value no longer has: the catalogue's rule)."""
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return {
                r["id"]: {k: v for k, v in r.items() if k not in ("confidence", "doubtful")}
                for r in csv.DictReader(handle)
            }

    before = everything()
    ddsearch("index", str(library), "--index", str(data), "--ocr", "never", data=data, check=True)
    assert everything() == before
    again = library / "again.csv"
    ddsearch("catalog", "export", str(again), "--index", str(data), data=data, check=True)
    assert exported_values(again) == exported_values(export)
    again.unlink()

    # A later spreadsheet change of another cell is applied; the browser's title stays.
    with export.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        if row["id"] == target:
            row["date"], row["year"] = "2018", "2018"
    with export.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    ddsearch("index", str(library), "--index", str(data), "--ocr", "never", data=data, check=True)
    now = editor.get(f"/api/doc/{target}").get_json()
    assert now["year"] == 2018 and now["title"].endswith("(corrected)")
    export.unlink()


def test_a_bad_value_is_a_sentence_and_changes_nothing(editor):
    target = doc_id(editor, TEXT_PDF[:20])
    before = editor.get(f"/admin/api/doc/{target}").get_json()
    for form, sentence in (
        ({"year": "20x5"}, "not a possible year"),
        ({"type": "pamphlet"}, "Unknown type"),
        ({"languages": "fr"}, "Unknown language"),
    ):
        response = post(editor, f"/admin/doc/{target}/edit", form)
        assert response.status_code == 400 and sentence in response.get_data(as_text=True)
    assert editor.get(f"/admin/api/doc/{target}").get_json() == before
    # In the Khmer interface the sentence is Khmer; JSON keeps the English one.
    editor.set_cookie("lang_ui", "km")
    response = post(editor, f"/admin/doc/{target}/edit", {"year": "20x5"})
    assert "'20x5' មិនមែនជាឆ្នាំទេ" in unescape(response.get_data(as_text=True))
    upload_page = post(editor, "/admin/upload", {}).get_data(as_text=True)
    assert "សូមជ្រើសរើសឯកសារមួយ ឬច្រើន" in upload_page
    editor.delete_cookie("lang_ui")
    response = post(editor, f"/admin/doc/{target}/edit", {"year": "20x5"},
                    headers={"Accept": "application/json"})  # fmt: skip
    assert response.get_json()["error"].startswith("'20x5' is not a possible year")
    assert editor.get(f"/admin/api/doc/{target}").get_json() == before


def test_places_and_the_other_language_version_are_corrected_in_the_form(editor, admin, client):
    target, other = doc_id(editor, TEXT_PDF[:20]), doc_id(editor, "km_subdecree_2024")
    edit_url = f"/admin/doc/{target}/edit"
    page = editor.get(edit_url).get_data(as_text=True)
    assert 'name="places"' in page and 'name="work"' in page
    before = editor.get(f"/admin/api/doc/{target}").get_json()
    for form, sentence in (
        ({"places": "Atlantis"}, "'Atlantis' is not a place of the gazetteer"),
        ({"work": "nosuchdoc"}, "No document of the library has the id 'nosuchdoc'"),
        ({"work": target}, "cannot be its own other-language version"),
    ):
        response = post(editor, edit_url, form)
        assert response.status_code == 400 and sentence in unescape(response.get_data(as_text=True))
    assert editor.get(f"/admin/api/doc/{target}").get_json() == before

    saved = post(editor, edit_url, {"places": "Kandal / Kien Svay", "work": other})
    assert saved.status_code == 200 and "Kandal / Kien Svay" in saved.get_data(as_text=True)
    public = client.get(f"/api/doc/{target}").get_json()
    assert {p["en"] for p in public["places"]} >= {"Kandal", "Kien Svay"}
    assert public["work"] == [other] and client.get(f"/api/doc/{other}").get_json()["work"] == [
        target
    ]
    found = client.get("/api/search", query_string={"q": "place:Kandal"}).get_json()
    assert target in [d["id"] for d in found["results"]]
    form_now = editor.get(edit_url).get_data(as_text=True)
    assert 'value="Kandal / Kien Svay"' in form_now and f'value="{other}"' in form_now
    logged = admin.get("/admin/api/log?action=edit").get_json()["entries"][0]
    assert logged["target"] == target and logged["changes"]["work"] == [[], [other]]
    assert "0802" in logged["changes"]["places"][1]
    assert "→ <ins>Kandal / Kien Svay</ins>" in admin.get("/admin/log?action=edit").get_data(
        as_text=True
    )
    sheet = editor.get("/admin/catalog.csv").get_data(as_text=True)
    row = next(r for r in csv.DictReader(io.StringIO(sheet.lstrip("\ufeff"))) if r["id"] == target)
    assert (row["places"], row["work"]) == ("Kandal / Kien Svay", other)
    assert {"places", "work"} <= set(row["overridden"].split())

    # Emptied, both go back to what detection found.
    assert post(editor, edit_url, {"places": "", "work": ""}).status_code == 200
    assert client.get(f"/api/doc/{target}").get_json()["work"] == []
    assert "places" not in editor.get(f"/admin/api/doc/{target}").get_json()["overridden"]


def test_withdrawn_documents_leave_the_public_site_and_come_back(editor, client):
    target = doc_id(editor, "km_subdecree_2024")
    title = client.get(f"/api/doc/{target}").get_json()["title"]
    assert post(editor, f"/admin/doc/{target}/withdraw", {"reason": "draft"},
                page=f"/admin/doc/{target}/edit").status_code == 302  # fmt: skip
    for url in (f"/doc/{target}", f"/api/doc/{target}", f"/doc/{target}/pdf",
                f"/doc/{target}/page/1", f"/doc/{target}/thumb/1.webp"):  # fmt: skip
        assert client.get(url).status_code == 404, url
    everything = client.get("/api/search?per_page=100").get_json()
    assert target not in [d["id"] for d in everything["results"]]
    assert title not in client.get("/feed.atom").get_data(as_text=True)
    home = editor.get("/admin/api/").get_json()
    assert {"id": target, "title": title} in home["withdrawn"]
    assert editor.get(f"/admin/api/doc/{target}").get_json()["withdrawn"] is True
    assert (
        post(editor, f"/admin/doc/{target}/restore", page=f"/admin/doc/{target}/edit").status_code
        == 302
    )
    assert client.get(f"/api/doc/{target}").get_json()["title"] == title
    assert client.get(f"/doc/{target}/pdf").status_code == 200


def read_sheet(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def write_sheet(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_the_catalogue_marks_withdrawals_and_its_withdrawn_column_is_applied(editor, client, site):
    library, data = site
    target = doc_id(editor, "km-en_guideline")
    edit = f"/admin/doc/{target}/edit"
    assert post(editor, f"/admin/doc/{target}/withdraw", page=edit).status_code == 302
    sheet = library / "catalog.csv"
    ddsearch("catalog", "export", str(sheet), "--index", str(data), data=data, check=True)
    rows = {row["id"]: row for row in read_sheet(sheet)}
    assert rows[target]["withdrawn"] == "yes"
    assert {row["withdrawn"] for i, row in rows.items() if i != target} == {""}
    download = editor.get("/admin/catalog.csv").get_data(as_text=True)
    assert [r["withdrawn"] for r in csv.DictReader(io.StringIO(download.lstrip("\ufeff")))] == [
        row["withdrawn"] for row in rows.values()
    ]

    # Put back as exported, the catalogue changes nothing: the document stays withdrawn.
    def reindex():
        ddsearch("index", str(library), "--index", str(data), "--ocr", "never", data=data,
                 check=True)  # fmt: skip

    reindex()
    assert client.get(f"/api/doc/{target}").status_code == 404
    # The cell emptied puts it back; "yes" in another row withdraws that one, logged as such.
    other = doc_id(editor, REPORT)
    rows[target]["withdrawn"], rows[other]["withdrawn"] = "", "yes"
    write_sheet(sheet, list(rows.values()))
    reindex()
    assert client.get(f"/api/doc/{target}").status_code == 200
    assert client.get(f"/api/doc/{other}").status_code == 404
    assert editor.get(f"/admin/api/doc/{other}").get_json()["withdrawn"] is True
    # A withdrawal in the browser since is not undone by the unchanged spreadsheet.
    restored = post(editor, f"/admin/doc/{other}/restore", page=f"/admin/doc/{other}/edit")
    assert restored.status_code == 302
    rows[target]["withdrawn"] = "maybe"
    write_sheet(sheet, list(rows.values()))
    done = ddsearch("index", str(library), "--index", str(data), "--ocr", "never", data=data)
    assert "the withdrawn cell says 'maybe'" in done.stdout + done.stderr
    assert client.get(f"/api/doc/{other}").status_code == 200
    assert client.get(f"/api/doc/{target}").status_code == 200
    sheet.unlink()


# --- records without a file ----------------------------------------------------------------------


def test_a_record_without_a_file_is_found_beside_the_documents(editor, client, site):
    form = {
        "title": "ការណែនាំអំពីហិរញ្ញវត្ថុឃុំ",
        "parallel_title": "Commune Finance Primer",
        "issuer": "NCDD Secretariat",
        "publisher": "Phnom Penh Printing House",
        "year": "2012",
        "type": "book",
        "subjects": "fiscal transfers; zanzibar",
        "call_number": "352.14 NCD",
        "shelf": "Resource centre, shelf B3",
        "notes": "2 copies",
    }
    data = {**form}
    response = editor.post(
        "/admin/records/new",
        data={**data, "languages": ["km", "en"], "csrf_token": token(editor, "/admin/records/new")},
    )
    assert response.status_code == 302
    record = response.headers["Location"].split("/admin/doc/")[1].split("/")[0]
    for query in ("zanzibar", "commune finance primer", "ហិរញ្ញវត្ថុឃុំ", "NCDD Secretariat"):
        found = client.get(f"/api/search?q={query}").get_json()
        assert record in [d["id"] for d in found["results"]], query
    hit = next(d for d in client.get("/api/search?q=zanzibar").get_json()["results"])
    assert hit["paths"] == [] and hit["shelf"] == "Resource centre, shelf B3"
    assert client.get("/api/search?type=book").get_json()["facets"]["type"]["book"] >= 1
    page = client.get(f"/doc/{record}").get_data(as_text=True)
    assert "on the shelf at Resource centre, shelf B3" in page and "352.14 NCD" in page
    assert 'id="open-pdf"' not in page and "Phnom Penh Printing House" in page
    results = client.get("/search?q=zanzibar").get_data(as_text=True)
    assert "on the shelf at Resource centre, shelf B3" in results
    assert client.get(f"/doc/{record}/pdf").status_code == 404
    assert "enclosure" not in client.get("/feed.atom?q=zanzibar").get_data(as_text=True)
    export = site[0].parent / "records-export.csv"
    ddsearch("catalog", "export", str(export), "--index", str(site[1]), data=site[1], check=True)
    rows, _ = read_catalog(export)
    exported = next(r for r in rows if r.id == record)
    assert exported.paths == () and exported.values["shelf"] == form["shelf"]
    assert exported.values["call_number"] == "352.14 NCD"


def test_the_office_list_imports_as_records_skipping_what_is_known(editor, client):
    sheet = (
        "ចំណងជើង;Title (English);Author;Year;Type;Call No.;Shelf;Remarks\r\n"
        "សៀវភៅណែនាំការរៀបចំផែនការឃុំ;Commune Planning Guide;MoI;2009;manual;PLN 001;A1;\r\n"
        ";Decentralisation Review 2015;CDRI;2015;report;REV 015;A2;bound\r\n"
        "Bad year book;;;20x9;book;BAD 1;A3;\r\n"
        ";;;2001;book;;;no title\r\n"
        "Commune Planning Guide reprint;;MoI;2009;manual;PLN 001;A1;same call number\r\n"
    ).encode("utf-8-sig")
    url = "/admin/records/import"
    json = {"Accept": "application/json"}
    response = post_files(editor, url, url, [(sheet, "office-list.csv")], "file", headers=json)
    result = response.get_json()
    assert [row["row"] for row in result["added"]] == [2, 3]
    skipped = {row["row"]: row["sentence"] for row in result["skipped"]}
    assert "not a possible year" in skipped[4] and "no title" in skipped[5]
    assert "already in the catalogue" in skipped[6]
    guide = result["added"][0]["id"]
    assert guide in [
        d["id"] for d in client.get("/api/search?q=planning+guide").get_json()["results"]
    ]
    assert client.get(f"/api/doc/{guide}").get_json()["type"] == "manual"


# --- escaping -----------------------------------------------------------------------------------


def test_whatever_an_editor_types_is_escaped_everywhere(editor, admin, client, site):
    form = {
        "title": f"{SCRIPT} Hostile record",
        "issuer": FORMULA,
        "notes": '"><img src=x onerror=alert(1)>',
        "shelf": "@SUM(A1)",
        "subjects": "+1 zanzibar2",
        "type": "book",
    }
    response = post(editor, "/admin/records/new", form)
    record = response.headers["Location"].split("/admin/doc/")[1].split("/")[0]
    for page in (
        client.get(f"/doc/{record}"),
        client.get("/search?q=zanzibar2"),
        client.get("/feed.atom?q=zanzibar2"),
        editor.get(f"/admin/doc/{record}/edit"),
        admin.get("/admin/log"),
    ):
        body = page.get_data(as_text=True)
        assert "<script>alert" not in body and "<img src=x" not in body
        assert "&lt;script&gt;" in body or "&lt;script&gt;" in body.replace("&amp;", "&")
    assert client.get(f"/api/doc/{record}").get_json()["title"] == f"{SCRIPT} Hostile record"
    exports = [
        client.get("/search.csv?q=zanzibar2").get_data(as_text=True),
        admin.get("/admin/log.csv").get_data(as_text=True),
    ]
    catalogue = site[0].parent / "hostile-export.csv"
    ddsearch("catalog", "export", str(catalogue), "--index", str(site[1]), data=site[1], check=True)
    exports.append(catalogue.read_text(encoding="utf-8-sig"))
    for text in exports:
        cells = [cell for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))) for cell in row]
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in cells)
    for text in exports[1:]:  # the log and the catalogue hold the issuer
        assert "'" + FORMULA.replace('"', '""') in text


# --- uploads and background runs ------------------------------------------------------------------


def upload(client, files: list[tuple[bytes, str]]):
    return post_files(client, "/admin/upload", "/admin/upload", files)


def finish(data: Path, job_id: int, timeout: float = 300) -> dict:
    """The job once the server's runner (a thread of this test process, started by the
    workspace's first request) has run it."""
    deadline = time.monotonic() + timeout
    while (found := jobs.job(DataDir(data), job_id))["state"] not in ("done", "failed"):
        assert time.monotonic() < deadline, found
        time.sleep(0.2)
    return found


def test_uploads_are_saved_safely_and_indexed_by_a_background_run(editor, client, site, tmp_path):
    library, data = site
    good = PDFS / "en_national_research_agenda_2025.pdf"
    files = [
        (good.read_bytes(), "../../../../tmp/escape.pdf"),
        (b"", "empty.pdf"),
        (b"<html><body>not a pdf</body></html>", "notes.pdf"),
        (bomb_png(tmp_path / "bomb.png").read_bytes(), "scan.png"),
        (b"MZ\x90\x00", "tool.exe"),
        ((PDFS / TEXT_PDF).read_bytes(), "again.pdf"),  # already in the library
    ]
    response = upload(editor, files)
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Only the kinds of file the library indexes" in page
    assert "already holds this file" in page
    job_id = int(re.search(r"/admin/jobs/(\d+)", page).group(1))
    assert not Path("/tmp/escape.pdf").exists()
    saved = sorted(p.name for p in library.iterdir() if not p.name.startswith("."))
    assert {"escape.pdf", "empty.pdf", "notes.pdf", "scan.png"} <= set(saved)
    assert "tool.exe" not in saved and "again.pdf" not in saved

    ended = finish(data, job_id)
    assert ended["state"] == "done" and ended["exit_status"] == 1  # some files failed
    report = editor.get(f"/admin/api/jobs/{job_id}").get_json()["report"]
    failed = {entry["file"]: entry["reason"] for entry in report["failed"]}
    assert "empty (0 bytes)" in failed["empty.pdf"]
    assert "not a readable PDF" in failed["notes.pdf"]
    assert "image" in failed["scan.png"]
    assert [entry["file"] for entry in report["added"]] == ["escape.pdf"]
    assert "/" not in str(report)  # no folder of the server in what the page shows
    added = report["added"][0]["id"]
    title_words = client.get(f"/api/doc/{added}").get_json()["title"].split()[:2]
    found = client.get("/api/search", query_string={"q": " ".join(title_words)}).get_json()
    assert added in [d["id"] for d in found["results"]]
    job_page = editor.get(f"/admin/jobs/{job_id}").get_data(as_text=True)
    assert "empty (0 bytes)" in job_page and f"/doc/{added}" in job_page

    # The files the run could not take left the library folder for rejected/, each listed
    # with its sentence until removed; the next run of the folder does not try them again.
    assert {entry["file"]: entry["rejected"] for entry in report["failed"]} == {
        name: name for name in ("empty.pdf", "notes.pdf", "scan.png")
    }
    left = {p.name for p in library.iterdir()}
    assert "escape.pdf" in left and not left & {"empty.pdf", "notes.pdf", "scan.png"}
    assert {p.name for p in (data / "rejected").iterdir()} == {"empty.pdf", "notes.pdf", "scan.png"}
    assert "rejected/notes.pdf" in job_page
    listed = {f["file"]: f for f in editor.get("/admin/api/").get_json()["rejected"]}
    assert (
        "not a readable PDF" in listed["notes.pdf"]["reason"]
        and listed["notes.pdf"]["who"] == "eva"
    )
    home = editor.get("/admin/").get_data(as_text=True)
    assert "notes.pdf" in home and "empty (0 bytes)" in home
    gone = post(editor, f"/admin/rejected/{listed['notes.pdf']['id']}/remove", page="/admin/")
    assert gone.status_code == 302 and not (data / "rejected" / "notes.pdf").exists()
    assert "notes.pdf" not in {f["file"] for f in editor.get("/admin/api/").get_json()["rejected"]}
    again = ddsearch("index", str(library), "--index", str(data), "--ocr", "never", data=data)
    assert again.returncode == 0, again.stdout + again.stderr  # none failed again


def test_an_upload_over_the_size_limit_is_a_413_with_a_sentence(editor, site):
    editor.application.config["MAX_CONTENT_LENGTH"] = 1 << 20
    big = upload(editor, [(b"%PDF-1.7\n" + b"0" * (2 << 20), "big.pdf")])
    assert big.status_code == 413
    assert "larger than 1 MB" in big.get_data(as_text=True)
    assert not (site[0] / "big.pdf").exists()


def test_a_scan_attached_to_a_record_makes_it_a_document_keeping_its_id(editor, client, site):
    form = {"title": "Sub-decree on commune councils (printed)", "type": "sub-decree",
            "call_number": "SD 2024 012", "shelf": "Law shelf 1"}  # fmt: skip
    record = post(editor, "/admin/records/new", form).headers["Location"].split("/")[3]
    page = f"/admin/doc/{record}/edit"
    # A broken scan is rejected and the record waits for another file of the same name.
    broken = post_files(
        editor, f"/admin/doc/{record}/attach", page, [(b"%PDF-", "printed-copy.pdf")]
    )
    assert finish(site[1], int(broken.headers["Location"].rsplit("/", 1)[1]))["state"] == "done"
    assert editor.get(f"/admin/api/doc/{record}").get_json()["record"] is True
    assert not (site[0] / "printed-copy.pdf").exists()
    scan = (site[0] / "km_subdecree_2024_012_commune_functions_demo.pdf").read_bytes()
    scan = scan + b"\n%% a different copy\n"  # another content than the library's own file
    response = post_files(editor, f"/admin/doc/{record}/attach", page, [(scan, "printed-copy.pdf")])
    job_id = int(response.headers["Location"].rsplit("/", 1)[1])
    assert finish(site[1], job_id)["state"] == "done"
    doc = client.get(f"/api/doc/{record}").get_json()
    assert doc["paths"] == ["printed-copy.pdf"] and doc["pages"]
    assert doc["title"] == form["title"] and doc["call_number"] == "SD 2024 012"
    found = client.get("/api/search?q=ក្រុមប្រឹក្សាឃុំ").get_json()["results"]
    assert record in [d["id"] for d in found]
    assert client.get(f"/doc/{record}/pdf").status_code == 200


def test_runs_wait_for_another_writer_and_resume_after_a_restart(editor, site):
    data = DataDir(site[1])
    with writer_lock(data.lock, lambda line: None):  # a `ddsearch index` of the librarian's
        job_id = jobs.enqueue(data, "reocr", {"id": doc_id(editor, REPORT)}, "eva")
        deadline = time.monotonic() + 60
        while "waits" not in (waiting := jobs.job(data, job_id))["message"]:
            assert time.monotonic() < deadline, waiting
            time.sleep(0.2)
        assert waiting["state"] == "queued"
    assert finish(site[1], job_id)["state"] == "done"
    # A runner that died mid-run (a server restart) left its job "running": queued again.
    from indexer.workspace.db import connect_workspace

    db = connect_workspace(data)
    db.execute("UPDATE jobs SET state = 'running', not_before = 0 WHERE id = ?", (job_id,))
    db.close()
    ended = finish(site[1], job_id)
    assert ended["state"] == "done" and ended["report"]["counts"]["failed"] == 0


def test_the_change_log_lists_who_did_what_before_and_after(admin):
    entries = admin.get("/admin/api/log").get_json()["entries"]
    actions = {entry["action"] for entry in entries}
    assert {"edit", "withdraw", "restore", "record", "upload", "account", "catalog"} <= actions
    assert {"reject", "discard"} <= actions
    edit = next(e for e in entries if e["action"] == "edit" and "title" in e["changes"])
    assert edit["who"] == "eva" and edit["changes"]["title"][1].endswith("(corrected)")
    page = admin.get("/admin/log?action=withdraw").get_data(as_text=True)
    assert "draft" in page
    exported = admin.get("/admin/log.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(exported.lstrip("\ufeff"))))
    assert any(r["field"] == "title" and r["after"].endswith("(corrected)") for r in rows)
    assert admin.get("/admin/api/log?action=nonsense").status_code == 400
