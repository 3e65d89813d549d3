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


class Progress:
    """Counts files and pages (OCR pages apart) and shows them with a rate and an ETA."""

    def __init__(self, stream: TextIO | None = None, live: bool | None = None, quiet: bool = False):
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty() if live is None else live
        self.quiet = quiet
        self.files_total = self.files_done = 0
        self.pages_total = self.pages_done = self.pages_ocr = 0
        self.started = time.monotonic()
        self._drawn = 0.0

    def start(self, files: int) -> None:
        self.files_total = files
        self.started = time.monotonic()
        self.say(f"{files} file(s) to check")

    def pages_known(self, pages: int) -> None:
        self.pages_total += pages

    def page_done(self, method: str) -> None:
        self.pages_done += 1
        self.pages_ocr += method == Method.OCR
        self._draw()

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
