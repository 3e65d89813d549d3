"""The neural Khmer line recogniser that reads the text Tesseract has found (recipe r5).

`khmer-ocr-ocm` 0.1.0 (MIT): a CRNN + BiLSTM + CTC model trained on line images 48 pixels
high, its weights inside the wheel (no download at run time). On the Gazette pages it reads
Khmer with a third of Tesseract's errors (bench/RESULTS.md, issue 22). It has no detector of
its own: it is given pieces of Tesseract's lines (indexer/extract/pieces.py). Loaded once per
worker process and single-threaded, like Tesseract; on a CPU with bfloat16 matrix units (AMX,
AVX512-BF16) it runs in bfloat16, 4x faster than float32 at the same error rate. torch is
imported only when a page is first read, so text-layer work and the website never load it.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import sys
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from indexer.errors import OcrUnavailable

HEIGHT = 48  # the model's input height; widths may vary (a piece is read at its own aspect)
STRIDE = 4  # input columns per output step of the model
#: Pieces read at once: batch 8 costs the least CPU a page (1: 1.6x, 32: 1.4x; bench/RESULTS.md)
#: and keeps the activations of a batch of long pieces under 100 MB.
BATCH = 8
#: At most this many input columns in a batch once padded (8 pieces of 768): the activations
#: of a batch stay under about 150 MB however wide its pieces.
BATCH_COLUMNS = 8 * 768
#: A batch is padded to a multiple of this width: fewer shapes for oneDNN to build and keep
#: kernels for (a worker's peak memory 755 MB with any width, 674 MB with this; bench/RESULTS.md).
WIDTH_STEP = 64
KERNELS_KEPT = 16  # oneDNN kernels kept for input shapes met before
NOT_INSTALLED = (
    "The neural Khmer recogniser (khmer-ocr-ocm, with torch) is not installed: install "
    "ddsearch with its dependencies (README, 'Set up'), or index with --ocr never."
)


@dataclass(frozen=True)
class LineReading:
    """What the model read in one crop: the text, and for each character the x position (in
    the crop's pixels) of the output step that gave it and the model's probability of it."""

    text: str
    positions: tuple[float, ...]
    probabilities: tuple[float, ...]


@dataclass
class Recogniser:
    model: object  # the torch module
    vocabulary: dict[int, str]
    bfloat16: bool

    def read(self, crops: list[np.ndarray], batch: int = BATCH) -> list[LineReading]:
        """Read grayscale crops (uint8, text dark on light), widest last so that a batch is
        padded little; the readings come back in the crops' order."""
        import torch

        inputs = [_model_input(crop) for crop in crops]
        order = sorted(range(len(inputs)), key=lambda i: inputs[i].shape[1])
        readings: list[LineReading | None] = [None] * len(inputs)
        with torch.inference_mode():
            for chosen in _batches(order, [inputs[i].shape[1] for i in order], batch):
                width = _padded(inputs[chosen[-1]].shape[1])
                stacked = np.ones((len(chosen), 1, HEIGHT, width), np.float32)  # white
                for row, i in enumerate(chosen):
                    stacked[row, 0, :, : inputs[i].shape[1]] = inputs[i]
                tensor = torch.from_numpy(stacked)
                if self.bfloat16:
                    tensor = tensor.to(torch.bfloat16).contiguous(memory_format=torch.channels_last)
                best, classes = self.model(tensor).float().softmax(2).max(2)  # (steps, batch)
                for row, i in enumerate(chosen):
                    steps = inputs[i].shape[1] // STRIDE
                    scale = crops[i].shape[0] / HEIGHT
                    readings[i] = self._decode(
                        classes[:steps, row].tolist(), best[:steps, row].tolist(), scale
                    )
        return readings

    def _decode(self, classes: list[int], best: list[float], scale: float) -> LineReading:
        """Greedy CTC: a class repeated over steps is one character, class 0 is no character."""
        chars, positions, probabilities = [], [], []
        previous = 0
        for step, (label, probability) in enumerate(zip(classes, best, strict=True)):
            if label and label != previous:
                chars.append(self.vocabulary.get(label, ""))
                positions.append((step + 1) * STRIDE * scale)
                probabilities.append(probability)
            previous = label
        return LineReading("".join(chars), tuple(positions), tuple(probabilities))


def _padded(width: int) -> int:
    return -(-width // WIDTH_STEP) * WIDTH_STEP


def _batches(order: list[int], widths: list[int], batch: int) -> list[list[int]]:
    """Consecutive runs of ``order`` (sorted by width) of at most ``batch`` inputs and at most
    BATCH_COLUMNS columns once padded: a batch of very wide pieces (a rule read as one long
    word) is smaller, so a worker's memory stays bounded."""
    batches: list[list[int]] = []
    for index, width in zip(order, widths, strict=True):
        last = batches[-1] if batches else None
        if last and len(last) < batch and _padded(width) * (len(last) + 1) <= BATCH_COLUMNS:
            last.append(index)
        else:
            batches.append([index])
    return batches


def _model_input(crop: np.ndarray) -> np.ndarray:
    """The crop scaled to the model's height at its own aspect, as the model was trained:
    gray values mapped to -1 (black) .. 1 (white)."""
    import cv2

    height, width = crop.shape
    size = (max(4 * STRIDE, round(width * HEIGHT / height)), HEIGHT)
    scaled = cv2.resize(crop, size, interpolation=cv2.INTER_AREA)
    return scaled.astype(np.float32) / 127.5 - 1.0


def check_installed() -> None:
    """Fail early, with what to do, when the recogniser or torch is missing (without loading
    either: torch takes seconds to import)."""
    if not all(importlib.util.find_spec(name) for name in ("khmer_ocr_ocm", "torch")):
        raise OcrUnavailable(NOT_INSTALLED)


@cache
def recogniser() -> Recogniser:
    """The model, loaded once per process (0.3 s; torch itself takes 225 MB)."""
    # oneDNN keeps kernels for every input shape it has met (1,024 by default): a worker's
    # memory grew to 1.04 GB over the corpus; 16 hold it near 640 MB at no measurable CPU
    # (bench/RESULTS.md). Read when oneDNN first builds a kernel, so set before any reading.
    os.environ.setdefault("ONEDNN_PRIMITIVE_CACHE_CAPACITY", str(KERNELS_KEPT))
    try:
        import torch
        from khmer_ocr_ocm.inference import load_model, load_vocab
    except ImportError:
        raise OcrUnavailable(NOT_INSTALLED) from None
    torch.set_num_threads(1)  # one per worker process, like Tesseract
    vocabulary = load_vocab()
    model = load_model(device="cpu", num_classes=max(vocabulary) + 1)
    bfloat16 = has_bfloat16_units()
    if bfloat16:
        model = model.to(torch.bfloat16).to(memory_format=torch.channels_last)
    return Recogniser(model, vocabulary, bfloat16)


def has_bfloat16_units(cpuinfo: Path = Path("/proc/cpuinfo")) -> bool:
    """Whether this CPU multiplies bfloat16 matrices in hardware (elsewhere bfloat16 would be
    emulated and slower than float32)."""
    try:
        flags = next(
            (line for line in cpuinfo.read_text().splitlines() if line.startswith("flags")), ""
        )
    except OSError:
        return False
    return bool({"amx_bf16", "avx512_bf16"} & set(flags.split()))


def read(crops: list[np.ndarray]) -> tuple[list[LineReading], float]:
    """Read the crops with the process's recogniser; the readings and the seconds it took."""
    started = time.perf_counter()
    readings = recogniser().read(crops) if crops else []
    _give_back_memory()
    return readings, time.perf_counter() - started


_libc = ctypes.CDLL(None) if sys.platform == "linux" else None


def _give_back_memory() -> None:
    """Return the freed activations of a page to the system (glibc keeps them otherwise, and a
    worker's memory grows page after page by the different sizes of its batches: 700 MB after
    30 pages, 440 MB with this)."""
    if _libc is not None and hasattr(_libc, "malloc_trim"):
        _libc.malloc_trim(0)
