"""Bounded prefix expansion, the same for every engine: a prefix stands for at most
PREFIX_TERMS of its most frequent terms, a one- or two-letter prefix for fewer, and one query
for about MAX_EXPANSIONS terms in all (issue 14: `a* OR b* OR ...` expanded to every word of
the library and took seconds; bench/cost_bench.py measures what the caps keep)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from itertools import islice

PREFIX_TERMS = 16
SHORT_PREFIX_TERMS = 4
SHORT_PREFIX = 2
MAX_EXPANSIONS = 32  # past it, each further prefix stands for its most frequent term only
SCANNED_TERMS = 256  # terms of a prefix looked at (in order) to find its most frequent ones


class Budget:
    """What is left of one query's expansions, and whether a cap left terms out."""

    def __init__(self) -> None:
        self.left = MAX_EXPANSIONS
        self.capped = False


def expand(
    prefix: str, terms: Iterable[str], frequency: Callable[[str], int], budget: Budget
) -> list[str]:
    """The terms (in index order) ``prefix`` stands for: its most frequent ones, capped."""
    wanted = SHORT_PREFIX_TERMS if len(prefix) <= SHORT_PREFIX else PREFIX_TERMS
    keep = max(1, min(wanted, budget.left))
    found = list(islice(terms, SCANNED_TERMS + 1))
    if len(found) > SCANNED_TERMS:
        budget.capped = True
        found = found[:SCANNED_TERMS]
    if len(found) > keep:
        budget.capped = True
        counts = {term: frequency(term) for term in found}
        found = sorted(found, key=lambda term: (-counts[term], term))[:keep]
    budget.left -= len(found)
    return found
