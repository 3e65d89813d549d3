"""Crash consistency at full size (issue 6): SIGKILL ``ddsearch index`` 30 times, check after each.

    python bench/crash_bench.py [--kills 30] [--scans 10] [--pages 3] [--seed N]

Real files from ../shared/corpus/pdf (three text-layer PDFs and ``--scans`` scans cut to
``--pages`` pages), indexed with 2 jobs into a fresh temporary folder. The kills are aimed at
moments of five kinds, in a shuffled order: a random delay after the start, during text
extraction (pdftotext/pdffonts running), during OCR (Tesseract running), just after a write
to the extraction store, and during an index commit (a new file in the Whoosh folder). After
every kill the checks of tests/test_crash.py run: the index opens (``ddsearch status``), every
document in it is whole, matches the store and is found by a search, no committed document is
lost, both SQLite files pass ``PRAGMA integrity_check``, no finished OCR page was redone, and
no temporary file was left outside the data folder, and no process of the killed run (workers,
forkserver, resource tracker, Tesseract) was alive 10 s after the kill.
A final run must then finish the job. Prints the figures; exits 1 if any check failed.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pypdfium2 as pdfium

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

import hostile  # noqa: E402
from conftest import PDFS, cut_pages, ddsearch  # noqa: E402
from test_crash import (  # noqa: E402
    Moment,
    consistency_problems,
    kill_rounds,
    ocr_rowids,
    worker_programs,
)

from indexer.config import DataDir  # noqa: E402

TEXT_PDFS = (
    "km_speech_2025_moeys_teachers_day_unicode.pdf",
    "en_petroleum_regulation_second_amendment_unofficial.pdf",
    "en_national_research_agenda_2025.pdf",  # 56 pages, 3 of them OCR'd
)
POPPLER = ("pdftotext", "pdffonts", "pdfinfo")
SCANS = sorted(
    p.name for p in PDFS.glob("km_*.pdf") if "limon" not in p.name and p.name not in TEXT_PDFS
)


def running(*programs: str) -> Callable[[DataDir], Callable]:
    def arm(data: DataDir):
        return lambda process: bool(set(programs) & set(worker_programs(process.pid)))

    return arm


def store_written(data: DataDir) -> Callable:
    """True once the run has written to the store (its write-ahead log grew or changed)."""
    wal = data.store.with_name(data.store.name + "-wal")
    before = _stamp(wal)
    return lambda process: (now := _stamp(wal)) is not None and now[1] > 0 and now != before


def commit_started(data: DataDir) -> Callable:
    before = _names(data.index)
    return lambda process: _names(data.index) - before != set()


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        info = path.stat()
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size


def _names(index: Path) -> set[str]:
    try:
        return {entry.name for entry in index.resolve().iterdir()}
    except OSError:
        return set()


def moments(kills: int, choose: random.Random, library: Path) -> list[Moment]:
    """``kills`` moments of five kinds, shuffled; before an index-commit kill a new file is
    added, so that the run has something to commit."""
    added = iter(range(kills))

    def add_file() -> None:
        number = next(added)
        page = hostile.text_pdf([hostile.prose(f"Added before kill {number}")])
        (library / f"added-{number}.pdf").write_bytes(page)

    kinds = [
        lambda: Moment(choose.uniform(0.3, 8.0)),
        lambda: Moment(choose.uniform(0.0, 0.3), "extraction", running(*POPPLER)),
        lambda: Moment(choose.uniform(0.0, 1.5), "OCR", running("tesseract")),
        lambda: Moment(choose.uniform(0.0, 0.02), "store write", store_written),
        lambda: Moment(choose.uniform(0.0, 0.05), "index commit", commit_started, 120.0, add_file),
    ]
    plan = [kinds[i % len(kinds)]() for i in range(kills)]
    choose.shuffle(plan)
    # A commit comes after the run's OCR, so commit kills go last, or they would use it up.
    return sorted(plan, key=lambda moment: moment.target == "index commit")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=30)
    parser.add_argument("--scans", type=int, default=10)
    parser.add_argument("--pages", type=int, default=3)
    parser.add_argument("--seed", type=int, default=random.randrange(1 << 30))
    args = parser.parse_args()
    choose = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="ddsearch-crash-") as tmp:
        library, data = Path(tmp) / "library", DataDir(Path(tmp) / "data")
        library.mkdir()
        for name in TEXT_PDFS:
            (library / name).write_bytes((PDFS / name).read_bytes())
        for name in choose.sample(SCANS, args.scans):
            pages = min(args.pages, len(pdfium.PdfDocument(str(PDFS / name))))
            cut_pages(PDFS / name, list(range(1, pages + 1)), library / name)
        started = time.monotonic()
        (Path(tmp) / "tmp").mkdir()
        plan = moments(args.kills, choose, library)
        log = kill_rounds(library, data, plan, tmpdir=Path(tmp) / "tmp")
        before = ocr_rowids(data.store)
        final = ddsearch("index", str(library), "--report", f"{tmp}/r.json", data=data.root)
        after = ocr_rowids(data.store)
        redone = sum(after.get(key) != rowid for key, rowid in before.items())
        problems, indexed = consistency_problems(data)
        if data.scratch.exists():
            problems.append("the final run left its temporary folder")
        report_file = Path(tmp) / "r.json"
        report = json.loads(report_file.read_text("utf-8")) if report_file.exists() else {}
        files = sum(1 for _ in library.glob("*.pdf"))  # with those added for commit kills
        print(f"seed {args.seed}; {files} files; {time.monotonic() - started:.0f} s in all")
        print(f"kills survived / tried: {log.survived} / {log.tried}")
        print(f"runs that finished before their moment: {log.finished_early}")
        for (aimed, seen), count in sorted(log.phases.items()):
            print(f"  {count:3d} aimed at {aimed}; at the kill: {seen}")
        print(
            f"OCR pages in flight at a kill (lost, done by a later run): {log.ocr_lost_in_flight}"
        )
        print(f"finished OCR pages re-OCR'd after a kill: {log.pages_reocrd + redone}")
        print(f"OCR'd pages in the store at the end: {len(after)}")
        print(
            f"final run: exit {final.returncode}, {len(after) - len(before)} pages OCR'd, "
            f"{len(indexed)} documents indexed, {len(report.get('failed', []))} failed, "
            f"{len(problems)} problems"
        )
        for problem in log.problems + problems:
            print("  PROBLEM:", problem)
        ok = not log.problems and not problems and final.returncode == 0 and not redone
        return 0 if ok and len(indexed) == files else 1


if __name__ == "__main__":
    sys.exit(main())
