"""ddsearch's website: search pages, document pages, the PDF at the hit, a JSON twin, CSV,
Atom and OpenSearch, in English and Khmer. ``flask --app search_web run`` finds `create_app`."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, g, request, url_for
from werkzeug.exceptions import BadHost
from werkzeug.middleware.proxy_fix import ProxyFix

from indexer.config import DataDir, default_data_dir
from indexer.errors import BadParameter
from indexer.text.khmer import segment_words
from search_web import admin, i18n, views, workspace

UI_COOKIE = "lang_ui"
ONE_YEAR = 365 * 24 * 3600

#: No inline scripts or styles anywhere: the CSS and the font are files of this app.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def create_app(
    data_root: Path | None = None, library: Path | None = None, proxies: int | None = None
) -> Flask:
    """The website over the data folder of ``ddsearch --index`` (default: $DDSEARCH_INDEX,
    else ~/.local/share/ddsearch). Each request searches the newest index commit. The
    workspace (/admin) saves uploads into ``library`` ($DDSEARCH_LIBRARY), else the folder
    indexed last. ``proxies`` ($DDSEARCH_PROXIES): how many reverse proxies (nginx) stand in
    front of the site, whose X-Forwarded-* headers are believed (`trust_proxies`)."""
    app = Flask(__name__)
    trust_proxies(app, proxies)
    # khmercut loads its CRF model (about a second) on first use: load it now, not during
    # the first Khmer search.
    segment_words("ក")
    app.config["DATA"] = DataDir(Path(data_root) if data_root else default_data_dir())
    app.config["LIBRARY_FOLDER"] = library or os.environ.get("DDSEARCH_LIBRARY") or None
    app.config["JSON_AS_ASCII"] = False
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    admin.prepare(app)  # before CSRFProtect's check: no workspace without an account
    workspace.init_workspace(app, app.config["DATA"])
    app.register_blueprint(views.bp)
    app.register_blueprint(admin.bp)
    views.register_errors(app)

    @app.before_request
    def refuse_unusable_host() -> None:
        """Feeds, OpenSearch, CSV and the API build absolute URLs from the Host header: one
        no URL can be built with (a label over 63 characters, broken IDNA) is a 400, not a 500."""
        if isinstance(request.routing_exception, BadHost):
            raise request.routing_exception
        try:
            url_for("web.search_page", _external=True)
        except UnicodeError:
            raise BadHost() from None

    @app.before_request
    def pick_interface_language() -> None:
        g.ui = i18n.choose_ui(
            request.args.get("lang_ui"), request.cookies.get(UI_COOKIE), request.accept_languages
        )

    @app.after_request
    def headers_and_language_cookie(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.args.get("lang_ui") in i18n.UI_LANGUAGES:
            response.set_cookie(
                UI_COOKIE, request.args["lang_ui"], max_age=ONE_YEAR, samesite="Lax"
            )
        return response

    return app


def trust_proxies(app: Flask, proxies: int | None) -> None:
    """Behind ``proxies`` reverse proxies, take the client's address, scheme and host from
    the X-Forwarded-For, -Proto, -Host and -Port headers the last of them set (werkzeug's
    ProxyFix): the sign-in limit then counts each visitor's address, not the proxy's, and
    links and the CSRF check see https. Never set it for a site reached directly: anyone
    could then send those headers and pass for any address."""
    if proxies is None:
        raw = os.environ.get("DDSEARCH_PROXIES", "0")
        if not (raw.isascii() and raw.isdigit()):
            raise BadParameter(f"DDSEARCH_PROXIES is a number of proxies (0, 1, 2…), not {raw!r}.")
        proxies = int(raw)
    if proxies:
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies
        )
