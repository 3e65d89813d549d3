"""Shared by the workspace's tests and bench: a library indexed by the real CLI with accounts
made by the real `ddsearch user add`, sign-in with the form's real CSRF token, hostile uploads.
"""

from __future__ import annotations

import io
import re
import shutil
import struct
import zlib
from pathlib import Path

from conftest import DEMO, PDFS, ddsearch
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

PASSWORDS = {"ana": "ana's long password", "eva": "eva's long password"}
ROLES = {"ana": "admin", "eva": "editor"}
TEXT_PDF = "en_petroleum_regulation_second_amendment_unofficial.pdf"
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def make_library(base: Path, pdfs=(TEXT_PDF,)) -> tuple[Path, Path]:
    """The demo corpus and some real PDFs in ``base/library``, indexed (text layers only)
    into ``base/data``, with an admin (ana) and an editor (eva)."""
    library, data = base / "library", base / "data"
    library.mkdir(parents=True)
    for pdf in [*DEMO.glob("*.pdf"), *(PDFS / name for name in pdfs)]:
        shutil.copy(pdf, library / pdf.name)
    ddsearch("index", str(library), "--index", str(data), "--ocr", "never", "--quiet",
             data=data, check=True)  # fmt: skip
    for name, password in PASSWORDS.items():
        ddsearch("user", "add", name, "--role", ROLES[name], "--password-stdin",
                 data=data, check=True, input=password + "\n")  # fmt: skip
    return library, data


def token(client, url: str) -> str:
    """The CSRF token of the form on ``url``, as a browser would read it."""
    page = client.get(url)
    assert page.status_code == 200, (url, page.status_code)
    return _TOKEN.search(page.get_data(as_text=True)).group(1)


def sign_in(client, name: str, password: str | None = None):
    """Sign in through the form; the response to the POST."""
    form = {"username": name, "password": password or PASSWORDS[name]}
    form["csrf_token"] = token(client, "/admin/login")
    return client.post("/admin/login", data=form)


def bomb_png(path: Path, side: int = 30_000) -> Path:
    """A real decompression bomb: a 1-bit PNG of side x side pixels (900 megapixels at
    30,000), all white, a hundred kilobytes compressed."""
    row = b"\x00" + b"\xff" * (side // 8)
    squeeze = zlib.compressobj(9)
    body = b"".join(squeeze.compress(row * 1000) for _ in range(side // 1000)) + squeeze.flush()

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")
    path.write_bytes(png)
    return path


def post_files(client, url: str, page: str, files: list[tuple[bytes, str]], field="files", **kw):
    """POST files as a browser's form does, with the CSRF token of ``page``; the body is built
    in memory (the test client's own encoder spools large bodies to a file it never closes)."""
    values = MultiDict([(field, FileStorage(io.BytesIO(body), name)) for body, name in files])
    values.add("csrf_token", token(client, page))
    boundary, body = encode_multipart(values)
    content_type = f'multipart/form-data; boundary="{boundary}"'
    return client.post(url, data=body, content_type=content_type, **kw)
