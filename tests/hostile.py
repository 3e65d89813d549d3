"""A library of hostile files, written from scratch: what a real shared folder throws at ddsearch.

Used by ``tests/test_hostile_files.py`` and ``bench/hostile_bench.py``. Every PDF with content
is hand-written with a Helvetica text layer that passes the quality gate, so the batch costs
no OCR except where a case is about rendering (the blank 50,000 pt page).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

#: What a case must end as in the report.
INDEXED = "indexed"  # in added/updated, with these pages
FAILED = "failed"  # in failed, with a one-line reason holding ``reason``
EITHER = "failed or indexed"  # a damaged file pdfium may repair; it must end in one of them
NOT_LISTED = "not listed"  # not a file ddsearch should look at (a folder, a looped link)

LONG_PAGES = 2000
MARKER = "zanzibar"  # a word on the last page of the long PDF, to prove it was all indexed


@dataclass(frozen=True)
class Case:
    """One hostile input: where it is (relative to the library), and how it must end."""

    kind: str
    name: str  # path relative to the library folder, as the report will show it
    expect: str
    reason: str = ""  # for FAILED (and EITHER, if it fails): a word the reason must contain
    pages: int = 0  # for INDEXED: how many pages the document must have


def text_pdf(
    pages: list[str], boxes: list[tuple[float, float]] | None = None, rotate=None
) -> bytes:
    """A PDF with one Helvetica text page per string; optional media boxes and /Rotate."""
    boxes = boxes or [(595.0, 842.0)] * len(pages)
    rotate = rotate or [0] * len(pages)
    first_page = 4
    kids = " ".join(f"{first_page + 2 * i} 0 R" for i in range(len(pages)))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    for i, (text, (width, height), turn) in enumerate(zip(pages, boxes, rotate, strict=True)):
        stream = _text_stream(text, height)
        page = (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width:g} {height:g}] /Rotate {turn} "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {first_page + 2 * i + 1} 0 R >>"
        )
        objects.append(page.encode())
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    return assemble(objects)


def _text_stream(text: str, height: float) -> bytes:
    top = min(height - 36, 760)
    lines = [
        line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        for line in text.splitlines()
    ]
    shown = " T* ".join(f"({line}) Tj" for line in lines)
    return f"BT /F1 11 Tf 14 TL 36 {top:g} Td {shown} ET".encode("cp1252")


def assemble(objects: list[bytes], root: int = 1, info: int | None = None) -> bytes:
    """Number the objects from 1, write them with a correct xref table and trailer
    (``info``: the number of the document information dictionary, if any)."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    info_ref = b" /Info %d 0 R" % info if info else b""
    out += b"trailer\n<< /Size %d /Root %d 0 R%s >>\n" % (len(objects) + 1, root, info_ref)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def prose(label: str, number: int = 1) -> str:
    """A page of plain English that the quality gate keeps (no OCR needed)."""
    return (
        f"{label}, page {number}.\n"
        "The commune council shall meet once a month to review the budget\n"
        "and the development plan of the commune, and shall report to the\n"
        "district governor on the services delivered to its citizens."
    )


def _looping_pages_tree() -> bytes:
    """The page tree's Kids include the tree itself, and the page's /Parent points at a page."""
    return assemble(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [2 0 R 3 0 R 2 0 R] /Count 3 >>",
            b"<< /Type /Page /Parent 3 0 R /MediaBox [0 0 595 842] >>",
        ]
    )


def _nested_arrays(depth: int = 10_000) -> bytes:
    """A page whose /Annots is an array nested ``depth`` deep (recursive parsers overflow)."""
    nested = b"[" * depth + b"]" * depth
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Annots " + nested + b" >>"
    return assemble(
        [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>", page]
    )


def _reference_loop() -> bytes:
    """Objects that refer to each other in a ring, reached from the page's resources."""
    return assemble(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources 4 0 R >>",
            b"<< /Font 5 0 R /XObject 4 0 R >>",
            b"<< /F1 4 0 R /Next 5 0 R >>",
        ]
    )


def make_library(folder: Path, scratch: Path, long_pages: int = LONG_PAGES) -> list[Case]:
    """Write every hostile case under ``folder`` (``scratch`` is for symlink targets)."""
    folder.mkdir(parents=True, exist_ok=True)
    scratch.mkdir(parents=True, exist_ok=True)
    cases: list[Case] = []

    def put(kind: str, name: str, content: bytes, expect: str, reason: str = "", pages=0):
        (folder / name).write_bytes(content)
        cases.append(Case(kind, name, expect, reason, pages))

    good = text_pdf([prose("A good sub-decree", n) for n in range(1, 4)])
    put("a good file among them", "good.pdf", good, INDEXED, pages=3)
    put("0 bytes", "empty.pdf", b"", FAILED, "empty")
    for share in (0.1, 0.5, 0.9):
        cut = good[: int(len(good) * share)]
        put(f"truncated at {share:.0%}", f"truncated-{share:.0%}.pdf", cut, EITHER)
    put("truncated before %%EOF", "truncated-eof.pdf", good[:-7], EITHER)
    put("random bytes", "random.pdf", os.urandom(64 * 1024), FAILED, "not a readable PDF")
    html = b"<!doctype html><html><body><h1>Not found</h1></body></html>"
    put("HTML named .pdf", "html.pdf", html, FAILED, "not a readable PDF")
    put("PDF header, then junk", "header-only.pdf", b"%PDF-1.7\n" + b"\x00" * 4096, FAILED)
    _encrypt(folder, good, "owner-password.pdf", user="")
    cases.append(Case("encrypted, owner password only", "owner-password.pdf", INDEXED, pages=3))
    _encrypt(folder, good, "user-password.pdf", user="secret")
    cases.append(Case("encrypted, user password", "user-password.pdf", FAILED, "password"))
    zero = assemble([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [] /Count 0 >>"])
    put("zero pages", "zero-pages.pdf", zero, FAILED, "no pages")
    huge = text_pdf([""], boxes=[(50_000, 50_000)])
    put("blank 50,000 x 50,000 pt page (rendered for OCR)", "huge-page.pdf", huge, INDEXED, pages=1)
    put("page tree that contains itself", "pages-loop.pdf", _looping_pages_tree(), EITHER)
    put("arrays nested 10,000 deep", "nested-arrays.pdf", _nested_arrays(), EITHER)
    put("objects referring to each other in a ring", "ref-loop.pdf", _reference_loop(), EITHER)
    long = [prose("The long register", n) for n in range(1, long_pages + 1)]
    long[-1] += f"\nLast entry: {MARKER}."
    put(f"{long_pages:,} pages", "long.pdf", text_pdf(long), INDEXED, pages=long_pages)
    mixed = text_pdf(
        [prose("Rotated and mixed sizes", n) for n in range(1, 6)],
        boxes=[(595, 842), (842, 595), (612, 1008), (300, 300), (2000, 400)],
        rotate=[0, 90, 180, 270, 90],
    )
    put("rotated and mixed-size pages", "rotated-mixed.pdf", mixed, INDEXED, pages=5)
    khmer_name = "អនុក្រឹត្យ ស្តីពី ឃុំ សង្កាត់.pdf"
    put("Khmer file name", khmer_name, text_pdf([prose("A Khmer-named file")]), INDEXED, pages=1)
    bad_name = b"latin1-caf\xe9-\xff.pdf"
    with open(os.path.join(os.fsencode(folder), bad_name), "wb") as out:
        out.write(text_pdf([prose("A badly named file")]))
    printable = bad_name.decode("utf-8", "backslashreplace")  # as the report writes it
    cases.append(Case("file name not valid UTF-8", printable, FAILED, "UTF-8"))

    (folder / "loop").mkdir()
    (folder / "loop" / "up").symlink_to("..", target_is_directory=True)
    cases.append(Case("folder symlink to its parent", "loop/up", NOT_LISTED))
    (folder / "ring-a.pdf").symlink_to("ring-b.pdf")
    (folder / "ring-b.pdf").symlink_to("ring-a.pdf")
    cases.append(Case("file symlink loop a -> b -> a", "ring-a.pdf", FAILED, "symbolic links"))
    cases.append(Case("file symlink loop b -> a -> b", "ring-b.pdf", FAILED, "symbolic links"))
    (folder / "dangling.pdf").symlink_to(scratch / "no-such-file.pdf")
    cases.append(Case("dangling symlink", "dangling.pdf", FAILED, "No such file"))
    os.mkfifo(folder / "fifo.pdf")
    cases.append(Case("a FIFO named .pdf (opening it blocks)", "fifo.pdf", FAILED, "regular file"))
    (folder / "folder.pdf").mkdir()
    cases.append(Case("a folder named .pdf", "folder.pdf", NOT_LISTED))
    inside = text_pdf([prose("Inside a folder named .pdf")])
    put("a file inside a folder named .pdf", "folder.pdf/inside.pdf", inside, INDEXED, pages=1)
    put("a file rewritten while it is read", CHANGING, CHANGING_VERSIONS[0], EITHER, "changed")
    return cases


def _encrypt(folder: Path, content: bytes, name: str, user: str) -> None:
    plain = folder / f".plain-{name}"
    plain.write_bytes(content)
    try:
        command = ["qpdf", "--encrypt", user, "owner-secret", "256", "--", str(plain)]
        subprocess.run([*command, str(folder / name)], check=True, capture_output=True)
    finally:
        plain.unlink()


CHANGING = "changing.pdf"
CHANGING_VERSIONS = (
    text_pdf([prose("Version alpha of a changing file", n) for n in range(1, 3)]),
    text_pdf([prose("Version beta of a changing file, rewritten", n) for n in range(1, 5)]),
)


@contextmanager
def rewriting(path: Path) -> Iterator[None]:
    """Rewrite ``path`` in place, alternating two versions, until the block ends."""
    stop = threading.Event()

    def churn() -> None:
        turn = 0
        while not stop.is_set():
            turn += 1
            with open(path, "wb") as out:  # in place: a reader can see half of it
                content = CHANGING_VERSIONS[turn % 2]
                out.write(content[: len(content) // 2])
                out.flush()
                time.sleep(0.002)
                out.write(content[len(content) // 2 :])
            time.sleep(0.01)
        path.write_bytes(CHANGING_VERSIONS[0])

    thread = threading.Thread(target=churn, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def descendants(pid: int) -> list[int]:
    """Every live process below ``pid`` (forkserver workers are grandchildren, not children)."""
    parents: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        parents.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        children = parents.get(todo.pop(), [])
        found += children
        todo += children
    return found


def program(pid: int) -> str:
    """The program name of a live process ("" once it has gone)."""
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def peak_rss_mb(pids: list[int]) -> float:
    """The largest peak resident size (VmHWM) among these processes, in MB."""
    peak = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as handle:
                for line in handle:
                    if line.startswith("VmHWM:"):
                        peak = max(peak, int(line.split()[1]))
        except OSError:
            continue
    return peak / 1024


def run_watched(command: list[str], *, env: dict, timeout: float) -> tuple[int, float, str]:
    """Run a command; return its exit status, the peak RSS (MB) of it or any descendant, and
    its stderr.

    ``getrusage(RUSAGE_CHILDREN)`` misses the extraction workers (their forkserver parent is
    never waited for), so the process tree's VmHWM is sampled every 50 ms while it runs.
    """
    with tempfile.TemporaryFile("w+") as errors:
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        peak, deadline = 0.0, time.monotonic() + timeout
        while process.poll() is None:
            if time.monotonic() > deadline:
                process.kill()
                process.wait()
                raise TimeoutError(f"{command} did not finish in {timeout} s")
            peak = max(peak, peak_rss_mb([process.pid, *descendants(process.pid)]))
            time.sleep(0.05)
        errors.seek(0)
        return process.returncode, peak, errors.read()
