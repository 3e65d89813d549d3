"""Files added from the browser: saved into the library folder under safe names, never outside
it, never over another file; a content the library already holds is reported, not saved twice.

A name keeps its letters (Khmer ones too) but loses any folder part ("../", "C:\\"), control
characters and the characters file systems or shells trip over; only the kinds of file the
library indexes are taken. The bytes are written to a hidden temporary file in the library
folder first and linked to their name only when whole, so the folder never shows half a file.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from indexer.errors import Sentence
from indexer.extract.sources import SUFFIXES, is_document
from indexer.library.state import Library

MAX_NAME_BYTES = 180  # well under the 255 bytes of a file name on Linux file systems
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"|?*\\/]+')
CHUNK = 1 << 20


@dataclass
class Saved:
    """What became of one uploaded file."""

    name: str  # as the browser sent it
    outcome: str  # "saved", "duplicate" or "refused"
    sentence: str = ""
    path: str = ""  # where it was saved (absolute), or the path of the file it duplicates
    duplicate_of: str = ""  # the document already holding this content
    size: int = 0
    details: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "outcome": self.outcome,
            "sentence": self.sentence,
            "file": Path(self.path).name if self.path else "",
            "duplicate_of": self.duplicate_of,
            "size": self.size,
        }


def safe_name(raw: str) -> str:
    """The file name to save an upload under: its last path part, NFC, without control or
    reserved characters, no leading dots, at most MAX_NAME_BYTES; '' if nothing is left."""
    name = unicodedata.normalize("NFC", raw).replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("-", name).strip(" .-")
    stem, dot, suffix = name.rpartition(".")
    if not dot:
        stem, suffix = name, ""
    stem, suffix = stem.strip(" .-") or "upload", suffix.lower()
    while len(f"{stem}.{suffix}".encode()) > MAX_NAME_BYTES:
        stem = stem[:-1]
    return f"{stem}.{suffix}" if suffix else stem


def save(folder: Path, raw_name: str, stream: BinaryIO, library: Library) -> Saved:
    """Save one uploaded file into ``folder`` (the library folder)."""
    name = safe_name(raw_name or "")
    if not is_document(name):
        sentence = Sentence(
            "upload_kind",
            "Only the kinds of file the library indexes ({kinds}) can be added to it.",
            kinds=", ".join(SUFFIXES),
        )
        return Saved(raw_name, "refused", sentence)
    folder.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=".upload-", suffix=".part", dir=folder)
    digest, size = hashlib.sha256(), 0
    try:
        with os.fdopen(handle, "wb") as out:
            while chunk := stream.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(temporary, 0o644)
        content_hash = digest.hexdigest()
        existing = library.live_document_for_hash(content_hash)
        if existing:
            paths = library.paths_of(existing)
            where = Path(paths[0]).name if paths else existing
            return Saved(
                raw_name,
                "duplicate",
                Sentence(
                    "upload_held",
                    "The library already holds this file, as {where} (document {id}); it was "
                    "not saved again.",
                    where=where,
                    id=existing,
                ),
                paths[0] if paths else "",
                existing,
                size,
            )
        return _link(folder, name, Path(temporary), content_hash, raw_name, size)
    finally:
        Path(temporary).unlink(missing_ok=True)


def _link(folder: Path, name: str, temporary: Path, content_hash: str, raw: str, size: int):
    """Give the finished file its name, or name-2, name-3… when another file has it; a file
    of the same content under that name is this one (not saved twice)."""
    stem, dot, suffix = name.rpartition(".")
    for number in range(1, 1000):
        candidate = folder / (name if number == 1 else f"{stem}-{number}{dot}{suffix}")
        if candidate.resolve().parent != folder.resolve():  # never outside the folder
            break
        try:
            os.link(temporary, candidate)  # fails if the name is taken: nothing is overwritten
        except FileExistsError:
            if _same_content(candidate, content_hash):
                sentence = Sentence(
                    "upload_same",
                    "The same file is already in the library as {name}.",
                    name=candidate.name,
                )
                return Saved(raw, "duplicate", sentence, str(candidate), "", size)
            continue
        sentence = ""
        if candidate.name != raw:
            sentence = Sentence("upload_saved_as", "Saved as {name}.", name=candidate.name)
        return Saved(raw, "saved", sentence, str(candidate), "", size)
    sentence = Sentence("upload_no_name", "No free name could be found for this file: rename it.")
    return Saved(raw, "refused", sentence)


def _same_content(path: Path, content_hash: str) -> bool:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(CHUNK):
                digest.update(chunk)
    except OSError:
        return False
    return digest.hexdigest() == content_hash
