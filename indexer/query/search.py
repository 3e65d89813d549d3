"""The public query API: the CLI and the website call `search` and `matching_pages`, and
nothing below them.

`search` returns a JSON-ready dict, the stable contract of ``ddsearch search --json`` and of
the website's ``/api/search``::

    {
      "query": "ផ្ដល់ council",          # the query as given
      "warning": null,                 # or a sentence: the query was malformed and its
                                       #   plain words were searched for instead
      "notice": null,                  # or a sentence: nothing is searchable yet because
                                       #   the first indexing run is under way or was cut off
      "sort": "relevance",             # relevance | newest | oldest (by date) | added
      "offset": 0, "limit": 10,
      "total": 42,                     # documents matching (query and filters)
      "results": [                     # documents offset .. offset+limit-1
        {"id": "k3f9...", "title": "...", "type": "sub-decree", "year": 2001,
         "date": "2001-04-27",         # signing date, ISO, as far as settled ("2001-04",
                                       #   "2001"); "" when not known
         "number": "៤០ អនក្រ.បក", "language": ["km"], "paths": ["laws/sd40.pdf"],
         "call_number": "", "shelf": "",  # a printed copy's place ("paths": [] if only that)
         "score": 12.3456,             # relevance (0.0 when the query has no words)
         "places": [{"code": "08", "level": "province", "km": "កណ្ដាល", "en": "Kandal"}],
         "other_versions": [{"id": "q2x...", "title": "...", "language": ["en"]}],
                                       # the same work in the other language (a translation)
         "approximate": false,         # true: a close match (below)
         "pages": [{"page": 3, "snippet": "…ការ<mark>ផ្តល់</mark>សេវា…"}]}
      ],
      "facets": {                      # over all `total` documents, not only those shown
        "type": {"sub-decree": 30, "law": 12},    # most documents first
        "year": {"2005": 3, "2001": 39},          # newest year first; undated left out
        "language": {"km": 40, "en": 2},          # a bilingual document counts for both
        "place": {"12": 3, "08": 2, "1206": 1}    # gazetteer codes: provinces (2 digits) and
      },                                          #   districts (4), most documents first
      "suggestions": ["ផ្ដល់ council"],  # "did you mean": the query in the library's own
                                       #   spelling (a misread Khmer phrase, a misspelt word)
      "also_searched": [],             # with cross=True: the glossary's terms in the other
                                       #   language that were searched too
      "cut_short": null                # or a sentence: a prefix was capped, or the time
                                       #   budget ran out before close matches were all found
    }

Each result also has ``"approximate"``: false for an exact match; true for a close match
(a Khmer phrase with a few clusters misread, found by alignment, or a misspelt Latin word's
near spelling), which always ranks after every exact match and is counted in ``total`` and
the facets. Close matches are looked for when the exact ones are fewer than
APPROXIMATE_BELOW (``tolerant=False``: never); their first pages mark the aligned span.

``pages`` lists up to three pages whose text matches the query's words, best first; it is
empty when only the title or metadata matched (or holds the best-scoring page without marks
when its words occur only apart). A snippet is HTML: the page text escaped (``&``,
``<``, ``>``), whitespace collapsed, matches in ``<mark>``…``</mark>``, "…" where the page
continues; marks and cuts never split a Khmer cluster. Insert it as HTML without escaping.
"""

from __future__ import annotations

import html
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path

from indexer.config import DataDir
from indexer.engine import SORTS, DocumentHit, Engine, open_engine
from indexer.errors import BadParameter, IndexMissing
from indexer.query import language as ql
from indexer.query import links
from indexer.query import places as place_names
from indexer.query import tolerant as tolerant_search
from indexer.text.analysis import latin_terms
from indexer.text.glossary import groups as glossary_groups
from indexer.text.snippets import Highlight, match_spans, snippet
from indexer.vocabulary import readable_date, type_problem

MAX_LIMIT = 1000
INDEXING_UNDER_WAY = (
    "The first indexing run of this library is under way, or was interrupted and resumes "
    "with the next `ddsearch index`: nothing is searchable until it commits its first documents."
)

PAGES_SHOWN = 3  # pages listed per result
APPROXIMATE_BELOW = 10  # approximate matches are looked for when exact ones are fewer
BUDGET_SECONDS = 2.0  # a search returns what it has after this long
CAPPED = (
    "A short or common prefix (word*) was searched as its most frequent words only: "
    "type more letters to search all of them."
)
OUT_OF_TIME = (
    "The search for close matches was cut short to answer in time: results may be missing; "
    "try a longer phrase or fewer words."
)


def search(
    index_dir: Path,
    query: str,
    *,
    type: str | None = None,
    year: str | None = None,
    lang: str | None = None,
    place: str | None = None,
    sort: str = "relevance",
    limit: int = 10,
    offset: int = 0,
    tolerant: bool = True,
    cross: bool = False,
    budget: float = BUDGET_SECONDS,
) -> dict:
    """Search the index; the filters narrow the query as its type:, year:, lang: and place:
    would.

    ``tolerant`` adds approximate matches (OCR-misread Khmer phrases, misspelt Latin words)
    when the exact ones are fewer than APPROXIMATE_BELOW, ranked after all of them;
    ``cross`` also searches the glossary's terms in the other language. ``budget`` is the
    time in seconds after which the search returns what it has (``cut_short``).

    A malformed query is not an error (see ``warning``); a bad filter, sort, limit or offset
    raises BadParameter with a sentence to show the user.
    """
    deadline = time.monotonic() + budget
    if sort not in SORTS:
        raise BadParameter(f"Sort by one of {', '.join(SORTS)}, not {sort!r}.")
    if not 0 <= limit <= MAX_LIMIT or offset < 0:
        raise BadParameter(f"Ask for 0 to {MAX_LIMIT} results from an offset of 0 or more.")
    parsed = ql.parse(query)
    try:
        filters = _filters(type, year, lang, place)
    except ql.QuerySyntaxError as err:
        raise BadParameter(str(err)) from None
    core, also_searched = _with_citers(parsed.node, Path(index_dir)), []
    if cross and core is not None:
        core, also_searched = _crossed(query, core)
    node = core
    if filters:
        node = ql.And(((node,) if node is not None else ()) + filters)
    result = {
        "query": query,
        "warning": parsed.warning,
        "notice": None,
        "sort": sort,
        "offset": offset,
        "limit": limit,
        "total": 0,
        "results": [],
        "facets": {"type": {}, "year": {}, "language": {}, "place": {}},
        "suggestions": [],
        "also_searched": also_searched,
        "cut_short": None,
    }
    engine = _engine(index_dir)
    if engine is None:
        return {**result, "notice": INDEXING_UNDER_WAY}
    outcome = engine.search_documents(node, sort=sort, limit=limit, offset=offset)
    highlight = _highlight(core)
    result = {
        **result,
        "total": outcome.total,
        "results": [_result(hit, highlight, engine) for hit in outcome.hits],
        "facets": outcome.facets,
    }
    cut = [CAPPED] if outcome.capped else []
    if tolerant and core is not None and outcome.total < APPROXIMATE_BELOW:
        found = tolerant_search.find(engine, core, deadline)
        cut += [OUT_OF_TIME] if found.cut_short else []
        if found:
            result, texts = _with_approximate(engine, result, node, found, sort, limit, offset)
            result["suggestions"] = tolerant_search.suggestions(query, parsed.node, found, texts)
    result["cut_short"] = " ".join(cut) or None
    return result


#: A query with this many words or phrases (ORed names, pasted text), or this many Khmer
#: letters and signs, or any prefix (word*), may cost many times an ordinary one.
COSTLY_TEXTS = 5
COSTLY_KHMER = 80


def is_costly(query: str) -> bool:
    """Whether a query may take far longer than most: the website runs such searches in a
    lane of their own, so that they never hold up the others (bench/cost_bench.py)."""
    texts = ql.positive_texts(ql.parse(query).node)
    khmer = sum(len(run.text) for text in texts for run in text.terms.khmer)
    return len(texts) >= COSTLY_TEXTS or khmer >= COSTLY_KHMER or any(t.prefix for t in texts)


def _with_approximate(
    engine: Engine,
    result: dict,
    node: ql.Node,
    found: tolerant_search.Approximate,
    sort: str,
    limit: int,
    offset: int,
) -> tuple[dict, list[str]]:
    """The result with the documents only the relaxed query matches counted, faceted and
    listed after every exact match; and the text of their best pages."""
    exact_total = result["total"]
    relaxed = tolerant_search.relax(node, found)
    only_relaxed = ql.And((tolerant_search.close_only(node, found), ql.Not(node)))
    wanted = max(0, limit - len(result["results"]))
    outcome = engine.search_documents(
        only_relaxed, sort=sort, limit=wanted, offset=max(0, offset - exact_total)
    )
    highlight = _highlight(relaxed)
    approximate = [_approximate_result(hit, highlight, found, engine) for hit in outcome.hits]
    texts = [text for hit in outcome.hits[:PAGES_SHOWN] for _, text in hit.pages[:1]]
    combined = {
        **result,
        "total": exact_total + outcome.total,
        "results": result["results"] + approximate,
        "facets": _summed(result["facets"], outcome.facets),
    }
    return combined, texts


def _approximate_result(
    hit: DocumentHit, highlight: Highlight, found: tolerant_search.Approximate, engine: Engine
) -> dict:
    """A result found only approximately: its aligned pages first, the approximate span
    marked with the exact words around it."""
    shown = _result(hit, highlight, engine)
    aligned = []
    for number, text, span, _score in found.pages.get(hit.metadata["id"], [])[:PAGES_SHOWN]:
        spans = sorted({*match_spans(text, highlight), span})
        aligned.append({"page": number, "snippet": snippet(text, highlight, spans=spans)})
    numbers = {page["page"] for page in aligned}
    others = [page for page in shown["pages"] if page["page"] not in numbers]
    return {**shown, "approximate": True, "pages": (aligned + others)[:PAGES_SHOWN]}


def _summed(a: dict[str, dict[str, int]], b: dict[str, dict[str, int]]) -> dict:
    """Facet counts of two disjoint sets of documents, in the engine's orders."""
    summed = {}
    for name in a.keys() | b.keys():
        counts = Counter(a.get(name, {})) + Counter(b.get(name, {}))
        if name == "year":
            summed[name] = dict(sorted(counts.items(), key=lambda p: p[0], reverse=True))
        else:
            summed[name] = dict(sorted(counts.items(), key=lambda p: (-p[1], p[0])))
    names = ("type", "year", "language", "place")
    return {name: summed[name] for name in names if name in summed}


def _crossed(query: str, node: ql.Node) -> tuple[ql.Node, list[str]]:
    """The query or its glossary terms in the other language (every concept it names, each
    by any of its terms), and those terms."""
    groups = glossary_groups(query)
    if not groups:
        return node, []
    concepts = tuple(
        ql.Or(tuple(ql.Text(term) for term in terms)) if len(terms) > 1 else ql.Text(terms[0])
        for terms in groups
    )
    other = concepts[0] if len(concepts) == 1 else ql.And(concepts)
    return ql.Or((node, other)), [term for terms in groups for term in terms]


def _engine(index_dir: Path) -> Engine | None:
    """The engine of the index, or None while a library's first run has committed nothing
    (IndexMissing when nothing was ever indexed in that data folder)."""
    engine = open_engine(Path(index_dir))
    if engine.exists():
        return engine
    if DataDir(Path(index_dir).parent).indexing_begun:
        return None
    raise IndexMissing(
        f"No index in {Path(index_dir).parent}: run `ddsearch index FOLDER` on a folder of PDFs."
    )


def matching_pages(index_dir: Path, doc_id: str, query: str) -> list[dict]:
    """The pages of one document whose text matches the query's words, best first, each as
    ``{"page", "snippet"}`` like a search result's pages; [] for an empty query."""
    node = ql.parse(query).node
    engine = _engine(index_dir)
    if engine is None:
        return []
    return list(_matched(engine.candidate_pages(node, doc_id), _highlight(node)))


def query_marks(query: str) -> tuple[Highlight, tuple[str, ...]]:
    """What of a query to mark on a page: the snippets' highlight, and its Khmer phrases long
    enough to align approximately (where the highlight finds nothing)."""
    node = ql.parse(query).node
    texts = [text for text in ql.positive_texts(node) if not text.title_only]
    phrases = (tolerant_search.khmer_phrase(text) for text in texts)
    return _highlight(node), tuple(phrase for phrase in phrases if phrase)


def format_results_text(result: dict) -> str:
    """The human-readable form of a `search` result: a ranked list with pages and snippets."""
    lines = []
    if result.get("warning"):
        lines += [f"Note: {result['warning']}", ""]
    if result.get("cut_short"):
        lines += [f"Cut short: {result['cut_short']}", ""]
    if result.get("also_searched"):
        lines += [f"Also searched: {' · '.join(result['also_searched'])}", ""]
    if result.get("suggestions"):
        lines += [f"Did you mean: {' | '.join(result['suggestions'])}", ""]
    shown = len(result["results"])
    first = result["offset"] + 1
    if not result["total"]:
        lines.append("No documents match. Try fewer words, or remove a filter.")
    else:
        lines.append(
            f"{result['total']} document{'s' if result['total'] != 1 else ''} match; "
            f"showing {first}-{result['offset'] + shown}."
        )
    for rank, doc in enumerate(result["results"], start=first):
        about = ", ".join(
            str(part)
            for part in (
                doc["type"],
                readable_date(doc["date"]) or doc["year"],
                doc["number"],
                "+".join(doc["language"]),
            )
            if part
        )
        close = "  (close match)" if doc.get("approximate") else ""
        lines += ["", f"{rank}. {doc['title'] or '(untitled)'}  [{about}]{close}"]
        lines.append(f"   id {doc['id']}  {' | '.join(doc['paths'])}")
        for version in doc.get("other_versions", []):
            language = "+".join(version["language"]) or "?"
            lines.append(f"   {language} version: {version['title']}  (id {version['id']})")
        if doc.get("places"):
            codes = [place["code"] for place in doc["places"]]
            lines.append(f"   places: {_place_line(codes)}")
        for page in doc["pages"]:
            lines.append(f"   p. {page['page']}: {_plain(page['snippet'])}")
    facets = [(name, counts) for name, counts in result["facets"].items() if counts]
    lines += [""] if facets else []
    for name, counts in facets:
        shown = {place_names.name(v, "en") if name == "place" else v: n for v, n in counts.items()}
        lines.append(f"By {name}: " + ", ".join(f"{value} {n}" for value, n in shown.items()))
    return "\n".join(lines)


def _place_line(codes: list[str]) -> str:
    """Places as a reader says them: "Kandal (Kien Svay), Phnom Penh"."""
    return ", ".join(
        f"{province} ({', '.join(n for _, n in inside)})" if inside else province
        for _, province, inside in place_names.summary(codes, "en")
    )


def _plain(snippet_html: str) -> str:
    """A snippet for a terminal: marks shown as «…», entities decoded."""
    return html.unescape(snippet_html.replace("<mark>", "«").replace("</mark>", "»"))


def _with_citers(node: ql.Node | None, index_dir: Path) -> ql.Node | None:
    """The tree with each ``cites:ID`` replaced by the ids of the documents that cite ID, from
    the citator in the data folder's library.sqlite (an index folder is its data folder's
    ``index``); a document nothing cites matches nothing."""
    if isinstance(node, ql.Facet) and node.field == "cites":
        citers = links.citing(DataDir(index_dir.parent).library, node.value)
        return ql.Or(tuple(ql.Facet("id", doc_id) for doc_id in sorted(citers)))
    if isinstance(node, ql.And | ql.Or):
        return type(node)(tuple(_with_citers(child, index_dir) for child in node.children))
    if isinstance(node, ql.Not):
        return ql.Not(_with_citers(node.child, index_dir))
    return node


def _filters(
    type: str | None, year: str | None, lang: str | None, place: str | None = None
) -> tuple[ql.Node, ...]:
    filters: list[ql.Node] = []
    if type:
        key = type.strip().lower()
        if problem := type_problem(key):
            raise ql.QuerySyntaxError(problem)
        filters.append(ql.Facet("type", key))
    if year:
        filters.append(ql.parse_year(year))
    if lang:
        filters.append(ql.parse_language(lang))
    if place:
        filters.append(ql.parse_place(place))
    return tuple(filters)


def _highlight(node: ql.Node | None) -> Highlight:
    """The words to mark in snippets: those the query looks for in page text."""
    texts = [text for text in ql.positive_texts(node) if not text.title_only]
    latin: list[tuple[str, ...]] = []
    prefixes: list[str] = []
    for text in texts:
        terms = list(text.terms.latin)
        if text.prefix and terms:
            prefixes.append(terms.pop())
        if terms:
            latin.append(tuple(terms))
    return Highlight(
        khmer=tuple(run.text for text in texts for run in text.terms.khmer),
        latin=tuple(latin),
        prefixes=tuple(prefixes),
        term_of=_term_of,
    )


def _term_of(word: str) -> str:
    terms = latin_terms(word)
    return terms[0] if terms else ""


def other_versions(engine: Engine, ids: list[str]) -> list[dict]:
    """The documents of the same work in another language: ``{"id", "title", "language"}``."""
    found = ((doc_id, engine.document(doc_id)) for doc_id in ids)
    return [
        {"id": doc_id, "title": meta["title"], "language": meta["languages"]}
        for doc_id, meta in found
        if meta is not None
    ]


def _result(hit: DocumentHit, highlight: Highlight, engine: Engine) -> dict:
    meta = hit.metadata
    return {
        "id": meta["id"],
        "title": meta["title"],
        "type": meta["type"],
        "year": meta["year"],
        "date": meta["date"],
        "number": meta["number"],
        "language": meta["languages"],
        "paths": meta["paths"],  # none for a record of a printed copy without a file
        "call_number": meta.get("call_number", ""),  # where a printed copy is kept
        "shelf": meta.get("shelf", ""),
        "places": place_names.describe(meta["places"]),
        "other_versions": other_versions(engine, meta.get("work", [])),
        "score": round(hit.score, 4),
        "approximate": False,
        "pages": _pages(hit.pages, highlight),
    }


def _pages(candidates: list[tuple[int, str]], highlight: Highlight) -> list[dict]:
    """The best few matching pages; the best candidate unmarked when none really matches."""
    pages = list(islice(_matched(candidates, highlight), PAGES_SHOWN))
    if not pages and candidates:
        number, text = candidates[0]
        pages.append({"page": number, "snippet": snippet(text, highlight, spans=[])})
    return pages


def _matched(candidates: Iterable[tuple[int, str]], highlight: Highlight) -> Iterator[dict]:
    """Candidate pages (which hold the searched terms) whose text really holds a searched
    word or phrase: terms can be apart on a page, as pages are indexed without positions."""
    for number, text in candidates:
        spans = match_spans(text, highlight)
        if spans:
            yield {"page": number, "snippet": snippet(text, highlight, spans=spans)}
