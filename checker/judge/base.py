"""The `Judge` protocol and the one place reasons become a verdict (`combine`).

Every judge (rules, NLI model, anything added later) returns `Reason`s wrapped in a
`Judgement`; `CombinedJudge` pools the reasons of several judges and decides once, so the
policy "a confident contradiction wins" lives here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from checker.types import Judgement, Reason, Verdict


@runtime_checkable
class Judge(Protocol):
    """Judges (claim, passage) text pairs: one `Judgement` per pair, in the same order."""

    name: str

    def judge(self, pairs: Sequence[tuple[str, str]]) -> list[Judgement]: ...


def combine(reasons: Sequence[Reason], min_confidence: float) -> Judgement:
    """One verdict from many reasons: a contradiction reason at/above min_confidence wins (it is
    NOT hidden by a higher support score — topic overlap often fakes entailment); else the
    strongest support at/above min_confidence; else RELATED. Confidence = that reason's
    confidence (or, for RELATED, 0). All reasons are kept: the deciding one first (it is what a
    reader is shown as "why"), then the others strongest first."""
    ordered = tuple(sorted(reasons, key=lambda r: r.confidence, reverse=True))
    for verdict in (Verdict.CONTRADICTS, Verdict.SUPPORTS):
        best = next((r for r in ordered if r.verdict is verdict), None)
        if best is not None and best.confidence >= min_confidence:
            rest = tuple(r for r in ordered if r is not best)
            return Judgement(verdict, best.confidence, (best, *rest))
    return Judgement(Verdict.RELATED, 0.0, ordered)


class CombinedJudge:
    """Runs each judge on the pairs and merges their reasons per pair via `combine()`.

    The inner judges' own verdicts are ignored on purpose: only their reasons count, so one
    threshold (`min_confidence`) decides for all of them.
    """

    def __init__(
        self, judges: Sequence[Judge], min_confidence: float, costly: Sequence[str] = ()
    ) -> None:
        if not judges:
            raise ValueError("CombinedJudge needs at least one judge")
        self.judges = tuple(judges)
        self.min_confidence = min_confidence
        self.name = "+".join(j.name for j in self.judges)
        # Judges (by name) that `judge(..., worth=...)` runs only on the pairs worth it.
        self.costly = frozenset(costly)

    def judge(
        self, pairs: Sequence[tuple[str, str]], worth: Sequence[bool] | None = None
    ) -> list[Judgement]:
        """`worth[i]` False: pair i cannot change its verdict by a costly judge's reading (the
        caller knows, e.g. the alignment gate would set it aside), so those judges skip it."""
        pooled: list[list[Reason]] = [[] for _ in pairs]
        for judge in self.judges:
            chosen = list(range(len(pairs)))
            if worth is not None and judge.name in self.costly:
                chosen = [i for i in chosen if worth[i]]
            judgements = judge.judge([pairs[i] for i in chosen]) if chosen else []
            if len(judgements) != len(chosen):
                # A judge that drops or adds pairs would silently misalign every verdict after it.
                raise RuntimeError(
                    f"judge {judge.name!r} returned {len(judgements)} judgements "
                    f"for {len(chosen)} pairs"
                )
            for i, judgement in zip(chosen, judgements, strict=True):
                pooled[i].extend(judgement.reasons)
        return [combine(reasons, self.min_confidence) for reasons in pooled]
