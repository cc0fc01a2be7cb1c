"""Building the judge, and judging analysed pairs as every path does (the check, the
scan, and a Ray worker of the scan: `checker.cluster.work`); `ModelReads` counts what
reached the NLI model."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from checker.analyse import Analyser
from checker.errors import InvalidInput
from checker.judge.base import CombinedJudge, Judge
from checker.judge.gate import Gate, Sides
from checker.judge.nli import resolve_nli_model
from checker.judge.rules import RuleJudge
from checker.judge.rules.text import stored_words
from checker.settings import Settings
from checker.types import Analysis, Judgement, Verdict


@dataclass
class ModelReads:
    """How many judged pairs reached the NLI model, of all judged (since the Checker was
    built): the cascade's effect, reported by the benchmarks."""

    model: int = 0
    judged: int = 0

    def add(self, model: int, judged: int) -> None:
        self.model += model
        self.judged += judged

    @property
    def fraction(self) -> float:
        return self.model / self.judged if self.judged else 0.0


def judge_texts(
    judge: Judge,
    gate: Gate,
    analyser: Analyser,
    pairs: Sequence[tuple[str, str]],
    reads: ModelReads | None = None,
) -> list[Judgement]:
    """(claim, passage) texts judged as a check judges them: both analysed, the text judges,
    then the alignment gate (for benchmarks and tools that bring their own pairs)."""
    texts = [text for pair in pairs for text in pair]
    analyses = analyser.analyse(texts)
    return judge_analysed(
        judge,
        gate,
        [(a, analyses[2 * i], b, analyses[2 * i + 1]) for i, (a, b) in enumerate(pairs)],
        reads,
    )


def judge_analysed(
    judge: Judge,
    gate: Gate,
    pairs: Sequence[tuple[str, Analysis, str, Analysis]],
    reads: ModelReads | None = None,
) -> list[Judgement]:
    """The text judges, then the alignment gate on both sentences' analyses. The cascade:
    the text judges read only the pairs whose verdict any reading could change (the gate's
    floor), the NLI model only those its reading could change. A pair met again (a
    syndicated sentence found in several outlets: the same texts with the same analyses) is
    judged once: a judgement depends on nothing else."""
    distinct, where = _distinct(pairs)
    sides = [Sides(a, b, a_analysis, b_analysis) for a, a_analysis, b, b_analysis in distinct]
    analysed = [(s.a_text, s.a) for s in sides] + [(s.b_text, s.b) for s in sides]
    with stored_words(analysed):  # the rules read the stored words, and parse nothing
        judged = _judge_sides(judge, gate, sides, reads, len(pairs))
    return [judged[i] for i in where]


def _distinct(
    pairs: Sequence[tuple[str, Analysis, str, Analysis]],
) -> tuple[list[tuple[str, Analysis, str, Analysis]], list[int]]:
    """The distinct pairs, and for each pair the place of its distinct one. Looked up by the
    two texts, then the analyses compared (equal texts may differ in their dates' anchors)."""
    distinct: list[tuple[str, Analysis, str, Analysis]] = []
    where: list[int] = []
    by_texts: dict[tuple[str, str], list[int]] = {}
    for pair in pairs:
        same_texts = by_texts.setdefault((pair[0], pair[2]), [])
        found = next((i for i in same_texts if distinct[i] == pair), None)
        if found is None:
            found = len(distinct)
            same_texts.append(found)
            distinct.append(pair)
        where.append(found)
    return distinct, where


def _judge_sides(
    judge: Judge, gate: Gate, sides: Sequence[Sides], reads: ModelReads | None, pairs: int
) -> list[Judgement]:
    """Each of `sides` judged; `pairs`: how many pairs they stand for, counted in `reads`."""
    open_ = [i for i, pair in enumerate(sides) if gate.judges_can_matter(pair)]
    texts = [(sides[i].a_text, sides[i].b_text) for i in open_]
    if isinstance(judge, CombinedJudge):
        worth = [gate.model_can_matter(sides[i]) for i in open_]
        if reads is not None:
            reads.add(sum(worth), pairs)
        found = judge.judge(texts, worth=worth)
    else:
        found = judge.judge(texts)
    judgements = [_UNREAD] * len(sides)
    for i, judgement in zip(open_, found, strict=True):
        judgements[i] = judgement
    return [gate.decide(j, pair) for pair, j in zip(sides, judgements, strict=True)]


# A pair no text judge read: the gate decides it alone (a copy, furniture, or related).
_UNREAD = Judgement(Verdict.RELATED, 0.0, ())


def build_judge(settings: Settings) -> Judge:
    """The rules always; the NLI model too unless the setting turns it off."""
    judges: list[Judge] = [RuleJudge(min_confidence=settings.min_confidence)]
    model = resolve_nli_model(settings.nli_model)
    if model is not None:
        judges.append(
            _nli_judge(
                model, settings.nli_batch_size, settings.nli_cache_pairs, settings.nli_runtime
            )
        )
    return CombinedJudge(judges, min_confidence=settings.min_confidence, costly=["nli"])


@functools.cache
def _nli_judge(model: Path, batch_size: int, cache_pairs: int, runtime: str) -> Judge:
    """One loaded NLI model per process and path: building it takes a second or more, and
    the judge keeps no state between calls but its (thread-safe) cache of readings, so every
    Checker (and thread) can share it."""
    from checker.judge.nli import NLIJudge

    if cache_pairs < 0:
        raise InvalidInput(f"CHECKER_NLI_CACHE_PAIRS must be 0 or more, not {cache_pairs}")
    return NLIJudge(model, batch_size=batch_size, cache_size=cache_pairs, runtime=runtime)
