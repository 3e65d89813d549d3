"""OCR of page images by a named recipe, keeping every word's box and confidence.

The recipe (r5) was chosen by measurement on real Royal Gazette scans (bench/ocr_quality.py,
bench/RESULTS.md), as a sequence of small steps:

1. prepare: a 3x3 median filter, the page scaled to 85% (about 255 dpi);
2. Tesseract (Debian's Khmer *script* model, psm 6) finds the lines and words and reads them;
3. junk words are dropped by script and confidence (indexer/extract/words.py);
4. the neural recogniser reads the Khmer again, piece by piece of Tesseract's lines, from the
   300 dpi page (indexer/extract/neural.py, pieces.py); Latin words keep Tesseract's reading;
5. unsure Khmer words are corrected towards a lexicon (indexer/text/lexicon.py);
6. a page that reads as if turned is tried the other ways round.

Without the neural step (``Recipe(neural=False)``, recipe r4) the words holding ៤/៨ are
re-read by `khm` instead (indexer/extract/digits.py); on the neural reading that re-read costs
digits, so r5 leaves it out. One single-threaded Tesseract and recogniser run per worker
(KNOWLEDGE §2): libtesseract in the worker's own process (tesserocr), with Debian's models.
The wheel's libtesseract is built without OpenMP, so a page is read on one thread with no
OMP_THREAD_LIMIT to set (parallelism comes from the worker processes).
"""

from __future__ import annotations

import ctypes
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path

import cv2
import numpy as np
import tesserocr
from PIL import Image

from indexer.errors import OcrUnavailable
from indexer.extract import digits, neural, pieces, words
from indexer.extract.words import Word
from indexer.text import lexicon

#: The script model reads English as well as eng does (fixtures eng_p1 0.027, mixed_p1 0.019
#: CER) and Gazette Khmer better and 2-3x faster than khm+eng.
DEFAULT_LANG = "Khmer"
DEFAULT_PSM = 6
RESIZE = cv2.INTER_CUBIC
PAGE_TIMEOUT_S = 600
TESSERACT = "tesseract"
NOT_INSTALLED = (
    "Tesseract is not installed: run `apt-get install tesseract-ocr tesseract-ocr-khm "
    "tesseract-ocr-eng tesseract-ocr-script-khmr`, or index with --ocr never."
)
#: A page read sideways comes out as hundreds of one- or two-letter words (Gazette pages: 1.6-1.7
#: characters a word turned by 90°, 10.9-22 upright), and upside down as words Tesseract is
#: hardly sure of (confidence 0.04-0.08 turned by 180°, 0.36-0.58 upright). Only such readings
#: make the page be tried the other ways round: on upright pages that costs nothing.
ORIENT_BELOW_WORD_LENGTH = 3.0
ORIENT_BELOW_CONFIDENCE = 0.2
ORIENT_FROM_WORDS = 20  # fewer words: a blank page or a picture, not a turned page
_PACKAGES = {"Khmer": "tesseract-ocr-script-khmr"}


@dataclass(frozen=True)
class Recipe:
    """How a page is read; ``version`` is stored with every page so that ``reocr`` can find
    pages read by an older recipe."""

    lang: str = DEFAULT_LANG
    psm: int = DEFAULT_PSM
    median: int = 3  # median filter size in pixels (0: none)
    scale: float = 0.85  # of the 300 dpi render
    drop_junk: bool = True
    neural: bool = True  # Khmer read again by the neural recogniser (indexer/extract/neural.py)
    lexicon: bool = True
    digits: bool = False  # ៤/៨ re-read by khm (indexer/extract/digits.py): for r4 only
    orient: bool = True  # when the first reading is unsure, look for a better orientation

    @property
    def version(self) -> str:
        head = "r5" if self.neural else "r4"
        parts = [f"{head}:{self.lang}", f"psm{self.psm}", f"med{self.median}", f"x{self.scale:g}"]
        steps = ("neural", "drop_junk", "lexicon", "digits", "orient")
        parts += [name for name in steps if getattr(self, name)]
        return "/".join(parts)


DEFAULT_RECIPE = Recipe()


def recipe_for(lang: str | None) -> Recipe:
    """The default recipe in another Tesseract language (``--ocr-lang``, ``reocr --lang``)."""
    return replace(DEFAULT_RECIPE, lang=lang) if lang else DEFAULT_RECIPE


@dataclass
class Reading:
    """One page as OCR read it; word boxes are pixels of the upright page image of
    ``width`` x ``height`` (the 300 dpi render for PDF pages, turned by ``rotation``)."""

    text: str
    words: list[Word]
    width: int
    height: int
    recipe: str
    rotation: int = 0  # degrees clockwise the source image was turned before reading
    confidence: float = 0.0  # mean word confidence 0..1, weighted by length
    seconds: list[float] = field(default_factory=list)  # Tesseract's own time, per call


def read_image(image: Image.Image, recipe: Recipe = DEFAULT_RECIPE) -> Reading:
    """OCR one page image by ``recipe``: Tesseract's words (the page turned first if it reads
    as turned), then the recipe's steps on them."""
    gray = image.convert("L")
    found, spent = _tesseract_words(gray, recipe)
    rotation = 0
    if recipe.orient and _maybe_turned(found):
        rotation, probe_seconds = detect_rotation(gray, recipe)
        spent += probe_seconds
        if rotation:
            turned_gray = gray.rotate(-rotation, expand=True)
            turned, more = _tesseract_words(turned_gray, recipe)
            spent += more
            if _reads_better(turned, found):
                gray, found = turned_gray, turned
            else:
                rotation = 0
    if recipe.neural:
        found, seconds = read_khmer_again(found, gray)
        spent.append(seconds)
    if recipe.lexicon:
        found = corrected(found)
    return Reading(
        text=words.page_text(found),
        words=found,
        width=gray.width,
        height=gray.height,
        recipe=recipe.version,
        rotation=rotation,
        confidence=words.mean_confidence(found),
        seconds=spent,
    )


def _maybe_turned(found: list[Word]) -> bool:
    if len(found) < ORIENT_FROM_WORDS:
        return False
    length = sum(len(word.text) for word in found) / len(found)
    confidence = words.mean_confidence(found)
    return length < ORIENT_BELOW_WORD_LENGTH or confidence < ORIENT_BELOW_CONFIDENCE


def _reads_better(turned: list[Word], upright: list[Word]) -> bool:
    """Whether the page turned reads better than as it came: Tesseract is surer of it, and
    it holds no fewer words of Khmer the lexicon knows. Tesseract's confidence alone turned
    upright pages with faint print or text showing through from the back (7 of the 40 Khmer
    PDFs' pages in the r4 index, and a Gazette page given as PNG); turned, Khmer reads as
    no known word at all (bench/RESULTS.md, issue 22)."""
    sure = words.mean_confidence(turned) > words.mean_confidence(upright)
    known = lexicon.known_share(words.page_text(turned))
    return sure and known >= lexicon.known_share(words.page_text(upright))


def _tesseract_words(gray: Image.Image, recipe: Recipe) -> tuple[list[Word], list[float]]:
    """Tesseract's words on the prepared page, boxes in ``gray``'s pixels, junk dropped if the
    recipe says so; and Tesseract's seconds."""
    prepared = prepare(gray, recipe)
    tsv, seconds = _read_tsv(prepared, recipe.lang, recipe.psm)
    found = words.parse_tsv(tsv)
    spent = [seconds]
    if recipe.digits and digits.wanted(recipe.lang):
        found, more = digits.correct(found, prepared, _read_tsv)
        spent += [more] if more else []
    found = [word.scaled(1 / recipe.scale) for word in found]
    return (words.drop_junk(found) if recipe.drop_junk else found), spent


def read_khmer_again(found: list[Word], gray: Image.Image) -> tuple[list[Word], float]:
    """The words, those Tesseract read as Khmer (or, on a Khmer page, as anything but Latin)
    read again by the neural recogniser from the 300 dpi page, piece by piece of their lines
    (a lone symbol it gives nothing keeps Tesseract's reading); and the recogniser's seconds."""
    chosen = words.for_neural(found)
    cut = pieces.cut(found, chosen, gray.width, gray.height)
    page = np.asarray(gray)
    readings, seconds = neural.read([pieces.crop(page, piece) for piece in cut])
    read: dict[int, Word] = {}
    for piece, reading in zip(cut, readings, strict=True):
        read.update(pieces.assign(found, piece, reading))
    kept = [
        read.get(i, word)
        for i, word in enumerate(found)
        if not chosen[i] or i in read or words.is_lone_symbol(word.text)
    ]
    return kept, seconds


def prepare(gray: Image.Image, recipe: Recipe) -> Image.Image:
    """The image Tesseract is given: median-filtered, then scaled. OpenCV does both: its
    median is Pillow's, pixel for pixel, 80x faster (0.002 s against 0.19 s a 300 dpi page),
    and median and bicubic resize together take 0.025 s against Pillow's Lanczos resize alone
    0.13 s (bench/RESULTS.md)."""
    if not recipe.median and recipe.scale == 1:
        return gray
    pixels = np.asarray(gray)
    if recipe.median:
        pixels = cv2.medianBlur(pixels, recipe.median)
    if recipe.scale != 1:
        size = (round(gray.width * recipe.scale), round(gray.height * recipe.scale))
        pixels = cv2.resize(pixels, size, interpolation=RESIZE)
    return Image.fromarray(pixels)


#: Probes for the page's orientation read it at this fraction of the 300 dpi render.
PROBE_SCALE = 0.5


def detect_rotation(gray: Image.Image, recipe: Recipe) -> tuple[int, list[float]]:
    """Degrees clockwise that turn the page upright: the turn whose quick small reading is the
    surest. Tesseract's OSD cannot tell for Khmer (it called an upright Gazette page 180° and
    one turned by 90° upright), so the page is read four ways instead. Returns the turn and
    Tesseract's seconds."""
    probe = replace(recipe, median=0, scale=PROBE_SCALE, digits=False)
    readings = {
        rotation: _tesseract_words(gray.rotate(-rotation, expand=True), probe)
        for rotation in (0, 90, 180, 270)
    }
    best = max(readings, key=lambda rotation: words.mean_confidence(readings[rotation][0]))
    return best, [seconds for _, spent in readings.values() for seconds in spent]


def _read_tsv(image: Image.Image, lang: str, psm: int = DEFAULT_PSM) -> tuple[str, float]:
    """Tesseract's TSV of the image and the seconds it took, read in this process by
    libtesseract (tesserocr) with the engine for ``lang`` and ``psm`` kept loaded: the Khmer
    model takes 0.1 s of CPU to load, which the tesseract program pays on every page
    (bench/RESULTS.md). The words are those of the program, page for page."""
    engine = _engine(lang, psm)
    started = time.perf_counter()
    try:
        with _named(READING_NAME):
            engine.SetImage(image)
            recognized = engine.Recognize(timeout=PAGE_TIMEOUT_S * 1000)
        if not recognized:
            raise RuntimeError(
                f"Tesseract could not read the page (or took more than {PAGE_TIMEOUT_S} s)"
            )
        tsv = engine.GetTSVText(0)
    finally:
        engine.Clear()
    return tsv, time.perf_counter() - started


#: What ps and top call a thread while its Tesseract reads a page (the tesseract program's
#: name: an operator sees which workers are reading, as when Tesseract was a program).
READING_NAME = b"tesseract"
_PR_SET_NAME, _PR_GET_NAME = 15, 16
_libc = ctypes.CDLL(None, use_errno=True) if sys.platform == "linux" else None


@contextmanager
def _named(name: bytes) -> Iterator[None]:
    """The calling thread named ``name`` (Linux: prctl), its own name back afterwards."""
    if _libc is None:
        yield
        return
    before = ctypes.create_string_buffer(16)
    _libc.prctl(_PR_GET_NAME, before, 0, 0, 0)
    _libc.prctl(_PR_SET_NAME, ctypes.c_char_p(name[:15]), 0, 0, 0)
    try:
        yield
    finally:
        _libc.prctl(_PR_SET_NAME, before, 0, 0, 0)


_engines = threading.local()  # an engine serves one thread at a time


def _engine(lang: str, psm: int) -> tesserocr.PyTessBaseAPI:
    loaded = _engines.__dict__.setdefault("by_settings", {})
    engine = loaded.get((lang, psm))
    if engine is None:
        check_languages(lang)
        try:
            engine = tesserocr.PyTessBaseAPI(path=_installed()[0], lang=lang, psm=psm)
        except RuntimeError as err:
            raise OcrUnavailable(f"Tesseract could not load {lang}: {err}") from None
        loaded[(lang, psm)] = engine
    return engine


@cache
def _installed() -> tuple[str, frozenset[str]]:
    """Where Debian's Tesseract keeps its language data, and the languages it holds."""
    try:
        done = subprocess.run([TESSERACT, "--list-langs"], capture_output=True, timeout=60)
    except FileNotFoundError:
        raise OcrUnavailable(NOT_INSTALLED) from None
    listing = done.stdout.decode("utf-8", "replace").splitlines()
    folder = re.search(r'"(.+?)"', listing[0]) if listing else None
    if folder is None:
        raise OcrUnavailable(NOT_INSTALLED)
    return folder[1], frozenset(line.strip() for line in listing[1:] if line.strip())


def read_page(
    path: Path, page_index: int, recipe: Recipe = DEFAULT_RECIPE, images_only: bool = False
) -> Reading:
    """Render (or load) a 0-based page of a PDF or image file and OCR it; with
    ``images_only`` a PDF page is rendered without its text objects (a scan under a text-layer
    header whose text is already known)."""
    from indexer.extract import sources

    return read_image(sources.page_image(path, page_index, text=not images_only), recipe)


def check_languages(lang: str) -> None:
    """Fail early, with what to install, when a Tesseract language pack is missing (khm too,
    which re-reads the digits of other languages' readings), or the neural recogniser."""
    neural.check_installed()
    available = _installed()[1]
    needed = lang.split("+") + ([digits.REREAD_LANG] if digits.wanted(lang) else [])
    missing = [code for code in needed if code not in available]
    if missing:
        packages = " ".join(_PACKAGES.get(code, f"tesseract-ocr-{code}") for code in missing)
        raise OcrUnavailable(
            f"Tesseract has no language data for {', '.join(missing)}: run "
            f"`apt-get install {packages}`, or choose another --ocr-lang."
        )


#: Words read at least this sure are left as the lexicon step found them.
CORRECT_BELOW_CONFIDENCE = 90


def corrected(found: list[Word]) -> list[Word]:
    """The words with the unsure ones corrected towards the lexicon."""
    return [
        replace(word, text=lexicon.correct_text(word.text))
        if word.confidence < CORRECT_BELOW_CONFIDENCE
        else word
        for word in found
    ]
