"""Build indexer/data/khmer_lexicon.tsv, the word counts OCR correction leans on.

    python bench/build_lexicon.py

Sources (clean Unicode Khmer, in ../shared/corpus; none of the OCR reference pages): the gold-
segmented news of segmentation/kh_data_500.zip (phylypo/segmentation-crf-khmer), the VOA Khmer
stories in text/voa_km, the hand-cleaned 2015 constitution and text/km; and the legal Khmer of
the legacy-font PDFs (LEGACY), as ddsearch converts their text layers (exact text, not OCR;
none is an instrument of ocr_gt/gazette), which brought the words of laws that news lacks
(ក្របខ័ណ្ឌ, អត្រានុកូលដ្ឋាន). Text that is not segmented already is segmented by khmercut. Only
the words and their counts are kept.
"""

from __future__ import annotations

import re
import zipfile
from collections import Counter
from pathlib import Path

import khmercut

from indexer.extract.legacy import convert_document
from indexer.text.khmer import clean

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
TARGET = REPO / "indexer" / "data" / "khmer_lexicon.tsv"
WORD = re.compile("[\u1780-\u17d3]+")
MAX_LENGTH = 30  # characters; longer runs are text khmercut left unsegmented
SUBSCRIPT_DA = ("\u17d2\u178a", "\u17d2\u178f")  # ្ដ → ្ត, as OCR and the index fold it


def _normal(text: str) -> str:
    return clean(text).replace(*SUBSCRIPT_DA)


LEGACY = [
    "km_constitution_1993_limon.pdf",
    "km_constitution_limon.pdf",
    "km_guideline_1993_role_limon.pdf",
    "km_law_2002_hiv_aids_limon.pdf",
    "km_criminal_code_2009_mixed_limon_unicode.pdf",
]


def count_words() -> Counter:
    counts: Counter = Counter()
    with zipfile.ZipFile(CORPUS / "segmentation" / "kh_data_500.zip") as archive:
        for name in archive.namelist():
            if name.endswith("_seg.txt"):
                # split before cleaning: clean() joins words separated by a space
                tokens = (_normal(token) for token in archive.read(name).decode("utf-8").split())
                counts.update(token for token in tokens if WORD.fullmatch(token))
    plain = [
        *sorted((CORPUS / "text" / "voa_km").glob("*.md")),
        *sorted((CORPUS / "text" / "km").glob("*.txt")),
        CORPUS / "ocr_gt" / "constitution_2015" / "constitution_2015_clean.md",
    ]
    texts = [path.read_text("utf-8") for path in plain]
    for name in LEGACY:
        texts += [page.text for page in convert_document(CORPUS / "pdf" / name).values()]
    for text in texts:
        for run in WORD.findall(_normal(text)):
            counts.update(khmercut.tokenize(run))
    return counts


def main() -> None:
    counts = Counter({w: c for w, c in count_words().items() if len(w) <= MAX_LENGTH})
    header = "# word<TAB>count; built by bench/build_lexicon.py (sources in its docstring)\n"
    rows = (
        f"{word}\t{count}\n" for word, count in sorted(counts.items(), key=lambda i: (-i[1], i[0]))
    )
    TARGET.write_text(header + "".join(rows), "utf-8")
    print(f"{len(counts)} words -> {TARGET}")


if __name__ == "__main__":
    main()
