"""Search benchmark: build time, index size and per-kind query latency of ddsearch on each
engine, beside a bare Tantivy pipeline over the same index.

Writes the synthetic library of bench/make_corpus.py (default 5,000 documents, ~100,000
pages) into a data folder per engine (``WORK/whoosh``, ``WORK/tantivy``) and builds each index
with ``ddsearch rebuild`` (the first from a cold analysis, the next with the pages' analyses
kept by the first: what a rebuild costs). Then the same queries run through
`indexer.query.search.search` on each engine, and through a bare pipeline on the Tantivy
index (Khmer as plain phrases over the same cluster n-grams): rank documents, count all
matches, facet counts (type, year, language), pages of the 10 shown, and our Khmer-safe
snippets for them; no close matches.

    python bench/search_bench.py --docs 500 --work /tmp/ddsearch-bench-500
    python bench/search_bench.py                      # full size, ~1 hour on 2 cores

Data folders are kept in --work and reused unless --rebuild is given.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_corpus import generate_document, instrument_types, write_data_folder  # noqa: E402

from indexer.config import DataDir  # noqa: E402
from indexer.engine import (
    fields,  # noqa: E402
    open_engine,  # noqa: E402
)
from indexer.indexing import sync  # noqa: E402
from indexer.query import language as querylang  # noqa: E402
from indexer.query.search import _highlight, search  # noqa: E402
from indexer.text.khmer import clusters  # noqa: E402
from indexer.text.snippets import snippet  # noqa: E402

KINDS = ("en_word", "en_phrase", "km_word", "km_phrase", "filtered", "km_approx")
CONSONANTS = [chr(c) for c in range(0x1780, 0x17A3)]


# --- query set ---------------------------------------------------------------------------------


def make_queries(docs: int, per_kind: int, seed: int) -> list[dict]:
    """Queries drawn from the generated pages themselves, so every one has hits."""
    rng = random.Random(f"queries:{seed}")
    types = [t["key"] for t in instrument_types()]
    queries: list[dict] = []
    while min((sum(q["kind"] == k for q in queries) for k in KINDS), default=0) < per_kind:
        _, pages = generate_document(rng.randrange(docs), seed)
        language, sentences = rng.choice(pages)
        words = rng.choice(sentences)
        content = [i for i, w in enumerate(words) if len(w) >= 4 and not w.isdigit()]
        if not content:
            continue
        i = rng.choice(content)
        if language == "en":
            n = rng.choice((2, 3))
            candidates = [
                {"kind": "en_word", "query": words[i]},
                {"kind": "en_phrase", "query": '"' + " ".join(words[i : i + n]) + '"'},
            ]
        else:
            n = rng.choice((2, 3))
            joiner = rng.choice(("", " "))  # typed with or without spaces
            candidates = [
                {"kind": "km_word", "query": words[i]},
                {"kind": "km_phrase", "query": joiner.join(words[i : i + n])},
            ]
            misread = _misread("".join(words[i : i + 3]))
            if misread:
                candidates.append({"kind": "km_approx", "query": misread})
        start = rng.randint(1993, 2020)
        candidates.append(
            {
                "kind": "filtered",
                "query": words[i],
                "type": rng.choice(types),
                "year": f"{start}..{start + rng.randint(3, 10)}",
            }
        )
        for query in candidates:
            wanted = sum(q["kind"] == query["kind"] for q in queries) < per_kind
            if wanted and (query["kind"] != "km_phrase" or len(words[i : i + 2]) == 2):
                queries.append(query)
    rng.shuffle(queries)
    return queries


def _misread(phrase: str) -> str:
    """The phrase with one or two of its clusters' base letters changed, as OCR misreads
    them; "" when it is too short to be matched approximately. Its own random numbers, so
    the other kinds' queries are those of earlier runs."""
    rng = random.Random(phrase)
    spans = clusters(phrase)
    if len(spans) < 6:
        return ""
    letters = list(phrase)
    for start, _ in rng.sample(spans, rng.choice((1, 2))):
        letters[start] = rng.choice(CONSONANTS)
    return "".join(letters)


# --- ddsearch on each engine ----------------------------------------------------------------


def build(work: Path, engine: str, docs: int, seed: int) -> dict:
    """The engine's data folder, written and indexed by `ddsearch rebuild`: wall and CPU
    seconds (its worker processes and threads too), and whether the pages were analysed or
    their kept analyses read."""
    data = DataDir(work / engine)
    if not data.store.exists():
        write_data_folder(data.root, docs, seed)
    kept = work / "analysis.sqlite"  # the first build's analyses, for the next ones
    if kept.exists() and not data.analyses.exists():
        shutil.copy(kept, data.analyses)
    analysis = "kept" if data.analyses.exists() else "made"
    wall, cpu = time.perf_counter(), _cpu_seconds()
    sync.rebuild(data, lambda line: None, engine)
    figures = {
        "build_s": time.perf_counter() - wall,
        "build_cpu_s": _cpu_seconds() - cpu,
        "analysis": analysis,
    }
    if not kept.exists():
        shutil.copy(data.analyses, kept)
    return figures


def _cpu_seconds() -> float:
    own, children = (
        resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def run_ours(index_dir: Path, query: dict) -> dict:
    return search(
        index_dir, query["query"], type=query.get("type"), year=query.get("year"), limit=10
    )


# --- Tantivy, bare, over the same index ---------------------------------------------------------


class TantivySearch:
    """The same steps as `indexer.query.search.search`, on Tantivy."""

    def __init__(self, index_dir: Path):
        import tantivy

        self.t = tantivy
        self.index = tantivy.Index.open(str(index_dir))
        self.schema = self.index.schema
        self.searcher = self.index.searcher()

    def term(self, field, value):
        return self.t.Query.term_query(self.schema, field, value)

    def phrase(self, field, terms, boost=1.0):
        query = (
            self.term(field, terms[0])
            if len(terms) == 1
            else self.t.Query.phrase_query(self.schema, field, terms)
        )
        return query if boost == 1.0 else self.t.Query.boost_query(query, boost)

    def all_of(self, queries):
        return self.t.Query.boolean_query([(self.t.Occur.Must, q) for q in queries])

    def any_of(self, queries):
        return self.t.Query.boolean_query([(self.t.Occur.Should, q) for q in queries])

    def body_words(self, terms):
        if len(terms) == 1:
            return self.term(fields.DOC_LATIN, terms[0])
        pairs = [f"{a} {b}" for a, b in zip(terms, terms[1:], strict=False)]
        return self.phrase(fields.DOC_LATIN_PAIRS, pairs)

    def text_query(self, text: querylang.Text, page: bool):
        parts = []
        for run in text.terms.khmer:
            if page:
                field = fields.PAGE_KHMER[min(run.n, max(fields.PAGE_KHMER))]
                parts += [self.term(field, term) for term in run.page_ngrams]
                continue
            body = self.phrase(fields.DOC_KHMER[run.n], list(run.ngrams))
            title = self.phrase(fields.TITLE_KHMER[run.n], list(run.ngrams))
            found = self.any_of([body, self.t.Query.boost_query(title, fields.TITLE_BOOST)])
            lift = self.phrase(fields.DOC_KHMER_WORDS, list(run.words), fields.WORD_LIFT)
            parts.append(
                self.t.Query.boolean_query(
                    [(self.t.Occur.Must, found), (self.t.Occur.Should, lift)]
                )
            )
        terms = list(text.terms.latin)
        if terms:
            if page:
                parts += [self.term(fields.PAGE_LATIN, term) for term in terms]
            else:
                parts.append(
                    self.any_of(
                        [
                            self.body_words(terms),
                            self.phrase(fields.TITLE_LATIN, terms, fields.TITLE_BOOST),
                        ]
                    )
                )
        return self.all_of(parts)

    def run(self, query: dict) -> dict:
        parsed = querylang.parse(query["query"])
        texts = querylang.positive_texts(parsed.node)
        must = [self.term("kind", "doc")] + [self.text_query(t, page=False) for t in texts]
        if query.get("type"):
            must.append(self.term("type", query["type"]))
        if query.get("year"):
            years = querylang.parse_year(query["year"])
            must.append(
                self.t.Query.range_query(
                    self.schema, "year", self.t.FieldType.Integer, years.start, years.end
                )
            )
        doc_query = self.all_of(must)
        found = self.searcher.search(doc_query, limit=10, count=True)
        facets = self.searcher.aggregate(
            doc_query,
            {
                "type": {"terms": {"field": "type", "size": 100}},
                "year": {"terms": {"field": "year", "size": 100}},
                "language": {"terms": {"field": "languages", "size": 10}},
            },
        )
        shown = [self.searcher.doc(address)["id"][0] for _, address in found.hits]
        results = {doc_id: [] for doc_id in shown}
        if shown:
            page_query = self.all_of(
                [
                    self.term("kind", "page"),
                    self.t.Query.term_set_query(self.schema, "id", shown),
                    self.any_of([self.text_query(t, page=True) for t in texts]),
                ]
            )
            highlight = _highlight(parsed.node)
            for _, address in self.searcher.search(page_query, limit=1000, count=False).hits:
                page = self.searcher.doc(address)
                pages = results[page["id"][0]]
                if len(pages) < 3:
                    text = bytes(page["text"][0]).decode()
                    pages.append((page["page"][0], snippet(text, highlight)))
        return {"total": found.count, "results": results, "facets": facets}


# --- measuring ---------------------------------------------------------------------------------


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    cuts = statistics.quantiles(samples, n=100, method="inclusive")
    return cuts[49], cuts[94], cuts[98]


#: What `timed` measures: wall time, or with --cpu this process's CPU time (steadier when
#: other jobs share the machine: it leaves out the time spent waiting for a core).
CLOCK = [time.perf_counter]


def timed(run, queries: list[dict]) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {kind: [] for kind in KINDS}
    clock = CLOCK[0]
    for query in queries:
        started = clock()
        run(query)
        times[query["kind"]].append((clock() - started) * 1000)
    return times


def size_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--queries", type=int, default=100, help="queries per kind")
    parser.add_argument("--work", type=Path, default=Path("/tmp/ddsearch-bench"))
    parser.add_argument("--engines", default="whoosh,tantivy", help="comma-separated")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument(
        "--results", type=Path, help="write each query's total and top-10 ids here (JSON)"
    )
    parser.add_argument(
        "--cpu", action="store_true", help="time queries in CPU time, not wall time"
    )
    args = parser.parse_args()
    engines = args.engines.split(",")
    if args.cpu:
        CLOCK[0] = time.process_time

    info_file = args.work / "build.json"
    info = json.loads(info_file.read_text()) if info_file.exists() else {}
    if args.rebuild or info.get("docs") != args.docs:
        shutil.rmtree(args.work, ignore_errors=True)
        args.work.mkdir(parents=True)
        info = {"docs": args.docs, "seed": args.seed}
    for engine in engines:
        if engine not in info:
            print(f"building the {engine} index of {args.docs} documents...", flush=True)
            info[engine] = build(args.work, engine, args.docs, args.seed)
            info_file.write_text(json.dumps(info))
    indexes = {engine: DataDir(args.work / engine).index for engine in engines}

    stats = open_engine(indexes[engines[0]]).stats()
    print(f"\n{stats['documents']} documents, {stats['pages']} pages")
    print("\n| engine | build s (CPU s) | analysis | size MB |\n|---|---|---|---|")
    for engine in engines:
        built = info[engine]
        print(
            f"| {engine} | {built['build_s']:.0f} ({built['build_cpu_s']:.0f}) | "
            f"{built['analysis']} | {size_mb(indexes[engine].resolve()):.0f} |"
        )

    queries = make_queries(args.docs, args.queries, args.seed)
    # Warm up on other queries: the same ones would be answered from the ranking cache.
    warm_up = [q for q in make_queries(args.docs, args.queries, args.seed + 1) if q not in queries]
    runs = {}
    for engine in engines:
        started = time.perf_counter()
        run_ours(indexes[engine], queries[0])
        first = (time.perf_counter() - started) * 1000
        print(f"{engine}: first query on a cold process (open, document table) {first:.0f} ms")
        timed(lambda q, where=indexes[engine]: run_ours(where, q), warm_up)
        runs[engine] = timed(lambda q, where=indexes[engine]: run_ours(where, q), queries)
    if "tantivy" in engines:
        bare = TantivySearch(indexes["tantivy"].resolve())
        timed(bare.run, queries)
        runs["bare Tantivy"] = timed(bare.run, queries)
    hits = {kind: [] for kind in KINDS}
    answers = []
    for query in queries:
        result = run_ours(indexes[engines[0]], query)
        hits[query["kind"]].append(result["total"])
        answers.append([query, result["total"], [doc["id"] for doc in result["results"]]])
    if args.results:  # to compare two versions' answers to the same queries
        args.results.write_text(json.dumps(answers, ensure_ascii=False))

    clock = "CPU" if args.cpu else "wall"
    print(
        f"\n{len(queries)} queries, warm, each with facets and snippets of the 10 shown "
        f"(ms, {clock} time)\n"
    )
    names = list(runs)
    header = "| kind | median hits | " + " | ".join(f"{n} p50 / p95 / p99" for n in names) + " |"
    if "bare Tantivy" in runs:
        header += " tantivy / bare (p50, p95) |"
    print(header)
    print("|---" * (header.count("|") - 1) + "|")
    for kind in KINDS:
        cells = [" / ".join(f"{v:.1f}" for v in percentiles(runs[n][kind])) for n in names]
        row = f"| {kind} | {statistics.median(hits[kind]):.0f} | " + " | ".join(cells) + " |"
        if "bare Tantivy" in runs:
            ours, bare_p = (
                percentiles(runs["tantivy"][kind]),
                percentiles(runs["bare Tantivy"][kind]),
            )
            row += f" {ours[0] / bare_p[0]:.1f}× / {ours[1] / bare_p[1]:.1f}× |"
        print(row)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS of the query process: {peak:.0f} MB")


if __name__ == "__main__":
    main()
