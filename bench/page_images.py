"""Page view benchmark (issue 15): image formats, render time and cache hits, the searchable
PDF's library, and searches while uncached page images are asked for. Prints figures (Markdown
tables for bench/RESULTS.md); asserts nothing.

    python bench/page_images.py formats  --data DIR [--pages 60]
    python bench/page_images.py cache    --data DIR [--rounds 3] [--bound-mb 1024]
    python bench/page_images.py searchable [--ocrmypdf-python PY]
    python bench/page_images.py load     --data DIR [--clients 20] [--images 50] [--seconds 40]
                                         [--burst] [--thumbnails]

DIR is a data folder (as `ddsearch --index`), e.g. a copy of data/wave1 after
`ddsearch rebuild`; `load` empties DIR's page cache first, then measures the searches alone
and with ``--images`` clients asking for uncached page images all along (or, with --burst,
once each, all at the same moment). `searchable` OCRs three 2-page
Royal Gazette scans of ../shared/corpus into a temporary folder and makes each searchable with
pdfium (ddsearch's code) and, given an interpreter with OCRmyPDF installed, with OCRmyPDF's
hOCR renderer (fpdf2) overlaid by pikepdf; it scores what `pdftotext` gives back against the
stored OCR text.
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH.parent), str(BENCH)]  # this checkout's indexer, and web_bench
from web_bench import QUERIES, REPO, SHARED_PDFS, free_port, load, start_server  # noqa: E402

SCANS = (
    "km_subdecree_2000_083_council_admin_reform_secretariat.pdf",
    "km_law_1996_02.pdf",
    "km_law_2007_admin_boundary_phnompenh_kiensvay.pdf",
)


def _quantiles(values: list[float]) -> tuple[float, float]:
    values = sorted(values)
    return statistics.median(values), values[min(len(values) - 1, int(0.95 * len(values)))]


def _sample_pages(data, count: int, seed: int = 1) -> list[tuple[str, int, str]]:
    """(doc id, page, method) of ``count`` pages drawn from the live documents."""
    from indexer.library.state import Library
    from indexer.library.store import Store

    library, store = Library.reader(data.library), Store.reader(data.store)
    try:
        pages = []
        for row in library.live_documents():
            for number, method in store.stored_methods(row.hash).items():
                pages.append((row.id, number, method))
    finally:
        library.close()
        store.close()
    random.Random(seed).shuffle(pages)
    return sorted(pages[:count])


# --- formats -----------------------------------------------------------------------------------


def formats(args) -> None:
    from PIL import Image

    from indexer.config import DataDir
    from indexer.extract import pdf
    from indexer.query import pages

    data = DataDir(args.data)
    encoders = {
        "PNG": lambda image, out: image.save(out, "PNG"),
        "PNG optimize": lambda image, out: image.save(out, "PNG", optimize=True),
        "WebP q70 m2": lambda image, out: image.save(out, "WEBP", quality=70, method=2),
        "WebP q80 m4": lambda image, out: image.save(out, "WEBP", quality=80, method=4),
        "WebP lossless m1": lambda image, out: image.save(out, "WEBP", lossless=True, method=1),
        "WebP, the smaller of q70 m2 and lossless m1 (shipped)": lambda image, out: out.write(
            pages._webp(image)
        ),
    }
    rows: dict[tuple[str, int, str], list[tuple[int, float]]] = {}
    renders: dict[tuple[str, int], list[float]] = {}
    for doc_id, number, method in _sample_pages(data, args.pages):
        kind = "scan (ocr)" if method in ("ocr", "empty", "skipped") else "drawn (text/converted)"
        found = pages.source(data, doc_id, number)
        for width in pages.SIZES.values():
            started = time.perf_counter()
            image: Image.Image = pdf.render_width(found.path, number - 1, width)
            renders.setdefault((kind, width), []).append(time.perf_counter() - started)
            for name, encode in encoders.items():
                out = io.BytesIO()
                started = time.perf_counter()
                encode(image, out)
                elapsed = time.perf_counter() - started
                rows.setdefault((kind, width, name), []).append((len(out.getvalue()), elapsed))
    print(f"\n{args.pages} pages drawn at random from {args.data} (grayscale renders)\n")
    print("| pages | width | render ms p50 / p95 | format | KB p50 / p95 | encode ms p50 / p95 |")
    print("|---|---|---|---|---|---|")
    for (kind, width, name), found in rows.items():
        r50, r95 = _quantiles(renders[(kind, width)])
        s50, s95 = _quantiles([size / 1024 for size, _ in found])
        e50, e95 = _quantiles([seconds * 1000 for _, seconds in found])
        print(
            f"| {kind} ({len(found)}) | {width} | {r50 * 1000:.0f} / {r95 * 1000:.0f} | {name} "
            f"| {s50:.0f} / {s95:.0f} | {e50:.0f} / {e95:.0f} |"
        )


# --- render time and cache hits through the query layer ----------------------------------------


def cache(args) -> None:
    """Replays what readers do: each query of the web benchmark's set, in a random order, for
    ``rounds`` rounds: the result list's thumbnails, then the first result's best page and the
    page after it, as the page view asks for them."""
    from indexer.config import DataDir
    from indexer.library.diskcache import DiskCache
    from indexer.query import pages, search

    data = DataDir(args.data)
    shutil.rmtree(data.cache, ignore_errors=True)
    bound = args.bound_mb * 2**20
    pages.DiskCache = lambda root: DiskCache(root, bound)  # the bound under test
    timings: dict[str, list[float]] = {"miss": [], "hit": []}
    requests = []
    rng = random.Random(7)
    for _ in range(args.rounds):
        queries = list(QUERIES)
        rng.shuffle(queries)
        for query in queries:
            found = search.search(data.index, query["q"], limit=10)
            for doc in found["results"]:
                if doc["pages"]:
                    requests.append((doc["id"], doc["pages"][0]["page"], "thumb"))
            first = next((doc for doc in found["results"] if doc["pages"]), None)
            if first:
                best = first["pages"][0]["page"]
                total = pages.source(data, first["id"]).pages
                requests += [(first["id"], n, "page") for n in (best, best + 1) if n <= total]
    for doc_id, number, size in requests:
        name = f"-{number}-{pages.SIZES[size]}-"
        cached = any(
            p.name.startswith(pages.source(data, doc_id).content_hash) and name in p.name
            for p in data.cache.glob("*.webp")
        )
        started = time.perf_counter()
        pages.page_image(data, doc_id, number, size)
        timings["hit" if cached else "miss"].append(time.perf_counter() - started)
    hits, misses = len(timings["hit"]), len(timings["miss"])
    kept = sum(p.stat().st_size for p in data.cache.glob("*.webp")) / 2**20
    print(f"\n{len(requests)} image requests ({args.rounds} rounds of {len(QUERIES)} queries),")
    print(f"cache bound {args.bound_mb} MB, {kept:.1f} MB kept at the end\n")
    print("| | requests | ms p50 / p95 |")
    print("|---|---|---|")
    for kind in ("miss", "hit"):
        if timings[kind]:
            p50, p95 = _quantiles([s * 1000 for s in timings[kind]])
            what = "render, encode, write" if kind == "miss" else "from the cache"
            print(f"| {kind} ({what}) | {len(timings[kind])} | {p50:.0f} / {p95:.0f} |")
    print(f"\ncache hit rate: {hits / max(1, hits + misses):.2f}")


# --- the searchable PDF: pdfium against OCRmyPDF's renderer ----------------------------------


def searchable(args) -> None:
    from rapidfuzz.distance import Levenshtein

    from indexer.config import DataDir
    from indexer.library.searchable import searchable_pdf
    from indexer.library.state import Library
    from indexer.library.store import Store
    from indexer.text.khmer import normalize

    with tempfile.TemporaryDirectory(prefix="ddsearch-searchable-") as tmp:
        folder = Path(tmp)
        library = folder / "library"
        library.mkdir()
        for name in SCANS:
            shutil.copy(SHARED_PDFS / name, library / name)
        data = DataDir(folder / "data")
        subprocess.run(
            [sys.executable, "-m", "indexer.cli", "index", str(library), "--index",
             str(data.root), "--quiet"],
            cwd=REPO, check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        lib, store = Library.reader(data.library), Store.reader(data.store)
        jobs = []
        for row in lib.live_documents():
            path = Path(lib.files_of(row.id)[0].path)
            layers = {
                number: store.boxes(row.hash, number)
                for number, method in store.stored_methods(row.hash).items()
                if method == "ocr"
            }
            texts = {r["page"]: r["text"] for r in store.page_records(row.hash)}
            jobs.append((path, layers, texts))
        lib.close()
        store.close()

        def score(pdf: Path, texts: dict[int, str]) -> tuple[float, float]:
            """Character error rate of `pdftotext` (default and -raw) against the stored
            text of each page, whitespace removed, normalised as the index normalises."""
            rates = []
            for raw in ((), ("-raw",)):
                errors = chars = 0
                for number, text in texts.items():
                    done = subprocess.run(
                        ["pdftotext", *raw, "-f", str(number), "-l", str(number), str(pdf), "-"],
                        capture_output=True, text=True, check=True,
                    )  # fmt: skip
                    got = "".join(normalize(done.stdout).split())
                    want = "".join(normalize(text).split())
                    errors += Levenshtein.distance(got, want)
                    chars += len(want)
                rates.append(errors / max(chars, 1))
            return rates[0], rates[1]

        results = []
        for path, layers, texts in jobs:
            target = folder / f"{path.stem}-pdfium.pdf"
            started = time.perf_counter()
            searchable_pdf(path, layers, target)
            seconds = time.perf_counter() - started
            results.append(
                ("pdfium (ddsearch)", path, len(layers), target, seconds, *score(target, texts))
            )
            if args.ocrmypdf_python:
                spec = folder / f"{path.stem}.json"
                spec.write_text(json.dumps({str(n): b.__dict__ for n, b in layers.items()}))
                target = folder / f"{path.stem}-ocrmypdf.pdf"
                done = subprocess.run(
                    [args.ocrmypdf_python, __file__, "ocrmypdf-layer", str(path), str(spec),
                     str(target)],
                    capture_output=True, text=True, check=False,
                )  # fmt: skip
                if done.returncode:
                    print("OCRmyPDF failed:", done.stderr[-800:])
                    continue
                seconds = float(done.stdout.strip().splitlines()[-1])
                results.append(
                    (
                        "OCRmyPDF 17 fpdf2 + pikepdf",
                        path,
                        len(layers),
                        target,
                        seconds,
                        *score(target, texts),
                    )
                )
        print(
            "\n| library | document | pages | seconds | size KB (original) | CER pdftotext "
            "| CER pdftotext -raw |"
        )
        print("|---|---|---|---|---|---|---|")
        for name, path, count, target, seconds, cer, cer_raw in results:
            print(
                f"| {name} | {path.name[:40]} | {count} "
                f"| {seconds:.2f} | {target.stat().st_size // 1024} "
                f"({path.stat().st_size // 1024}) "
                f"| {cer:.3f} | {cer_raw:.3f} |"
            )


def ocrmypdf_layer(source: str, spec: str, target: str) -> None:
    """(Run by an interpreter with OCRmyPDF.) Each page's words as hOCR, rendered invisible by
    OCRmyPDF's fpdf2 renderer, overlaid on the original page by pikepdf; prints the seconds."""
    import html

    import ocrmypdf
    import pikepdf
    from ocrmypdf.font import MultiFontManager
    from ocrmypdf.fpdf_renderer import Fpdf2PdfRenderer
    from ocrmypdf.hocrtransform.hocr_parser import HocrParser

    layers = json.loads(Path(spec).read_text())
    started = time.perf_counter()
    fonts = MultiFontManager(Path(ocrmypdf.__file__).parent / "data")
    pdf = pikepdf.open(source)
    with tempfile.TemporaryDirectory() as tmp:
        for number, boxes in layers.items():
            lines: dict[int, list] = {}
            for text, _conf, x0, y0, x1, y1, line in boxes["words"]:
                lines.setdefault(line, []).append((text, x0, y0, x1, y1))
            body = []
            for n, words in sorted(lines.items()):
                bx = (min(w[1] for w in words), min(w[2] for w in words),
                      max(w[3] for w in words), max(w[4] for w in words))  # fmt: skip
                spans = "".join(
                    f"<span class='ocrx_word' title='bbox {x0} {y0} {x1} {y1}'>"
                    f"{html.escape(t)}</span> "
                    for t, x0, y0, x1, y1 in words
                )
                body.append(
                    f"<span class='ocr_line' id='l{n}' title='bbox {' '.join(map(str, bx))}; "
                    f"baseline 0 0'>{spans}</span>"
                )
            whole = f"bbox 0 0 {boxes['width']} {boxes['height']}"
            hocr = (
                "<?xml version='1.0' encoding='UTF-8'?><html xmlns='http://www.w3.org/1999/xhtml' "
                "xml:lang='km'><head><meta name='ocr-system' content='ddsearch'/></head><body>"
                f"<div class='ocr_page' title='{whole}; ppageno 0'>"
                f"<div class='ocr_carea' title='{whole}'><p class='ocr_par' lang='khm' "
                f"title='{whole}'>" + "".join(body) + "</p></div></div></body></html>"
            )
            hocr_path, layer_path = Path(tmp) / f"{number}.hocr", Path(tmp) / f"{number}.pdf"
            hocr_path.write_text(hocr, encoding="utf-8")
            page = HocrParser(hocr_path).parse()
            Fpdf2PdfRenderer(page=page, dpi=300, multi_font_manager=fonts).render(layer_path)
            layer = pikepdf.open(layer_path)
            pdf.pages[int(number) - 1].add_overlay(layer.pages[0])
        pdf.save(target)
    print(time.perf_counter() - started)


# --- searches while uncached page images are asked for ----------------------------------------


class ImageLoad:
    """``clients`` threads asking for the page images of ``pages`` in turn (one connection
    each), every page once, until stopped."""

    def __init__(self, port: int, pages: list[tuple[str, int, str]], clients: int, route: str):
        self.port, self.pages, self.route = port, iter(pages), route
        self.lock, self.stop = threading.Lock(), threading.Event()
        self.times: list[float] = []
        self.statuses: list[int] = []
        self.threads = [threading.Thread(target=self._fetch) for _ in range(clients)]
        for thread in self.threads:
            thread.start()

    def _fetch(self) -> None:
        while not self.stop.is_set():
            with self.lock:
                item = next(self.pages, None)
            if item is None:
                return
            doc_id, number, _ = item
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            started = time.perf_counter()
            try:
                connection.request("GET", f"/doc/{doc_id}/{self.route}/{number}.webp")
                reply = connection.getresponse()
                reply.read()
                status = reply.status
            except (OSError, http.client.HTTPException):
                status = 0
            finally:
                connection.close()
            with self.lock:
                self.times.append((time.perf_counter() - started) * 1000)
                self.statuses.append(status)

    def finish(self) -> str:
        """Stop, and the table's image cells."""
        self.stop.set()
        for thread in self.threads:
            thread.join()
        ok = [t for t, s in zip(self.times, self.statuses, strict=True) if s == 200]
        i50, i95 = _quantiles(ok) if ok else (0, 0)
        busy = self.statuses.count(503)
        other = len(self.statuses) - busy - len(ok)
        return f"{len(self.statuses)} | {i50:.0f} / {i95:.0f} | {busy} | {other}"


def load_test(args) -> None:
    from indexer.config import DataDir

    data = DataDir(args.data)
    shutil.rmtree(data.cache, ignore_errors=True)
    pages = _sample_pages(data, 100_000)
    port = free_port()
    server = start_server(args.data, port)
    try:
        load(port, "/api/search", 2, 2 * len(QUERIES), 60)  # warm the searchers
        seconds = f"{args.seconds:.0f} s"
        print(f"\n{args.clients} clients searching /search (12 queries in turn), {seconds}\n")
        print(
            "| while | search requests | search p50 ms | p95 ms | p99 ms | image requests "
            "| image p50 / p95 ms | 503 | other errors |"
        )
        print("|---|---|---|---|---|---|---|---|---|")
        for clients in (0, args.images):
            route = "thumb" if args.thumbnails else "page"
            images = ImageLoad(port, pages[:clients] if args.burst else pages, clients, route)
            found = load(port, "/search", args.clients, 1_000_000, args.seconds)
            cells = images.finish()
            pages = pages[len(images.statuses) :]  # never the same page twice: all uncached
            label = (
                f"{clients} clients asking for uncached page images" if clients else "nothing else"
            )
            print(
                f"| {label} | {found['requests']} | {found['p50']:.0f} | {found['p95']:.0f} | "
                f"{found['p99']:.0f} | {cells} |"
            )
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("formats", "cache", "load"):
        command = commands.add_parser(name)
        command.add_argument("--data", type=Path, required=True)
    commands.choices["formats"].add_argument("--pages", type=int, default=60)
    commands.choices["cache"].add_argument("--rounds", type=int, default=3)
    commands.choices["cache"].add_argument("--bound-mb", type=int, default=1024)
    commands.choices["load"].add_argument("--clients", type=int, default=20)
    commands.choices["load"].add_argument("--images", type=int, default=50)
    commands.choices["load"].add_argument("--seconds", type=float, default=40)
    commands.choices["load"].add_argument(
        "--burst", action="store_true", help="each image client asks once (one burst)"
    )
    commands.choices["load"].add_argument(
        "--thumbnails", action="store_true", help="ask for thumbnails, not page images"
    )
    commands.add_parser("searchable").add_argument("--ocrmypdf-python")
    layer = commands.add_parser("ocrmypdf-layer")
    for name in ("source", "spec", "target"):
        layer.add_argument(name)
    args = parser.parse_args()
    if args.command == "ocrmypdf-layer":
        ocrmypdf_layer(args.source, args.spec, args.target)
        return
    {"formats": formats, "cache": cache, "searchable": searchable, "load": load_test}[args.command](
        args
    )


if __name__ == "__main__":
    main()
