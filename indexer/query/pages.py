"""The query layer's page API: a page's image, its words with the query's hits boxed, and a
searchable copy of a scanned document — what the website's page view shows.

Only live documents of the library and their existing pages are served, from a file the
library indexed that still holds the same content: no path comes from a request. Images and
PDFs are made on first request and kept in the data folder's bounded cache, named by content
hash, so a re-indexed document never shows a stale image; at most RENDER_SLOTS page renders
run at once over all server processes, so a crawler cannot take every core from the searches
(thumbnails, about a tenth of the work, take only their process's pdfium lock).
"""

from __future__ import annotations

import io
import os
import sqlite3
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image

from indexer.config import DataDir
from indexer.errors import PageMissing
from indexer.extract import images, pdf, sources
from indexer.library.diskcache import DiskCache, pdfium_lock, render_slot
from indexer.library.searchable import searchable_pdf
from indexer.library.state import Library, file_hash
from indexer.library.store import Boxes, Store
from indexer.model import Method
from indexer.query import search
from indexer.text.snippets import marked
from indexer.text.wordhits import word_hits

#: Widths in pixels: the page view (reads well on a laptop, and on a phone zoomed), and the
#: thumbnail of a result list.
SIZES = {"page": 1200, "thumb": 200}
#: WebP quality of the lossy encoding (see `_webp`).
LOSSY_QUALITY = 70
#: Part of every cached file's name: change it when rendering or the text layer changes.
VERSION = "1"
RENDER_SLOTS = max(1, len(os.sched_getaffinity(0)) // 2)
#: A page image waits this long for a render slot, then gets a 503 with Retry-After. Waiting
#: holds a server thread: with 15 s, 50 image requests held every thread from the searches
#: (p50 7 s); with one thread a process and 0.25 s, 50 crawling clients moved the searches'
#: p95 from 184 to 208 ms on the idle machine (bench/RESULTS.md, Page view).
RENDER_WAIT_SECONDS = 0.25
#: A thumbnail (about 10 ms) waits for its process's pdfium this long: a result list's ten
#: render well within it one after another.
THUMB_WAIT_SECONDS = 1.0
NO_IMAGES = (
    "This document is a text file (Word, OpenDocument, web page or text): it has no page "
    "images. Its pages are shown as text; download the file to see it as it was written."
)
GONE = (
    "The file of this document has changed or moved since it was indexed: "
    "run `ddsearch index` again to see its pages."
)


@dataclass(frozen=True)
class Source:
    """An indexed document's file as the library last read it."""

    doc_id: str
    content_hash: str
    path: Path
    pages: int


def source(data: DataDir, doc_id: str, page: int | None = None) -> Source:
    """The live document's unchanged file (and, when given, that the page exists);
    PageMissing otherwise."""
    try:
        library = Library.reader(data.library)
        try:
            content_hash = library.served_hash(doc_id)
            files = library.files_of(doc_id) if content_hash else []
        finally:
            library.close()
        pages = _with_store(data, lambda store: store.page_total(content_hash or ""))
    except sqlite3.OperationalError:
        raise PageMissing("Nothing is indexed here yet.") from None
    if content_hash is None:
        raise PageMissing(f"No indexed document has the id {doc_id[:64]!r}.")
    if page is not None and not 1 <= page <= pages:
        raise PageMissing(f"The document has {pages} pages; there is no page {page}.")
    for known in files:
        if known.hash == content_hash and _unchanged(known.path, content_hash, known.size):
            return Source(doc_id, content_hash, Path(known.path), pages)
    raise PageMissing(GONE)


def _unchanged(path: str, content_hash: str, size: int) -> bool:
    """Whether the file still holds the content indexed: same size, and same bytes (hashed
    once per size and mtime: a copied or touched file keeps its pages)."""
    try:
        stat = os.stat(path)
    except OSError:
        return False
    return stat.st_size == size and _hash_of(path, stat.st_size, stat.st_mtime_ns) == content_hash


@lru_cache(maxsize=4096)
def _hash_of(path: str, size: int, mtime_ns: int) -> str:
    try:
        return file_hash(Path(path))
    except OSError:
        return ""


def _with_store(data: DataDir, read):
    store = Store.reader(data.store)
    try:
        return read(store)
    finally:
        store.close()


def page_view(data: DataDir, doc_id: str, page: int, query: str = "") -> dict:
    """A page of a document for the page view::

        {"id", "page", "pages",                 # this page of how many
         "method", "recipe", "confidence",      # how its text was read
         "text",                                # as stored
         "width", "height",                     # of the frame the boxes are in (0: no boxes)
         "words": [{"text", "box": [x0, y0, x1, y1]}],
         "hits": [[x0, y0, x1, y1]],            # the parts of words the query matched
         "matching_pages": [{"page", "snippet"}],   # of the whole document, best first
         "images": true,                        # false: a text document (.docx, .html...)
         "marked": "..."}                       # the text as HTML, the query's matches in
                                                #   <mark> (what shows a text document's hits)

    Boxes are pixels of the page rendered at 300 dpi (``width`` x ``height``), top-left
    origin, in the page's own orientation: scale them with the image."""
    found = source(data, doc_id, page)
    record, boxes = _with_store(
        data,
        lambda store: (
            store.page_record(found.content_hash, page),
            store.boxes(found.content_hash, page),
        ),
    )
    record = record or {"text": "", "method": Method.SKIPPED, "recipe": "", "confidence": None}
    frame = boxes.upright() if boxes else Boxes(0, 0, 0, 0, [])
    matching = search.matching_pages(data.index, doc_id, query) if query else []
    return {
        "id": doc_id,
        "page": page,
        "pages": found.pages,
        "method": record["method"],
        "recipe": record["recipe"],
        "confidence": record["confidence"],
        "text": record["text"],
        "width": frame.width,
        "height": frame.height,
        "words": [{"text": row[0], "box": row[2:6]} for row in frame.words],
        "hits": _hits(frame, query),
        "matching_pages": matching,
        "images": sources.has_page_images(found.path),
        "marked": marked(record["text"], search.query_marks(query)[0]),
    }


def page_hits(data: DataDir, doc_id: str, page: int, query: str) -> dict | None:
    """Only the frame and the hits of a page (a result's thumbnail): ``{"width", "height",
    "hits"}`` (width 0 when the page keeps no boxes); None when its file is gone."""
    try:
        found = source(data, doc_id, page)
    except PageMissing:
        return None
    if not sources.has_page_images(found.path):
        return None
    boxes = _with_store(data, lambda store: store.boxes(found.content_hash, page))
    frame = boxes.upright() if boxes else Boxes(0, 0, 0, 0, [])
    return {"width": frame.width, "height": frame.height, "hits": _hits(frame, query)}


def _hits(frame: Boxes, query: str) -> list[list[int]]:
    if not query or not frame.words:
        return []
    highlight, phrases = search.query_marks(query)
    return [
        list(hit.box(*frame.words[hit.word][2:6]))
        for hit in word_hits(frame.words, highlight, phrases)
    ]


@dataclass(frozen=True)
class Made:
    """A cached file and the tag that names its content (for ETag)."""

    path: Path
    tag: str


def page_image(data: DataDir, doc_id: str, page: int, size: str) -> Made:
    """The page rendered ``SIZES[size]`` pixels wide as WebP, from the cache or rendered now
    (RendererBusy when every render slot stays busy; PageMissing for a text document)."""
    found = source(data, doc_id, page)
    if not sources.has_page_images(found.path):
        raise PageMissing(NO_IMAGES)
    width = SIZES[size]
    name = f"{found.content_hash}-{page}-{width}-v{VERSION}.webp"
    cache = DiskCache(data.cache)
    cached = cache.get(name)
    if cached is None:
        if size == "thumb":
            guard = pdfium_lock(THUMB_WAIT_SECONDS)
        else:
            guard = render_slot(data.cache, RENDER_SLOTS, RENDER_WAIT_SECONDS)
        with guard:
            cached = cache.get(name) or cache.put(name, _webp(_render(found, page, width)))
    return Made(cached, name.removesuffix(".webp"))


def _render(found: Source, page: int, width: int) -> Image.Image:
    if images.is_image(found.path):
        image = images.page_image(found.path, page - 1)
        height = max(1, round(image.height * width / max(image.width, 1)))
        return image.resize((width, height), Image.Resampling.LANCZOS)
    return pdf.render_width(found.path, page - 1, width)


def _webp(image: Image.Image) -> bytes:
    """The smaller of lossless and lossy WebP: lossless wins on bilevel scans and drawn text
    (half the size), lossy on grey scans (bench/page_images.py formats)."""
    lossless, lossy = io.BytesIO(), io.BytesIO()
    image.save(lossless, "WEBP", lossless=True, method=1)
    image.save(lossy, "WEBP", quality=LOSSY_QUALITY, method=2)
    return min(lossless.getvalue(), lossy.getvalue(), key=len)


def searchable(data: DataDir, doc_id: str) -> Made:
    """The document's PDF with an invisible text layer from its stored OCR words, made on
    first request; PageMissing when no page of it was OCR'd with word boxes kept."""
    found = source(data, doc_id)
    name = f"{found.content_hash}-searchable-v{VERSION}.pdf"
    cache = DiskCache(data.cache)
    cached = cache.get(name)
    if cached is not None:
        return Made(cached, name.removesuffix(".pdf"))
    layers = _with_store(data, lambda store: _ocr_boxes(store, found.content_hash))
    if not layers or images.is_image(found.path):
        raise PageMissing("This document has no scanned pages read by OCR to make searchable.")
    with render_slot(data.cache, RENDER_SLOTS, RENDER_WAIT_SECONDS):
        cached = cache.get(name)
        if cached is None:
            with tempfile.TemporaryDirectory(dir=data.root) as scratch:
                target = Path(scratch) / "searchable.pdf"
                searchable_pdf(found.path, layers, target)
                cached = cache.put(name, target.read_bytes())
    return Made(cached, name.removesuffix(".pdf"))


def _ocr_boxes(store: Store, content_hash: str) -> dict[int, Boxes]:
    """The word boxes of the pages OCR read."""
    methods = store.stored_methods(content_hash)
    found = {}
    for number, method in methods.items():
        if method == Method.OCR and (boxes := store.boxes(content_hash, number)):
            found[number] = boxes
    return found
