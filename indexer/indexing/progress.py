"""What the librarian sees while indexing: a live bar on a terminal, plain log lines elsewhere."""

from __future__ import annotations

import sys
import time
from typing import TextIO

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
    ):
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty() if live is None else live
        self.quiet = quiet
        self.log_every = log_every
        self.files_total = self.files_done = 0
        self.pages_total = self.pages_done = self.pages_ocr = 0
        self.started = self._logged = time.monotonic()
        self._drawn = 0.0

    def start(self, files: int) -> None:
        self.files_total = files
        self.started = self._logged = time.monotonic()
        self.say(f"{files} file(s) to check")

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
            return
        if self.live:
            self.stream.write("\r\x1b[K")
        self.stream.write(line + "\n")
        self.stream.flush()  # a log is read while the run goes on
        self._draw(force=True)

    def line(self) -> str:
        elapsed = time.monotonic() - self.started
        rate = self.pages_done / elapsed if elapsed > 0 else 0.0
        left = max(self.pages_total - self.pages_done, 0)
        eta = _clock(left / rate) if rate > 0 and self.pages_total else "--:--"
        share = self.files_done / self.files_total if self.files_total else 1.0
        bar = "#" * int(share * 20)
        return (
            f"[{bar:<20}] {self.files_done}/{self.files_total} files · "
            f"{self.pages_done}/{self.pages_total} pages ({self.pages_ocr} OCR) · "
            f"{rate:.1f} pages/s · ETA {eta}"
        )

    def _draw(self, force: bool = False) -> None:
        if not self.live or self.quiet:
            return
        now = time.monotonic()
        if force or now - self._drawn > 0.2:
            self.stream.write("\r\x1b[K" + self.line())
            self.stream.flush()
            self._drawn = now

    def close(self) -> None:
        if self.live and not self.quiet:
            self.stream.write("\r\x1b[K" + self.line() + "\n")
            self.stream.flush()
