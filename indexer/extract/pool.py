"""Turn PDFs into stored pages: text layer where the quality gate trusts it, OCR elsewhere.

Work runs in a pool of worker processes: opening and gating a file is one task, OCR of a
page another. pdfium and Tesseract never run in the main process, so a hostile file that
crashes them costs that file only, never the batch. Who OCRs a page is a ``PageReader``: the
same pool (``LocalReader``), or workers on other machines behind a broker
(``indexer.extract.broker.BrokerReader``); either way this process alone writes the store.
"""

from __future__ import annotations

import os
import tempfile
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from indexer.errors import BrokerUnavailable, OcrRefused
from indexer.extract import images, legacy, lifeline, ocr, pdf, quality, textdocs
from indexer.library.store import Boxes, Store
from indexer.model import Method, Page
from indexer.text.khmer import clean

OCR_MODES = ("auto", "always", "never")


@dataclass(frozen=True)
class FileJob:
    """A file whose content (by hash) needs extracting."""

    path: Path
    content_hash: str
    #: Re-read only these 1-based pages by OCR (``reocr``); empty: extract the whole file.
    reocr_pages: tuple[int, ...] = ()


@dataclass
class Outcome:
    """What extraction made of one file: its page counts, or the reason it failed."""

    job: FileJob
    error: str = ""
    pages_text: int = 0
    pages_converted: int = 0
    pages_ocr: int = 0
    pages_awaiting_ocr: int = 0


@dataclass
class Prepared:
    """A worker's reading of a file: its pages, which the text layer covers, which need OCR."""

    pages: int
    fonts: list[str]
    accepted: list[Page]
    rejected: list[Page]  # text-layer pages the gate failed; quality says how badly
    boxes: dict[int, Boxes] = field(default_factory=dict)  # of the accepted pages
    # rejected pages whose images alone are OCR'd, their converted text layer kept before the OCR
    keep_text: dict[int, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # what a librarian should know about the file


#: A page whose images cover this share of it holds text in them (a logo covers 2-5%).
IMAGE_HOLDS_TEXT = 0.15
#: A text layer that short over such images is a header or a page number, not the page's text.
HEADER_MAX_LETTERS = 150
#: Legacy text in fonts we have no table for, above this share of a page's legacy text: OCR it.
UNKNOWN_FONT_MAX_SHARE = 0.02


def prepare(path: Path, ocr_mode: str) -> Prepared:
    """Open a PDF or image, read its text layer and gate every page (runs in a worker); a
    text document's pages are its text, taken as they are (legacy-font runs converted)."""
    if textdocs.is_text_document(path):
        document = textdocs.read_document(path)
        accepted = [
            Page(n, clean(page.text), Method.CONVERTED if page.converted else Method.TEXT, 1.0)
            for n, page in enumerate(document.pages, 1)
        ]
        return Prepared(len(accepted), [], accepted, [], notes=document.notes)
    if images.is_image(path):  # no text layer: every page goes to OCR
        pages = images.page_count(path)
        return Prepared(pages, [], [], [Page(n, "", Method.TEXT, 0.0) for n in range(1, pages + 1)])
    pages = pdf.page_count(path)
    if pages == 0:
        raise pdf.UnreadablePdf("the PDF has no pages")
    fonts = pdf.fonts(path)
    conversions, notes = _convert_legacy(path, fonts)
    prepared = Prepared(pages, fonts, [], [], notes=notes)
    for number, raw in enumerate(pdf.text_layer(path, pages), start=1):
        if number in conversions:
            page, ok = _gate_converted(number, conversions[number], prepared)
        else:
            text = clean(raw)
            # The legacy fonts of a converted document are in its converted pages, not here.
            verdict = quality.assess(text, () if conversions else fonts)
            page, ok = Page(number, text, Method.TEXT, verdict.score), verdict.ok
        if ok and ocr_mode != "always":
            prepared.accepted.append(page)
        else:
            prepared.rejected.append(page)
    # A converted page's words are its converted runs (the layer's own words are glyph codes).
    numbers = {page.number for page in prepared.accepted if page.method == Method.TEXT}
    prepared.boxes = pdf.word_boxes(path, numbers) if numbers else {}
    for page in prepared.accepted:
        if page.method == Method.CONVERTED and (boxes := conversions[page.number].boxes()):
            prepared.boxes[page.number] = boxes
    return prepared


def _convert_legacy(
    path: Path, fonts: list[str]
) -> tuple[dict[int, legacy.PageConversion], list[str]]:
    """Convert the legacy-font pages of a document that names a legacy font; notes on problems."""
    if not any(map(legacy.is_legacy_font, fonts)):
        return {}, []
    try:
        conversions = legacy.convert_document(path)
    except Exception as err:  # a file pdfium reads badly is gated (and OCR'd) as before
        return {}, [f"its legacy Khmer fonts could not be converted ({err}); pages were OCR'd"]
    return conversions, legacy.notes(conversions)


def _gate_converted(
    number: int, conversion: legacy.PageConversion, prepared: Prepared
) -> tuple[Page, bool]:
    """Gate a page whose legacy runs were converted: index it, or say how it is to be OCR'd."""
    verdict = quality.assess(conversion.text)
    page = Page(number, conversion.text, Method.CONVERTED, verdict.score)
    legacy_text = conversion.legacy_chars + conversion.unknown_chars
    if conversion.unknown_chars > UNKNOWN_FONT_MAX_SHARE * legacy_text:
        return page, False  # more than a trace in a font we cannot read: OCR it
    if conversion.image_share >= IMAGE_HOLDS_TEXT and verdict.letters < HEADER_MAX_LETTERS:
        # A header over a scan: its text is exact, the scan's needs OCR
        prepared.keep_text[number] = conversion.text
        return page, False
    return page, verdict.ok


def ocr_reading(
    path: Path, page_number: int, recipe: ocr.Recipe, images_only: bool = False
) -> tuple[str, ocr.Reading]:
    """OCR one 1-based page, or only its images: the text as the store keeps it, and the
    reading (runs in a worker; bench/ocr_quality.py scores exactly this)."""
    reading = ocr.read_page(path, page_number - 1, recipe, images_only=images_only)
    return clean(reading.text), reading


def ocr_task(
    path: Path, page_number: int, recipe: ocr.Recipe, images_only: bool = False
) -> tuple[str, float, Boxes]:
    """OCR one 1-based page: its text, mean confidence and word boxes (runs in a worker)."""
    text, reading = ocr_reading(path, page_number, recipe, images_only)
    dpi = 0 if images.is_image(path) else pdf.RENDER_DPI
    words = [word.to_row() for word in reading.words]
    boxes = Boxes(reading.width, reading.height, dpi, reading.rotation, words)
    return text, reading.confidence, boxes


@dataclass(frozen=True)
class PageRequest:
    """One page an Extractor asks its PageReader to OCR."""

    path: Path
    content_hash: str
    number: int  # 1-based
    recipe: ocr.Recipe
    images_only: bool  # see Prepared.keep_text


class PageReader(Protocol):
    """Who OCRs the pages of an Extractor: ``submit`` gives a future of ``ocr_task``'s result."""

    #: Tasks in flight (files being prepared and pages being read) that keep the readers busy.
    def window(self, workers: int) -> int: ...

    def submit(self, pool: ProcessPoolExecutor, page: PageRequest) -> Future: ...

    def close(self) -> None: ...


class LocalReader:
    """OCR in the Extractor's own pool of worker processes."""

    def window(self, workers: int) -> int:
        return workers * 2

    def submit(self, pool: ProcessPoolExecutor, page: PageRequest) -> Future:
        return pool.submit(ocr_task, page.path, page.number, page.recipe, page.images_only)

    def close(self) -> None:
        pass


def _init_worker(scratch: str | None, indexer_pid: int) -> None:
    lifeline.follow(indexer_pid)
    if scratch:  # temporary files of the libraries we call, and of their programs
        tempfile.tempdir = os.environ["TMPDIR"] = scratch


@dataclass
class _FileState:
    job: FileJob
    remaining: set[int] = field(default_factory=set)
    keep_text: dict[int, str] = field(default_factory=dict)  # see Prepared.keep_text
    outcome: Outcome | None = None


class Extractor:
    """Runs FileJobs through the worker pool, storing each page as soon as it is done."""

    def __init__(
        self,
        store: Store,
        *,
        workers: int,
        ocr_mode: str = "auto",
        ocr_lang: str = ocr.DEFAULT_LANG,
        on_page: Callable[[str], None] = lambda method: None,
        on_pages_known: Callable[[int], None] = lambda pages: None,
        scratch: Path | None = None,
        reader: PageReader | None = None,
    ):
        self.store = store
        self.workers = max(1, workers)
        self.ocr_mode = ocr_mode
        self.ocr_lang = ocr_lang
        self.recipe = ocr.recipe_for(ocr_lang)
        self.on_page = on_page
        self.on_pages_known = on_pages_known
        self.scratch = scratch  # the workers' temporary folder
        self.reader = reader or LocalReader()

    def run(self, jobs: list[FileJob]) -> Iterator[Outcome]:
        """Yield one Outcome per job, in completion order; the pool is rebuilt if it crashes."""
        waiting = deque(jobs)
        self._files: dict[str, _FileState] = {}
        self._tasks: dict[Future, tuple[str, int | None]] = {}
        self._crashes: dict[tuple[str, int | None], int] = {}
        self._pool = self._new_pool()
        try:
            while waiting or self._tasks:
                while waiting and len(self._tasks) < self.reader.window(self.workers):
                    job = waiting.popleft()
                    self._files[job.content_hash] = _FileState(job)
                    self._start(job)
                done, _ = wait(self._tasks, return_when=FIRST_COMPLETED)
                finished = [(future, self._tasks.pop(future)) for future in done]
                crashed = [key for future, key in finished if self._settle(future, key)]
                if crashed:
                    self._restart_pool(crashed)
                for content_hash in [h for h, s in self._files.items() if s.outcome]:
                    yield self._files.pop(content_hash).outcome
        finally:
            self._pool.shutdown(cancel_futures=True)
            self.reader.close()

    def _settle(self, future: Future, key: tuple[str, int | None]) -> bool:
        """Take a finished task's result; True when it died with the pool and must be retried."""
        content_hash, page = key
        state = self._files.get(content_hash)
        if state is None or state.outcome:
            return False  # its file already failed
        try:
            result = future.result()
        except BrokenProcessPool:
            self._crashes[key] = self._crashes.get(key, 0) + 1
            if self._crashes[key] < 2:
                return True
            self._fail(state, "the PDF crashed the PDF renderer or Tesseract; check the file")
            return False
        except (OSError, OcrRefused) as err:
            self._fail(state, _reason(err))
            return False
        except BrokerUnavailable:
            raise  # the run stops; what is stored stays, and the next run resumes
        except Exception as err:  # one file's failure must not stop the batch
            if page is None:
                self._fail(state, _reason(err))
                return False
            result = None  # Tesseract gave up on this page: keep the rest of the file
        if page is None:
            self._prepared(state, result)
        else:
            self._ocr_done(state, page, result)
        if state.outcome is None and not state.remaining:
            self._finish(state)
        return False

    def _restart_pool(self, crashed: list[tuple[str, int | None]]) -> None:
        """A worker died: every task of the dead pool is retried once in a new pool."""
        self._pool.shutdown(cancel_futures=True)
        retry = crashed + list(self._tasks.values())
        self._tasks.clear()
        self._pool = self._new_pool()
        for content_hash, page in retry:
            state = self._files.get(content_hash)
            if state is not None and not state.outcome:
                self._submit(content_hash, page)

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            self.workers,
            mp_context=lifeline.forkserver_context(),
            initializer=_init_worker,
            initargs=(str(self.scratch) if self.scratch else None, os.getpid()),
        )

    def _start(self, job: FileJob) -> None:
        """A file starts with its preparation, a re-OCR too: its legacy-font pages are then
        converted instead of read again, and a scan under a text-layer header keeps it."""
        self._submit(job.content_hash, None)

    def _submit(self, content_hash: str, page: int | None) -> None:
        state = self._files[content_hash]
        try:
            future = self._task(state, page)
        except BrokenProcessPool:  # a worker died since the last wait: its tasks are retried
            self._restart_pool([])
            future = self._task(state, page)
        self._tasks[future] = (content_hash, page)

    def _task(self, state: _FileState, page: int | None) -> Future:
        path = state.job.path
        if page is None:
            return self._pool.submit(prepare, path, self.ocr_mode)
        request = PageRequest(
            path, state.job.content_hash, page, self.recipe, page in state.keep_text
        )
        return self.reader.submit(self._pool, request)

    def _prepared(self, state: _FileState, prepared: Prepared) -> None:
        if state.job.reocr_pages:
            self._reread(state, prepared)
            return
        content_hash = state.job.content_hash
        self.store.begin_file(content_hash, prepared.pages, prepared.fonts)
        self.store.put_notes(content_hash, prepared.notes)
        stored = self.store.stored_methods(content_hash)
        self.on_pages_known(prepared.pages)
        state.keep_text = prepared.keep_text
        for page in prepared.accepted:
            if not _ocr_done(stored.get(page.number)):
                self.store.put_page(content_hash, page, boxes=prepared.boxes.get(page.number))
            self.on_page(Method(stored.get(page.number, page.method)))
        for page in prepared.rejected:
            if _ocr_done(stored.get(page.number)):
                self.on_page(Method.OCR)
            elif self.ocr_mode == "never":
                self.store.put_page(
                    content_hash, Page(page.number, "", Method.SKIPPED, page.quality)
                )
                self.on_page(Method.SKIPPED)
            else:
                state.remaining.add(page.number)
                self._submit(content_hash, page.number)

    def _reread(self, state: _FileState, prepared: Prepared) -> None:
        """The pages a re-OCR names: one the gate now accepts as converted from a legacy font
        (an older pipeline OCR'd it) is stored so, exactly and without OCR; the rest are read
        again. A text-layer page the gate accepts stays OCR'd: it was OCR'd on purpose."""
        content_hash = state.job.content_hash
        state.keep_text = prepared.keep_text
        converted = {p.number: p for p in prepared.accepted if p.method == Method.CONVERTED}
        self.on_pages_known(len(state.job.reocr_pages))
        for number in state.job.reocr_pages:
            if number in converted:
                boxes = prepared.boxes.get(number)
                self.store.put_page(content_hash, converted[number], boxes=boxes)
                self.on_page(Method.CONVERTED)
            else:
                state.remaining.add(number)
                self._submit(content_hash, number)

    def _ocr_done(self, state: _FileState, page_number: int, result: tuple | None) -> None:
        state.remaining.discard(page_number)
        if result is None and state.job.reocr_pages:
            return  # a failed re-reading keeps the page as it was read before
        text, confidence, boxes = result or ("", 0.0, None)
        if page_number in state.keep_text:
            text = clean(state.keep_text[page_number] + "\n" + text)
        method = Method.OCR if text.strip() else Method.EMPTY
        self.store.put_page(
            state.job.content_hash,
            Page(page_number, text, method, 1.0),
            self.ocr_lang,
            recipe=self.recipe.version if result else "",  # a failed page is for reocr to retry
            confidence=round(confidence, 3),
            boxes=boxes,
        )
        self.on_page(Method.OCR)

    def _finish(self, state: _FileState) -> None:
        content_hash = state.job.content_hash
        self.store.finish_file(content_hash)
        state.outcome = Outcome(state.job, **self.store.page_counts(content_hash))

    def _fail(self, state: _FileState, reason: str) -> None:
        state.remaining.clear()
        state.outcome = Outcome(state.job, error=reason)


def _reason(err: Exception) -> str:
    if isinstance(err, (pdf.UnreadablePdf, images.UnreadableImage, OcrRefused)):
        return str(err)
    if isinstance(err, textdocs.UnreadableDocument):
        return str(err)
    if isinstance(err, FileNotFoundError):
        return "the file disappeared while it was being indexed"
    if isinstance(err, PermissionError):
        return "the file cannot be read (permission denied); fix its permissions"
    if isinstance(err, OSError):
        return f"the file cannot be read ({err.strerror or err})"
    name = type(err).__name__
    return f"extraction failed ({name}: {err})"


def _ocr_done(stored: str | None) -> bool:
    return stored is not None and Method(stored).is_ocr_done
