"""What an editor does to the library from the browser: correct a document's catalogue values,
withdraw it from the public site and restore it, keep records of printed books (one by one or
from the office's list), attach a scan to a record, add files, ask for a document to be read
again. Each change is logged (`indexer.library.changelog`) and made searchable at once by the
same sync as an indexing run (no extraction again); files are indexed by a background run.
"""

from __future__ import annotations

import json
import os
import time
from functools import cache
from pathlib import Path
from typing import BinaryIO

from indexer.config import DataDir
from indexer.errors import BadParameter, Sentence, sentence_of
from indexer.indexing.corrections import correct
from indexer.indexing.sync import catalog_rows
from indexer.library import catalog, changelog, metadata, opened
from indexer.library.effective import DEFAULT_FIELDS, Derived, effective_metadata
from indexer.library.state import DocumentRow, Library
from indexer.model import LIBRARIAN_ONLY
from indexer.text.khmer import normalize
from indexer.vocabulary import DATA_DIR
from indexer.workspace import jobs, uploads
from indexer.workspace.jobs import commit

RECORD_TYPE = "book"  # a record imported without a type
NEEDS_TITLE = Sentence("needs_title", "A record needs a title (in Khmer, in English or both).")


class NotInLibrary(BadParameter):
    """No document of the library has this id."""


def library_folder(data: DataDir, configured: Path | None = None) -> Path:
    """Where uploads are saved: the folder configured (`ddsearch serve --library`), else the
    folder indexed last, else ``library/`` in the data folder."""
    if configured:
        return Path(os.path.abspath(configured))
    if data.library.exists():
        library = Library(data.library)
        try:
            if (last := library.last_root()) and Path(last).is_dir():
                return Path(last)
        finally:
            library.close()
    return data.root / "library"


# --- one document ------------------------------------------------------------------------------


def document(data: DataDir, doc_id: str) -> dict:
    """A document as the workspace shows it: effective values, detected ones, which are the
    librarian's, its files, and whether it is withdrawn or a record without a file. Places
    and other-language versions are as the last sync settled them (`effective.Derived`)."""
    with opened(data) as (library, _store):
        row = _row(library, doc_id)
        derived = Derived.read(library)
        fields, overridden = effective_metadata(row, derived)
        return {
            "id": row.id,
            **fields,
            "detected": _detected(row, derived),
            "overridden": overridden,
            "paths": [Path(path).name for path in library.paths_of(row.id)],
            "record": row.is_record,
            "withdrawn": row.withdrawn,
            "added": row.added,
            "updated": row.updated,
        }


def _detected(row: DocumentRow, derived: Derived) -> dict:
    """What detection alone gives a document: its own fields, and the places and links to
    other versions that sync found."""
    return {
        **DEFAULT_FIELDS,
        "languages": [],
        **{k: v for k, v in row.detected.items() if k != "detector"},
        "places": derived.places.get(row.hash, []),
        "work": derived.detected_works.get(row.id, []),
    }


def edit(data: DataDir, doc_id: str, cells: dict[str, str], who: str) -> dict[str, tuple]:
    """Correct a document from a form of catalogue columns (`catalog.CATALOGUED`, as typed):
    a value equal to the detected one, or an empty one, leaves the field to detection; a
    column not in the form keeps its value. The changes, {field: (before, after)}; raises
    BadParameter with the sentence of a bad value (nothing is changed then)."""
    values, problem = catalog.parse_values(cells)
    if problem:
        raise BadParameter(sentence_of(problem))
    with opened(data) as (library, store):
        with library.transaction():
            row = _row(library, doc_id)
            _check_work(library, doc_id, values.get("work", []))
            derived = Derived.read(library)
            detected = _detected(row, derived)
            overrides = dict(row.overrides)
            for name in catalog.CATALOGUED:
                if name not in cells:
                    continue
                if name in values and (name in LIBRARIAN_ONLY or values[name] != detected[name]):
                    overrides[name] = values[name]
                else:
                    overrides.pop(name, None)
            if row.is_record and not (overrides.get("title") or overrides.get("parallel_title")):
                raise BadParameter(NEEDS_TITLE)
            changes = correct(library, row, overrides, who, "edit", derived=derived)
        if changes:
            commit(data)
        return changes


def _check_work(library: Library, doc_id: str, others: list[str]) -> None:
    """The other-language versions named must be other documents of the library."""
    for other in others:
        if other == doc_id:
            raise BadParameter(
                Sentence(
                    "work_itself",
                    "A document cannot be its own other-language version: write the id of the "
                    "other version (the last part of its page's address), or - for none.",
                )
            )
        if library.live_document(other) is None:
            raise BadParameter(
                Sentence(
                    "work_unknown",
                    "No document of the library has the id '{id}': write the id of the "
                    "other-language version (the last part of its page's address, /doc/ID), "
                    "or - for none.",
                    id=other[:64],
                )
            )


def set_withdrawn(data: DataDir, doc_id: str, withdrawn: bool, who: str, reason: str = "") -> None:
    """Take a document off the public site (kept in the library, its files and text too), or
    put it back."""
    with opened(data) as (library, store):
        with library.transaction():
            row = _row(library, doc_id)
            if row.withdrawn == withdrawn:
                return
            library.set_withdrawn(doc_id, withdrawn)
            action = "withdraw" if withdrawn else "restore"
            details = {"reason": reason} if reason else {}
            changelog.record(
                library, who, action, doc_id, {"withdrawn": (row.withdrawn, withdrawn)}, **details
            )
        commit(data)


def withdrawn(data: DataDir) -> list[dict]:
    """The documents off the public site: id and title."""
    if not data.library.exists():
        return []
    with opened(data) as (library, _store):
        return [
            {"id": row.id, "title": effective_metadata(row)[0]["title"]}
            for row in library.live_documents()
            if row.withdrawn
        ]


def reocr(data: DataDir, doc_id: str, who: str) -> int:
    """Queue a run reading the document's OCR'd pages again by the current recipe; its job."""
    with opened(data) as (library, _store):
        row = _row(library, doc_id)
        if row.is_record:
            raise BadParameter(
                Sentence("record_no_pages", "A record without a file has no pages to read again.")
            )
        changelog.record(library, who, "reocr", doc_id)
    return jobs.enqueue(data, "reocr", {"id": doc_id}, who)


def catalogue(data: DataDir, folder: Path) -> str:
    """The catalogue as `ddsearch catalog export` writes it (paths relative to the library
    ``folder``, withdrawn documents marked): saved as catalog.csv there, it changes nothing."""
    return catalog.catalog_text(catalog_rows(data, folder), metadata.DOUBTFUL_BELOW)


def change_log(data: DataDir, *, limit: int, offset: int = 0, action: str = "") -> dict:
    """The change log's newest entries (`changelog.entries`) and how many there are."""
    with opened(data) as (library, _store):
        found = changelog.entries(library, limit=limit, offset=offset, action=action)
        return {"total": changelog.count(library, action), "entries": found}


def _row(library: Library, doc_id: str) -> DocumentRow:
    row = library.live_document(doc_id)
    if row is None:
        raise NotInLibrary(
            Sentence(
                "not_in_library", "No document of the library has the id '{id}'.", id=doc_id[:64]
            )
        )
    return row


# --- files ---------------------------------------------------------------------------------------


def add_files(
    data: DataDir, folder: Path, files: list[tuple[str, BinaryIO]], who: str, record: str = ""
) -> tuple[list[dict], int | None]:
    """Save uploaded files into the library folder and queue their indexing run: what became
    of each file, and the job (None when nothing was saved). ``record``: the files are scans
    of that record without a file, which becomes a document keeping its id and values."""
    saved = []
    with opened(data) as (library, _store):
        if record:
            row = _row(library, record)
            if not row.is_record:
                raise BadParameter(
                    Sentence(
                        "has_a_file", "This document has a file already; attach files to records."
                    )
                )
        for name, stream in files:
            outcome = uploads.save(folder, name, stream, library)
            saved.append(outcome)
            if outcome.outcome != "saved":
                continue
            with library.transaction():
                if record:
                    library.attach(outcome.path, record)
                name = Path(outcome.path).name
                action = "attach" if record else "upload"
                changelog.record(library, who, action, record or name, file=name, size=outcome.size)
                record = ""  # one scan becomes the record; more files are documents of their own
    paths = [entry.path for entry in saved if entry.outcome == "saved"]
    job = jobs.enqueue(data, "index", {"paths": paths}, who) if paths else None
    return [entry.to_dict() for entry in saved], job


# --- records without a file ---------------------------------------------------------------------


def new_record(data: DataDir, cells: dict[str, str], who: str) -> str:
    """A record of a printed copy from a form of catalogue columns; its id."""
    values, problem = catalog.parse_values(cells)
    if problem:
        raise BadParameter(sentence_of(problem))
    if not (values.get("title") or values.get("parallel_title")):
        raise BadParameter(NEEDS_TITLE)
    with opened(data) as (library, store):
        doc_id = _add_record(library, {"type": RECORD_TYPE, **values}, who)
        commit(data)
    return doc_id


def _add_record(library: Library, values: dict, who: str, **details) -> str:
    with library.transaction():
        doc_id = library.new_record(time.time(), values)
        changes = {name: (None, value) for name, value in values.items()}
        changelog.record(library, who, "record", doc_id, changes, **details)
    return doc_id


def import_records(data: DataDir, raw: bytes, file_name: str, who: str) -> dict:
    """Add the rows of the office's list of printed books (a CSV; headings as the office
    writes them, see indexer/data/record_columns.json) as records: ``added`` (row, id,
    title), ``skipped`` (row, sentence: already recorded, no title, a bad cell)."""
    header, rows, problem = catalog.read_sheet(raw, file_name)
    if problem:
        raise BadParameter(problem)
    columns = _columns(header)
    if "title" not in columns.values() and "parallel_title" not in columns.values():
        raise BadParameter(
            Sentence(
                "no_title_column",
                "{file} has no title column in its first row: name one “title” (or "
                "“title (english)”), as in the list of headings the import knows.",
                file=file_name,
            )
        )
    added, skipped = [], []
    with opened(data) as (library, store):
        known = _known_records(library)
        for number, cells in rows:
            named = {columns[c]: v for c, v in cells.items() if c in columns and v}
            values, problem = catalog.parse_values(named)
            title = values.get("title") or values.get("parallel_title")
            if problem or not title:
                sentence = problem or Sentence("row_without_title", "the row has no title")
                skipped.append({"row": number, "sentence": sentence})
                continue
            key = _record_key(values)
            if key in known:
                sentence = Sentence(
                    "already_recorded", "already in the catalogue as {id}", id=known[key]
                )
                skipped.append({"row": number, "sentence": sentence})
                continue
            doc_id = _add_record(
                library, {"type": RECORD_TYPE, **values}, who, file=file_name, row=number
            )
            known[key] = doc_id
            added.append({"row": number, "id": doc_id, "title": title})
        if added:
            commit(data)
    return {"added": added, "skipped": skipped, "columns": columns}


@cache
def _synonyms() -> dict[str, str]:
    table = json.loads((DATA_DIR / "record_columns.json").read_text(encoding="utf-8"))
    names = {normalize(field): field for field in catalog.CATALOGUED}
    for field, headings in table["columns"].items():
        names.update({normalize(heading).lower(): field for heading in headings})
    return names


def _columns(header: list[str]) -> dict[str, str]:
    """The catalogue field of each heading the import knows."""
    synonyms = _synonyms()
    found = {}
    for heading in header:
        field = synonyms.get(" ".join(heading.lower().split()))
        if field and field not in found.values():
            found[heading] = field
    return found


def _record_key(values: dict) -> tuple:
    """Records are the same book when their call numbers are, else their titles and years."""
    if values.get("call_number"):
        return ("call_number", values["call_number"].lower())
    title = values.get("title") or values.get("parallel_title", "")
    return ("title", " ".join(normalize(title).lower().split()), values.get("year"))


def _known_records(library: Library) -> dict[tuple, str]:
    return {_record_key(row.overrides): row.id for row in library.live_documents() if row.is_record}
