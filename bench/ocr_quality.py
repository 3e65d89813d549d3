"""OCR quality benchmark (issues 12, 22): character error rate of OCR recipes on real pages.

    nice python bench/ocr_quality.py [--sets gazette,fixtures,sony,constitution,tune,check]
        [--recipes wave1,default,...] [--jobs 2] [--pages] [--dev DIR]

The sets ``tune`` and ``check`` are the halves of a development set: a folder (``--dev``,
by default bench/data/ocr_dev) with ``pages.tsv`` (name, pdf, page, half) and a
``NAME.gt.txt`` transcription per page, the pages read from their PDFs in
../shared/corpus/pdf as the index reads them. Tune on ``tune``; score ``check`` once a
recipe is fixed (bench/data/ocr_dev/README.md).

Every page is read by ``indexer.extract.pool.ocr_reading`` — the function the indexing workers
run — and scored on the text exactly as the store keeps it. Scoring follows
../shared/corpus/ocr_gt/gazette/README.md: NFC, whitespace and U+200B removed, ្ដ folded to
្ត on both sides; CER = Levenshtein / reference length, per page and pooled. "Khmer" scores
only the Khmer letters, vowels and signs (U+1780-U+17D3) of both sides. "Latin" counts Latin
words of the reading that the reference does not hold. The constitution pages' references
are a third-party OCR (Google Vision), so their figure is agreement, not accuracy. Seconds
are Tesseract's own, one single-threaded Tesseract per page, ``--jobs`` pages at a time.
"""

from __future__ import annotations

import argparse
import csv
import re
import time
import unicodedata
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

from rapidfuzz.distance import Levenshtein

from indexer.extract import ocr
from indexer.extract.pool import ocr_reading

REPO = Path(__file__).resolve().parents[1]
GT = REPO.parent / "shared" / "corpus" / "ocr_gt"
FIXTURES = REPO.parent / "shared" / "corpus" / "fixtures"
PDFS = REPO.parent / "shared" / "corpus" / "pdf"
DEV = REPO / "bench" / "data" / "ocr_dev"

_BASE = ocr.Recipe(
    median=0, scale=1, drop_junk=False, neural=False, lexicon=False, digits=False, orient=False
)
R4 = replace(ocr.DEFAULT_RECIPE, neural=False, digits=True)
RECIPES = {
    "wave1": replace(_BASE, lang="khm+eng"),
    "Khmer": _BASE,
    "Khmer+med3": replace(_BASE, median=3),
    "Khmer+med3+x0.85": replace(_BASE, median=3, scale=0.85),
    "…+junk": replace(_BASE, median=3, scale=0.85, drop_junk=True),
    "…+junk+lexicon": replace(R4, digits=False),
    "r4": R4,  # …+junk+lexicon+digits+orient
    "Khmer+khm r4": replace(R4, lang="Khmer+khm"),
    "khm r4": replace(R4, lang="khm"),
    # r5: Tesseract's words read again by the neural recogniser (issue 22)
    "neural raw": replace(_BASE, median=3, scale=0.85, neural=True),
    "neural+junk": replace(ocr.DEFAULT_RECIPE, lexicon=False, orient=False),
    "default": ocr.DEFAULT_RECIPE,  # r5: neural+junk+lexicon+orient
}


@dataclass(frozen=True)
class Sample:
    set: str
    name: str
    image: Path  # an image file, or a PDF whose ``page`` is read
    reference: Path
    page: int = 1


def dev_samples(folder: Path, half: str) -> list[Sample]:
    """The pages of one half of a development set, read from their PDFs."""
    with open(folder / "pages.tsv", encoding="utf-8") as table:
        rows = [row for row in csv.DictReader(table, delimiter="\t") if row["half"] == half]
    return [
        Sample(
            half, row["name"], PDFS / row["pdf"], folder / f"{row['name']}.gt.txt", int(row["page"])
        )
        for row in rows
    ]


def samples(sets: list[str], dev: Path = DEV) -> list[Sample]:
    found = []
    for half in ("tune", "check"):
        if half in sets:
            found += dev_samples(dev, half)
    if "gazette" in sets:
        for ref in sorted((GT / "gazette").glob("*.gt.txt")):
            found.append(
                Sample("gazette", ref.name[:-7], ref.with_name(ref.name[:-7] + ".png"), ref)
            )
    if "fixtures" in sets:
        for name, image in [
            ("khm_p1", "khm_p1.png"),
            ("khm_p2", "khm_p2.png"),
            ("khm_p1_scan", "khm_p1_scan.jpg"),
            ("eng_p1", "eng_p1.png"),
            ("mixed_p1", "mixed_p1.png"),
        ]:
            ref = FIXTURES / f"{name.removesuffix('_scan')}.gt.txt"
            found.append(Sample("fixtures", name, FIXTURES / image, ref))
    if "sony" in sets:
        sony = GT / "sony"
        found.append(
            Sample(
                "sony", "IMG_scan", sony / "IMG_20231230_102447_687.jpg", sony / "IMG_scan_gt.txt"
            )
        )
        found.append(
            Sample("sony", "picture5_photo", sony / "picture-5.jpg", sony / "picture5_photo_gt.txt")
        )
    if "constitution" in sets:
        for ref in sorted((GT / "constitution_2015").glob("*.gvision.md")):
            name = ref.name.removesuffix(".gvision.md")
            found.append(Sample("constitution", name, ref.with_name(name + ".png"), ref))
    return found


def norm(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"[\s\u200b]", "", text)
    return text.replace("\u17d2\u178a", "\u17d2\u178f")


def khmer_only(text: str) -> str:
    return "".join(ch for ch in text if "\u1780" <= ch <= "\u17d3")


def digits_only(text: str) -> str:
    """The page's digits in order, Khmer and Arabic as one: dates and numbers, which years and
    instrument numbers are read from."""
    return "".join(str(unicodedata.digit(ch)) for ch in text if ch.isdigit())


LATIN_WORD = re.compile(r"[A-Za-z]+")


@dataclass
class Score:
    errors: int = 0
    length: int = 0
    khmer_errors: int = 0
    khmer_length: int = 0
    digit_errors: int = 0
    digit_length: int = 0
    latin_extra: int = 0
    seconds: float = 0.0
    pages: int = 0

    def add(self, other: Score) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def cer(self) -> float:
        return self.errors / max(1, self.length)

    @property
    def khmer_cer(self) -> float:
        return self.khmer_errors / max(1, self.khmer_length)

    @property
    def digit_cer(self) -> float:
        return self.digit_errors / max(1, self.digit_length)


def score_page(sample: Sample, recipe: ocr.Recipe) -> tuple[Score, str]:
    text, reading = ocr_reading(sample.image, sample.page, recipe)
    reference = "".join(
        line for line in sample.reference.read_text("utf-8").splitlines(True) if "[?]" not in line
    )
    ref, hyp = norm(reference), norm(text)
    extra = Counter(LATIN_WORD.findall(text)) - Counter(LATIN_WORD.findall(reference))
    score = Score(
        errors=Levenshtein.distance(ref, hyp),
        length=len(ref),
        khmer_errors=Levenshtein.distance(khmer_only(ref), khmer_only(hyp)),
        khmer_length=len(khmer_only(ref)),
        digit_errors=Levenshtein.distance(digits_only(ref), digits_only(hyp)),
        digit_length=len(digits_only(ref)),
        latin_extra=sum(extra.values()),
        seconds=sum(reading.seconds),
        pages=1,
    )
    return score, text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", default="gazette,fixtures,sony,constitution")
    parser.add_argument("--recipes", default=",".join(RECIPES))
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--pages", action="store_true", help="Print every page's CER too.")
    parser.add_argument("--dev", type=Path, default=DEV, help="A development set's folder.")
    args = parser.parse_args()
    chosen = samples(args.sets.split(","), args.dev)
    print("| recipe | set | pages | CER | CER Khmer | CER digits | Latin not in ref | s/page |")
    print("|---|---|---|---|---|---|---|---|")
    for label in args.recipes.split(","):
        recipe = RECIPES[label]
        started = time.perf_counter()
        with ThreadPoolExecutor(args.jobs) as pool:
            results = list(pool.map(score_page, chosen, [recipe] * len(chosen)))
        wall = time.perf_counter() - started
        totals: dict[str, Score] = {}
        for sample, (score, _) in zip(chosen, results, strict=True):
            totals.setdefault(sample.set, Score()).add(score)
            if args.pages:
                print(
                    f"|   {label} | {sample.name} | 1 | {score.cer:.3f} | {score.khmer_cer:.3f} "
                    f"| {score.digit_cer:.3f} | {score.latin_extra} | {score.seconds:.2f} |"
                )
        for name, total in totals.items():
            print(
                f"| {label} | {name} | {total.pages} | {total.cer:.4f} | {total.khmer_cer:.4f} "
                f"| {total.digit_cer:.3f} | {total.latin_extra} "
                f"| {total.seconds / total.pages:.2f} |"
            )
        print(f"<!-- {label}: {recipe.version}; wall {wall:.0f} s for {len(chosen)} pages -->")


if __name__ == "__main__":
    main()
