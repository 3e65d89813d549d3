"""The per-page quality gate for PDF text layers: keep the text, or OCR the page instead?

Real text layers fail in a few typical ways (KNOWLEDGE §3): legacy Limon/ABC fonts extract as
Latin garbage (`maRta` for មាត្រា), scans carry a garbage Latin OCR layer, broken ToUnicode maps
give misordered Khmer, and scanned pages hold nothing but a one-line header. Each signal below
catches one of those; all of them are cheap, because the gate runs on every page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from indexer.extract.legacy.fonts import is_legacy_font
from indexer.text import khmer

MIN_LETTERS = 20  # below this a page is a header or a page number: OCR it
MIN_KHMER_LETTERS = 20  # Khmer checks need this much Khmer to mean anything
# Latin checks need Latin to outweigh Khmer, or this many words making up this share of the
# letters: a few odd codes or names on a Khmer page are no reason to OCR it.
MIN_LATIN_WORDS = 8
MIN_LATIN_SHARE = 0.15

VALID_CLUSTERS_MIN = 0.985  # share of Khmer letters in orthographically valid clusters
KNOWN_PAIRS_MIN = 0.79  # share of adjacent cluster pairs seen in real Khmer text
PLAIN_WORDS_MIN = 0.80  # share of Latin tokens that look like plain words
JUNK_MAX = 0.01  # share of control, private-use, U+FFFD and (cid:N) characters

_JUNK = re.compile(r"\(cid:\d+\)|[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffd\ue000-\uf8ff]")
_KHMER = re.compile("[\u1780-\u17ff]")
_LATIN_LETTER = re.compile(r"[^\W\d_\u1780-\u17ff\u19e0-\u19ff]")

# Web and mail addresses and file names are neither words nor garbage: they are left out.
_ADDRESS = re.compile(
    r"(?:https?://|www\.)\S+|[\w.+-]+@[\w-]+\.[\w.]+"
    r"|[\w.-]+\.(?:com|org|net|gov|edu|int|kh|html?|pdf|jpe?g|png|docx?)\b\S*",
    re.IGNORECASE,
)
# Latin tokens: split at spaces, slashes, brackets and dot leaders; strip outer punctuation.
# Not at inner commas or semicolons: Limon encodes letters with them (c,ab; for ច្បាប់).
_TOKEN_SPLIT = re.compile(r"[\s/()]+|\.{2,}|…+")
_TOKEN_STRIP = "\"'“”‘’[]{}.,;:!?«»*…-–—"
# A plain word has a vowel (OCR garbage is full of `nn`, `rr`, `nr`) or is an acronym; so are
# compounds and possessives of those, with a footnote mark; numbers; dotted abbreviations.
_WORD = r"(?:[A-Z]?[a-zß-ÿ]*[aeiouyà-ÿ][a-zß-ÿ]*|[A-ZÀ-Þ]+|[A-Z][A-Za-z]{1,5})"
_PLAIN_WORD = re.compile(
    rf"{_WORD}(?:['’&.-]{_WORD})*(?:['’]s)?(?:\.?\d{{1,2}})?"
    r"|\$?\d+(?:[.,:–-]\d+)*(?:st|nd|rd|th|s|%|[A-Z])?"
    r"|[A-Za-z]\.(?:[A-Za-z]\.?)+"
)


@dataclass(frozen=True)
class Quality:
    """The gate's verdict on one page of text, with the measurements behind it.

    A measurement is None when the page has too little of that kind of text to judge by it.
    """

    score: float  # 0..1; 0.5 is the pass mark, so pages can be ranked on either side of it
    ok: bool
    reason: str  # why the page failed, in one short sentence; "" when ok
    letters: int  # Khmer letters (consonants, independent vowels) plus Latin letters
    khmer_share: float  # share of letters that are Khmer
    valid_clusters: float | None = None
    known_pairs: float | None = None
    plain_words: float | None = None
    junk: float = 0.0


def assess(text: str, fonts: Iterable[str] = ()) -> Quality:
    """Judge whether a page's text layer is good enough to index instead of OCR output.

    `fonts` are the page's (or the document's) font names as `pdffonts` lists them; a legacy
    Khmer font family settles the question for Latin-looking text.
    """
    text = khmer.clean(text)
    khmer_letters, latin_letters = khmer.letter_counts(text)
    letters = khmer_letters + latin_letters
    share = khmer_letters / letters if letters else 0.0
    measured = {"letters": letters, "khmer_share": share}
    if letters < MIN_LETTERS:
        score = 0.5 * letters / MIN_LETTERS
        return Quality(score, False, "too little text", **measured)

    checks: list[tuple[float, str]] = []  # (grade, reason it failed)
    junk = _junk_share(text)
    measured["junk"] = junk
    checks.append((_grade(1.0 - junk, 1.0 - JUNK_MAX), "control or private-use characters"))
    if khmer_letters >= MIN_KHMER_LETTERS:
        valid, known = _khmer_metrics(text)
        measured["valid_clusters"], measured["known_pairs"] = valid, known
        checks.append(
            (_grade(valid, VALID_CLUSTERS_MIN), "Khmer clusters invalid (misordered text layer)")
        )
        checks.append((_grade(known, KNOWN_PAIRS_MIN), "Khmer text garbled (broken text layer)"))
    tokens = _latin_tokens(text)
    if tokens and (
        latin_letters > khmer_letters
        or (len(tokens) >= MIN_LATIN_WORDS and latin_letters >= MIN_LATIN_SHARE * letters)
    ):
        plain = sum(1 for t in tokens if _PLAIN_WORD.fullmatch(t)) / len(tokens)
        measured["plain_words"] = plain
        checks.append((_grade(plain, PLAIN_WORDS_MIN), "Latin garbage (legacy-encoded Khmer?)"))
        if latin_letters > khmer_letters and any(map(is_legacy_font, fonts)):
            checks.append((0.0, "legacy Limon font"))

    score, reason = min(checks)
    ok = score >= 0.5
    return Quality(score, ok, "" if ok else reason, **measured)


def _grade(value: float, threshold: float) -> float:
    """Map a measurement onto 0..1 so that its pass threshold lands on 0.5."""
    if value >= threshold:
        return 0.5 + 0.5 * (value - threshold) / (1.0 - threshold)
    return 0.5 * value / threshold


def _junk_share(text: str) -> float:
    """Share of non-space characters that no real text layer should hold."""
    junk = sum(len(m) for m in _JUNK.findall(text))
    visible = len(text) - text.count(" ") - text.count("\n")
    return junk / visible if visible else 0.0


def _khmer_metrics(text: str) -> tuple[float, float]:
    """Share of Khmer letters in valid clusters, and share of cluster pairs known from real text.

    Misordered text breaks the first (a vowel sign with no base); text that lost its COENGs
    or letters (ចបប់ for ច្បាប់) still has valid clusters but pairs no Khmer word has.
    """
    known_pairs = _known_cluster_pairs()
    letters = valid = pairs = known = 0
    for word in khmer.khmer_words(khmer.fold(text)):
        run = word.group()
        previous = None
        for start, end in khmer.clusters(run):
            cluster = run[start:end]
            letters += end - start
            if khmer.is_valid_cluster(cluster):
                valid += end - start
            if previous is not None:
                pairs += 1
                known += previous + cluster in known_pairs
            previous = cluster
    return valid / letters, (known / pairs if pairs else 1.0)


@cache
def _known_cluster_pairs() -> frozenset[str]:
    """Adjacent cluster pairs that khmercut's CRF model saw in real Khmer.

    The model's features name the cluster n-grams of its training text (news, gold-segmented);
    khmercut is Apache-2.0 and already a dependency, so it doubles as a lexicon here.
    """
    import khmercut

    ngram = re.compile(r"kcc\[[-+]?\d:[-+]?\d\]:(.+)", re.DOTALL)
    pairs = set()
    for attribute, _label in khmercut.load().info().state_features:
        if m := ngram.fullmatch(attribute):
            text = khmer.fold(m.group(1))
            found = [text[start:end] for start, end in khmer.clusters(text)]
            pairs.update(map(str.__add__, found, found[1:]))
    return frozenset(pairs)


def _latin_tokens(text: str) -> list[str]:
    """Tokens holding Latin letters or ASCII digits and no Khmer, outer punctuation stripped."""
    tokens = (t.strip(_TOKEN_STRIP) for t in _TOKEN_SPLIT.split(_ADDRESS.sub(" ", text)))
    return [
        t
        for t in tokens
        if (_LATIN_LETTER.search(t) or (t.isdigit() and t.isascii())) and not _KHMER.search(t)
    ]
