"""Which Khmer clusters does OCR misread, and how often do the misreadings break a phrase?

Compares the OCR text of the 10 transcribed Royal Gazette pages (../shared/corpus/ocr_gt/gazette)
with their transcriptions. Both sides are normalised as the index normalises (`khmer.normalize`)
and whitespace is removed; the texts are aligned cluster by cluster (Levenshtein on cluster
sequences), and each one-for-one substituted cluster is aligned again character by character.
It reports:

- the frequent cluster substitutions (ដ្ឋ read ន្ឋ) and the character substitutions inside
  them (ដ read ន), truth -> OCR, with counts; `--write` saves them to
  indexer/data/ocr_confusions.tsv for the search side to fold or weight;
- for the body phrases of tests/data/tolerance_queries.tsv, the share of their cluster bigrams
  that are missing from their page's OCR text, and the share of phrases with at least one
  missing bigram (those an exact phrase search cannot find on that page).

The OCR text comes from a data folder's extraction store (`--index DIR`, read only), or is
made here with the pipeline's `ocr_image` (khm+eng, psm 6) on the 300 dpi page images.

    python bench/ocr_confusions.py --index /tmp/wave1 --write
    nice python bench/ocr_confusions.py               # OCR the 10 pages itself (~40 s)
"""

from __future__ import annotations

import argparse
import csv
import sqlite3
import sys
from collections import Counter
from pathlib import Path

from rapidfuzz.distance import Levenshtein

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's indexer, not the one the venv installed

from indexer.config import DataDir  # noqa: E402
from indexer.text.analysis import cluster_ngrams, khmer_query_runs  # noqa: E402
from indexer.text.khmer import clusters, is_khmer, normalize  # noqa: E402

GAZETTE = ROOT.parent / "shared" / "corpus" / "ocr_gt" / "gazette"
QUERIES = ROOT / "tests" / "data" / "tolerance_queries.tsv"
OUTPUT = ROOT / "indexer" / "data" / "ocr_confusions.tsv"
SOURCE_PDFS = {  # page image -> (PDF file name, 1-based page), as the gazette README lists them
    "law1994_civsvc-p5": ("km_law_1994_civil_service_statute.pdf", 5),
    "law1997_abortion-p2": ("km_law_1997_abortion.pdf", 2),
    "law2000_audit-p4": ("km_law_2000_audit.pdf", 4),
    "law2003_fin26-p1": ("km_law_2003_amend_art26_finance_law.pdf", 1),
    "law2006_ccelec-p1": ("km_law_2006_amend_commune_council_election.pdf", 1),
    "law2006_ccelec-p3": ("km_law_2006_amend_commune_council_election.pdf", 3),
    "rd2005_0605-p1": ("km_royaldecree_2005_0605_national_border_authority.pdf", 1),
    "sd2000_103-p3": ("km_subdecree_2000_103_civil_registration.pdf", 3),
    "sd2001_040-p1": ("km_subdecree_2001_040_commune_sangkat_council_members.pdf", 1),
    "sd2005_148-p3": ("km_subdecree_2005_148_special_economic_zones.pdf", 3),
}
KEEP_CHARS, KEEP_CLUSTERS = 20, 30  # rows written per level


def stored_texts(data: DataDir) -> dict[str, str]:
    """Each page's OCR text as the wave-1 store holds it (opened read-only)."""
    texts = {}
    library = sqlite3.connect(f"file:{data.library}?mode=ro", uri=True)
    store = sqlite3.connect(f"file:{data.store}?mode=ro", uri=True)
    for name, (pdf, page) in SOURCE_PDFS.items():
        row = library.execute("SELECT hash FROM files WHERE path LIKE ?", (f"%/{pdf}",)).fetchone()
        if row is None:
            raise SystemExit(f"{pdf} is not in {data.library}: index the corpus there first.")
        (text,) = store.execute(
            "SELECT text FROM pages WHERE hash = ? AND page = ?", (row[0], page)
        ).fetchone()
        texts[name] = text
    return texts


def ocr_texts() -> dict[str, str]:
    """Each page OCR'd now by the pipeline's recipe, from the transcription's page image."""
    from PIL import Image

    from indexer.extract.ocr import ocr_image

    return {name: ocr_image(Image.open(GAZETTE / f"{name}.png")) for name in SOURCE_PDFS}


def cluster_list(text: str) -> list[str]:
    """The clusters of the normalised text with all whitespace gone (OCR and print space
    Khmer differently)."""
    flat = "".join(normalize(text).split())
    return [flat[a:b] for a, b in clusters(flat)]


def substitutions(truth: list[str], ocr: list[str]) -> tuple[Counter, Counter, int]:
    """(cluster pairs, character pairs, clusters of truth that differ): one-for-one cluster
    substitutions between Khmer clusters, truth first."""
    cluster_pairs: Counter = Counter()
    char_pairs: Counter = Counter()
    changed = 0
    for tag, t0, t1, o0, o1 in Levenshtein.opcodes(truth, ocr).as_list():
        if tag in ("replace", "delete"):
            changed += t1 - t0
        if tag != "replace":
            continue
        for t, o in zip(truth[t0:t1], ocr[o0:o1], strict=True):
            if is_khmer(t[0]) and is_khmer(o[0]):
                cluster_pairs[t, o] += 1
                for op in Levenshtein.opcodes(t, o):
                    if op.tag == "replace":
                        char_pairs[
                            t[op.src_start : op.src_end], o[op.dest_start : op.dest_end]
                        ] += 1
    return cluster_pairs, char_pairs, changed


def body_phrases() -> list[dict]:
    with QUERIES.open(encoding="utf-8") as handle:
        lines = [line for line in handle if not line.startswith("#")]
    rows = csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
    return [row for row in rows if row["kind"] == "body"]


def bigrams_of(text: str) -> list[list[str]]:
    """The cluster bigrams of each Khmer run, as the index cuts them."""
    return [cluster_ngrams(run, 2) for run in khmer_query_runs(normalize(text))]


def best_window_share(wanted: list[str], page: list[list[str]], slack: int = 2) -> float:
    """The largest share of a phrase's bigrams found in one window of the page (a run's
    bigrams, len(wanted) + slack long): what approximate phrase matching could see."""
    need = Counter(wanted)
    best = 0
    for run in page:
        width = len(wanted) + slack
        for start in range(max(1, len(run) - width + 1)):
            have = Counter(run[start : start + width])
            best = max(best, sum(min(n, have[g]) for g, n in need.items()))
    return best / len(wanted)


def phrase_damage(texts: dict[str, str]) -> dict[str, float]:
    """How the body phrases of the query set fare in their page's OCR text: the share of
    their bigrams absent from the whole page, the share of phrases not intact (what an exact
    search misses there), and the share whose best window keeps 75% / 50% of the bigrams."""
    by_page = {(pdf, page): name for name, (pdf, page) in SOURCE_PDFS.items()}
    wanted_total = missing = 0
    intact: list[bool] = []
    shares: list[float] = []
    for row in body_phrases():
        text = normalize(texts[by_page[row["file"], int(row["page"])]])
        page = bigrams_of(text)
        present = {g for run in page for g in run}
        wanted = bigrams_of(row["query"])
        wanted_total += sum(map(len, wanted))
        missing += sum(g not in present for run in wanted for g in run)
        page_runs = khmer_query_runs(text)
        query_runs = khmer_query_runs(normalize(row["query"]))
        intact.append(all(any(run in page_run for page_run in page_runs) for run in query_runs))
        shares.append(best_window_share([g for run in wanted for g in run], page))
    n = len(intact)
    return {
        "phrases": n,
        "bigrams": wanted_total,
        "bigrams_missing": missing / wanted_total,
        "not_intact": 1 - sum(intact) / n,
        "window_missing": 1 - sum(shares) / n,
        "window_75": sum(s >= 0.75 for s in shares) / n,
        "window_50": sum(s >= 0.5 for s in shares) / n,
    }


def write_table(path: Path, chars: Counter, cluster_pairs: Counter, source: str) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write(
            "# Frequent OCR misreadings of Khmer: truth -> what Tesseract (khm+eng, psm 6)\n"
            "# wrote, counted on the 10 transcribed Royal Gazette pages of\n"
            f"# ../shared/corpus/ocr_gt/gazette ({source}). Both sides normalised by\n"
            "# indexer.text.khmer.normalize; level 'char' is a substitution inside a misread\n"
            "# cluster, 'cluster' the whole cluster (kept when seen at least twice).\n"
            "# Made by bench/ocr_confusions.py --write.\n"
        )
        handle.write("level\ttruth\tocr\tcount\n")
        for level, pairs, keep in (
            ("char", chars, KEEP_CHARS),
            ("cluster", cluster_pairs, KEEP_CLUSTERS),
        ):
            for (truth, ocr), count in pairs.most_common(keep):
                if count > 1:
                    handle.write(f"{level}\t{truth}\t{ocr}\t{count}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, help="A data folder whose store holds the pages.")
    parser.add_argument("--write", action="store_true", help=f"Write {OUTPUT.relative_to(ROOT)}.")
    args = parser.parse_args()

    texts = stored_texts(DataDir(args.index)) if args.index else ocr_texts()
    source = "text of an indexed data folder's store" if args.index else "OCR'd here"
    cluster_pairs: Counter = Counter()
    chars: Counter = Counter()
    truth_clusters = changed = 0
    for name, text in texts.items():
        truth = cluster_list((GAZETTE / f"{name}.gt.txt").read_text(encoding="utf-8"))
        pairs, char_pairs, differ = substitutions(truth, cluster_list(text))
        cluster_pairs += pairs
        chars += char_pairs
        truth_clusters += len(truth)
        changed += differ
    substituted = sum(cluster_pairs.values())
    print(f"OCR text: {source}")
    print(
        f"{truth_clusters} clusters of truth; {changed} ({changed / truth_clusters:.1%}) misread "
        f"or lost; {substituted} ({substituted / truth_clusters:.1%}) replaced one for one "
        "by another Khmer cluster"
    )
    damage = phrase_damage(texts)
    print(
        f"{damage['phrases']} body phrases, {damage['bigrams']} cluster bigrams: "
        f"{damage['window_missing']:.0%} of them are broken (not in the page's best window for "
        f"the phrase; {damage['bigrams_missing']:.0%} occur nowhere on the page); "
        f"{damage['not_intact']:.0%} of the phrases are not intact there (exact search misses "
        f"them); the best window of the page holds >= 75% of a phrase's bigrams for "
        f"{damage['window_75']:.0%} of the phrases, >= 50% for {damage['window_50']:.0%}"
    )
    for label, pairs, keep in (
        ("characters", chars, KEEP_CHARS),
        ("clusters", cluster_pairs, KEEP_CLUSTERS),
    ):
        total = sum(pairs.values())
        print(f"\nmost frequent {label} (truth -> OCR), of {total} substitutions:")
        for (truth, ocr), count in pairs.most_common(keep):
            print(f"  {truth} -> {ocr}\t{count}\t{count / total:.1%}")
    if args.write:
        write_table(OUTPUT, chars, cluster_pairs, source)
        print(f"\nwrote {OUTPUT}")


if __name__ == "__main__":
    main()
