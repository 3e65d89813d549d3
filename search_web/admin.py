"""The workspace at /admin: sign-in, uploads and their background runs, catalogue corrections,
withdrawals, records of printed books, accounts and the change log; every page with a JSON
twin under /admin/api/. It exists only once an account does (404 before), and nothing in it
answers without a session but the sign-in page. Pages work without JavaScript; uploads also
take files dropped on the form (static/admin.js).
"""

from __future__ import annotations

from functools import wraps
from pathlib import Path
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user

from indexer.errors import BadParameter, Sentence
from indexer.extract.sources import SUFFIXES
from indexer.library.catalog import CATALOGUED, places_cell
from indexer.library.changelog import ACTIONS, as_csv
from indexer.vocabulary import LANGUAGE_CODES, TYPES
from indexer.workspace import accounts, curation, jobs, rejected
from indexer.workspace.db import connect_workspace, secret_key
from search_web import workspace
from search_web.params import SearchParams

bp = Blueprint("admin", __name__, url_prefix="/admin")

LOG_PAGE = 50
MAX_LOG_EXPORT = 100_000


# --- the gate -----------------------------------------------------------------------------------


def prepare(app) -> None:
    """Before any /admin request (and before CSRFProtect checks one): no workspace without
    an account (404); the signing key, shared by the processes, read once; the job runner
    started in this process."""

    @app.before_request
    def workspace_gate():
        if not request.path.startswith("/admin"):
            return
        data = workspace.data()
        if not accounts.any_account(data):
            abort(404)
        if not app.secret_key:
            db = connect_workspace(data)
            try:
                app.secret_key = secret_key(db)
            finally:
                db.close()
        jobs.start_runner(data)


def admin_required(view):
    @wraps(view)
    @login_required
    def checked(*args, **kwargs):
        if not current_user.is_admin:
            abort(403, "Only an admin can do this: ask one of the workspace's admins.")
        return view(*args, **kwargs)

    return checked


@bp.context_processor
def workspace_context() -> dict:
    return {
        "params": SearchParams(),
        "types": TYPES,
        "catalogued": CATALOGUED,
        "suffixes": SUFFIXES,
        "eta": _clock,
    }


def _clock(seconds: int | None) -> str:
    """Seconds left as h:mm:ss or m:ss; "--:--" until a rate is known."""
    if seconds is None:
        return "--:--"
    hours, rest = divmod(int(seconds), 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


# --- signing in and out -----------------------------------------------------------------------


@bp.route("/login", methods=["GET", "POST"])
@workspace.limiter.limit(
    workspace.SIGN_IN_LIMIT, deduct_when=workspace.failed_sign_in, methods=["POST"]
)
@workspace.limiter.limit(
    workspace.SIGN_IN_LIMIT,
    key_func=workspace.account_key,
    deduct_when=workspace.failed_sign_in,
    methods=["POST"],
)
def login():
    target = _safe_next(request.values.get("next", ""))
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(target)
        return render_template("admin/login.html", next=target, refused="")
    name = request.form.get("username", "")
    account = accounts.verify(workspace.data(), name, request.form.get("password", ""))
    if account is None:
        if workspace.wants_json():
            return jsonify({"error": "The name or the password is wrong.", "status": 401}), 401
        return render_template(
            "admin/login.html", next=target, refused="wrong_sign_in", name=name
        ), 401
    current_app.session_interface.regenerate(session)  # a new id: no fixation
    session.pop("csrf_token", None)  # and a new CSRF token with it
    login_user(workspace.User(account))
    if workspace.wants_json():
        return jsonify({"signed_in": account.name, "role": account.role})
    return redirect(target)


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    session.clear()  # Flask-Session deletes it from the store and the browser
    if workspace.wants_json():
        return jsonify({"signed_out": True})
    return redirect(url_for("web.search_page"))


def _safe_next(target: str) -> str:
    """Where to go after signing in: a path of this site's workspace, never another site."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/admin") or "\\" in target:
        return url_for("admin.home")
    return target


# --- home, jobs ----------------------------------------------------------------------------------


@bp.route("/")
@login_required
def home():
    return render_template("admin/home.html", **_home())


@bp.route("/api/")
@login_required
def api_home():
    return jsonify(_home())


def _home() -> dict:
    data = workspace.data()
    return {
        "account": {"name": current_user.name, "role": current_user.account.role},
        "library_folder": str(_library_folder()),
        "jobs": [_job_summary(job) for job in jobs.recent(data, 10)],
        "withdrawn": curation.withdrawn(data),
        "rejected": rejected.listed(data),
    }


@bp.route("/rejected/<int:rejected_id>/remove", methods=["POST"])
@login_required
def remove_rejected(rejected_id: int):
    """Delete an upload its run could not take (kept in rejected/ until someone does)."""
    name = rejected.remove(workspace.data(), rejected_id, current_user.name)
    if workspace.wants_json():
        return jsonify({"removed": name, "rejected": rejected.listed(workspace.data())})
    return redirect(url_for("admin.home"))


@bp.route("/jobs/<int:job_id>")
@login_required
def job_page(job_id: int):
    return render_template("admin/job.html", job=_job(job_id))


@bp.route("/api/jobs/<int:job_id>")
@login_required
def api_job(job_id: int):
    return jsonify(_job(job_id))


@bp.route("/api/jobs")
@login_required
def api_jobs():
    return jsonify({"jobs": [_job_summary(job) for job in jobs.recent(workspace.data(), 50)]})


def _job(job_id: int) -> dict:
    found = jobs.job(workspace.data(), job_id)
    if found is None:
        abort(404)
    report = found["report"] or {}
    for section in ("added", "updated", "unchanged", "duplicates", "removed", "failed"):
        for entry in report.get(section, []):
            entry["file"] = Path(entry.get("path", "")).name  # never the server's folders
            entry.pop("path", None)
            entry.pop("moved_from", None)
            if "rejected" in entry:
                entry["rejected"] = Path(entry["rejected"]).name
            if "duplicate_of" in entry:
                entry["duplicate_of"] = Path(entry["duplicate_of"]).name
    if found["kind"] == "index":
        found["args"] = {"files": [Path(p).name for p in found["args"]["paths"]]}
    return found


def _job_summary(job: dict) -> dict:
    counts = (job["report"] or {}).get("counts", {})
    return {key: job[key] for key in ("id", "kind", "state", "who", "created", "finished")} | {
        "counts": counts,
        "progress": job["progress"],
        "message": job["message"],
    }


# --- uploads -----------------------------------------------------------------------------------


@bp.route("/upload", methods=["GET", "POST"])
@login_required
def upload():
    if request.method == "GET":
        return render_template("admin/upload.html", saved=None, job=None)
    files = [(f.filename or "", f.stream) for f in request.files.getlist("files") if f]
    if not files or all(not name for name, _ in files):
        sentence = Sentence("choose_files", "Choose one or more files to add.")
        return _form_problem("admin/upload.html", sentence, saved=None)
    try:
        saved, job = curation.add_files(
            workspace.data(), _library_folder(), files, current_user.name
        )
    finally:
        _close_files()
    if workspace.wants_json():
        return jsonify({"files": saved, "job": job})
    return render_template("admin/upload.html", saved=saved, job=job)


def _close_files() -> None:
    """Close the uploads' spooled temporary files now, not when collected."""
    for stream in request.files.values():
        stream.close()


def _library_folder() -> Path:
    return curation.library_folder(workspace.data(), current_app.config.get("LIBRARY_FOLDER"))


# --- one document ------------------------------------------------------------------------------


@bp.route("/doc/<doc_id>/edit", methods=["GET", "POST"])
@login_required
def edit(doc_id: str):
    data = workspace.data()
    doc = _document(doc_id)
    if request.method == "GET":
        return render_template("admin/edit.html", doc=doc, problem="", changes=None)
    cells = {name: request.form.get(name, "") for name in CATALOGUED if name in request.form}
    if "languages_given" in request.form:  # checkboxes: none ticked sends nothing
        cells["languages"] = " ".join(request.form.getlist("languages"))
    try:
        changes = curation.edit(data, doc_id, cells, current_user.name)
    except BadParameter as err:
        if workspace.wants_json():
            return jsonify({"error": str(err), "status": 400}), 400
        typed = {**doc, **cells}  # the form again as it was typed
        if "languages" in cells:
            typed["languages"] = cells["languages"].split()
        page = render_template("admin/edit.html", doc=typed, problem=err.sentence, changes=None)
        return page, 400
    if workspace.wants_json():
        return jsonify({"changes": {k: list(v) for k, v in changes.items()}, **_document(doc_id)})
    return render_template("admin/edit.html", doc=_document(doc_id), problem="", changes=changes)


@bp.route("/api/doc/<doc_id>")
@login_required
def api_document(doc_id: str):
    return jsonify(_document(doc_id))


@bp.route("/doc/<doc_id>/withdraw", methods=["POST"])
@login_required
def withdraw(doc_id: str):
    return _withdrawal(doc_id, True)


@bp.route("/doc/<doc_id>/restore", methods=["POST"])
@login_required
def restore(doc_id: str):
    return _withdrawal(doc_id, False)


def _withdrawal(doc_id: str, withdrawn: bool):
    _document(doc_id)
    reason = request.form.get("reason", "").strip()[:500]
    curation.set_withdrawn(workspace.data(), doc_id, withdrawn, current_user.name, reason)
    if workspace.wants_json():
        return jsonify(_document(doc_id))
    return redirect(url_for("admin.edit", doc_id=doc_id))


@bp.route("/doc/<doc_id>/reocr", methods=["POST"])
@login_required
def reocr(doc_id: str):
    _document(doc_id)
    job = curation.reocr(workspace.data(), doc_id, current_user.name)  # a sentence: 400
    if workspace.wants_json():
        return jsonify({"job": job})
    return redirect(url_for("admin.job_page", job_id=job))


@bp.route("/doc/<doc_id>/attach", methods=["POST"])
@login_required
def attach(doc_id: str):
    _document(doc_id)
    files = [(f.filename or "", f.stream) for f in request.files.getlist("files") if f.filename]
    if not files:
        raise BadParameter(Sentence("choose_scan", "Choose the scanned copy's file to attach."))
    try:
        saved, job = curation.add_files(
            workspace.data(), _library_folder(), files[:1], current_user.name, record=doc_id
        )
    finally:
        _close_files()
    if workspace.wants_json():
        return jsonify({"files": saved, "job": job})
    if job is None:
        return render_template("admin/upload.html", saved=saved, job=None)
    return redirect(url_for("admin.job_page", job_id=job))


def _document(doc_id: str) -> dict:
    if not (0 < len(doc_id) <= 64 and doc_id.isascii() and doc_id.isalnum()):
        abort(404)
    try:
        return curation.document(workspace.data(), doc_id)
    except curation.NotInLibrary:
        abort(404)


# --- records without a file --------------------------------------------------------------------


@bp.route("/records/new", methods=["GET", "POST"])
@login_required
def new_record():
    if request.method == "GET":
        return render_template("admin/record_new.html", values={}, problem="")
    cells = {name: request.form.get(name, "") for name in CATALOGUED}
    cells["languages"] = " ".join(request.form.getlist("languages"))
    try:
        doc_id = curation.new_record(workspace.data(), cells, current_user.name)
    except BadParameter as err:
        if workspace.wants_json():
            return jsonify({"error": str(err), "status": 400}), 400
        return render_template("admin/record_new.html", values=cells, problem=err.sentence), 400
    if workspace.wants_json():
        return jsonify(_document(doc_id)), 201
    return redirect(url_for("admin.edit", doc_id=doc_id, added=1))


@bp.route("/records/import", methods=["GET", "POST"])
@login_required
def import_records():
    if request.method == "GET":
        return render_template("admin/records_import.html", result=None, problem="")
    sheet = request.files.get("file")
    if sheet is None or not sheet.filename:
        sentence = Sentence("choose_csv", "Choose the CSV file of the list.")
        return _form_problem("admin/records_import.html", sentence)
    try:
        result = curation.import_records(
            workspace.data(), sheet.read(), Path(sheet.filename).name, current_user.name
        )
    except BadParameter as err:
        return _form_problem("admin/records_import.html", err.sentence)
    if workspace.wants_json():
        return jsonify(result)
    return render_template("admin/records_import.html", result=result, problem="")


def _form_problem(template: str, sentence: str, **context):
    if workspace.wants_json():
        return jsonify({"error": sentence, "status": 400}), 400
    context.setdefault("result", None)
    return render_template(template, problem=sentence, **context), 400


# --- accounts (admins) -----------------------------------------------------------------------


@bp.route("/users", methods=["GET", "POST"])
@admin_required
def users():
    problem, status = "", 200
    if request.method == "POST":
        try:
            accounts.add(
                workspace.data(),
                request.form.get("username", ""),
                request.form.get("role", ""),
                request.form.get("password", ""),
                current_user.name,
            )
        except BadParameter as err:
            problem, status = err.sentence, 400
        if workspace.wants_json():
            return _users_json(problem, status)
        if not problem:
            return redirect(url_for("admin.users"))
    listed = accounts.listed(workspace.data())
    return render_template("admin/users.html", accounts=listed, problem=problem), status


@bp.route("/api/users")
@admin_required
def api_users():
    return _users_json("", 200)


def _users_json(problem: str, status: int):
    body = {"accounts": accounts.listed(workspace.data())}
    if problem:
        body |= {"error": problem, "status": status}
    return jsonify(body), status


@bp.route("/users/<name>/remove", methods=["POST"])
@admin_required
def remove_user(name: str):
    accounts.remove(workspace.data(), name, current_user.name, keep_an_admin=True)
    if workspace.wants_json():
        return _users_json("", 200)
    return redirect(url_for("admin.users"))


@bp.route("/users/<name>/password", methods=["POST"])
@admin_required
def user_password(name: str):
    accounts.set_password(
        workspace.data(), name, request.form.get("password", ""), current_user.name
    )
    if workspace.wants_json():
        return _users_json("", 200)
    return redirect(url_for("admin.users"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def own_password():
    if request.method == "GET":
        return render_template("admin/password.html", problem="", done=False)
    data, name = workspace.data(), current_user.name
    if accounts.verify(data, name, request.form.get("current", "")) is None:
        problem = Sentence(
            "wrong_current_password", "Your current password is not the one typed: type it again."
        )
        return render_template("admin/password.html", problem=problem, done=False), 400
    try:
        accounts.set_password(data, name, request.form.get("password", ""), name)
    except BadParameter as err:
        return render_template("admin/password.html", problem=err.sentence, done=False), 400
    login_user(workspace.User(accounts.named(data, name)))  # the new token
    return render_template("admin/password.html", problem="", done=True)


# --- the catalogue ------------------------------------------------------------------------------


@bp.route("/catalog.csv")
@login_required
def catalogue_csv():
    """`ddsearch catalog export` from the browser: edit it in a spreadsheet, save it as
    catalog.csv in the library folder, and the next run applies what changed."""
    text = curation.catalogue(workspace.data(), _library_folder())
    return Response(
        "\ufeff" + text,  # the BOM: Excel opens Khmer as UTF-8
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="catalog.csv"'},
    )


# --- the change log (admins) -------------------------------------------------------------------


@bp.route("/log")
@admin_required
def log_page():
    page, action = _log_filters()
    found, total = _log(page, action)
    return render_template(
        "admin/log.html",
        entries=found,
        total=total,
        page=page,
        pages=max(1, -(-total // LOG_PAGE)),
        action=action,
        actions=ACTIONS,
    )


@bp.route("/api/log")
@admin_required
def api_log():
    page, action = _log_filters()
    found, total = _log(page, action)
    return jsonify({"total": total, "page": page, "per_page": LOG_PAGE, "entries": found})


@bp.route("/log.csv")
@admin_required
def log_csv():
    _, action = _log_filters()
    found = curation.change_log(workspace.data(), limit=MAX_LOG_EXPORT, action=action)
    return Response(
        as_csv(found["entries"]),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="ddsearch-changes.csv"'},
    )


def _log_filters() -> tuple[int, str]:
    action = request.args.get("action", "")
    if action and action not in ACTIONS:
        raise BadParameter(f"action= takes one of {', '.join(ACTIONS)}.")  # a URL's, not a form's
    raw = request.args.get("page", "1")
    if not (raw.isascii() and raw.isdigit() and 0 < len(raw) <= 6 and int(raw) > 0):
        raise BadParameter("page= takes a whole number from 1.")
    return int(raw), action


def _log(page: int, action: str) -> tuple[list[dict], int]:
    offset = (page - 1) * LOG_PAGE
    found = curation.change_log(workspace.data(), limit=LOG_PAGE, offset=offset, action=action)
    return found["entries"], found["total"]


@bp.app_template_global()
def language_codes():
    return LANGUAGE_CODES


@bp.app_template_global()
def cell_text(name: str, value) -> str:
    """A value as the catalogue's cell writes it (places by name, lists space-separated)."""
    if value is None:
        return ""
    if name == "places" and not isinstance(value, str):  # a form sent back keeps the text
        return places_cell(value)
    if isinstance(value, list):
        return " ".join(map(str, value))
    return str(value)
