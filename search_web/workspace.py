"""Sign-in for the workspace, with well-kept Flask extensions rather than code of our own:

- Flask-Session keeps sessions on the server, one file each in the data folder's
  ``sessions/`` (cachelib's FileSystemCache: atomic writes, readable by every gunicorn
  process, kept across restarts); the cookie holds only a random id, HttpOnly and SameSite,
  Secure when the site is served over HTTPS (``DDSEARCH_SECURE_COOKIES=1``). A session ends
  at sign-out or after IDLE_MINUTES without a request, and its id changes at sign-in.
- Flask-Login loads the signed-in account for each request (by name and a token that a new
  password replaces) and sends the unsigned-in to the sign-in page (401 for JSON).
- Flask-WTF's CSRFProtect refuses (400) any POST without the session's ``csrf_token``.
- Flask-Limiter counts failed sign-ins, per account and per address, in workspace.sqlite
  (`search_web.ratelimit`), so that every process sees them: after SIGN_IN_FAILURES within
  the window, 429 with Retry-After.

Nothing here touches the public site's requests: no session is read or written for a browser
that has no session cookie, and no limit applies outside the sign-in form.
"""

from __future__ import annotations

import os
from datetime import timedelta

from cachelib.file import FileSystemCache
from flask import Flask, current_app, jsonify, redirect, request, url_for
from flask_limiter import Limiter
from flask_login import LoginManager, UserMixin
from flask_session import Session
from flask_wtf.csrf import CSRFProtect

from indexer.config import DataDir
from indexer.workspace import accounts
from search_web import ratelimit

IDLE_MINUTES = 60
SIGN_IN_FAILURES = 5
SIGN_IN_WINDOW = "15 minutes"
SIGN_IN_LIMIT = f"{SIGN_IN_FAILURES} per {SIGN_IN_WINDOW}"
MAX_UPLOAD_MB = 256
#: Sessions kept at most; beyond, those closest to ending are dropped first (cachelib).
SESSIONS_KEPT = 5000
SESSION_COOKIE = "ddsearch_session"

login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(
    key_func=lambda: "address:" + (request.remote_addr or ""),
    strategy="moving-window",
    headers_enabled=True,
    default_limits=[],
)


class User(UserMixin):
    """The signed-in account, as Flask-Login wants it."""

    def __init__(self, account: accounts.Account):
        self.account = account

    def get_id(self) -> str:
        return self.account.session_id

    @property
    def name(self) -> str:
        return self.account.name

    @property
    def is_admin(self) -> bool:
        return self.account.is_admin


class _SessionFiles:
    """cachelib's FileSystemCache, made on first use: the sessions folder appears only once
    someone signs in, not for a public site that has no workspace."""

    def __init__(self, folder: str, lifetime: int):
        self.folder, self.lifetime, self.cache = folder, lifetime, None

    def __getattr__(self, name):
        if self.cache is None:
            self.cache = FileSystemCache(
                self.folder, threshold=SESSIONS_KEPT, default_timeout=self.lifetime, mode=0o600
            )
        return getattr(self.cache, name)


def init_workspace(app: Flask, data: DataDir) -> None:
    """Sessions, sign-in, CSRF and the sign-in limit, configured for the data folder."""
    idle = int(os.environ.get("DDSEARCH_IDLE_MINUTES", IDLE_MINUTES))
    app.config.update(
        SESSION_TYPE="cachelib",
        SESSION_CACHELIB=_SessionFiles(str(data.sessions), idle * 60),
        SESSION_PERMANENT=True,
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=idle),
        SESSION_REFRESH_EACH_REQUEST=True,  # idle time, not time since sign-in
        SESSION_COOKIE_NAME=SESSION_COOKIE,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=os.environ.get("DDSEARCH_SECURE_COOKIES") == "1",
        WTF_CSRF_TIME_LIMIT=None,  # a token lives as long as its session
        MAX_CONTENT_LENGTH=int(os.environ.get("DDSEARCH_MAX_UPLOAD_MB", MAX_UPLOAD_MB)) << 20,
        RATELIMIT_STORAGE_URI=ratelimit.storage_uri(data),
    )
    Session(app)
    login_manager.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    account = accounts.by_session_id(current_app.config["DATA"], session_id)
    return User(account) if account else None


@login_manager.unauthorized_handler
def unauthorized():
    if wants_json():
        return jsonify({"error": "Sign in to the workspace first.", "status": 401}), 401
    return redirect(url_for("admin.login", next=request.full_path.rstrip("?")))


def wants_json() -> bool:
    """A request of a JSON twin (under /admin/api/) or of a script asking for JSON."""
    if request.path.startswith("/admin/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > 0


def account_key() -> str:
    """The sign-in limit's key for the account being tried (its name, folded)."""
    return "account:" + request.form.get("username", "").strip().casefold()[: accounts.MAX_NAME]


def failed_sign_in(response) -> bool:
    return response.status_code == 401


def data() -> DataDir:
    return current_app.config["DATA"]
