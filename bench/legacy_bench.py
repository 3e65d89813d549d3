"""Legacy-font conversion on the real Limon files: coverage, agreement with OCR, speed.

    python bench/legacy_bench.py --ocr Khmer+khm/psm6/med0/x1/dpi300 [--cache C.sqlite]
        [--per-file N] [--jobs N] [--show N]
    python bench/legacy_bench.py --ocr-store COPY_OF_WAVE1/store.sqlite

For every page of the five Limon-typeset files whose text is in a legacy font (at least
MIN_LEGACY_CHARS characters in Limon/ABC fonts): is it converted (does the gate pass it), how
far is its converted text from the OCR of the same page, how fast is conversion; then the 1993
constitution against the 2015 hand-cleaned text, article by article.

The OCR is done here (``--ocr``): each page rendered by pypdfium2 at the recipe's dpi and read
by Tesseract through indexer/extract/ocr.py's reader. The recipe is ``LANG/psmN/medM/xS/dpiD``
(median filter size, scale of the render; defaults psm6, med0, x1, dpi300): raw Tesseract
words, unless it ends in ``/junk`` or ``/lex``, the pipeline's junk filter (which also reads ៖
inside a word as ះ) and lexicon correction, or ``/kos``: the control, the page's converted text
typeset in Khmer OS and OCR'd the same way. ``--cache`` keeps every page's reading by recipe,
so a re-measure after a converter change OCRs nothing. ``--ocr-store`` reads an older store's
OCR instead (the wave-1 store: khm+eng psm 6 at 300 dpi; read-only, so pass a copy).
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import re
import sqlite3
import sys
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont
from rapidfuzz.distance import Levenshtein

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from indexer.extract import legacy, ocr, pdf, quality  # noqa: E402
from indexer.text import khmer  # noqa: E402

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
FILES = [
    "km_constitution_1993_limon.pdf",
    "km_constitution_limon.pdf",
    "km_guideline_1993_role_limon.pdf",
    "km_law_2002_hiv_aids_limon.pdf",
    "km_criminal_code_2009_mixed_limon_unicode.pdf",
]
MIN_LEGACY_CHARS = 20  # fewer is a page number or a header over a scan
CLEAN_2015 = CORPUS / "ocr_gt" / "constitution_2015" / "constitution_2015_clean.md"
_ARTICLE = re.compile(r"(?m)^(?:#+ )?មាត្រា\s*([0-9]+)\s*\.?-?\s*(ថ្មី)?")
_RECIPE = re.compile(
    r"(?P<lang>[A-Za-z+_]+)((/psm(?P<psm>\d+))|(/med(?P<median>\d+))"
    r"|(/x(?P<scale>[\d.]+))|(/dpi(?P<dpi>\d+))|(?P<junk>/junk)|(?P<lex>/lex)|(?P<kos>/kos))*"
)


def squeeze(text: str) -> str:
    """What the comparison sees: normalised (្ដ/្ត folded, digits ASCII), no whitespace, the
    subscript ro after another subscript (ស្ត្រ and ស្រ្ត render alike; OCR writes either), and
    marks that print alike written alike (OCR writes ':' for ៖, any dash for '-'), no
    separators inside numbers (the criminal code's Limon S5 draws the `.` of ១០០.០០០ blank) and
    no hyphen where a word breaks at a line end (Word's text layer has U+0002 there, which the
    conversion leaves out: ប្រ-/កាន់ is ប្រកាន់). Lines that hold only a number are left out:
    they are page numbers, which the criminal code's text layer puts first and OCR reads last."""
    text = _LINE_END_HYPHEN.sub("", _NUMBER_LINE.sub("", khmer.normalize(text)))
    text = re.sub(r"\s+", "", text).translate(_SAME_MARK)
    return _RO_FIRST.sub(r"\2\1", _DIGIT_GROUPS.sub("", text))


_RO_FIRST = re.compile("(\u17d2\u179a)(\u17d2[\u1780-\u17a2])")
_LINE_END_HYPHEN = re.compile("(?<=[\u1780-\u17dd]) ?[-\u2010-\u2014] ?\n(?=[\u1780-\u17ff])")
_NUMBER_LINE = re.compile(r"(?m)^[-\u2010-\u2014 .]*[0-9]+[-\u2010-\u2014 .]*$")
_DIGIT_GROUPS = re.compile(r"(?<=[0-9])[.,](?=[0-9])")
_SAME_MARK = str.maketrans(
    {":": "\u17d6", **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2212", "-")}
)

#: Pages that OCR reads in a display font it does not know, or in another order than their
#: text layer (signature blocks side by side), looked at by hand: also reported without them.
SET_APART: dict[tuple[str, int], str] = {
    (FILES[0], 1): "title page in a display font",
    (FILES[0], 35): "the national anthem in a display font",
    (FILES[0], 57): "signature blocks side by side, read in another order",
    (FILES[1], 1): "cover in a display font",
    (FILES[1], 2): "title page in a display font",
    (FILES[1], 44): "back page (printer, year) in a display font",
    (FILES[4], 247): "signature page, its text layer in another order than OCR reads it",
}
#: ``/kos``: the converted text itself rendered in this Unicode font, the control that shows
#: what OCR gets wrong on text known exactly.
KHMER_OS = Path("/usr/share/fonts/truetype/khmeros/KhmerOS.ttf")
KHMER_OS_POINTS = 14


@dataclass(frozen=True)
class Reading:
    """How the bench OCRs a page: a render at ``dpi`` read by ``recipe`` (raw Tesseract)."""

    spec: str
    recipe: ocr.Recipe
    dpi: int
    khmer_os: bool = False  # read the converted text rendered in Khmer OS instead of the page

    @classmethod
    def parse(cls, spec: str) -> Reading:
        match = _RECIPE.fullmatch(spec)
        if not match:
            raise SystemExit(f"--ocr {spec!r}: write it as LANG/psmN/medM/xS/dpiD, e.g. Khmer/psm6")
        found = match.groupdict()
        recipe = ocr.Recipe(
            lang=found["lang"],
            psm=int(found["psm"] or 6),
            median=int(found["median"] or 0),
            scale=float(found["scale"] or 1),
            drop_junk=bool(found["junk"]),
            lexicon=bool(found["lex"]),
            digits=False,
            orient=False,
        )
        return cls(spec, recipe, int(found["dpi"] or pdf.RENDER_DPI), bool(found["kos"]))

    def read(self, path: Path, number: int, converted: str) -> str:
        if self.khmer_os:
            image = _typeset(converted, self.dpi)
        else:
            image = pdf.render_page(path, number - 1, self.dpi)
        return ocr.read_image(image, self.recipe).text


def _typeset(text: str, dpi: int, width_inches: float = 7.0) -> Image.Image:
    """Text set in Khmer OS (shaped by raqm) on a page ``width_inches`` wide, its lines broken
    between clusters where they are too long."""
    size = round(KHMER_OS_POINTS * dpi / 72)
    font = ImageFont.truetype(str(KHMER_OS), size, layout_engine=ImageFont.Layout.RAQM)
    width, lines = round(width_inches * dpi), []
    for line in text.split("\n"):
        current = ""
        for start, end in khmer.clusters(line):
            if current and font.getlength(current + line[start:end]) > width:
                lines.append(current)
                current = ""
            current += line[start:end]
        lines.append(current)
    margin, step = dpi // 2, 2 * size
    image = Image.new("L", (width + 2 * margin, step * len(lines) + 2 * margin), 255)
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(lines):
        draw.text((margin, margin + i * step), line, font=font, fill=0)
    return image


def _read_one(job: tuple[Reading, Path, int, str]) -> tuple[int, str]:
    reading, path, number, converted = job
    return number, reading.read(path, number, converted)


class FreshOcr:
    """Pages OCR'd now, by one recipe, kept in an optional cache keyed by recipe and file."""

    def __init__(self, reading: Reading, cache: Path | None, jobs: int) -> None:
        self.reading, self.jobs = reading, jobs
        # the control's image depends on the converted text, which the cache's key does not hold
        self.cache = sqlite3.connect(cache) if cache and not reading.khmer_os else None
        if self.cache:
            self.cache.execute(
                "CREATE TABLE IF NOT EXISTS ocr (recipe TEXT, hash TEXT, page INTEGER, "
                "text TEXT, PRIMARY KEY (recipe, hash, page))"
            )
        self.done = 0
        self.started = time.perf_counter()

    def texts(self, path: Path, content_hash: str, converted: dict[int, str]) -> dict[int, str]:
        numbers, known = list(converted), {}
        if self.cache:
            rows = self.cache.execute(
                "SELECT page, text FROM ocr WHERE recipe = ? AND hash = ?",
                (self.reading.spec, content_hash),
            )
            known = {page: text for page, text in rows if page in numbers}
        todo = [(self.reading, path, n, text) for n, text in converted.items() if n not in known]
        with multiprocessing.Pool(self.jobs) as workers:
            for number, text in workers.imap_unordered(_read_one, todo):
                known[number] = text
                if self.cache:
                    self.cache.execute(
                        "INSERT OR REPLACE INTO ocr VALUES (?, ?, ?, ?)",
                        (self.reading.spec, content_hash, number, text),
                    )
                    self.cache.commit()
                self.done += 1
                if self.done % 10 == 0:
                    elapsed = time.perf_counter() - self.started
                    print(
                        f"  ocr: {self.done} pages in {elapsed:.0f} s", file=sys.stderr, flush=True
                    )
        return known


class StoredOcr:
    """The OCR an older pipeline stored (the wave-1 store)."""

    def __init__(self, store: Path) -> None:
        self.store = sqlite3.connect(f"file:{store}?mode=ro", uri=True)

    def texts(self, path: Path, content_hash: str, converted: dict[int, str]) -> dict[int, str]:
        rows = self.store.execute(
            "SELECT page, text FROM pages WHERE hash = ? AND method = 'ocr'", (content_hash,)
        )
        return {page: text for page, text in rows if page in converted}


@dataclass
class Agreement:
    """Edit distance of converted text to OCR, summed over pages."""

    distance: int = 0
    length: int = 0
    khmer_distance: int = 0
    khmer_length: int = 0
    pages: int = 0

    def add(self, mine: str, theirs: str) -> int:
        d = Levenshtein.distance(mine, theirs)
        kh_mine, kh_theirs = _khmer_letters(mine), _khmer_letters(theirs)
        self.distance += d
        self.length += len(mine)
        self.khmer_distance += Levenshtein.distance(kh_mine, kh_theirs)
        self.khmer_length += len(kh_mine)
        self.pages += 1
        return d

    def __str__(self) -> str:
        if not self.length:
            return "no pages"
        return (
            f"{1 - self.distance / self.length:.4f} of {self.length} characters, "
            f"{self.pages} pages (Khmer letters and signs only: "
            f"{1 - self.khmer_distance / max(1, self.khmer_length):.4f})"
        )


def _sample(numbers: list[int], per_file: int) -> list[int]:
    """``per_file`` pages spread evenly over a file's legacy pages (all of them when 0)."""
    if not per_file or per_file >= len(numbers):
        return numbers
    step = len(numbers) / per_file
    return [numbers[int(step * (i + 0.5))] for i in range(per_file)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--ocr", help="OCR the pages now by this recipe: LANG/psmN/medM/xS/dpiD")
    source.add_argument("--ocr-store", type=Path, help="read the OCR of an older store")
    parser.add_argument("--cache", type=Path, help="sqlite file that keeps --ocr readings")
    parser.add_argument("--per-file", type=int, default=0, help="pages a file (0: all)")
    parser.add_argument("--jobs", type=int, default=1, help="Tesseract processes at once")
    parser.add_argument("--show", type=int, default=25, help="confusions to list")
    args = parser.parse_args()
    if args.ocr:
        reader = FreshOcr(Reading.parse(args.ocr), args.cache, args.jobs)
        print(f"OCR: {args.ocr} (Tesseract on a pypdfium2 render; see the recipe grammar above)")
    else:
        reader = StoredOcr(args.ocr_store)
        print(f"OCR: stored in {args.ocr_store}")
    quality.assess("ក" * 40)  # load the gate's lexicon (khmercut's model) before timing

    pages = converted = all_pages = 0
    seconds = 0.0
    pooled, kept = Agreement(), Agreement()
    per_file: dict[str, Agreement] = {}
    confusions: Counter[tuple[str, str]] = Counter()
    worst = []
    failed = []
    texts_1993 = []
    for name in FILES:
        path = CORPUS / "pdf" / name
        started = time.process_time()
        conversions = legacy.convert_document(path)
        verdicts = {n: quality.assess(c.text) for n, c in conversions.items()}
        seconds += time.process_time() - started
        all_pages += len(conversions)
        if name == FILES[0]:
            texts_1993 = [c.text for _, c in sorted(conversions.items())]
        numbers = sorted(n for n, c in conversions.items() if c.legacy_chars >= MIN_LEGACY_CHARS)
        for number in numbers:
            if not verdicts[number].ok:
                failed.append(f"{name} p{number}: {verdicts[number].reason}")
        pages += len(numbers)
        file_ok = sum(verdicts[n].ok for n in numbers)
        converted += file_ok
        print(f"{name}: {len(numbers)} legacy pages, {file_ok} converted", flush=True)
        content_hash = hashlib.sha256(path.read_bytes()).hexdigest()
        sample = {n: conversions[n].text for n in _sample(numbers, args.per_file)}
        ocr_texts = reader.texts(path, content_hash, sample)
        agreement = per_file.setdefault(name, Agreement())
        for number, text in sorted(ocr_texts.items()):
            mine, theirs = squeeze(conversions[number].text), squeeze(text)
            d = pooled.add(mine, theirs)
            agreement.add(mine, theirs)
            if (name, number) not in SET_APART:
                kept.add(mine, theirs)
            worst.append((d / max(1, len(mine)), name, number))
            for op in Levenshtein.editops(mine, theirs):
                a = mine[op.src_pos] if op.tag != "insert" else ""
                b = theirs[op.dest_pos] if op.tag != "delete" else ""
                confusions[(a, b)] += 1

    print(
        f"\nlegacy pages: {pages}; converted (gate passed): {converted} ({converted / pages:.1%})"
    )
    for line in failed:
        print(f"  not converted: {line}")
    print(
        f"conversion speed: {all_pages} pages with legacy text in {seconds:.2f} s of CPU = "
        f"{all_pages / seconds:.0f} pages/s (pdfium runs + tables + reordering + gate)"
    )
    print(f"agreement with OCR: {pooled}")
    apart = [key for key in SET_APART if any(key == (n, p) for _, n, p in worst)]
    print(f"  without the {len(apart)} pages set apart (SET_APART): {kept}")
    for name, number in apart:
        print(f"    {name} p{number}: {SET_APART[(name, number)]}")
    for name, agreement in per_file.items():
        print(f"  {name}: {agreement}")
    print("most frequent differences (converted -> OCR):")
    for (a, b), n in confusions.most_common(args.show):
        print(f"  {a or '∅'!r} -> {b or '∅'!r}: {n}")
    print("pages furthest from OCR:")
    for share, name, number in sorted(worst, reverse=True)[:15]:
        print(f"  {name} p{number}: {share:.3f}")
    _constitution("\n".join(texts_1993))


def _khmer_letters(text: str) -> str:
    """Khmer letters, vowels and signs only: punctuation, digits and OCR's Latin crumbs out."""
    return "".join(ch for ch in text if "\u1780" <= ch <= "\u17d3")


def _articles(text: str) -> dict[int, tuple[bool, str]]:
    """Article number → (amended, its text), the first occurrence of each heading."""
    text = khmer.fold(text)
    found: dict[int, tuple[bool, str]] = {}
    matches = list(_ARTICLE.finditer(text))
    for match, following in zip(matches, [*matches[1:], None], strict=True):
        number = int(match.group(1))
        end = following.start() if following else len(text)
        found.setdefault(number, (bool(match.group(2)), squeeze(text[match.end() : end])))
    return found


def _constitution(text_1993: str) -> None:
    """The 1993 constitution (as amended in 1999) against the 2015 text, article by article."""
    old = _articles(text_1993)
    new = _articles(CLEAN_2015.read_text("utf-8"))
    common = sorted(set(old) & set(new))
    similar = {n: 1 - Levenshtein.normalized_distance(old[n][1], new[n][1]) for n in common}
    values = sorted(similar.values())
    near = sum(v >= 0.95 for v in values)
    same = sum(v == 1.0 for v in values)
    print(
        f"\n1993 constitution vs 2015 clean text: {len(old)} articles found, {len(new)} in 2015, "
        f"{len(common)} matched by number"
    )
    print(
        f"  similarity median {values[len(values) // 2]:.4f}; identical {same}; "
        f">= 0.95: {near} ({near / len(values):.0%}); < 0.8: {sum(v < 0.8 for v in values)}"
    )
    print("  articles below 0.95 (number, similarity, amended in the 1993 file / in 2015):")
    for n in common:
        if similar[n] < 0.95:
            print(f"    {n}: {similar[n]:.3f} ({old[n][0]}/{new[n][0]})")


if __name__ == "__main__":
    main()
