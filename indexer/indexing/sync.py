"""The index as a function of the library state and the store: sync, rebuild, remove.

The index is always re-derivable from state + store, so `sync_index` repairs whatever a crash
left behind, and `rebuild` re-creates it without extracting or OCRing anything.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path

from indexer.config import DataDir
from indexer.engine import BACKENDS, DEFAULT, backend_of, open_engine
from indexer.errors import IndexVersionError
from indexer.indexing.analyses import Analyses
from indexer.indexing.detection import redetect_outdated
from indexer.indexing.lock import index_commit_lock, writer_lock
from indexer.library import citator, opened, places, works
from indexer.library.effective import Derived, effective_metadata
from indexer.library.state import DocumentRow, Library
from indexer.library.store import Store
from indexer.model import LIBRARIAN_ONLY, Document

#: A full build analyses in parallel (KNOWLEDGE §4: procs=2 halves a build on 2 cores).
BUILD_JOBS = min(2, os.cpu_count() or 1)
PARALLEL_BUILD_FROM = 200  # documents; below this the extra processes cost more than they save


def desired_documents(
    library: Library, version: str
) -> dict[str, tuple[DocumentRow, list[str], dict, str]]:
    """What the index should hold: id → (row, paths, metadata, fingerprint); the engine's
    ``version`` is part of the fingerprint, so a new schema re-indexes every document."""
    wanted = {}
    derived = Derived.read(library)
    for row in library.live_documents():
        if row.withdrawn:  # kept in the library, off the public site
            continue
        paths = library.paths_of(row.id)
        if not paths and not row.is_record:
            continue
        fields, _ = effective_metadata(row, derived)
        if not fields["title"] and paths:
            fields["title"] = Path(paths[0]).stem.replace("_", " ")
        wanted[row.id] = (row, paths, fields, _fingerprint(version, row, paths, fields))
    return wanted


def _fingerprint(version: str, row: DocumentRow, paths: list[str], fields: dict) -> str:
    payload = json.dumps([version, row.hash, paths, fields], sort_keys=True)
    return hashlib.sha1(payload.encode("utf-8")).hexdigest()


def _sync_citations(library: Library, store: Store, wanted: dict, version: str) -> None:
    """Parse the citations of the documents the citator has not read, from the store (no OCR),
    and give a document that has no number the one other documents cite it by
    (`citator.cited_numbers`), so that ``number:`` finds it, and the day its citations date it
    by where its own pages left the date short of a day or disagree on it
    (`citator.cited_dates`): changed as documents come and go."""
    documents = [(row.hash, fields["title"]) for row, _, fields, _ in wanted.values()]
    citator.sync(library.db, documents, lambda h: [page.text for page in store.pages(h)])
    cited_library = citator.load(library.db)
    for doc_id, cited in citator.cited_numbers(cited_library).items():
        if doc_id in wanted and not wanted[doc_id][2]["number"]:
            _change(wanted, doc_id, version, number=cited.number)
    for doc_id, cited in citator.cited_dates(cited_library).items():
        if doc_id in wanted and (date := _cited_date(wanted[doc_id], cited)):
            _change(wanted, doc_id, version, **date)


#: How sure a date is that the library's citations give (and its own pages do not contradict).
CITED_DATE_CONFIDENCE = 0.8


def _cited_date(item: tuple, cited: citator.CitedDate) -> dict | None:
    """The fields a date from citations changes (`citator.dated_by_citations`), unless the
    catalogue sets the date or the year."""
    row, _, fields, _ = item
    if "date" in row.overrides or "year" in row.overrides:
        return None
    date = citator.dated_by_citations(fields["date"], cited)
    if date is None:
        return None
    return {"date": date, "confidence": {**fields["confidence"], "date": CITED_DATE_CONFIDENCE}}


def _sync_places(library: Library, store: Store, wanted: dict, version: str) -> None:
    """Detect the places of the documents not yet read by this detector with their title,
    from the store (no OCR), and give each document its places unless the catalogue does."""
    documents = [(row.hash, fields["title"]) for row, _, fields, _ in wanted.values()]
    places.sync(library.db, documents, lambda h: [page.text for page in store.pages(h)])
    detected = places.detected(library.db)
    for doc_id, (row, _, _, _) in list(wanted.items()):
        if "places" not in row.overrides:
            _change(wanted, doc_id, version, places=detected.get(row.hash, []))


def _sync_works(library: Library, store: Store, wanted: dict, version: str) -> None:
    """Link the versions of one work in two languages (`works.link`) over the documents'
    effective metadata and their glossary terms, keep the links, and give each document its
    other versions: the catalogue's ``work`` cells set, confirm or remove links."""
    records = {doc_id: fields for doc_id, (_, _, fields, _) in wanted.items()}
    hashes = {doc_id: row.hash for doc_id, (row, _, _, _) in wanted.items()}
    overrides = {
        doc_id: row.overrides["work"]
        for doc_id, (row, _, _, _) in wanted.items()
        if "work" in row.overrides
    }
    linked = works.sync(
        library.db, records, hashes, overrides, lambda h: [p.text for p in store.pages(h)]
    )
    for doc_id in wanted:
        _change(wanted, doc_id, version, work=linked.get(doc_id, []))


def _change(wanted: dict, doc_id: str, version: str, **changes) -> None:
    """Set fields of a wanted document, and its fingerprint with them."""
    row, paths, fields, fingerprint = wanted[doc_id]
    if all(fields.get(name) == value for name, value in changes.items()):
        return
    fields = {**fields, **changes}
    wanted[doc_id] = (row, paths, fields, _fingerprint(version, row, paths, fields))


def documents(
    data: DataDir, wanted: dict, ids: list[str], store: Store, jobs: int = 1
) -> Iterator[Document]:
    """The indexable Documents of ``ids``, with their pages from the store (none for a record
    without a file) and the pages' analyses from the data folder's kept ones (made in ``jobs``
    processes where missing)."""
    analyses = Analyses(data.analyses)
    try:
        rows = [wanted[doc_id][0] for doc_id in ids]
        contents = ((row.hash, store.pages(row.hash) if row.hash else []) for row in rows)
        for doc_id, pages in zip(ids, analyses.analysed(contents, jobs=jobs), strict=True):
            row, paths, fields, fingerprint = wanted[doc_id]
            catalogue = {name: fields[name] for name in LIBRARIAN_ONLY if fields.get(name)}
            yield Document(
                id=doc_id,
                content_hash=row.hash,
                paths=paths,
                pages=pages,
                added=row.added,
                updated=row.updated,
                fingerprint=fingerprint,
                catalogue=catalogue,
                **{name: value for name, value in fields.items() if name not in LIBRARIAN_ONLY},
            )
    finally:
        analyses.close()


def _forget_analyses(data: DataDir, wanted: dict) -> None:
    """Drop the kept analyses of contents the index no longer holds."""
    analyses = Analyses(data.analyses)
    try:
        analyses.keep_only(row.hash for row, _, _, _ in wanted.values() if row.hash)
    finally:
        analyses.close()


def _synced(library: Library, store: Store, version: str) -> dict:
    """The documents the index should hold, with what sync derives from all of them: numbers
    cited, places, versions in the other language (in that order: links use numbers)."""
    wanted = desired_documents(library, version)
    _sync_citations(library, store, wanted, version)
    _sync_places(library, store, wanted, version)
    _sync_works(library, store, wanted, version)
    return wanted


def sync_index(data: DataDir, library: Library, store: Store, say=lambda line: None) -> None:
    """Make the index hold exactly the live documents, repairing what a crash left behind.

    An index written by another version of the schema, or by another engine than the folder's
    chosen one, is rebuilt from the store (no OCR).
    """
    with index_commit_lock(data.index_lock):
        chosen = data.engine or DEFAULT
        if backend_of(data.index) not in (None, chosen):
            say(f"the index moves to the {chosen} engine: rebuilding it from the store (no OCR)")
            _rebuild_locked(data, library, store, say)
            return
        engine = open_engine(data.index, chosen)
        engine.create()
        try:
            indexed = engine.fingerprints()
        except IndexVersionError:
            say("the index was built by another version of ddsearch: rebuilding it from the store")
            _rebuild_locked(data, library, store, say)
            return
        redetect_outdated(library, store, say)
        wanted = _synced(library, store, engine.version)
        upserts = sorted(d for d, item in wanted.items() if indexed.get(d) != item[3])
        deletes = sorted(set(indexed) - set(wanted))
        if upserts or deletes:
            jobs = BUILD_JOBS if len(upserts) >= PARALLEL_BUILD_FROM else 1
            engine.apply_changes(documents(data, wanted, upserts, store, jobs), deletes, jobs=jobs)
            _forget_analyses(data, wanted)


def rebuild(data: DataDir, say, engine: str | None = None) -> int:
    """Re-create the index from state + store (after an analyser or schema change); no OCR.
    With ``engine``, the folder's index moves to that engine, which it then keeps."""
    with writer_lock(data.lock, say), opened(data) as (library, store):
        if engine:
            choose_engine(data, engine)
        return _rebuild(data, library, store, say)


def choose_engine(data: DataDir, engine: str) -> None:
    """Remember the engine of a data folder's index (the caller holds the writer lock); the
    next sync rebuilds the index in it when it is another's."""
    if engine not in BACKENDS:
        raise ValueError(f"unknown engine {engine!r}")
    if engine != (data.engine or DEFAULT):
        data.root.mkdir(parents=True, exist_ok=True)
        fresh = data.engine_file.with_name(data.engine_file.name + ".new")
        fresh.write_text(engine + "\n")
        fresh.replace(data.engine_file)


def _rebuild(data: DataDir, library: Library, store: Store, say=lambda line: None) -> int:
    with index_commit_lock(data.index_lock):
        return _rebuild_locked(data, library, store, say)


def _rebuild_locked(data: DataDir, library: Library, store: Store, say=lambda line: None) -> int:
    engine = open_engine(data.index, data.engine or DEFAULT)
    redetect_outdated(library, store, say)
    wanted = _synced(library, store, engine.version)
    engine.rebuild(documents(data, wanted, sorted(wanted), store, BUILD_JOBS), jobs=BUILD_JOBS)
    _forget_analyses(data, wanted)
    return len(wanted)


def remove(data: DataDir, target: str, say) -> list[dict]:
    """Drop a document (by id) or a path from the library and the index."""
    with writer_lock(data.lock, say), opened(data) as (library, store):
        files = library.files()
        path = os.path.abspath(target)
        paths = [path] if path in files else [p for p, k in files.items() if k.id == target]
        with library.transaction():
            for p in paths:
                library.drop_file(p)
        sync_index(data, library, store)
        return [{"path": p, "id": files[p].id} for p in paths]


def catalog_rows(data: DataDir, relative_to: Path) -> list[dict]:
    """Every live document's effective metadata for ``catalog export``; paths inside
    ``relative_to`` (the folder the catalogue will live in) are written relative to it."""
    with opened(data) as (library, _store):
        rows = []
        derived = Derived.read(library)
        for row in library.live_documents():
            fields, overridden = effective_metadata(row, derived)
            paths = [_relative(path, relative_to) for path in library.paths_of(row.id)]
            if paths or row.is_record:
                rows.append(
                    {"id": row.id, "paths": paths, **fields, "withdrawn": row.withdrawn}
                    | {"overridden": overridden}
                )
        return rows


def _relative(path: str, folder: Path) -> str:
    folder_text = os.path.abspath(folder)
    if path.startswith(folder_text + os.sep):
        return os.path.relpath(path, folder_text).replace(os.sep, "/")
    return path
