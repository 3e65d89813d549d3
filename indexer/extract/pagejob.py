"""What travels between an indexer and an OCR worker on another machine, and nothing more.

A job is one page as a one-page PDF (the scan's own compressed image: 138 KB a Gazette page
on average, against 543 KB as the grayscale PNG OCR reads and 851 KB for the whole file;
bench/queue_bench.py), or an image file's frame as PNG, with the recipe and the version that
must read it. The answer is what ``pool.ocr_task`` gives (text, confidence and word boxes)
with the page and recipe it is of. Workers hold no state: the page is written to a temporary
file, read, and removed.
"""

from __future__ import annotations

import io
import socket
import tempfile
from dataclasses import asdict
from functools import cache
from importlib import metadata
from pathlib import Path

from indexer.errors import OcrUnavailable
from indexer.extract import images, ocr, pdf
from indexer.extract.pool import PageRequest, ocr_task  # the very function the pool runs
from indexer.library.store import Boxes


@cache
def version() -> str:
    """This install's ddsearch version: a worker reads pages only for the same version."""
    try:
        return metadata.version("ddsearch")
    except metadata.PackageNotFoundError:
        return "unknown"


def page_payload(path: Path, page_number: int) -> dict:
    """The page a worker is to read (runs in the indexer's pool: pdfium stays out of the
    indexing process)."""
    if images.is_image(path):
        out = io.BytesIO()
        images.page_image(path, page_number - 1).save(out, format="PNG")
        return {"kind": "image", "data": out.getvalue()}
    return {"kind": "pdf", "data": pdf.page_bytes(path, page_number - 1)}


def job(payload: dict, page: PageRequest, run: str) -> dict:
    """A whole job: the page, what it is (for the answer's check), how to read it, for whom."""
    return {
        **payload,
        "images_only": page.images_only,
        "hash": page.content_hash,
        "page": page.number,
        "recipe": asdict(page.recipe),
        "recipe_version": page.recipe.version,
        "ddsearch": version(),
        "run": run,
    }


def refusal(job: dict) -> str:
    """Why this worker cannot read the job the way the indexer asked ('' when it can)."""
    where = f"the OCR worker on {socket.gethostname()}"
    if job.get("ddsearch") != version():
        return (
            f"{where} runs ddsearch {version()} and the indexer {job.get('ddsearch')}: "
            "install the same version on both"
        )
    recipe = ocr.Recipe(**job["recipe"])
    if recipe.version != job["recipe_version"]:
        return (
            f"{where} reads by recipe {recipe.version}, not {job['recipe_version']}: "
            "install the same ddsearch version on both"
        )
    missing = _missing_language(recipe.lang)
    return f"{where} cannot read the page: {missing}" if missing else ""


@cache
def _missing_language(lang: str) -> str:
    try:
        ocr.check_languages(lang)
    except OcrUnavailable as err:
        return str(err)
    return ""


def read(job: dict) -> dict:
    """OCR the job's page (in a worker); the answer names the page and recipe it is of."""
    suffix = ".pdf" if job["kind"] == "pdf" else ".png"
    with tempfile.NamedTemporaryFile(suffix=suffix) as page_file:
        page_file.write(job["data"])
        page_file.flush()
        recipe = ocr.Recipe(**job["recipe"])
        text, confidence, boxes = ocr_task(Path(page_file.name), 1, recipe, job["images_only"])
    return {
        "hash": job["hash"],
        "page": job["page"],
        "recipe": recipe.version,
        "text": text,
        "confidence": confidence,
        "boxes": asdict(boxes),
    }


def answer(result: dict, asked: dict) -> tuple[str, float, Boxes]:
    """The answer as ``pool.ocr_task`` gives it, once checked to be of the page and recipe
    asked for (a stale or misrouted answer never reaches the store)."""
    for key in ("hash", "page"):
        if result.get(key) != asked[key]:
            raise RuntimeError(f"a worker answered for another page ({key} {result.get(key)})")
    if result.get("recipe") != asked["recipe_version"]:
        raise RuntimeError(f"a worker read the page by recipe {result.get('recipe')}")
    return result["text"], result["confidence"], Boxes(**result["boxes"])
