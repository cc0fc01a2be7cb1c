"""Checking a claim: its nearest passages in the index (or in indexes split by time),
judged and sorted by verdict."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

import numpy as np

from checker.errors import InvalidInput
from checker.ingest.metadata import has_lone_surrogate
from checker.service.base import CheckerBase
from checker.service.judging import judge_texts

if TYPE_CHECKING:
    from checker.service import Checker
from checker.store.nearest import merge_nearest
from checker.types import Analysis, Hit, Judgement, Passage, Verdict


@dataclass(frozen=True)
class CheckFilters:
    """Optional restrictions on which passages a check may return."""

    sources: tuple[str, ...] = ()
    exclude_document: str | None = None
    published_after: str | None = None
    published_before: str | None = None

    def __post_init__(self) -> None:
        for name in ("published_after", "published_before"):
            value = getattr(self, name)
            if value is not None:
                try:
                    date.fromisoformat(value[:10])
                except ValueError:
                    raise InvalidInput(
                        f"{name} must be a date as YYYY-MM-DD, got {value!r}", field=name
                    ) from None

    @property
    def acceptor(self) -> Callable[[Hit], bool] | None:
        """`accept`, or None when no filter is set: a search given no filter fetches only
        the k it returns, not four times as many to filter (and builds a hit, analysis and
        all, for each)."""
        filters = (self.sources, self.exclude_document, self.published_after, self.published_before)
        return self.accept if any(filters) else None

    def accept(self, hit: Hit) -> bool:
        doc = hit.document
        if self.sources and doc.source not in self.sources:
            return False
        if self.exclude_document is not None and doc.id == self.exclude_document:
            return False
        if self.published_after or self.published_before:
            if doc.published is None:
                return False  # undated documents cannot satisfy a date filter
            day = doc.published[:10]
            if self.published_after and day < self.published_after[:10]:
                return False
            if self.published_before and day > self.published_before[:10]:
                return False
        return True


@dataclass(frozen=True)
class CheckResult:
    claim: str
    supporting: list[Passage]
    contradicting: list[Passage]
    related: list[Passage]
    took_ms: float
    # Same fact, different value, different moment (Verdict.CHANGED): not a contradiction.
    changed: list[Passage] = field(default_factory=list)


class CheckPart(CheckerBase):
    def claim_vectors(self, claims: Sequence[str]) -> np.ndarray:
        """Unit vectors of `claims`: repeated ones from the LRU cache, the rest in one call."""
        return self._claim_vectors.encode(self.embedder, claims)

    def check(
        self,
        claim: str,
        k: int | None = None,
        filters: CheckFilters | None = None,
        vector: np.ndarray | None = None,
    ) -> CheckResult:
        """`vector`: the claim's embedding when the caller has it (a draft embeds all at once)."""
        self.load_models()  # a first-use model load is not part of the check's time
        started = time.perf_counter()
        claim = self._valid_claim(claim)
        k = self._valid_k(k)
        filters = filters or CheckFilters()
        parsing = self._parse_claim(claim)
        self.store.refresh()
        if vector is None:
            vector = self.claim_vectors([claim])
        hits = self.store.search(vector, k, accept=filters.acceptor)[0]
        return self._answer(claim, parsing.result(), hits, started)

    def check_indexes(
        self,
        indexes: Mapping[str, Checker],
        claim: str,
        k: int | None = None,
        filters: CheckFilters | None = None,
    ) -> CheckResult:
        """The claim searched in each of `indexes` (siblings by name, such as one index a month,
        sharing this checker's embedding model), their top k merged by similarity into one top
        k, judged here once; each passage's hit names its index."""
        self.load_models()
        started = time.perf_counter()
        claim = self._valid_claim(claim)
        k = self._valid_k(k)
        filters = filters or CheckFilters()
        parsing = self._parse_claim(claim)
        vector = self.claim_vectors([claim])
        found = []
        for name, checker in indexes.items():
            checker.store.refresh()
            hits = checker.store.search(vector, k, accept=filters.acceptor)[0]
            found.append([dataclasses.replace(hit, index=name) for hit in hits])
        return self._answer(claim, parsing.result(), merge_nearest(found, k), started)

    def _parse_claim(self, claim: str) -> Future[list[Analysis]]:
        """The claim's analysis, begun in the claim thread when it is free: spaCy's parse
        (~6 ms) and the embedding and search (~5 ms) release the interpreter, so the two
        overlap and a check waits for the longer, not for both. When another check of this
        process holds the thread, the cores are busy with it and the claim is parsed here,
        first: under load, handing work between threads only cost throughput (README,
        Performance)."""
        if self._claim_worker_free.acquire(blocking=False):
            try:
                return self._claim_worker.submit(self._parse_and_free, claim)
            except RuntimeError:  # the checker was closed: the parse is never begun
                self._claim_worker_free.release()
                raise
        parsed: Future[list[Analysis]] = Future()
        parsed.set_result(self.analyser.analyse([claim]))
        return parsed

    def _parse_and_free(self, claim: str) -> list[Analysis]:
        try:
            return self.analyser.analyse([claim])
        finally:
            self._claim_worker_free.release()

    def _answer(
        self, claim: str, analysed: list[Analysis], hits: Sequence[Hit], started: float
    ) -> CheckResult:
        """The claim's nearest `hits` judged and sorted into buckets by verdict."""
        hits = [hit for hit in hits if hit.similarity >= self.settings.check_min_similarity]
        [claim_analysis] = analysed
        judgements = self._judge_pairs(
            [(claim, claim_analysis, hit.sentence.text, self._analysis(hit)) for hit in hits]
        )
        passages = [Passage(h, j) for h, j in zip(hits, judgements, strict=True)]
        return CheckResult(
            claim=claim,
            supporting=_ranked(passages, Verdict.SUPPORTS),
            contradicting=_ranked(passages, Verdict.CONTRADICTS),
            related=[p for p in passages if p.judgement.verdict is Verdict.RELATED],
            changed=_ranked(passages, Verdict.CHANGED),
            took_ms=round((time.perf_counter() - started) * 1000, 1),
        )

    def _valid_claim(self, claim: str) -> str:
        if not isinstance(claim, str) or not claim.strip():
            raise InvalidInput("claim must be a non-empty string", field="claim")
        if len(claim) > self.settings.max_claim_chars:
            raise InvalidInput(
                f"claim is {len(claim)} characters; the limit is {self.settings.max_claim_chars}"
                " (CHECKER_MAX_CLAIM_CHARS)",
                field="claim",
            )
        if has_lone_surrogate(claim):  # e.g. undecodable bytes on a command line
            raise InvalidInput("claim is not Unicode text (a lone surrogate)", field="claim")
        return claim.strip()

    def _valid_k(self, k: int | None) -> int:
        if k is None:
            return self.settings.k
        if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= self.settings.max_k:
            raise InvalidInput(
                f"k must be an integer from 1 to {self.settings.max_k} (CHECKER_MAX_K), got {k!r}",
                field="k",
            )
        return k

    def judge_texts(self, pairs: Sequence[tuple[str, str]]) -> list[Judgement]:
        """(claim, passage) texts judged as a check judges them (see `judge_texts`)."""
        return judge_texts(self.judge, self.gate, self.analyser, pairs, self.model_reads)


def _ranked(passages: list[Passage], verdict: Verdict) -> list[Passage]:
    chosen = [p for p in passages if p.judgement.verdict is verdict]
    return sorted(chosen, key=lambda p: (-p.judgement.confidence, -p.hit.similarity))
