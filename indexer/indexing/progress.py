"""What the librarian sees while indexing: a live bar on a terminal, plain log lines elsewhere."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TextIO

from indexer.indexing.report import write_json
from indexer.model import Method


def _clock(seconds: float) -> str:
    seconds = int(seconds)
    hours, rest = divmod(seconds, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


#: Seconds between progress lines in a log: a long scan is otherwise minutes of silence.
LOG_EVERY = 30.0


class Progress:
    """Counts files and pages (OCR pages apart) and shows them with a rate and an ETA: a bar
    redrawn on a terminal, a line every ``log_every`` seconds of pages in a log."""

    def __init__(
        self,
        stream: TextIO | None = None,
        live: bool | None = None,
        quiet: bool = False,
        log_every: float = LOG_EVERY,
        figures_file: Path | None = None,
    ):
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty() if live is None else live
        self.quiet = quiet
        self.log_every = log_every
        #: Where the figures are written as JSON, at most every second (`--progress-json`):
        #: how the workspace's page follows a background run.
        self.figures_file = figures_file
        self.files_total = self.files_done = 0
        self.pages_total = self.pages_done = self.pages_ocr = 0
        self.started = self._logged = time.monotonic()
        self._drawn = self._published = 0.0

    def start(self, files: int) -> None:
        self.files_total = files
        self.started = self._logged = time.monotonic()
        self.say(f"{files} file(s) to check")
        self._publish(force=True)

    def pages_known(self, pages: int) -> None:
        self.pages_total += pages

    def page_done(self, method: str) -> None:
        self.pages_done += 1
        self.pages_ocr += method == Method.OCR
        self._draw()
        if not self.live and time.monotonic() - self._logged >= self.log_every:
            self._logged = time.monotonic()
            self.say(self.line())

    def file_done(self, status: str, path: str, detail: str = "") -> None:
        self.files_done += 1
        if not self.live and status != "unchanged":
            self.say(f"[{self.files_done}/{self.files_total}] {status}: {path}{detail}")
        elif status == "failed":
            self.say(f"failed: {path}{detail}")
        self._draw(force=True)

    def say(self, line: str) -> None:
        if self.quiet:
            self._publish()
            return
        if self.live:
            self.stream.write("\r\x1b[K")
        self.stream.write(line + "\n")
        self.stream.flush()  # a log is read while the run goes on
        self._draw(force=True)

    def figures(self) -> dict:
        """Files and pages done and known, OCR'd pages, pages per second and the seconds
        left (None until a rate is known)."""
        elapsed = time.monotonic() - self.started
        rate = self.pages_done / elapsed if elapsed > 0 else 0.0
        left = max(self.pages_total - self.pages_done, 0)
        return {
            "files_done": self.files_done,
            "files_total": self.files_total,
            "pages_done": self.pages_done,
            "pages_total": self.pages_total,
            "pages_ocr": self.pages_ocr,
            "pages_per_s": round(rate, 2),
            "eta_s": round(left / rate) if rate > 0 and self.pages_total else None,
        }

    def line(self) -> str:
        now = self.figures()
        eta = "--:--" if now["eta_s"] is None else _clock(now["eta_s"])
        share = self.files_done / self.files_total if self.files_total else 1.0
        bar = "#" * int(share * 20)
        return (
            f"[{bar:<20}] {self.files_done}/{self.files_total} files · "
            f"{self.pages_done}/{self.pages_total} pages ({self.pages_ocr} OCR) · "
            f"{now['pages_per_s']:.1f} pages/s · ETA {eta}"
        )

    def _publish(self, force: bool = False) -> None:
        if self.figures_file is None:
            return
        now = time.monotonic()
        if force or now - self._published >= 1.0:
            write_json(self.figures_file, self.figures())
            self._published = now

    def _draw(self, force: bool = False) -> None:
        self._publish(force)
        if not self.live or self.quiet:
            return
        now = time.monotonic()
        if force or now - self._drawn > 0.2:
            self.stream.write("\r\x1b[K" + self.line())
            self.stream.flush()
            self._drawn = now

    def close(self) -> None:
        self._publish(force=True)
        if self.live and not self.quiet:
            self.stream.write("\r\x1b[K" + self.line() + "\n")
            self.stream.flush()
