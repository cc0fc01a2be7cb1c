"""The number rule: the same thing counted, priced or measured differently.

Two quantities (`checker.judge.rules.quantities`) tied to the same thing, in sentences that
share their topic, contradict when their values cannot both hold ("more than 30" and "32" can)
and support when they are equal. What makes two figures rivals rather than figures for
different things is guessed from the words around them, so every doubt lowers the confidence:
hedges, forecasts, several candidates, prices and changes without a shared date, names that
differ, verbs that differ, a round measurement the other figure rounds to.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from checker.judge.rules.dates import compare, find_dates
from checker.judge.rules.quantities import Quantity, find_quantities, show
from checker.judge.rules.stances import negated_tokens
from checker.judge.rules.text import analyse, clip, names_within, overlap, words
from checker.types import Reason, Verdict

_YEAR = re.compile(r"(?<![\d,.$])\b(1[89]\d\d|20\d\d)\b(?![,.]?\d)")
_PERIOD = re.compile(r"\b(?:last|this|next)\s+(?:year|financial year|season|quarter|month)\b")


def _asserted(text: str) -> list[Quantity]:
    """The figures a sentence asserts: "did not destroy 40 homes" asserts no figure."""
    negated = negated_tokens(text)
    return [q for q in find_quantities(text) if not q.tokens & negated]


def _same_thing(a: Quantity, b: Quantity) -> bool:
    """Whether two quantities measure the same thing (not yet: whether they agree)."""
    if a.kind != b.kind or (a.of and b.of and a.of != b.of) or a.change != b.change:
        return False
    if a.units or b.units:
        return bool(a.units & b.units)
    if a.kind == "count":
        return False
    # A bare percentage or sum needs the same anchor on one side or the other.
    return bool((a.of and a.of == b.of) or (a.left and a.left == b.left))


def _agree(a: Quantity, b: Quantity) -> bool:
    if not (a.hedged or b.hedged):
        return math.isclose(a.value, b.value, rel_tol=1e-9)
    return a.low <= b.high and b.low <= a.high


def _different_years(claim: str, passage: str) -> bool:
    """Figures for different years ("1,700 died in 1986", "37 died in 1984") are different
    events, not rival figures for one."""
    years_a = set(_YEAR.findall(claim))
    years_b = set(_YEAR.findall(passage))
    return bool(years_a and years_b and not years_a & years_b)


def _same_occasion(claim: str, passage: str) -> bool:
    """Both sentences date their figure alike: the same date, time, month or year, or the
    same period said the same way ("last year")."""
    for a in find_dates(claim):
        for b in find_dates(passage):
            result = compare(a, b)
            if result is not None and result[0]:
                return True
    periods_a = set(_PERIOD.findall(claim.lower()))
    return bool(periods_a & set(_PERIOD.findall(passage.lower())))


Start = tuple[str, float, float]  # a measure ("cent/kilogram") and the interval it started in


def starting_levels(quantities: Sequence[Quantity]) -> list[Start]:
    """Where a figure stood before the one change a sentence reports, from the change and the
    level it reached: "fell 19 cents to 825 cents a kilogram" started at 844 cents a kilogram;
    "dropped 6 per cent to 708 cents" between 749 and 757 (a whole percentage is rounded)."""
    changes = [q for q in quantities if q.change and q.direction]
    if len(changes) != 1:
        return []
    change, starts = changes[0], []
    for level in (q for q in quantities if not q.change):
        for measure in level.units:
            if change.kind == "percent" and not change.units:
                shares = (change.value - 0.5) / 100, (change.value + 0.5) / 100
                ends = sorted(level.value / (1 + change.direction * share) for share in shares)
                starts.append((measure, ends[0], ends[1]))
            elif change.kind == level.kind and measure.split("/")[0] in change.units:
                start = level.value - change.direction * change.value
                starts.append((measure, start, start))
    return starts if len(starts) == 1 else []


def started_alike(qa: Sequence[Quantity], qb: Sequence[Quantity]) -> bool | None:
    """Whether two reports of a move start from the same level (the same move, so the same
    occasion: "fell 19 cents to 825" and "fell 18 cents to 826" both start at 844); None where
    either sentence does not say both the change and where it ended."""
    a, b = starting_levels(qa), starting_levels(qb)
    if not a or not b or a[0][0] != b[0][0]:
        return None
    (_, low_a, high_a), (_, low_b, high_b) = a[0], b[0]
    return low_a <= high_b + 1e-9 and low_b <= high_a + 1e-9


def two_moves(claim: str, passage: str) -> bool:
    """Two reports of a move that started from different levels and share neither figure:
    two moves, on two occasions ("dropped six cents, to finish at 738 cents" and "dropped
    off 6 per cent, to finish the week at 708 cents": two weeks' wool sales). Where one
    figure is the same ("fell 19 cents to 825" / "fell 19 cents to 826") they may be one move
    misreported, and this says nothing."""
    qa, qb = _asserted(clip(claim)), _asserted(clip(passage))
    if started_alike(qa, qb) is not False:
        return False
    return not any(_same_thing(a, b) and _agree(a, b) for a in qa for b in qb)


def _names_clash(claim: str, passage: str) -> bool:
    """Each sentence names someone or somewhere the other does not (Graincorp's profit and
    CBH's profit are two figures, not one disputed figure)."""
    names_a = {t.lemma for t in analyse(claim) if t.is_proper}
    names_b = {t.lemma for t in analyse(passage) if t.is_proper}
    # One name written two ways ("Iraqi" / "Iraq") is one name.
    return not names_within(names_a, names_b) and not names_within(names_b, names_a)


# Units of measurement: a length, weight, area or volume is often given rounded ("a
# 40-foot-wide crater" for one measured at 12 metres, 39.4 feet), a count of people or
# things rarely is.
_MEASURES = words(
    "foot feet ft inch yard mile metre meter m km cm mm kilometre kilometer centimetre "
    "centimeter millimetre millimeter kilogram kilo kg gram g pound lb stone tonne ton t ounce "
    "hectare ha acre litre liter l gallon megalitre degree knot mph kph kmh"
)


def _rounded(a: Quantity, b: Quantity) -> bool:
    """One of two measurements of a thing is a round figure that the other rounds to: "39
    feet" and "40 feet", "19 stone" and "20 stone" may be one measurement, given rounded."""
    units = {u.split("/")[0] for u in (*a.units, *b.units)}
    if not units or not units <= _MEASURES:
        return False
    for rough, exact in ((a.value, b.value), (b.value, a.value)):
        for step in (1000.0, 500.0, 100.0, 50.0, 10.0, 5.0):
            if rough >= 2 * step and rough % step == 0:
                if abs(rough - exact) <= step / 2:
                    return True
                break  # the roughest step the figure is round to decides
    return False


def _certainty(
    a: Quantity, b: Quantity, rivals: int, dated_alike: bool, names_clash: bool
) -> float:
    """How sure a clash between `a` and `b` makes a contradiction, before the topic gate."""
    certainty = 0.9
    if a.hedged or b.hedged:
        certainty *= 0.8
    if a.irrealis or b.irrealis:
        certainty *= 0.7  # a forecast may miss, a hope may fail
    if rivals > 1:
        certainty *= 0.8  # several candidates, none equal: maybe a list of other figures
    if (a.change or any("/" in u for u in a.units)) and not dated_alike:
        # Prices, rates and changes move from day to day: without a shared date two reports
        # of "the indicator fell 7 cents" may both be right.
        certainty *= 0.55
    if names_clash:
        certainty *= 0.7  # each names someone or somewhere the other does not
    if _rounded(a, b):
        certainty *= 0.5  # "40 feet" may be "39 feet" rounded
    verbs_a, verbs_b = {a.left, a.right} - {None}, {b.left, b.right} - {None}
    if verbs_a and verbs_b and not verbs_a & verbs_b:
        certainty *= 0.5  # "12 fishermen will face court", "11 fishermen were jailed"
    return certainty


class NumberRule:
    """Different numbers for the same thing contradict; the same number supports."""

    name = "number"

    def check(self, claim: str, passage: str) -> Reason | None:
        claim, passage = clip(claim), clip(passage)
        qa, qb = _asserted(claim), _asserted(passage)
        if not qa or not qb:
            return None
        agreements: list[tuple[Quantity, Quantity]] = []
        clashes: list[tuple[Quantity, Quantity, int]] = []
        for a in qa:
            rivals = [b for b in qb if _same_thing(a, b)]
            if not rivals:
                continue
            # A sentence may give a figure twice ("up from 23 to 32"): one match is enough.
            kin = [x for x in qa if _same_thing(x, rivals[0])]
            matching = [(x, b) for x in kin for b in rivals if _agree(x, b)]
            if matching:
                agreements.extend(matching)
            elif not (a.open_ended and rivals[0].open_ended):
                # Two bounds ("below 380", "over 400") compare thresholds, not figures.
                clashes.append((a, rivals[0], len(rivals)))
        topic = self._topic(claim, passage, qa, qb)
        if clashes:
            same_move = started_alike(qa, qb) is True
            reason = self._contradiction(
                claim, passage, clashes, topic, bool(agreements), same_move
            )
            if reason is not None:
                return reason
        return self._support(claim, passage, agreements, topic) if agreements else None

    @staticmethod
    def _topic(
        claim: str, passage: str, qa: Sequence[Quantity], qb: Sequence[Quantity]
    ) -> tuple[int, float]:
        units = {u.strip("/") for q in (*qa, *qb) for u in q.units}
        shared = overlap(
            analyse(claim),
            analyse(passage),
            {i for q in qa for i in q.tokens},
            {i for q in qb for i in q.tokens},
            skip_lemmas=units,
        )
        return len(shared.shared), shared.coefficient

    def _contradiction(
        self,
        claim: str,
        passage: str,
        clashes: Sequence[tuple[Quantity, Quantity, int]],
        topic: tuple[int, float],
        corroborated: bool,
        same_move: bool,
    ) -> Reason | None:
        shared, coefficient = topic
        if shared < 2 or _different_years(claim, passage):
            return None
        # Neighbouring news sentences share a topic but give figures for different things;
        # only a clearly shared topic makes two figures rivals.
        topical = min(1.0, max(0.0, (coefficient - 0.3) / 0.3) + (0.1 if corroborated else 0.0))
        # Reports of one move (the same starting level) are of one occasion, dated or not.
        dated_alike = same_move or _same_occasion(claim, passage)
        names_clash = _names_clash(claim, passage)
        scored = [
            (_certainty(a, b, rivals, dated_alike, names_clash) * topical, a, b)
            for a, b, rivals in clashes
        ]
        confidence, a, b = max(scored, key=lambda s: s[0])
        if confidence <= 0:
            return None
        return Reason(
            kind=self.name,
            verdict=Verdict.CONTRADICTS,
            confidence=round(confidence, 3),
            detail=f"claim says {show(claim, a)}, passage says {show(passage, b)}",
            claim_spans=(a.span,),
            passage_spans=(b.span,),
        )

    def _support(
        self,
        claim: str,
        passage: str,
        agreements: Sequence[tuple[Quantity, Quantity]],
        topic: tuple[int, float],
    ) -> Reason | None:
        shared, coefficient = topic
        if shared < 1:
            return None
        a, b = agreements[0]
        # An exact "2,350 lambs" in both is a stronger sign of one source than "three people".
        specificity = 0.6 if a.value <= 20 or a.hedged or b.hedged else 0.8
        confidence = round(specificity * (0.55 + 0.45 * min(1.0, coefficient / 0.4)), 3)
        return Reason(
            kind=self.name,
            verdict=Verdict.SUPPORTS,
            confidence=confidence,
            detail=f"claim and passage both say {show(claim, a)}",
            claim_spans=(a.span,),
            passage_spans=(b.span,),
        )
