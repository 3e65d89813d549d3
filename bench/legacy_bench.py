"""Legacy-font conversion on the real Limon files: coverage, agreement with OCR, speed.

    python bench/legacy_bench.py --ocr-store COPY_OF_WAVE1/store.sqlite [--show N]

For every page of the five Limon-typeset files whose text is in a legacy font (at least
MIN_LEGACY_CHARS characters in Limon/ABC fonts): is it converted (does the gate pass it), how
far is its converted text from the OCR of the same page (the wave-1 store: khm+eng psm 6 at
300 dpi, read-only, so pass a copy), how fast is conversion; then the 1993 constitution
against the 2015 hand-cleaned text, article by article.
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sqlite3
import sys
import time
from collections import Counter
from pathlib import Path

from rapidfuzz.distance import Levenshtein

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from indexer.extract import legacy, quality  # noqa: E402
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


def squeeze(text: str) -> str:
    """What the comparison sees: normalised (្ដ/្ត folded, digits ASCII), no whitespace, the
    subscript ro after another subscript (ស្ត្រ and ស្រ្ត render alike; OCR writes either)."""
    return _RO_FIRST.sub(r"\2\1", re.sub(r"\s+", "", khmer.normalize(text)))


_RO_FIRST = re.compile("(\u17d2\u179a)(\u17d2[\u1780-\u17a2])")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ocr-store", type=Path, required=True)
    parser.add_argument("--show", type=int, default=25, help="confusions to list")
    args = parser.parse_args()
    ocr = sqlite3.connect(f"file:{args.ocr_store}?mode=ro", uri=True)
    quality.assess("ក" * 40)  # load the gate's lexicon (khmercut's model) before timing

    pages = converted = all_pages = 0
    seconds = 0.0
    distance = length = 0
    khmer_distance = khmer_length = 0
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
        content_hash = hashlib.sha256(path.read_bytes()).hexdigest()
        ocr_pages = dict(
            ocr.execute(
                "SELECT page, text FROM pages WHERE hash = ? AND method = 'ocr'", (content_hash,)
            )
        )
        file_pages = file_ok = 0
        for number, conversion in sorted(conversions.items()):
            if name == FILES[0]:
                texts_1993.append(conversion.text)
            if conversion.legacy_chars < MIN_LEGACY_CHARS:
                continue
            file_pages += 1
            file_ok += verdicts[number].ok
            if not verdicts[number].ok:
                failed.append(f"{name} p{number}: {verdicts[number].reason}")
            if number not in ocr_pages:
                continue
            mine, theirs = squeeze(conversion.text), squeeze(ocr_pages[number])
            d = Levenshtein.distance(mine, theirs)
            distance, length = distance + d, length + len(mine)
            worst.append((d / max(1, len(mine)), name, number))
            kh_mine, kh_theirs = _khmer_letters(mine), _khmer_letters(theirs)
            khmer_distance += Levenshtein.distance(kh_mine, kh_theirs)
            khmer_length += len(kh_mine)
            for op in Levenshtein.editops(mine, theirs):
                a = mine[op.src_pos] if op.tag != "insert" else ""
                b = theirs[op.dest_pos] if op.tag != "delete" else ""
                confusions[(a, b)] += 1
        pages += file_pages
        converted += file_ok
        print(f"{name}: {file_pages} legacy pages, {file_ok} converted")

    print(
        f"\nlegacy pages: {pages}; converted (gate passed): {converted} ({converted / pages:.1%})"
    )
    for line in failed:
        print(f"  not converted: {line}")
    print(
        f"conversion speed: {all_pages} pages with legacy text in {seconds:.2f} s of CPU = "
        f"{all_pages / seconds:.0f} pages/s (pdfium runs + tables + reordering + gate)"
    )
    print(
        f"agreement with OCR: {1 - distance / length:.4f} of {length} characters "
        f"(Khmer letters and signs only: {1 - khmer_distance / khmer_length:.4f})"
    )
    print("most frequent differences (converted -> OCR):")
    for (a, b), n in confusions.most_common(args.show):
        print(f"  {a or '∅'!r} -> {b or '∅'!r}: {n}")
    print("pages furthest from OCR:")
    for share, name, number in sorted(worst, reverse=True)[:8]:
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
