"""The instrument's own date, decided by the agreement of the evidence its pages give.

Its signing line (ធ្វើនៅ ... ថ្ងៃទី ... ខែ ... ឆ្នាំ ...; for a law, its royal kram's) is the
date; but OCR misreads one digit in a few (១៩៩៤ as ១៩៩៨), so every date is weighed against the
rest: the month and year in its royal number (នស/រកម/០៧០៤/០០១ was signed in July 2004), the
lunar line over the signature (weekday, animal year, era, Buddhist-era year: words, not
digits), the dates its adoption was voted (before it), the Royal Gazette issue that printed it
and the instruments it cites (after them), a cover's Christian-era year. One misread digit is
outvoted; a part the evidence does not settle is left out (the day, then the month), never
guessed. A signing line before the instrument's own heading is the end of the instrument
before it on the same Gazette page, and counts for nothing.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

from indexer.library import numbers
from indexer.library.metadata.dates import (
    Lunar,
    Reading,
    read_dates,
    read_lunar,
    slipped,
)
from indexer.library.metadata.headings import heading
from indexer.library.metadata.lines import HEAD_LINES, HEAD_PAGES, pages_read, read_pages
from indexer.library.metadata.sureness import UNSURE_DATE_CONFIDENCE, WordsOf, surely_read
from indexer.text.khmer import clean, fold
from indexer.vocabulary import plausible_year

#: A part is settled when the best value's weight beats every other value's by this much.
SETTLED = 2.0
#: Weights of the evidence (see `_score`): what agreeing with a reading gains, what
#: contradicting it costs.
WEIGHTS = {
    "signing_year": 4.0,
    "signing_month": 3.0,
    "signing_day": 3.0,
    "slip": 1.0,  # a value one digit slip from the signing line's
    "number_year": 3.0,
    "number_month": 2.0,
    "lunar": 1.5,  # each part of the lunar line that fits
    "era_year": 3.0,  # a cover's or heading's Christian-era year (គ.ស.)
    "bound": 1.0,  # within a plausible time of an adoption or the Gazette issue
    "out_of_order": 4.0,  # signed before an adoption or a cited instrument, after its Gazette
    "plain_year": 0.5,
}
#: An instrument is promulgated within this many days of its adoption, and printed in the
#: Royal Gazette within this many of its signing.
AFTER_ADOPTION = 120
BEFORE_GAZETTE = 365


@dataclass(frozen=True)
class Dated:
    """The decided date (ISO, as far as settled; '' none), its year (the best, settled or not),
    and how sure each is (0..1)."""

    date: str
    year: int | None
    date_confidence: float
    year_confidence: float
    number_fits: bool = True  # a royal number's month and year fit the date and the order


def instrument_start(pages: Sequence[str], kind: str) -> tuple[int, int]:
    """(page, line) of the instrument's first heading (for a law, its kram's): what comes
    before it on a Gazette page is the end of the instrument before."""
    first = None
    for page_index, page in enumerate(pages[:HEAD_PAGES]):
        for line_index, line in enumerate(page.splitlines()[:HEAD_LINES]):
            found = heading(fold(clean(line)))
            if not found:
                continue
            if found[0] == kind or (kind == "law" and found[0] == "royal-kram"):
                return page_index, line_index
            first = first or (page_index, line_index)
    return first or (0, 0)


def decide(
    pages: Sequence[str], kind: str = "", number: str = "", words_of: WordsOf | None = None
) -> Dated:
    """The date of an instrument from its pages, its type and the number read off it: the
    pages `lines.read_pages` keeps (the head and the tail), and, when they hold no signing
    line, the others in order (a code's annexes may follow its signature by fifty pages).
    ``words_of`` gives a page's OCR'd words: a day or month its signing line's words were read
    unsurely settles nothing (`sureness`)."""
    indices = pages_read(len(pages))
    read = [pages[i] for i in indices]
    start = instrument_start(read, kind)
    readings = [r for r in read_dates(read) if r.position >= start or r.kind == "gazette"]
    own, page = _own(readings), None
    if own is not None:
        page = indices[own.position[0]]
    elif len(read) < len(pages):
        middle = [i for i in range(len(pages)) if i not in set(indices)]
        signing = [r for r in read_dates([pages[i] for i in middle]) if r.kind == "signing"]
        signing = [r for r in signing if r.as_date()]
        if signing:
            # positions of the middle pages: after the head's, in reading order
            page = middle[signing[0].position[0]]
            own = replace(signing[0], position=(HEAD_PAGES, 0))
            readings.append(own)
    unsure = False
    if own is not None and words_of is not None:
        sure, unsure = surely_read(own, words_of(page))
        readings = [sure if r is own else r for r in readings]
        own = sure
    lunar = _lunar_of(read_lunar(pages), own, start)
    dated = Evidence(own, lunar, readings, _number_date(number)).decide()
    if unsure:  # a part left out for an unsure reading: the librarian's to settle
        cap = UNSURE_DATE_CONFIDENCE
        dated = replace(dated, date_confidence=min(dated.date_confidence, cap))
    return dated


def promulgation(pages: Sequence[str], year: int) -> Dated | None:
    """A constitution's date: the promulgation its text tells of ("... ប្រកាសឱ្យប្រើនៅថ្ងៃទី
    ២៤ ខែកញ្ញា ឆ្នាំ ១៩៩៣") in its year of adoption, weighed against that year's other dates
    (its adoption before it); None when it tells of none. Its consolidated editions end with
    the latest amendment's signature, which is not its date."""
    readings = [r for r in read_dates(read_pages(pages)) if r.year == year]
    told = [r for r in readings if r.kind == "promulgated"]
    return Evidence(told[0], None, readings, None).decide() if told else None


def _own(readings: list[Reading]) -> Reading | None:
    """The instrument's signing line: the first after its heading that says "done at" or
    names the palace, else the first with a place alone that does not sign an adoption (the
    Assembly president's "ភ្នំពេញ ថ្ងៃទី ..." under "អនុម័តនៅថ្ងៃ ...")."""
    for reading in readings:
        if reading.kind == "signing":
            return reading
    adopted = [r.position for r in readings if r.kind == "adopted"]
    for reading in readings:
        page, line = reading.position
        signs_adoption = any(p == page and 0 < line - at <= 3 for p, at in adopted)
        if reading.kind == "place" and not signs_adoption:
            return reading
    return None


#: Lines above a signing line its lunar line may be.
LUNAR_LINES = 4


def _lunar_of(lines: list[Lunar], own: Reading | None, start: tuple[int, int]) -> Lunar | None:
    """The lunar line over the signing line (or the last one after the heading when no
    signing line was read)."""
    after = [line for line in lines if line.position >= start]
    if own is None:
        return after[-1] if after else None
    page, line = own.position
    near = [
        lunar
        for lunar in after
        if lunar.position[0] == page and line - LUNAR_LINES <= lunar.position[1] <= line
    ]
    return near[-1] if near else None


_ROYAL_DATE = re.compile(r"^NS/RK[MT]/(\d\d)(\d\d)/")


def _number_date(number: str) -> tuple[int, int] | None:
    """(month, two-digit year) of a royal number (NS/RKM/0704/1: July 2004), or None."""
    match = _ROYAL_DATE.match(numbers.canonical(number) if number else "")
    if not match or not 1 <= int(match.group(1)) <= 12:
        return None
    return int(match.group(1)), int(match.group(2))


@dataclass
class Evidence:
    own: Reading | None
    lunar: Lunar | None
    readings: list[Reading]
    number: tuple[int, int] | None

    def decide(self) -> Dated:
        dated = self._decide()
        if self.number and not self._number_fits(dated):
            return Dated(
                dated.date, dated.year, dated.date_confidence, dated.year_confidence, False
            )
        return dated

    def _number_fits(self, dated: Dated) -> bool:
        """Whether the royal number's month and year can be the signing's: those of the date
        as far as it is settled, and after the adoption and cited dates, before the Gazette."""
        month, yy = self.number
        if dated.date and int(dated.date[:4]) % 100 != yy:
            return False
        if len(dated.date) >= 7 and int(dated.date[5:7]) != month:
            return False
        century = (dated.year or 2000) // 100 * 100
        year = min((century - 100 + yy, century + yy, century + 100 + yy),
                   key=lambda y: abs(y - (dated.year or y)))  # fmt: skip
        return self._order_score(year, month, penalties_only=True) == 0

    def _decide(self) -> Dated:
        years = self._candidate_years()
        if not years:
            return Dated("", None, 0.0, 0.0)
        scored = {(y, m): self._score(y, m) for y in years for m in range(1, 13)}
        (year, month), best = max(scored.items(), key=lambda item: (item[1], -abs(item[0][1])))
        other_years = [s for (y, _), s in scored.items() if y != year]
        year_margin = best - max(other_years, default=best - 2 * SETTLED)
        other_months = [s for (y, m), s in scored.items() if y == year and m != month]
        month_margin = best - max(other_months, default=best)
        year_confidence = _confidence(year_margin)
        if year_margin < SETTLED:
            return Dated("", year, 0.0, year_confidence)
        if month_margin < SETTLED:
            return Dated(f"{year}", year, year_confidence, year_confidence)
        month_confidence = min(year_confidence, _confidence(month_margin))
        day, day_margin = self._day(year, month)
        if day is None or day_margin < SETTLED:
            return Dated(f"{year}-{month:02d}", year, month_confidence, year_confidence)
        confidence = min(month_confidence, _confidence(day_margin))
        return Dated(f"{year}-{month:02d}-{day:02d}", year, confidence, year_confidence)

    def _candidate_years(self) -> list[int]:
        years = {r.year for r in self.readings if r.year and r.kind != "cited"}
        if self.own and self.own.year:
            years.update(slipped(self.own.year))
        if self.own:
            years.update(self.own.lost_digit)
        if self.number:
            years.update({1900 + self.number[1], 2000 + self.number[1]})
        if self.lunar and self.lunar.buddhist_year:
            years.update({self.lunar.buddhist_year - 543, self.lunar.buddhist_year - 544})
        return sorted(year for year in years if plausible_year(year))

    def _score(self, year: int, month: int) -> float:
        """How well the evidence agrees with a signing in ``month`` of ``year``."""
        w = WEIGHTS
        score = 0.0
        own = self.own
        if own and own.year:
            if own.year == year:
                score += w["signing_year"]
            elif year in slipped(own.year):
                score += w["slip"]
        elif own and year in own.lost_digit:
            score += w["slip"]
        if own and own.month:
            score += w["signing_month"] if own.month == month else -w["signing_month"]
        if self.number:
            number_month, yy = self.number
            score += w["number_year"] if year % 100 == yy else -w["slip"]
            score += w["number_month"] if number_month == month else -w["slip"]
        if self.lunar:
            score += self._lunar_score(year, month)
        score += self._order_score(year, month)
        eras = {r.year for r in self.readings if r.kind == "era"}
        score += w["era_year"] if year in eras else 0.0
        plain = [r.year for r in self.readings if r.kind == "plain"]
        score += w["plain_year"] * min(2, plain.count(year))
        return score

    def _lunar_score(self, year: int, month: int) -> float:
        lunar = self.lunar
        days = (date(year, month, 1), date(year, month, 28))  # the animal turns in April
        fits = max((lunar.fits(when) for when in days), key=sum)
        # the weekday says nothing of a month: its check is the day's
        fits = fits[1:] if lunar.weekday is not None else fits
        score = sum(WEIGHTS["lunar"] if fit else -WEIGHTS["lunar"] for fit in fits)
        if lunar.lunar_month is not None:
            gregorian = (lunar.lunar_month + 11) % 12 + 1  # មិគសិរ ends in December
            near = {gregorian, gregorian % 12 + 1, (gregorian - 2) % 12 + 1}
            score += WEIGHTS["lunar"] / 2 if month in near else -WEIGHTS["lunar"] / 2
        return score

    def _order_score(self, year: int, month: int, penalties_only: bool = False) -> float:
        """Signed after its adoption and the instruments it cites, before its Gazette issue
        (``penalties_only``: only an adoption or a Gazette issue out of order counts; cited
        dates are misread too often to veto anything)."""
        w = WEIGHTS
        score = 0.0
        here = year * 12 + month
        for reading in self.readings:
            if not reading.year or not plausible_year(reading.year):
                continue
            there = reading.year * 12 + (reading.month or (12 if reading.kind == "gazette" else 1))
            if reading.kind == "gazette":
                if here > there:
                    score -= w["out_of_order"]
                elif there - here <= BEFORE_GAZETTE // 30 and not penalties_only:
                    score += w["bound"]
            elif reading.kind == "adopted" and reading.month:
                if here < there:
                    score -= w["out_of_order"]
                elif here - there <= AFTER_ADOPTION // 30 and not penalties_only:
                    score += w["bound"]
            elif reading.kind == "cited" and reading.month and here < there and not penalties_only:
                score -= w["slip"]  # a cited date may be misread too
        return score

    def _day(self, year: int, month: int) -> tuple[int | None, float]:
        """The signing day in a settled month, and by how much it beats the next best."""
        own = self.own
        # a day is read only off a line whose month was read too: a month OCR cannot read is
        # written by hand, and so, on a Gazette page, is the day beside it
        if not own or not own.day or own.month != month:
            return None, 0.0
        scores = {}
        # a day whose digits a space split may be either piece alone as well as both joined
        for day in {own.day, *(own.pieces or slipped(own.day))}:
            try:
                when = date(year, month, day)
            except ValueError:
                continue
            score = WEIGHTS["signing_day"] if day == own.day else WEIGHTS["slip"]
            if self.lunar and self.lunar.weekday is not None:
                score += WEIGHTS["lunar"] * (1 if when.weekday() == self.lunar.weekday else -1)
            for reading in self.readings:
                full = reading.as_date()
                if full and reading.kind == "gazette" and when > full:
                    score -= WEIGHTS["out_of_order"]
                if full and reading.kind == "adopted" and when < full:
                    score -= WEIGHTS["out_of_order"]
            scores[day] = score
        if not scores:
            return None, 0.0
        best = max(scores, key=scores.get)
        others = [s for d, s in scores.items() if d != best]
        return best, scores[best] - max(others, default=scores[best] - 2 * SETTLED)


def _confidence(margin: float) -> float:
    """How sure a part is, from by how much its evidence beats the next best value: 0.5 when
    just settled, towards 1 as the evidence piles up."""
    if margin <= 0:
        return 0.0
    return round(1 - 0.5 ** (margin / SETTLED), 2)
