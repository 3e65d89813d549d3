"""The routes: HTML pages, their JSON twins under /api/, CSV, Atom and OpenSearch.

Searching goes through `indexer.query.search` and documents through `indexer.query.documents` only:
never the engine, the schema or Whoosh. The
PDF route serves a file only because the index lists it among a document's paths: no path
ever comes from the URL.
"""

from __future__ import annotations

import csv
import io
import mimetypes
import threading
from datetime import UTC, datetime
from pathlib import Path, PurePath

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_limiter import RateLimitExceeded
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import BadHost, HTTPException, RequestEntityTooLarge

from indexer.errors import (
    BadParameter,
    IndexMissing,
    IndexVersionError,
    PageMissing,
    RendererBusy,
    Sentence,
)
from indexer.library.catalog import quote_formula  # the catalogue export's rule
from indexer.query import documents, links, pages, search, similar
from indexer.query import places as place_names
from indexer.vocabulary import SORTS, readable_date
from search_web import i18n
from search_web.params import MAX_QUERY_CHARS, SearchParams, page_number, parse_search
from search_web.workspace import SIGN_IN_FAILURES, SIGN_IN_WINDOW, wants_json

bp = Blueprint("web", __name__)

FEED_ENTRIES = 30
#: Page images and searchable PDFs change only when their document is re-indexed: browsers
#: keep them an hour, then ask again with If-None-Match (a 304 when nothing changed).
FILE_MAX_AGE = 3600
RETRY_AFTER_SECONDS = 5
HELP_EXAMPLES = (
    "ក្រុមប្រឹក្សាឃុំ",
    "commune council",
    '"commune investment programme"',
    "budget OR ថវិកា",
    "council -district",
    "title:guideline",
    "type:sub-decree year:2001..2005",
    "lang:km ឃុំ",
    "number:០២/នស/៩៤",
    "place:Kandal",
    "place:ខេត្តសៀមរាប",
    "decentrali*",
)


FORM_EXPIRED = Sentence(
    "form_expired",
    "The form was refused: it has expired or did not come from this site. Go back, reload "
    "the page and send it again.",
)
TOO_LARGE = (
    "The files sent are larger than {limit} MB altogether: send fewer at a time, or copy "
    "large files into the library folder and run ddsearch index."
)
TOO_MANY = (
    f"Sign-in was refused after {SIGN_IN_FAILURES} failed attempts within {SIGN_IN_WINDOW}: "
    "wait, then try again (an admin can set a new password)."
)


class IndexUnavailable(Exception):
    """No usable index in the data folder: none yet, or one built by another version."""


# --- pages ------------------------------------------------------------------------------------


@bp.route("/")
@bp.route("/search")
def search_page():
    params = parse_search(request.args)
    result = _search(params)
    thumbs = _thumbnails(result["results"], params.q)
    places = _place_counts(result["facets"].get("place", {}), params.place)
    return render_template(
        "search.html", params=params, result=result, thumbs=thumbs, place_counts=places
    )


def _place_counts(counts: dict[str, int], chosen: str) -> dict[str, int]:
    """The place facet as shown: the provinces, and under the province chosen its
    districts (each most documents first)."""
    province = chosen[:2] if chosen.isdigit() else ""
    shown = {}
    for code, count in counts.items():
        if len(code) == 2:
            shown[code] = count
            if code == province:
                shown |= {c: n for c, n in counts.items() if len(c) == 4 and c[:2] == code}
    return shown


@bp.route("/help")
def help_page():
    return render_template("help.html", examples=HELP_EXAMPLES, params=SearchParams())


@bp.route("/doc/<doc_id>")
def document_page(doc_id: str):
    query = _document_query()
    doc, pages, matching = _document(doc_id, query)
    return render_template(
        "document.html",
        doc=doc,
        kind=documents.file_kind(doc),
        pages=pages,
        matching=matching,
        links=_links(doc_id),
        similar=_similar(doc_id),
        params=SearchParams(q=query),
    )


@bp.route("/doc/<doc_id>/pdf")
def document_pdf(doc_id: str):
    """The indexed PDF of this document, opened in the browser (``?download=1``: saved); the
    file of a document that is not a PDF is at /doc/<id>/file."""
    doc = _lookup(doc_id)
    if documents.file_kind(doc) != "pdf":
        return redirect(url_for("web.document_file", doc_id=doc_id, **request.args))
    return document_file(doc_id)


@bp.route("/doc/<doc_id>/file")
def document_file(doc_id: str):
    """The indexed file of this document: a PDF or an image opened in the browser
    (``?download=1``: saved), any other file (Word, web page, text) always saved, never shown
    as a page of this site."""
    doc = _lookup(doc_id)
    shown = documents.file_kind(doc) != "text"
    for path in map(Path, doc["paths"]):
        if path.is_file():
            return send_file(
                path,
                mimetype=mimetypes.guess_type(path.name)[0] or "application/octet-stream",
                as_attachment=not shown or request.args.get("download") == "1",
                download_name=f"{doc_id}{path.suffix.lower()}",
                max_age=3600,
            )
    abort(404, "The file of this document is no longer where it was indexed.")


@bp.route("/doc/<doc_id>/page/<int:number>")
def page_view(doc_id: str, number: int):
    """One page's image with the query's matches boxed, its text, and the way around."""
    query = _document_query()
    view = _page_view(doc_id, number, query)
    doc = _lookup(doc_id)
    return render_template(
        "page.html",
        doc=doc,
        kind=documents.file_kind(doc),
        view=view,
        params=SearchParams(q=query),
    )


@bp.route("/doc/<doc_id>/page")
def go_to_page(doc_id: str):
    """The go-to-page form's target: on to the page view of page ``n``."""
    total = pages.source(current_app.config["DATA"], _checked_id(doc_id)).pages
    number = page_number(request.args, total)
    query = _document_query()
    return redirect(url_for("web.page_view", doc_id=doc_id, number=number, q=query or None))


@bp.route("/doc/<doc_id>/page/<int:number>.webp")
def page_image(doc_id: str, number: int):
    return _image(doc_id, number, "page")


@bp.route("/doc/<doc_id>/thumb/<int:number>.webp")
def page_thumbnail(doc_id: str, number: int):
    return _image(doc_id, number, "thumb")


@bp.route("/doc/<doc_id>/searchable.pdf")
def searchable_pdf(doc_id: str):
    """The scanned document with an invisible text layer from its OCR words."""
    made = pages.searchable(current_app.config["DATA"], _checked_id(doc_id))
    return _send(made, "application/pdf", download_name=f"{doc_id}-searchable.pdf")


# --- feeds and exports ------------------------------------------------------------------------


@bp.route("/search.csv")
def search_csv():
    params = parse_search(request.args)
    result = _search(params, limit=search.MAX_LIMIT, offset=0)
    out = io.StringIO()
    out.write("\ufeff")  # Khmer survives opening in Excel and LibreOffice
    writer = csv.writer(out)
    writer.writerow(["id", "title", "type", "date", "year", "number", "language", "url"])
    for doc in result["results"]:
        cells = [
            doc["id"],
            doc["title"],
            doc["type"],
            doc["date"],
            doc["year"] or "",
            doc["number"],
            "+".join(doc["language"]),
            url_for("web.document_page", doc_id=doc["id"], _external=True),
        ]
        writer.writerow([quote_formula(str(cell)) for cell in cells])  # a title can be "=…"
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="ddsearch-results.csv"'},
    )


@bp.route("/feed.atom")
def feed():
    """The newest documents (by when they were indexed) matching a search."""
    params = parse_search(request.args)
    result = _search(params, sort="added", limit=FEED_ENTRIES, offset=0)
    entries = []
    for doc in result["results"]:
        meta = documents.document(_index(), doc["id"]) or {}
        entries.append({**doc, "updated": _iso(meta.get("updated") or meta.get("added") or 0)})
    updated = max((e["updated"] for e in entries), default=_iso(0))
    body = render_template("feed.xml", params=params, entries=entries, updated=updated)
    return Response(body, mimetype="application/atom+xml")


@bp.route("/opensearch.xml")
def opensearch():
    body = render_template("opensearch.xml")
    return Response(body, mimetype="application/opensearchdescription+xml")


# --- the JSON twins ---------------------------------------------------------------------------


@bp.route("/api/search")
def api_search():
    """The search JSON contract of `indexer.query.search.search`, with the page's parameters."""
    result = _search(parse_search(request.args))
    return jsonify({**result, "results": [_public(doc) for doc in result["results"]]})


@bp.route("/api/doc/<doc_id>")
def api_document(doc_id: str):
    query = _document_query()
    doc, pages, matching = _document(doc_id, query)
    return jsonify(
        {
            **_public(doc),
            "file": url_for("web.document_file", doc_id=doc_id, _external=True),
            "file_kind": documents.file_kind(doc),
            "pdf": url_for("web.document_pdf", doc_id=doc_id, _external=True)
            if documents.file_kind(doc) == "pdf"
            else None,
            "query": query,
            "matching_pages": matching,
            **_links(doc_id),
            "similar": _similar(doc_id),
            "pages": pages,
        }
    )


@bp.route("/api/doc/<doc_id>/page/<int:number>")
def api_page(doc_id: str, number: int):
    """The page view's JSON: text, word boxes and ``hits`` (the boxes of matched words)."""
    query = _document_query()
    view = _page_view(doc_id, number, query)
    image = url_for("web.page_image", doc_id=doc_id, number=number, _external=True)
    return jsonify({**view, "query": query, "image": image if view["images"] else None})


# --- helpers ----------------------------------------------------------------------------------


def _index() -> Path:
    return current_app.config["DATA"].index


#: Searching holds the GIL: searches taken one at a time per process finish in arrival order
#: instead of all slowing down together (/search p95 at 20 clients: 331-416 ms against 403 ms,
#: bench/RESULTS.md, Web), while the other threads still send pages, PDFs and static files.
#: A costly search (`search.is_costly`) takes a lane of its own, so the ordinary searches
#: queued behind it share the CPU with it instead of waiting for it to end (issue 24).
_LANES = {False: threading.Lock(), True: threading.Lock()}


def _search(params: SearchParams, **overrides) -> dict:
    arguments = {
        "type": params.type or None,
        "year": params.year or None,
        "lang": params.lang or None,
        "place": params.place or None,
        "sort": params.sort,
        "limit": params.per_page,
        "offset": params.offset,
        "cross": bool(params.cross),
        **overrides,
    }
    try:
        with _LANES[search.is_costly(params.q)]:
            return search.search(_index(), params.q, **arguments)
    except (IndexMissing, IndexVersionError) as err:
        raise IndexUnavailable(str(err)) from None


def _page_view(doc_id: str, number: int, query: str) -> dict:
    try:
        return pages.page_view(current_app.config["DATA"], _checked_id(doc_id), number, query)
    except (IndexMissing, IndexVersionError) as err:
        raise IndexUnavailable(str(err)) from None


def _thumbnails(results: list[dict], query: str) -> dict[str, dict]:
    """Each result's best page with its hits boxed: ``{id: {"page", "width", "height",
    "hits"}}``, for the results that have a matching page whose file is still there."""
    data = current_app.config["DATA"]
    thumbs = {}
    for doc in results:
        if doc["pages"]:
            number = doc["pages"][0]["page"]
            if (found := pages.page_hits(data, doc["id"], number, query)) is not None:
                thumbs[doc["id"]] = {"page": number, **found}
    return thumbs


def _image(doc_id: str, number: int, size: str):
    made = pages.page_image(current_app.config["DATA"], _checked_id(doc_id), number, size)
    return _send(made, "image/webp")


def _send(made: pages.Made, mimetype: str, **options):
    """A cached file with its ETag; 304 when the browser already has it."""
    response = send_file(
        made.path,
        mimetype=mimetype,
        etag=made.tag,
        max_age=FILE_MAX_AGE,
        conditional=True,
        **options,
    )
    response.cache_control.public = True
    return response


def _checked_id(doc_id: str) -> str:
    if not _is_id(doc_id):
        abort(404)
    return doc_id


def _public(doc: dict) -> dict:
    """What the API shows of a document: file names, not the server's folders."""
    return {**doc, "paths": [PurePath(path).name for path in doc["paths"]]}


def _document_query() -> str:
    query = request.args.get("q", "").strip()
    if len(query) > MAX_QUERY_CHARS:
        raise BadParameter(f"Shorten the query to {MAX_QUERY_CHARS} characters or fewer.")
    return query


def _document(doc_id: str, query: str) -> tuple[dict, list[dict], list[dict]]:
    """A document's metadata, its pages, and its pages matching the query; 404 if unknown."""
    doc = _lookup(doc_id)
    pages = documents.document_pages(_index(), doc_id)
    matching = search.matching_pages(_index(), doc_id, query) if query else []
    return doc, pages, matching


def _similar(doc_id: str) -> list[dict]:
    """The five documents most like this one, its other language versions left out."""
    with _LANES[True]:  # an OR of a dozen terms: a costly search
        return similar.similar(_index(), doc_id)


def _links(doc_id: str) -> dict[str, list[dict]]:
    """The citator's legal_basis, cited_by, amends and amended_by of a document."""
    return links.document_links(current_app.config["DATA"].library, doc_id)


def _lookup(doc_id: str) -> dict:
    """The metadata of a document; a 404 when no document has this id."""
    try:
        doc = documents.document(_index(), doc_id) if _is_id(doc_id) else None
    except (IndexMissing, IndexVersionError) as err:
        raise IndexUnavailable(str(err)) from None
    if doc is None:
        abort(404)
    return doc


def _is_id(doc_id: str) -> bool:
    return 0 < len(doc_id) <= 64 and doc_id.isascii() and doc_id.isalnum()


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds")


# --- template helpers and errors --------------------------------------------------------------


@bp.app_context_processor
def interface() -> dict:
    ui = g.get("ui", i18n.DEFAULT_UI)

    def t(key: str, **values) -> str:
        text = i18n.STRINGS[ui][key]
        return text.format(**{k: i18n.digits(v, ui) for k, v in values.items()}) if values else text

    def other_ui_url() -> str:
        args = {**request.args.to_dict(), "lang_ui": "km" if ui == "en" else "en"}
        if request.endpoint and request.url_rule is not None:
            return url_for(request.endpoint, **(request.view_args or {}), **args)
        return url_for("web.search_page", lang_ui=args["lang_ui"])

    return {
        "ui": ui,
        "t": t,
        "n": lambda value: i18n.digits(value, ui),
        "number": lambda value: i18n.instrument_number(value, ui),
        "when": lambda iso: readable_date(iso, ui),
        "type_name": lambda key: i18n.TYPE_NAMES[ui].get(key, key),
        "lang_name": lambda code: i18n.LANGUAGE_NAMES[ui].get(code, code),
        "lang_names": lambda codes: ", ".join(i18n.LANGUAGE_NAMES[ui].get(c, c) for c in codes),
        "place_name": lambda code: place_names.name(code, ui),
        "place_summary": lambda places: place_names.summary([p["code"] for p in places], ui),
        "other_ui_url": other_ui_url,
        "sorts": SORTS,
        "say": lambda sentence: i18n.say(sentence, ui),
    }


def register_errors(app) -> None:
    """Bad parameters are 400 pages with a sentence, unknown things 404, never a bare 500."""

    def error(status: int, title_key: str, sentence: str):
        if request.path.startswith("/api/") or wants_json():
            return jsonify({"error": str(sentence), "status": status}), status
        page = render_template(
            "error.html",
            status=status,
            title_key=title_key,
            sentence=sentence,
            params=SearchParams(),
        )
        return page, status

    @app.errorhandler(BadHost)
    def bad_host(err):
        """Plain text: no page can be rendered when no URL can be built for this host."""
        sentence = "The Host header is not a host name this site can be reached by.\n"
        return Response(sentence, 400, mimetype="text/plain")

    @app.errorhandler(BadParameter)
    def bad_parameter(err):
        return error(400, "bad_request", err.sentence)

    @app.errorhandler(IndexUnavailable)
    def unavailable(err):
        return error(503, "unavailable", str(err))

    @app.errorhandler(PageMissing)
    def page_missing(err):
        return error(404, "not_found", str(err))

    @app.errorhandler(RendererBusy)
    def busy(err):
        response, status = error(503, "unavailable", str(err))
        return response, status, {"Retry-After": str(RETRY_AFTER_SECONDS)}

    @app.errorhandler(CSRFError)
    def no_csrf_token(err):
        return error(400, "bad_request", FORM_EXPIRED)

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(err):
        limit = (current_app.config.get("MAX_CONTENT_LENGTH") or 0) >> 20
        return error(413, "too_large", Sentence("too_large", TOO_LARGE, limit=limit))

    @app.errorhandler(RateLimitExceeded)
    def too_many_sign_ins(err):
        """The sign-in form again, with the sentence; Flask-Limiter adds Retry-After."""
        if wants_json():
            return error(429, "too_many", TOO_MANY)
        page = render_template("admin/login.html", next="", refused="too_many", name="")
        return page, 429

    @app.errorhandler(HTTPException)
    def http_error(err):
        code = err.code or 500
        titles = {401: "sign_in", 403: "forbidden", 404: "not_found"}
        title = titles.get(code, "server_error" if code >= 500 else "bad_request")
        return error(code, title, err.description or "")
