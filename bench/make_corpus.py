"""Reproducible synthetic D&D library for the search benchmark.

Khmer pages are sentences of real Khmer words drawn with their real frequencies from the
gold-segmented news in ../shared/corpus/segmentation (so cluster and bigram statistics are
realistic); English pages likewise from the English law translations in ../shared/corpus/text/en.
Document i depends only on (seed, i), so any document can be regenerated on its own.

    python bench/make_corpus.py --docs 3 --show    # print a sample
    python bench/make_corpus.py --docs 500 --data DIR   # a data folder to time `rebuild` on

A data folder holds the library in its store and library state, as `ddsearch index` leaves
them (no files, no OCR): `ddsearch rebuild --index DIR` then builds the index from it.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import zipfile
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from indexer.config import DataDir
from indexer.library import opened
from indexer.model import Document, Page
from indexer.text.khmer import clean

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
KHMER_WORD = re.compile("[\u1780-\u17d3\u17dd]+")
ENGLISH_WORD = re.compile(r"[A-Za-z][a-z]+(?:-[a-z]+)?")
KHMER_DIGITS = str.maketrans("0123456789", "០១២៣៤៥៦៧៨៩")
LANGUAGE_MIX = (("km", 0.55), ("en", 0.35), ("bilingual", 0.10))


@dataclass
class Vocabulary:
    words: list[str]
    cumulative: list[float]

    def sample(self, rng: random.Random, k: int) -> list[str]:
        return rng.choices(self.words, cum_weights=self.cumulative, k=k)


def _vocabulary(counts: Counter) -> Vocabulary:
    words = sorted(counts, key=lambda w: (-counts[w], w))
    cumulative, total = [], 0
    for word in words:
        total += counts[word]
        cumulative.append(total)
    return Vocabulary(words, cumulative)


@cache
def khmer_vocabulary() -> Vocabulary:
    counts: Counter = Counter()
    with zipfile.ZipFile(CORPUS / "segmentation/kh_data_500.zip") as archive:
        for name in sorted(archive.namelist()):
            if name.endswith("_seg.txt"):
                words = archive.read(name).decode().split()
                counts.update(w for w in words if KHMER_WORD.fullmatch(w))
    return _vocabulary(counts)


@cache
def english_vocabulary() -> Vocabulary:
    counts: Counter = Counter()
    for path in sorted((CORPUS / "text/en").glob("*.txt")):
        counts.update(w.lower() for w in ENGLISH_WORD.findall(path.read_text()))
    return _vocabulary(counts)


@cache
def instrument_types() -> list[dict]:
    data = json.loads((REPO / "indexer/data/instrument_types.json").read_text())
    return data["types"]


def khmer_sentences(rng: random.Random, chars: int) -> list[list[str]]:
    """Sentences of 8-30 words until about ``chars`` characters; numbers in Khmer digits."""
    sentences, length = [], 0
    while length < chars:
        words = khmer_vocabulary().sample(rng, rng.randint(8, 30))
        if rng.random() < 0.2:
            words.insert(
                rng.randrange(len(words)), str(rng.randint(1, 2025)).translate(KHMER_DIGITS)
            )
        sentences.append(words)
        length += sum(map(len, words))
    return sentences


def english_sentences(rng: random.Random, chars: int) -> list[list[str]]:
    sentences, length = [], 0
    while length < chars:
        words = english_vocabulary().sample(rng, rng.randint(8, 30))
        if rng.random() < 0.2:
            words.insert(rng.randrange(len(words)), str(rng.randint(1, 2025)))
        sentences.append(words)
        length += sum(map(len, words)) + len(words)
    return sentences


def page_text(language: str, sentences: list[list[str]]) -> str:
    """Khmer: words run together, phrases spaced, sentences ended by ។ (clean() then removes
    spaces between Khmer letters, as it does for extracted text). English: plain sentences."""
    if language == "km":
        return clean("\n".join(" ".join(words) + " ។" for words in sentences))
    return clean(" ".join(" ".join(words).capitalize() + "." for words in sentences))


def generate_document(index: int, seed: int = 1, pages_per_document: int = 20):
    """Document ``index`` of the library, and the word lists of its pages (for query making)."""
    rng = random.Random(f"{seed}:{index}")
    kind = rng.choices([k for k, _ in LANGUAGE_MIX], [w for _, w in LANGUAGE_MIX])[0]
    instrument = rng.choice(instrument_types())
    year = rng.randint(1993, 2025)
    page_count = rng.randint(1, 2 * pages_per_document - 1)
    pages, words = [], []
    for number in range(1, page_count + 1):
        language = kind if kind != "bilingual" else ("km" if number % 2 else "en")
        make = khmer_sentences if language == "km" else english_sentences
        sentences = make(rng, rng.randint(1200, 2800))
        pages.append(Page(number, page_text(language, sentences), "text", 1.0))
        words.append((language, sentences))
    subject_km = "".join(khmer_vocabulary().sample(rng, rng.randint(3, 8)))
    subject_en = " ".join(english_vocabulary().sample(rng, rng.randint(3, 8))).title()
    titles = {
        "km": f"{instrument['km']} ស្តីពី{subject_km}",
        "en": f"{instrument['en']} on {subject_en}",
    }
    title = titles["en" if kind == "en" else "km"]
    if kind == "bilingual":
        title += f" — {titles['en']}"
    document = Document(
        id=f"bench{index:05d}",
        content_hash=f"{seed}:{index}",
        paths=[f"bench/{instrument['key']}/{year}/{index:05d}.pdf"],
        pages=pages,
        title=clean(title),
        type=instrument["key"],
        year=year,
        number=f"{rng.randint(1, 300)} អនក្រ.បក" if kind != "en" else f"No. {rng.randint(1, 300)}",
        languages=["km", "en"] if kind == "bilingual" else [kind],
        fingerprint=f"{seed}:{index}",
    )
    return document, words


def generate(documents: int, seed: int = 1, pages_per_document: int = 20):
    """The whole library, one Document at a time."""
    for index in range(documents):
        yield generate_document(index, seed, pages_per_document)[0]


def write_data_folder(
    folder: Path, documents: int, seed: int = 1, pages_per_document: int = 20
) -> None:
    """The library in a data folder's store and state, one transaction per document."""
    with opened(DataDir(folder)) as (library, store):
        for doc in generate(documents, seed, pages_per_document):
            content_hash = hashlib.sha256(doc.content_hash.encode()).hexdigest()
            store.begin_file(content_hash, len(doc.pages), [])
            for page in doc.pages:
                store.put_page(content_hash, page)
            store.finish_file(content_hash)
            detected = {
                "title": doc.title,
                "type": doc.type,
                "year": doc.year,
                "number": doc.number,
                "languages": doc.languages,
            }
            with library.transaction():
                doc_id = library.issue_id(content_hash, 0.0, detected)
                library.set_file(f"/library/{doc.paths[0]}", doc_id, 1, 0, content_hash)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--show", action="store_true", help="print the first page of each")
    parser.add_argument("--data", type=Path, help="write the library to this data folder")
    args = parser.parse_args()
    if args.data:
        write_data_folder(args.data, args.docs, args.seed)
    pages = chars = 0
    for doc in generate(args.docs, args.seed):
        pages += len(doc.pages)
        chars += sum(len(page.text) for page in doc.pages)
        if args.show:
            print(doc.id, doc.type, doc.year, doc.languages, doc.title)
            print(doc.pages[0].text[:400], "\n")
    print(f"{args.docs} documents, {pages} pages, {chars / 1e6:.1f} M characters")


if __name__ == "__main__":
    main()
