"""Precision of tolerant search (issue 14) on clean text: does it flood the results?

Indexes the clean documents the tests use (the Unicode-PDF speech, the hand-cleaned
constitution, the English PDFs and law translations of ../shared/corpus) and runs phrases
drawn from them: Khmer runs of 4-8 clusters, English words and word pairs, each as drawn
and with one letter changed (a misreading, a misspelling). A result is relevant when its text
holds the Khmer phrase as drawn (normalised), or every index term (stem) of the English one.
Reports, with and without tolerance, the precision of the first 10 results (of those shown,
when fewer), the share of queries with any relevant result, and whether every exact match
came before every close match.

    python bench/tolerance_precision.py [--queries 100]
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from conftest import CONSTITUTION, CORPUS, SPEECH_TITLE, chapter_pages, pdf_pages, text_pages  # noqa: E402,I001

from indexer.engine import open_engine  # noqa: E402
from indexer.model import Document  # noqa: E402
from indexer.query.search import search  # noqa: E402
from indexer.text.analysis import latin_terms  # noqa: E402
from indexer.text.khmer import clean, clusters, normalize  # noqa: E402

CONSONANTS = [chr(c) for c in range(0x1780, 0x17A3)]


def documents() -> list[Document]:
    docs = [
        Document("speech", "h", ["s.pdf"], pdf_pages(CORPUS / "pdf/km_speech_2025_moeys_teachers_day_unicode.pdf"), title=clean(SPEECH_TITLE), languages=["km"]),  # noqa: E501
        Document("constitution", "h", ["c.pdf"], chapter_pages(CONSTITUTION.read_text()), languages=["km"]),  # noqa: E501
    ]  # fmt: skip
    for pdf in sorted((CORPUS / "pdf").glob("en_*.pdf")):
        docs.append(Document(pdf.stem, "h", [pdf.name], pdf_pages(pdf), languages=["en"]))
    for text in sorted((CORPUS / "text/en").glob("*.txt")):
        pages = text_pages(text.read_text())
        docs.append(Document(text.stem[:40], "h", [text.name], pages, languages=["en"]))
    return docs


def phrases(docs: list[Document], count: int, rng: random.Random) -> list[tuple[str, str]]:
    """(kind, phrase) drawn from the documents' pages."""
    drawn: list[tuple[str, str]] = []
    khmer = [p.text for d in docs if d.languages == ["km"] for p in d.pages]
    english = [p.text for d in docs if d.languages == ["en"] for p in d.pages]
    while len(drawn) < count:
        runs = re.findall("[\u1780-\u17d3]{12,}", rng.choice(khmer))
        if runs:
            run = rng.choice(runs)
            spans = clusters(run)
            n = rng.randint(4, min(8, len(spans)))
            if len(spans) >= n:
                start = rng.randrange(len(spans) - n + 1)
                drawn.append(("km", run[spans[start][0] : spans[start + n - 1][1]]))
        words = re.findall(r"[A-Za-z]{5,}", rng.choice(english))
        if len(words) >= 2:
            i = rng.randrange(len(words) - 1)
            drawn.append(("en", rng.choice((words[i], f"{words[i]} {words[i + 1]}")).lower()))
    return drawn


def misread(kind: str, phrase: str, rng: random.Random) -> str:
    letters = list(phrase)
    if kind == "km":
        starts = [s for s, _ in clusters(phrase)]
        letters[rng.choice(starts[1:-1] or starts)] = rng.choice(CONSONANTS)
    else:
        at = rng.choice([i for i, ch in enumerate(letters) if ch.isalpha()][1:])
        letters[at] = rng.choice("abcdefghijklmnopqrstuvwxyz")
    return "".join(letters)


def measure(index: Path, texts: dict[str, str], queries, tolerant: bool) -> dict[str, float]:
    precisions, found, ordered = [], 0, 0
    terms = {doc_id: set(latin_terms(text)) for doc_id, text in texts.items()}
    for typed, wanted in queries:
        result = search(index, typed, limit=10, tolerant=tolerant)
        needle, wanted_terms = normalize(wanted), set(latin_terms(wanted))
        shown = result["results"]
        relevant = [
            needle in texts[doc["id"]] if not wanted_terms else wanted_terms <= terms[doc["id"]]
            for doc in shown
        ]
        if shown:
            precisions.append(sum(relevant) / len(shown))
        found += any(relevant)
        flags = [doc["approximate"] for doc in shown]
        ordered += flags == sorted(flags)
    n = len(queries)
    return {
        "p10": sum(precisions) / len(precisions) if precisions else 0.0,
        "answered": len(precisions) / n,
        "found": found / n,
        "ordered": ordered / n,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queries", type=int, default=100, help="per language")
    parser.add_argument("--engine", default="whoosh", help="whoosh or tantivy")
    args = parser.parse_args()
    rng = random.Random(3)
    docs = documents()
    texts = {d.id: normalize("\n".join(p.text for p in d.pages)) for d in docs}
    drawn = phrases(docs, 2 * args.queries, rng)
    with tempfile.TemporaryDirectory() as tmp:
        index = Path(tmp) / "index"
        open_engine(index, args.engine).apply_changes(docs, [])
        print(f"{len(docs)} clean documents; precision of the first 10 (of those shown)\n")
        print("| queries | tolerance | P@10 | any result | a relevant one | exact first |")
        print("|---|---|---|---|---|---|")
        for lang in ("km", "en"):
            clean_set = [(p, p) for kind, p in drawn if kind == lang]
            misread_set = [(misread(kind, p, rng), p) for kind, p in drawn if kind == lang]
            for label, queries in (("as drawn", clean_set), ("one letter changed", misread_set)):
                for tolerant in (False, True):
                    f = measure(index, texts, queries, tolerant)
                    print(
                        f"| {lang} {label} ({len(queries)}) | {'on' if tolerant else 'off'} | "
                        f"{f['p10']:.2f} | {f['answered']:.0%} | {f['found']:.0%} | "
                        f"{f['ordered']:.0%} |"
                    )


if __name__ == "__main__":
    main()
