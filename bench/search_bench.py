"""Search benchmark: build time, index size and per-kind query latency, Whoosh vs Tantivy.

Builds the synthetic library of bench/make_corpus.py (default 5,000 documents, ~100,000 pages)
into our Whoosh index, and the same tokens (our analyzers' output, fed pre-tokenized) into a
Tantivy index; then runs the same query set through `indexer.query.search.search` and through an
equivalent Tantivy pipeline (Khmer as plain phrases over the same cluster n-gram tokens):
rank documents, count all matches, facet counts (type, year, language), pages of the 10
shown, and our Khmer-safe snippets for them.

    pip install -e '.[bench]'
    python bench/search_bench.py --docs 500 --work /tmp/ddsearch-bench-500
    python bench/search_bench.py                      # full size, ~1 hour on 2 cores

Indexes are kept in --work and reused unless --rebuild is given.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import shutil
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from make_corpus import generate, generate_document, instrument_types  # noqa: E402

from indexer.engine import open_engine  # noqa: E402
from indexer.engine.whoosh_backend import schema as ours  # noqa: E402
from indexer.engine.whoosh_backend.queries import WORD_LIFT  # noqa: E402
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


# --- Whoosh (ours) -----------------------------------------------------------------------------


def build_whoosh(index_dir: Path, docs: int, seed: int, jobs: int) -> float:
    started = time.perf_counter()
    open_engine(index_dir).apply_changes(generate(docs, seed), [], jobs=jobs)
    return time.perf_counter() - started


def run_whoosh(index_dir: Path, query: dict) -> dict:
    return search(
        index_dir, query["query"], type=query.get("type"), year=query.get("year"), limit=10
    )


# --- Tantivy, fed the same tokens ----------------------------------------------------------------

POSITIONAL = (
    ours.TITLE_KHMER[3],
    ours.TITLE_LATIN,
    ours.DOC_KHMER[3],
    ours.DOC_KHMER_WORDS,
    ours.DOC_LATIN_PAIRS,
)
COUNTED = (
    ours.TITLE_KHMER[1],
    ours.TITLE_KHMER[2],
    ours.DOC_KHMER[1],
    ours.DOC_KHMER[2],
    ours.DOC_LATIN,
    *ours.PAGE_KHMER.values(),
    ours.PAGE_LATIN,
)
TEXT_FIELDS = POSITIONAL + COUNTED


def tantivy_schema():
    import tantivy

    builder = tantivy.SchemaBuilder()
    for name in ("kind", "id"):
        builder.add_text_field(name, stored=True, tokenizer_name="raw", fast=True)
    builder.add_text_field("type", stored=True, tokenizer_name="raw", fast=True)
    builder.add_text_field("languages", stored=True, tokenizer_name="raw", fast=True)
    builder.add_integer_field("year", stored=True, indexed=True, fast=True)
    builder.add_integer_field("page", stored=True)
    builder.add_text_field("title", stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_bytes_field("text", stored=True)
    for name in POSITIONAL:
        builder.add_text_field(name, tokenizer_name="raw", index_option="position")
    for name in COUNTED:
        builder.add_text_field(name, tokenizer_name="raw", index_option="freq")
    return builder.build()


def _pretokenized(field: str, text: str):
    import tantivy

    analyzer = ours.build_schema()[field].analyzer
    tokens = [
        tantivy.Token(t.text, t.pos, t.startchar, t.endchar)
        for t in analyzer(text, positions=True, chars=True)
    ]
    return tantivy.PreTokenizedString(text, tokens)


def build_tantivy(index_dir: Path, docs: int, seed: int) -> float:
    import tantivy

    started = time.perf_counter()
    index_dir.mkdir(parents=True)
    index = tantivy.Index(tantivy_schema(), path=str(index_dir))
    writer = index.writer(heap_size=512_000_000, num_threads=2)
    for document in generate(docs, seed):
        for record in ours.records(document):
            doc = tantivy.Document()
            for name, value in record.items():
                if name in TEXT_FIELDS:
                    doc.add_pre_tokenized_text(name, _pretokenized(name, value))
                elif name in ("kind", "id", "type", "title"):
                    doc.add_text(name, value)
                elif name == "languages":
                    for language in value.split(","):
                        doc.add_text(name, language)
                elif name in ("year", "page"):
                    doc.add_integer(name, value)
                elif name == "text":
                    doc.add_bytes(name, value.encode())
            writer.add_document(doc)
    writer.commit()
    writer.wait_merging_threads()
    return time.perf_counter() - started


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
            return self.term(ours.DOC_LATIN, terms[0])
        pairs = [f"{a} {b}" for a, b in zip(terms, terms[1:], strict=False)]
        return self.phrase(ours.DOC_LATIN_PAIRS, pairs)

    def text_query(self, text: querylang.Text, page: bool):
        parts = []
        for run in text.terms.khmer:
            if page:
                field = ours.PAGE_KHMER[min(run.n, max(ours.PAGE_KHMER))]
                parts += [self.term(field, term) for term in run.page_ngrams]
                continue
            body = self.phrase(ours.DOC_KHMER[run.n], list(run.ngrams))
            title = self.phrase(ours.TITLE_KHMER[run.n], list(run.ngrams))
            found = self.any_of([body, self.t.Query.boost_query(title, ours.TITLE_BOOST)])
            lift = self.phrase(ours.DOC_KHMER_WORDS, list(run.words), WORD_LIFT)
            parts.append(
                self.t.Query.boolean_query(
                    [(self.t.Occur.Must, found), (self.t.Occur.Should, lift)]
                )
            )
        terms = list(text.terms.latin)
        if terms:
            if page:
                parts += [self.term(ours.PAGE_LATIN, term) for term in terms]
            else:
                parts.append(
                    self.any_of(
                        [
                            self.body_words(terms),
                            self.phrase(ours.TITLE_LATIN, terms, ours.TITLE_BOOST),
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
    parser.add_argument("--jobs", type=int, default=2, help="Whoosh indexing processes")
    parser.add_argument("--work", type=Path, default=Path("/tmp/ddsearch-bench"))
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--no-tantivy", action="store_true")
    parser.add_argument(
        "--results", type=Path, help="write each query's total and top-10 ids here (JSON)"
    )
    parser.add_argument(
        "--cpu", action="store_true", help="time queries in CPU time, not wall time"
    )
    args = parser.parse_args()
    if args.cpu:
        CLOCK[0] = time.process_time

    whoosh_dir, tantivy_dir = args.work / "whoosh", args.work / "tantivy"
    info_file = args.work / "build.json"
    info = json.loads(info_file.read_text()) if info_file.exists() else {}
    if args.rebuild or info.get("docs") != args.docs:
        shutil.rmtree(args.work, ignore_errors=True)
        args.work.mkdir(parents=True)
        info = {"docs": args.docs, "seed": args.seed}
    if "whoosh_build_s" not in info:
        print(f"building Whoosh index of {args.docs} documents ({args.jobs} processes)...")
        info["whoosh_build_s"] = build_whoosh(whoosh_dir, args.docs, args.seed, args.jobs)
        info_file.write_text(json.dumps(info))
    use_tantivy = not args.no_tantivy
    if use_tantivy and "tantivy_build_s" not in info:
        print("building Tantivy index from the same tokens...")
        shutil.rmtree(tantivy_dir, ignore_errors=True)
        info["tantivy_build_s"] = build_tantivy(tantivy_dir, args.docs, args.seed)
        info_file.write_text(json.dumps(info))

    stats = open_engine(whoosh_dir).stats()
    print(
        f"\n{stats['documents']} documents, {stats['pages']} pages; Whoosh build "
        f"{info['whoosh_build_s']:.0f} s, {size_mb(whoosh_dir):.0f} MB"
        + (
            f"; Tantivy build {info['tantivy_build_s']:.0f} s, {size_mb(tantivy_dir):.0f} MB"
            if use_tantivy
            else ""
        )
    )

    queries = make_queries(args.docs, args.queries, args.seed)
    started = time.perf_counter()
    run_whoosh(whoosh_dir, queries[0])
    print(
        f"first query on a cold process (open index, read document table): "
        f"{(time.perf_counter() - started) * 1000:.0f} ms"
    )
    # Warm up on other queries: the same ones would be answered from the ranking cache.
    warm_up = [q for q in make_queries(args.docs, args.queries, args.seed + 1) if q not in queries]
    timed(lambda q: run_whoosh(whoosh_dir, q), warm_up)
    ours_ms = timed(lambda q: run_whoosh(whoosh_dir, q), queries)
    if use_tantivy:
        engine_t = TantivySearch(tantivy_dir)
        timed(engine_t.run, queries)
        tantivy_ms = timed(engine_t.run, queries)
    hits = {kind: [] for kind in KINDS}
    answers = []
    for query in queries:
        result = run_whoosh(whoosh_dir, query)
        hits[query["kind"]].append(result["total"])
        answers.append([query, result["total"], [doc["id"] for doc in result["results"]]])
    if args.results:  # to compare two versions' answers to the same queries
        args.results.write_text(json.dumps(answers, ensure_ascii=False))

    clock = "CPU" if args.cpu else "wall"
    print(
        f"\n{len(queries)} queries, warm, each with facets and snippets of the 10 shown "
        f"(ms, {clock} time)\n"
    )
    header = "| kind | queries | median hits | ours p50 / p95 / p99 |"
    rule = "|---|---|---|---|"
    if use_tantivy:
        header += " Tantivy p50 / p95 / p99 | ours / Tantivy (p50, p95) |"
        rule += "---|---|"
    print(header)
    print(rule)
    for kind in KINDS:
        p = percentiles(ours_ms[kind])
        row = (
            f"| {kind} | {len(ours_ms[kind])} | {statistics.median(hits[kind]):.0f} | "
            f"{p[0]:.1f} / {p[1]:.1f} / {p[2]:.1f} |"
        )
        if use_tantivy:
            t = percentiles(tantivy_ms[kind])
            row += (
                f" {t[0]:.1f} / {t[1]:.1f} / {t[2]:.1f} | {p[0] / t[0]:.1f}× / {p[1] / t[1]:.1f}× |"
            )
        print(row)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    status = Path("/proc/self/status").read_text()
    resident = dict(re.findall(r"(Rss\w+):\s+(\d+) kB", status))
    print(
        f"\npeak RSS of the query process: {peak:.0f} MB (now {int(resident['RssAnon']) // 1024}"
        f" MB heap, {int(resident['RssFile']) // 1024} MB mapped index files)"
    )


if __name__ == "__main__":
    main()
