"""The ``ddsearch`` command: index a library, search it, serve it, and keep its catalogue."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from indexer import errors, vocabulary
from indexer.config import ENV_VAR, DataDir, default_data_dir
from indexer.engine import BACKENDS
from indexer.extract import ocr
from indexer.extract.pool import OCR_MODES
from indexer.indexing import status as status_report
from indexer.indexing import sync
from indexer.indexing.progress import Progress
from indexer.indexing.run import run_index
from indexer.library import catalog, metadata
from indexer.query import search

#: Exit statuses, documented in README.md.
EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, EXIT_BUSY, EXIT_BROKER = 0, 1, 2, 3, 4


class _Commands(click.Group):
    """Turns the errors a user can meet into their sentence and exit status, once for all
    commands: a bad parameter or missing OCR language is a usage error (2), another writer
    is busy (3), the OCR broker cannot be reached (4), anything else of ours is a plain
    failure (1)."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (errors.BadParameter, errors.OcrUnavailable) as err:
            raise click.UsageError(str(err)) from None
        except errors.IndexBusy as err:
            _say(f"ddsearch: {err}")
            sys.exit(EXIT_BUSY)
        except errors.BrokerUnavailable as err:
            _say(f"ddsearch: {err}")
            sys.exit(EXIT_BROKER)
        except errors.DdsearchError as err:
            raise click.ClickException(str(err)) from None


index_option = click.option(
    "--index",
    "data_root",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help=f"Data folder (index, extraction store, state). Default: ${ENV_VAR}, "
    "else ~/.local/share/ddsearch.",
)


broker_option = click.option(
    "--broker",
    metavar="URL",
    default=None,
    help="Send the pages that need OCR to `ddsearch worker`s through this Redis "
    "(redis://HOST:6379/0) instead of OCRing them here.",
)

engine_option = click.option(
    "--engine",
    type=click.Choice(sorted(BACKENDS)),
    default=None,
    help="The search engine of this data folder's index, kept from then on (default whoosh; "
    "tantivy for large libraries): a folder that had the other is rebuilt from its store.",
)


progress_json_option = click.option(
    "--progress-json",
    "progress_json",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the progress figures to this file as JSON, every second.",
)


def _check_ocr(lang: str, broker: str | None) -> None:
    """Tesseract and its languages are needed here only when pages are OCR'd here; workers
    check their own and refuse pages they cannot read."""
    if not broker:
        ocr.check_languages(lang)


def _data(data_root: Path | None) -> DataDir:
    return DataDir(data_root or default_data_dir())


def _say(line: str) -> None:
    click.echo(line, err=True)


@click.group(cls=_Commands)
@click.version_option(package_name="ddsearch")
def main() -> None:
    """ddsearch: full-text search of Khmer and English D&D documents."""


@main.command("index")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@index_option
@click.option(
    "--jobs", type=click.IntRange(1, 64), default=None, help="OCR workers (default: cores)."
)
@click.option(
    "--ocr",
    "ocr_mode",
    type=click.Choice(OCR_MODES),
    default="auto",
    show_default=True,
    help="auto: OCR pages whose text layer fails the quality gate; always; never.",
)
@click.option(
    "--ocr-lang", default=ocr.DEFAULT_LANG, show_default=True, help="Tesseract languages."
)
@click.option(
    "--report", "report_path", type=click.Path(path_type=Path), help="Write the report as JSON."
)
@click.option("--quiet", is_flag=True, help="No progress, only the closing report.")
@progress_json_option
@broker_option
@engine_option
def index_command(
    paths, data_root, jobs, ocr_mode, ocr_lang, report_path, quiet, progress_json, broker, engine
) -> None:
    """Index the PDFs under PATHS: new and changed files are extracted, gone ones removed.

    Exit status: 0 all files indexed; 1 some files failed (the others are committed);
    3 another ddsearch process is writing to the same index; 4 the --broker cannot be reached.
    """
    if ocr_mode != "never":
        _check_ocr(ocr_lang, broker)
    report = run_index(
        _data(data_root),
        list(paths),
        jobs=jobs or os.cpu_count() or 1,
        ocr_mode=ocr_mode,
        ocr_lang=ocr_lang,
        progress=Progress(quiet=quiet, figures_file=progress_json),
        broker=broker,
        engine=engine,
    )
    _finish_run(report, report_path)


def _finish_run(report, report_path: Path | None) -> None:
    """The end of `index` and `reocr`: the summary, the JSON report, the exit status."""
    click.echo(report.summary())
    if report_path:
        from indexer.indexing.report import write_json

        write_json(report_path, report.to_dict())
    sys.exit(EXIT_SOME_FAILED if report.failed else EXIT_OK)


@main.command("sync")
@index_option
def sync_command(data_root) -> None:
    """Bring the index in line with the library state (what `index` does at its end), reading
    no file: after corrections, or to repair an index a crash left behind."""
    from indexer.library import opened

    data = _data(data_root)
    with opened(data) as (library, store):
        sync.sync_index(data, library, store, _say)


@main.command()
@index_option
@engine_option
def rebuild(data_root, engine) -> None:
    """Re-create the index from the extraction store, without extracting or OCRing again."""
    count = sync.rebuild(_data(data_root), _say, engine)
    click.echo(f"rebuilt the index: {count} documents")


@main.command()
@click.argument("target")
@index_option
def remove(target, data_root) -> None:
    """Remove a document by its id, or a file by its path, from the index."""
    removed = sync.remove(_data(data_root), target, _say)
    if not removed:
        raise click.UsageError(f"no indexed document or file is called {target!r}")
    for entry in removed:
        click.echo(f"removed {entry['path']} (document {entry['id']})")
    click.echo("The files are still on disk: delete or move them, or the next index run adds them.")


@main.command()
@index_option
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def status(data_root, as_json) -> None:
    """Documents, pages (by text layer / OCR), last run's failures, sizes, last update."""
    figures = status_report.status(_data(data_root))
    if as_json:
        click.echo(json.dumps(figures, ensure_ascii=False, indent=2))
        return
    click.echo(status_report.format_status(figures))


@main.command()
@click.argument("targets", nargs=-1)
@index_option
@click.option("--all", "all_documents", is_flag=True, help="Every document in the index.")
@click.option("--lang", default=None, help=f"Tesseract languages (default {ocr.DEFAULT_LANG}).")
@click.option(
    "--jobs", type=click.IntRange(1, 64), default=None, help="OCR workers (default: cores)."
)
@click.option(
    "--report", "report_path", type=click.Path(path_type=Path), help="Write the report as JSON."
)
@click.option("--quiet", is_flag=True, help="No progress, only the closing report.")
@progress_json_option
@broker_option
def reocr(
    targets, data_root, all_documents, lang, jobs, report_path, quiet, progress_json, broker
) -> None:
    """OCR again, by the current recipe, the pages an older recipe read.

    Name documents by id, path or file name, or give --all. Resumable: a page once read by
    the recipe is never read again. Exit status as for index.
    """
    from indexer.indexing.reocr import run_reocr

    if bool(targets) == all_documents:
        raise click.UsageError("name the documents to read again (ID or PATH), or give --all")
    _check_ocr(lang or ocr.DEFAULT_LANG, broker)
    report = run_reocr(
        _data(data_root),
        list(targets),
        lang=lang,
        jobs=jobs or os.cpu_count() or 1,
        progress=Progress(quiet=quiet, figures_file=progress_json),
        broker=broker,
    )
    _finish_run(report, report_path)


@main.command()
@click.option("--broker", metavar="URL", required=True, help="Redis URL: redis://HOST:6379/0.")
@click.option(
    "--jobs", type=click.IntRange(1, 64), default=None, help="Pages read at once (default: cores)."
)
@click.option(
    "--redeliver-after",
    type=click.FloatRange(1),
    default=None,
    metavar="SECONDS",
    help="A page whose worker died goes to another worker after this long; keep it longer "
    "than the slowest page (default 1800).",
)
def worker(broker, jobs, redeliver_after) -> None:
    """OCR pages for `ddsearch index --broker` and `reocr --broker` on any machine with the
    same ddsearch and Tesseract languages. Stop with Ctrl-C: unfinished pages go back.

    Exit status: 4 the broker cannot be reached.
    """
    from indexer.extract import broker as queue
    from indexer.extract.worker import run_worker

    run_worker(broker, jobs or os.cpu_count() or 1, redeliver_after or queue.REDELIVER_AFTER_S)


@main.command()
@click.argument("target")
@index_option
@click.option("--json", "as_json", is_flag=True, help="Print the document as JSON.")
def show(target, data_root, as_json) -> None:
    """A document's metadata and each page's text with how it was read (TARGET: id, path,
    or a file name only one indexed file has)."""
    from indexer.library import show as shown

    record = shown.show(_data(data_root), target)
    if as_json:
        click.echo(json.dumps(record, ensure_ascii=False, indent=2))
    else:
        click.echo(shown.format_document(record))


@main.command("search")
@click.argument("query", nargs=-1, required=True)
@index_option
@click.option(
    "--type",
    "type_",
    help=f"Only this instrument type: {', '.join(vocabulary.TYPE_KEYS)}.",
)
@click.option("--year", help="A year (2001) or a range (2001..2005).")
@click.option(
    "--lang", type=click.Choice(vocabulary.LANGUAGE_CODES), help="Only documents in this language."
)
@click.option(
    "--place", help="Only documents about this province, district or commune (name or code)."
)
@click.option("--sort", type=click.Choice(vocabulary.SORTS), default="relevance")
@click.option("--limit", type=click.IntRange(1, 100), default=10, show_default=True)
@click.option("--offset", type=click.IntRange(0, 10_000), default=0, show_default=True)
@click.option(
    "--exact", is_flag=True, help="Exact matches only: no close matches of misread words."
)
@click.option(
    "--cross", is_flag=True, help="Also search the glossary's terms in the other language."
)
@click.option("--json", "as_json", is_flag=True, help="Print the JSON contract (see README).")
def search_command(
    query, data_root, type_, year, lang, place, sort, limit, offset, exact, cross, as_json
) -> None:
    """Search the index: words, "phrases", AND/OR/NOT, -word, title: type: year: lang: place:,
    word*."""
    data = _data(data_root)
    result = search.search(
        data.index,
        " ".join(query),
        type=type_,
        year=year,
        lang=lang,
        place=place,
        sort=sort,
        limit=limit,
        offset=offset,
        tolerant=not exact,
        cross=cross,
    )
    if as_json:
        click.echo(json.dumps(result, ensure_ascii=False, indent=2))
    elif result["notice"]:
        click.echo(result["notice"])
    elif not result["total"] and not status_report.status(data)["documents"]:
        click.echo(
            "The index has no documents yet: run `ddsearch index FOLDER` on a folder of PDFs."
        )
    else:
        click.echo(search.format_results_text(result))


@main.group("catalog")
def catalog_group() -> None:
    """The librarian's metadata spreadsheet (catalog.csv in the library folder)."""


@catalog_group.command("export")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--doubtful",
    is_flag=True,
    help="Only the documents with a detected field detection is unsure of, least sure first.",
)
@index_option
def catalog_export(file, doubtful, data_root) -> None:
    """Write the current metadata (detected + catalogue) to FILE.csv for a spreadsheet.

    Save it as catalog.csv in the library folder; the next `ddsearch index` applies the
    cells changed since the last run without extracting anything again. Its withdrawn column
    says yes for a document off the public site.
    """
    rows = sync.catalog_rows(_data(data_root), file.parent)
    if doubtful:
        rows = metadata.doubtful_first(rows)
    catalog.write_catalog(file, rows, metadata.DOUBTFUL_BELOW)
    click.echo(f"wrote {len(rows)} documents to {file}")


@main.group("user")
def user_group() -> None:
    """Accounts of the website's workspace (/admin): admins manage accounts, editors curate
    the library. The workspace exists once an account does."""


def _new_password(password_stdin: bool, name: str) -> str:
    """The password typed twice at a prompt (not echoed), or the first line of stdin."""
    from indexer.workspace import accounts

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt(
            f"Password for {name}", hide_input=True, confirmation_prompt=True, err=True
        )
    accounts.check_password(password, name)
    return password


password_stdin_option = click.option(
    "--password-stdin", is_flag=True, help="Read the password from the first line of stdin."
)


@user_group.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(("admin", "editor")), required=True)
@password_stdin_option
@index_option
def user_add(name, role, password_stdin, data_root) -> None:
    """Add an account (the password is asked for twice, or read with --password-stdin)."""
    from indexer.workspace import accounts

    accounts.check_name(name)
    password = _new_password(password_stdin, name)
    account = accounts.add(_data(data_root), name, role, password, accounts.cli_user())
    click.echo(f"added {account.role} {account.name}; sign in at /admin/login")


@user_group.command("list")
@index_option
@click.option("--json", "as_json", is_flag=True, help="Print the accounts as JSON.")
def user_list(data_root, as_json) -> None:
    """The accounts, with their roles."""
    from indexer.workspace import accounts

    found = accounts.listed(_data(data_root))
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
    elif not found:
        click.echo("no accounts: add one with `ddsearch user add NAME --role admin`")
    for account in [] if as_json else found:
        click.echo(f"{account['name']}\t{account['role']}")


@user_group.command("remove")
@click.argument("name")
@index_option
def user_remove(name, data_root) -> None:
    """Remove an account; its sessions end at their next request."""
    from indexer.workspace import accounts

    accounts.remove(_data(data_root), name, accounts.cli_user())
    click.echo(f"removed {name}")


@user_group.command("passwd")
@click.argument("name")
@password_stdin_option
@index_option
def user_passwd(name, password_stdin, data_root) -> None:
    """Set a new password; the account's other sessions end."""
    from indexer.workspace import accounts

    password = _new_password(password_stdin, name)
    accounts.set_password(_data(data_root), name, password, accounts.cli_user())
    click.echo(f"changed the password of {name}")


@main.command()
@index_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8080, show_default=True)
@click.option(
    "--workers",
    type=click.IntRange(0),
    default=0,
    help="Server processes; 0 (the default) starts one per core.",
)
@click.option(
    "--library",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where the workspace saves uploaded files (default: $DDSEARCH_LIBRARY, else the "
    "folder indexed last).",
)
@click.option(
    "--proxies",
    type=click.IntRange(0),
    default=None,
    help="Reverse proxies (nginx) in front of the site, whose X-Forwarded-For/-Proto/-Host "
    "headers are believed (default: $DDSEARCH_PROXIES, else 0). Only behind a proxy.",
)
def serve(data_root, host, port, workers, library, proxies) -> None:
    """Serve the search website (and the workspace at /admin once an account exists); it
    shows new index commits without a restart."""
    from search_web.server import serve as serve_site

    serve_site(_data(data_root).root, host, port, workers, library, proxies)


if __name__ == "__main__":
    main()
