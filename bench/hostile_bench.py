"""Hostile files (issue 6): how each case of tests/hostile.py ends, the run's time and peak memory.

    python bench/hostile_bench.py [--long-pages 2000]

One real ``ddsearch index --jobs 2`` over the hostile library, in fresh temporary folders, with
a file rewritten in place throughout the run. Prints a Markdown table (case, outcome, reason),
the wall time, the peak RSS of any process of the run, and what was left in its TMPDIR and
data folder. Asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

import hostile  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--long-pages", type=int, default=hostile.LONG_PAGES)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ddsearch-hostile-") as tmp:
        root = Path(tmp)
        library, data, private_tmp = root / "library", root / "data", root / "tmp"
        private_tmp.mkdir()
        cases = hostile.make_library(library, root / "scratch", args.long_pages)
        report_file = root / "report.json"
        command = [sys.executable, "-m", "indexer.cli", "index", str(library), "--jobs", "2"]
        command += ["--quiet", "--report", str(report_file)]
        env = {**os.environ, "DDSEARCH_INDEX": str(data), "TMPDIR": str(private_tmp)}
        env["PYTHONPATH"] = str(REPO)
        started = time.monotonic()
        with hostile.rewriting(library / hostile.CHANGING):
            status, peak_mb, _ = hostile.run_watched(command, env=env, timeout=3600)
        seconds = time.monotonic() - started
        report = json.loads(report_file.read_text("utf-8"))
        outcomes = {}
        for section in ("added", "updated", "duplicates"):
            for entry in report[section]:
                pages = entry["pages_text"] + entry["pages_ocr"]
                ocr = f", {entry['pages_ocr']} by OCR" if entry["pages_ocr"] else ""
                outcomes[os.path.relpath(entry["path"], library)] = f"indexed: {pages} pages{ocr}"
        for entry in report["failed"]:
            outcomes[os.path.relpath(entry["path"], library)] = f"failed: {entry['reason']}"
        print("| case | outcome |\n|---|---|")
        for case in cases:
            print(f"| {case.kind} | {outcomes.get(case.name, 'not listed')} |")
        leftovers = list(private_tmp.iterdir())
        expected = {"index", "last-run.json", "library.sqlite", "store.sqlite", "writer.lock"}
        strays = [p.name for p in data.iterdir() if p.name not in expected]
        strays.remove(data.joinpath("index").resolve().name)
        print(f"\n{len(cases)} cases ({args.long_pages:,}-page PDF); exit status {status}")
        print(f"wall time {seconds:.1f} s; peak RSS of any process {peak_mb:.0f} MB")
        print(f"left in TMPDIR: {len(leftovers)}; stray files in the data folder: {strays}")


if __name__ == "__main__":
    main()
