"""Khmer digits ៤ and ៨ re-read by the model that tells them apart.

Debian's Khmer *script* model reads Gazette pages best overall, but it reads ៤ as ៨ in dates and
numbers (ឆ្នាំ ១៩៩៤ as ១៩៩៨, ២០០៤ as ២០០៨), and a year or an instrument number is exactly what a
researcher searches and sorts by. The `khm` model reads those digits right and the rest worse
(bench/RESULTS.md). So the words that hold either digit are cut out of the page, stacked into
one small image, read once more by `khm`, and only the ៤/៨ of the first reading change.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PIL import Image

from indexer.extract import words
from indexer.extract.words import Word

CONFUSED = {"\u17e4", "\u17e8"}  # ៤ ៨
KHMER_DIGITS = {chr(code) for code in range(0x17E0, 0x17EA)}
REREAD_LANG = "khm"
PAD = 6  # pixels kept round a word, so that its strokes are whole
ENLARGE = 2.0  # crops are read twice as large: khm misreads small digits too
GAP = 30  # white pixels between stacked words, so that Tesseract keeps them on their own lines

#: Reads an image with Tesseract in a language; gives its TSV and Tesseract's seconds.
ReadTsv = Callable[[Image.Image, str], tuple[str, float]]


def wanted(lang: str) -> bool:
    """Whether a reading in ``lang`` needs the second look (a reading by khm has had it)."""
    return REREAD_LANG not in lang.split("+")


def correct(found: list[Word], image: Image.Image, read_tsv: ReadTsv) -> tuple[list[Word], float]:
    """``found`` (boxes in ``image``'s pixels) with ៤/៨ taken from the second reading; and the
    seconds Tesseract took (0 when no word holds either digit)."""
    suspects = suspect_words(found)
    if not suspects:
        return found, 0.0
    stack, spans = _stack([found[i] for i in suspects], image)
    tsv, seconds = read_tsv(stack, REREAD_LANG)
    second = _texts_by_span(tsv, spans)
    corrected = list(found)
    for i, text in zip(suspects, second, strict=True):
        fixed = _swap_confused(found[i].text, text)
        if fixed != found[i].text:
            corrected[i] = replace(found[i], text=fixed)
    return corrected, seconds


def suspect_words(found: list[Word]) -> list[int]:
    """Indexes of the words that hold ៤ or ៨, which the second reading looks at."""
    return [i for i, word in enumerate(found) if CONFUSED & set(word.text)]


def _stack(chosen: list[Word], image: Image.Image) -> tuple[Image.Image, list[tuple[int, int]]]:
    """The words' crops one under another on white, and each crop's rows in the stack."""
    crops = [
        image.crop(
            (
                max(0, word.x0 - PAD),
                max(0, word.y0 - PAD),
                min(image.width, word.x1 + PAD),
                min(image.height, word.y1 + PAD),
            )
        )
        for word in chosen
    ]
    crops = [
        crop.resize((round(crop.width * ENLARGE), round(crop.height * ENLARGE)), Image.BICUBIC)
        for crop in crops
    ]
    width = max(crop.width for crop in crops) + 2 * GAP
    height = sum(crop.height for crop in crops) + GAP * (len(crops) + 1)
    stack = Image.new("L", (width, height), 255)
    spans, top = [], GAP
    for crop in crops:
        stack.paste(crop, (GAP, top))
        spans.append((top, top + crop.height))
        top += crop.height + GAP
    return stack, spans


def _texts_by_span(tsv: str, spans: list[tuple[int, int]]) -> list[str]:
    """The second reading's text of each crop: its words whose middle lies in the crop's rows,
    left to right."""
    pieces: list[list[tuple[int, str]]] = [[] for _ in spans]
    for word in words.parse_tsv(tsv):
        middle = (word.y0 + word.y1) // 2
        for index, (start, end) in enumerate(spans):
            if start - GAP // 2 <= middle < end + GAP // 2:
                pieces[index].append((word.x0, word.text))
                break
    return ["".join(text for _, text in sorted(found)) for found in pieces]


def _swap_confused(first: str, second: str) -> str:
    """``first`` with each ៤ or ៨ replaced by the digit ``second`` reads there (the script
    model also reads ៩ as ៤: ១៩៤៤ for ១៩៩៤); its other digits are kept. Digits are matched by
    their order; when the readings hold different numbers of Khmer digits they do not say the
    same thing and ``first`` stays as it is."""
    positions = [i for i, char in enumerate(first) if char in KHMER_DIGITS]
    others = [char for char in second if char in KHMER_DIGITS]
    if len(positions) != len(others):
        return first
    chars = list(first)
    for position, other in zip(positions, others, strict=True):
        if chars[position] in CONFUSED:
            chars[position] = other
    return "".join(chars)
