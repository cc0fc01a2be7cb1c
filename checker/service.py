"""`Checker`: the one composition root. It owns the embedder, the store and the judge.

The CLI, the web app and the tests all build a Checker with `Checker.from_settings()` and
call `ingest()`, `delete()`, `check()` and `scan()`; nothing else loads models or opens the
index. Views and commands only parse input, call these methods and format the result.
"""

from __future__ import annotations

import dataclasses
import functools
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from checker.analyse import Analyser, load_analyser
from checker.embed import Embedder, VectorCache, load_embedder
from checker.errors import InvalidInput
from checker.ingest import Problem
from checker.ingest.metadata import has_lone_surrogate
from checker.judge.base import CombinedJudge, Judge
from checker.judge.gate import Gate, Sides
from checker.judge.nli import resolve_nli_model
from checker.judge.rules import RuleJudge
from checker.report import plural
from checker.report.grouping import normalised
from checker.segment import segment
from checker.settings import Settings
from checker.store import Store, document_hash
from checker.store.database import now
from checker.store.manifest import read_manifest
from checker.store.nearest import merge_nearest
from checker.store.vectors import IndexConfig
from checker.types import (
    DISMISS_REASONS,
    Analysis,
    Document,
    Finding,
    Hit,
    Judgement,
    Passage,
    ResolvedFinding,
    Review,
    ReviewState,
    ScanRecord,
    Sentence,
    Verdict,
)

if TYPE_CHECKING:
    from checker.cluster import RayCluster

# Sentences embedded and committed together during ingest: big enough to batch the model
# well, small enough that a crash loses little work.
INGEST_BATCH_SENTENCES = 256
MAX_REVIEW_NOTE_CHARS = 2000
# Sentences whose neighbours the scan asks FAISS for in one batched search.
SCAN_SEARCH_SENTENCES = 1024
_DUPLICATE_ID = (
    "an earlier input of this ingest has the same document id, so this one was skipped; "
    "give each document its own id (file name or record id)"
)


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


@dataclass
class IngestSummary:
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    sentences: int = 0

    def line(self) -> str:
        return (
            f"{len(self.added)} added, {len(self.replaced)} replaced, "
            f"{len(self.unchanged)} unchanged, {plural(len(self.problems), 'problem')}, "
            f"{plural(self.sentences, 'sentence')} indexed"
        )


@dataclass(frozen=True)
class ScanSummary:
    documents: int
    pairs: int
    new_findings: int
    started_at: str
    # New findings that are a change over time (Verdict.CHANGED), not in new_findings.
    new_changes: int = 0

    def line(self) -> str:
        return (
            f"scanned {plural(self.documents, 'new or changed document')}: "
            f"{plural(self.pairs, 'pair')} judged, {plural(self.new_findings, 'new contradiction')}"
            f", {plural(self.new_changes, 'new change')} over time"
        )


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


class Checker:
    def __init__(
        self,
        settings: Settings,
        store: Store,
        judge: Judge,
        embedder: Embedder | None = None,
        analyser: Analyser | None = None,
        cluster: RayCluster | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.judge = judge
        self.gate = Gate(settings.min_confidence)
        self.model_reads = ModelReads()
        self._embedder = embedder
        self._analyser = analyser
        self._claim_vectors = VectorCache(settings.claim_cache_size)
        # Where ingest and scan send their model work (checker.cluster); None: this process.
        self.cluster = cluster
        # One thread that analyses an ingest batch while the embedder encodes it.
        self._analysis_worker = ThreadPoolExecutor(1, thread_name_prefix="checker-analyse")

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        embedder: Embedder | None = None,
        create: bool = True,
        analyser: Analyser | None = None,
        cluster: RayCluster | None = None,
    ) -> Checker:
        """Open (or create) the index in `settings.index` and build the judge.

        The embedding model is loaded here only when the index is new (its dimension is
        needed); otherwise on first use, so `checker report` never pays for it. With a
        `cluster` (`checker.cluster.connect`), ingest and scan do their model work there.
        """
        manifest = read_manifest(settings.index)
        if embedder is None and manifest is None and create:
            embedder = load_embedder(settings)
        model = embedder.name if embedder else settings.embedding_model
        dimension = embedder.dimension if embedder else (manifest.dimension if manifest else 0)
        config = IndexConfig.from_settings(settings)
        store = Store.open(settings.index, model, dimension, create=create, config=config)
        return cls(settings, store, build_judge(settings), embedder, analyser, cluster)

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = load_embedder(self.settings)
        return self._embedder

    @property
    def analyser(self) -> Analyser:
        if self._analyser is None:
            self._analyser = load_analyser()
        return self._analyser

    def load_models(self) -> None:
        """Load the embedding model and the analyser now rather than on first use."""
        self._embedder = self.embedder
        self._analyser = self.analyser

    def claim_vectors(self, claims: Sequence[str]) -> np.ndarray:
        """Unit vectors of `claims`: repeated ones from the LRU cache, the rest in one call."""
        return self._claim_vectors.encode(self.embedder, claims)

    # -- ingest --------------------------------------------------------------------------

    def ingest(self, items: Iterable[Document | Problem]) -> IngestSummary:
        """Store new and changed documents; skip unchanged ones; collect problems.

        Documents are committed in batches, so a crash loses at most the batch in flight.
        On a cluster the batches are the same and committed in the same order; only their
        embedding and analysis happen elsewhere.
        """
        summary = IngestSummary()
        self.upgrade_analyses()
        batches = self._ingest_batches(items, summary)
        if self.cluster is None:
            for batch in batches:
                self._store_batch(batch, summary)
        else:
            jobs = ((batch, *_texts_and_dates(batch)) for batch in batches)
            model, dimension = self.store.embedding_model, self.store.dimension
            for batch, vectors, analyses in self.cluster.sentences(jobs, model, dimension):
                self._commit_batch(batch, vectors, analyses, summary)
        self.store.flush()
        return summary

    def _ingest_batches(
        self, items: Iterable[Document | Problem], summary: IngestSummary
    ) -> Iterator[list[tuple[Document, list[Sentence]]]]:
        """The documents to store, with their sentences, about INGEST_BATCH_SENTENCES a batch."""
        batch: list[tuple[Document, list[Sentence]]] = []
        seen: set[str] = set()
        for item in items:
            sentences = self._sentences_to_store(item, seen, summary)
            if sentences:
                assert isinstance(item, Document)
                batch.append((item, sentences))
            if sum(len(s) for _, s in batch) >= INGEST_BATCH_SENTENCES:
                yield batch
                batch = []
        if batch:
            yield batch

    def _sentences_to_store(
        self, item: Document | Problem, seen: set[str], summary: IngestSummary
    ) -> list[Sentence]:
        """The sentences of a document that needs storing; [] (noted in summary) otherwise."""
        if isinstance(item, Problem):
            summary.problems.append(item)
        elif item.id in seen:  # e.g. a/report.txt and b/report.txt: the first one wins
            summary.problems.append(Problem(item.id, _DUPLICATE_ID))
        elif self.store.stored_hash(item.id) == document_hash(item):
            seen.add(item.id)
            summary.unchanged.append(item.id)
        else:
            seen.add(item.id)
            sentences = segment(item)
            if sentences:
                return sentences
            summary.problems.append(Problem(item.id, "no sentences left after cleaning"))
        return []

    def _store_batch(
        self, batch: list[tuple[Document, list[Sentence]]], summary: IngestSummary
    ) -> None:
        texts = [s.text for _, sentences in batch for s in sentences]
        published = [document.published for document, sentences in batch for _ in sentences]
        # The two models overlap: spaCy parses on one core while the embedder runs (its
        # engine releases the GIL), instead of one waiting for the other.
        analysing = self._analysis_worker.submit(self.analyser.analyse, texts, published)
        vectors = self.embedder.encode(texts)
        analyses = analysing.result()
        self._commit_batch(batch, vectors, analyses, summary)

    def _commit_batch(
        self,
        batch: list[tuple[Document, list[Sentence]]],
        vectors: np.ndarray,
        analyses: Sequence[Analysis],
        summary: IngestSummary,
    ) -> None:
        """One transaction: the batch's documents with their vectors and analyses, in order."""
        offset = 0
        with self.store.writing() as writer:
            outcomes = []
            for document, sentences in batch:
                end = offset + len(sentences)
                outcome = writer.put_document(
                    document, sentences, vectors[offset:end], analyses[offset:end]
                )
                outcomes.append((document.id, outcome))
                offset = end
        for document_id, outcome in outcomes:
            (summary.added if outcome == "added" else summary.replaced).append(document_id)
        summary.sentences += offset

    def upgrade_analyses(self, progress: Callable[[int], None] | None = None) -> int:
        """Analyse the stored sentences that have no current analysis (an index built before
        checker.analyse, or by an older version of it); returns how many were done. Once
        none is left the index records it, so later calls (every ingest and scan) cost one
        lookup rather than a pass over every sentence."""
        if self.store.analyses_current():
            return 0
        done = 0
        while rows := self.store.unanalysed(INGEST_BATCH_SENTENCES * 4):
            analyses = self.analyser.analyse([r[1] for r in rows], [r[2] for r in rows])
            with self.store.writing() as writer:
                writer.put_analyses([r[0] for r in rows], analyses)
            done += len(rows)
            if progress:
                progress(len(rows))
        with self.store.writing() as writer:
            writer.mark_analyses_current()
        return done

    def delete(self, document_id: str) -> bool:
        """Retract a document: its sentences, vectors and findings go. False if unknown."""
        with self.store.writing() as writer:
            deleted = writer.delete_document(document_id)
        self.store.flush()
        return deleted

    # -- check a claim -------------------------------------------------------------------

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
        self.store.refresh()
        if vector is None:
            vector = self.claim_vectors([claim])
        return self._answer(claim, self.store.search(vector, k, accept=filters.accept)[0], started)

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
        vector = self.claim_vectors([claim])
        found = []
        for name, checker in indexes.items():
            checker.store.refresh()
            hits = checker.store.search(vector, k, accept=filters.accept)[0]
            found.append([dataclasses.replace(hit, index=name) for hit in hits])
        return self._answer(claim, merge_nearest(found, k), started)

    def _answer(self, claim: str, hits: Sequence[Hit], started: float) -> CheckResult:
        """The claim's nearest `hits` judged and sorted into buckets by verdict."""
        hits = [hit for hit in hits if hit.similarity >= self.settings.check_min_similarity]
        [claim_analysis] = self.analyser.analyse([claim])
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

    # -- the discrepancy scan ------------------------------------------------------------

    def scan(self, progress: Callable[[int], None] | None = None) -> ScanSummary:
        """Judge the nearest cross-document pairs of every new or changed document.

        Pairs are chosen by nearest neighbours with a modest similarity floor, not by a high
        fixed cutoff: a real contradiction is often less similar than merely topical pairs,
        yet still among a sentence's nearest neighbours in other documents.
        """
        started_at = now()
        self.store.refresh()
        self.upgrade_analyses()
        pending = self.store.pending_documents()
        judged: set[tuple[str, str]] = set()
        contradictions: list[tuple[Hit, Hit, Judgement]] = []
        # Pairs are judged batch by batch as they are found, so progress means work done: the
        # judging, not the search, is where a scan spends its time.
        found = self._fresh_pairs(pending, judged)
        for documents, pairs, judgements in self._judged(found):
            contradictions += _disagreeing(pairs, judgements)
            if progress:
                progress(documents)
        with self.store.writing() as writer:
            added = [
                j.verdict for a, b, j in contradictions if writer.add_finding(a, b, a.similarity, j)
            ]
            new = added.count(Verdict.CONTRADICTS)
            writer.finish_scan(pending, started_at, len(judged), new)
        self.store.flush()
        return ScanSummary(len(pending), len(judged), new, started_at, added.count(Verdict.CHANGED))

    def _fresh_pairs(
        self, pending: list[str], judged: set[tuple[str, str]]
    ) -> Iterator[tuple[int, list[tuple[Hit, Hit]]]]:
        """(documents, their pairs not judged yet) a search batch at a time; `judged` grows."""
        for documents, sentences, vectors in self._pending_batches(pending):
            fresh = []
            for a, b in self._neighbour_pairs(sentences, vectors):
                first, second = sorted((a, b), key=_position)
                key = (first.sentence.id, second.sentence.id)
                if key not in judged:
                    judged.add(key)
                    fresh.append((first, second))
            yield documents, fresh

    def _judged(
        self, found: Iterable[tuple[int, list[tuple[Hit, Hit]]]]
    ) -> Iterator[tuple[int, list[tuple[Hit, Hit]], list[Judgement]]]:
        """Each search batch's pairs with their judgements, here or on the cluster, in order."""
        if self.cluster is None:
            # All of a search batch's pairs in one call: the NLI judge sorts them by length,
            # and the more it sorts together, the less each model batch pads.
            for documents, pairs in found:
                yield documents, pairs, self._judge_pairs(self._analysed_pairs(pairs))
            return
        jobs = (((documents, pairs), self._analysed_pairs(pairs)) for documents, pairs in found)
        for (documents, pairs), judgements in self.cluster.judgements(jobs, self.model_reads):
            yield documents, pairs, judgements

    def _analysed_pairs(
        self, pairs: Sequence[tuple[Hit, Hit]]
    ) -> list[tuple[str, Analysis, str, Analysis]]:
        return [
            (a.sentence.text, self._analysis(a), b.sentence.text, self._analysis(b))
            for a, b in pairs
        ]

    def _pending_batches(self, pending: list[str]) -> Iterator[tuple[int, list[Hit], np.ndarray]]:
        """(documents, their sentences, their vectors), about SCAN_SEARCH_SENTENCES at a time."""
        documents = 0
        sentences: list[Hit] = []
        vectors: list[np.ndarray] = []
        for document_id in pending:
            hits, matrix = self.store.document_vectors(document_id)
            documents += 1
            sentences += hits
            vectors.append(matrix)
            if len(sentences) >= SCAN_SEARCH_SENTENCES:
                yield documents, sentences, np.concatenate(vectors)
                documents, sentences, vectors = 0, [], []
        if documents:
            yield documents, sentences, np.concatenate(vectors)

    def _neighbour_pairs(self, sentences: list[Hit], vectors: np.ndarray) -> list[tuple[Hit, Hit]]:
        """Each sentence with its nearest sentences of other documents: one batched search."""
        neighbours = self.store.search(
            vectors,
            self.settings.scan_neighbours,
            exclude_documents=[a.document.id for a in sentences],
        )
        floor = self.settings.scan_min_similarity
        return [
            (_with_similarity(a, b.similarity), b)
            for a, near in zip(sentences, neighbours, strict=True)
            for b in near
            if b.similarity >= floor and not _same_words(a, b)
        ]

    def judge_texts(self, pairs: Sequence[tuple[str, str]]) -> list[Judgement]:
        """(claim, passage) texts judged as a check judges them (see `judge_texts`)."""
        return judge_texts(self.judge, self.gate, self.analyser, pairs, self.model_reads)

    def _judge_pairs(self, pairs: Sequence[tuple[str, Analysis, str, Analysis]]) -> list[Judgement]:
        return judge_analysed(self.judge, self.gate, pairs, self.model_reads)

    def _analysis(self, hit: Hit) -> Analysis:
        """A hit's stored analysis; one analysed now if the index predates it (until the next
        ingest or scan upgrades the index)."""
        if hit.analysis is not None:
            return hit.analysis
        return self.analyser.analyse([hit.sentence.text], [hit.document.published])[0]

    def findings(
        self,
        limit: int = 50,
        offset: int = 0,
        since: str | None = None,
        order: str = "newest",
        review: Sequence[ReviewState] | None = None,
    ) -> tuple[list[Finding], int]:
        """Stored findings in the `review` states (None: all), confirmed ones first."""
        self.store.refresh()
        return self.store.findings(
            limit=limit, offset=offset, since=since, order=order, review=review
        )

    def review(
        self,
        finding_id: int,
        state: ReviewState,
        decided_by: str,
        reason: str | None = None,
        note: str | None = None,
    ) -> Finding:
        """Record an editor's decision on a finding; the finding as it now reads.

        The decision holds for the pair of sentences while neither changes: a dismissed pair
        found again by a later scan stays dismissed and is not counted as new."""
        reason, note = _valid_review(state, reason, note)
        finding = self.finding(finding_id)
        decision = Review(state, decided_by, now(), reason, note)
        with self.store.writing() as writer:
            writer.review(finding, decision)
        return self.store.finding(finding_id)

    def finding(self, finding_id: int) -> Finding:
        """One stored contradiction; NotFound when there is none with this id (any more)."""
        self.store.refresh()
        return self.store.finding(finding_id)

    def resolved(self, since: str | None = None, limit: int = 500) -> list[ResolvedFinding]:
        """Contradictions gone because a document they rest on was deleted or corrected."""
        self.store.refresh()
        return self.store.resolved(since=since, limit=limit)

    def scan_history(self, runs: int = 30) -> list[ScanRecord]:
        self.store.refresh()
        return self.store.scan_history(runs)

    def close(self) -> None:
        self._analysis_worker.shutdown(wait=True)
        self.store.close()


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
    """The text judges, then the alignment gate on both sentences' analyses. The NLI model
    reads only the pairs whose verdict its reading could change."""
    texts = [(a, b) for a, _, b, _ in pairs]
    sides = [Sides(a, b, a_analysis, b_analysis) for a, a_analysis, b, b_analysis in pairs]
    if isinstance(judge, CombinedJudge):
        worth = [gate.model_can_matter(pair) for pair in sides]
        if reads is not None:
            reads.add(sum(worth), len(pairs))
        judgements = judge.judge(texts, worth=worth)
    else:
        judgements = judge.judge(texts)
    return [gate.decide(j, pair) for pair, j in zip(sides, judgements, strict=True)]


def _valid_review(
    state: ReviewState, reason: str | None, note: str | None
) -> tuple[str | None, str | None]:
    """(reason, note) as stored; InvalidInput for a reason that is not one of the list, a
    reason on anything but a dismissal, or a note too long."""
    if reason is not None and state is not ReviewState.DISMISSED:
        raise InvalidInput(f"a reason goes with a dismissal only, not with {state.value}", "reason")
    if reason is not None and reason not in DISMISS_REASONS:
        raise InvalidInput(
            f"reason must be one of {', '.join(DISMISS_REASONS)}, got {reason!r}", "reason"
        )
    note = (note or "").strip() or None
    if note is not None and (len(note) > MAX_REVIEW_NOTE_CHARS or has_lone_surrogate(note)):
        raise InvalidInput(
            f"note must be text of at most {MAX_REVIEW_NOTE_CHARS} characters", "note"
        )
    return reason, note


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


def _texts_and_dates(
    batch: list[tuple[Document, list[Sentence]]],
) -> tuple[list[str], list[str | None]]:
    """An ingest batch's sentence texts, and each one's document date, in order."""
    texts = [s.text for _, sentences in batch for s in sentences]
    return texts, [document.published for document, sentences in batch for _ in sentences]


def _disagreeing(
    pairs: Sequence[tuple[Hit, Hit]], judgements: Sequence[Judgement]
) -> list[tuple[Hit, Hit, Judgement]]:
    """The pairs that disagree: contradictions and changes over time."""
    return [
        (a, b, j)
        for (a, b), j in zip(pairs, judgements, strict=True)
        if j.verdict in (Verdict.CONTRADICTS, Verdict.CHANGED)
    ]


def _ranked(passages: list[Passage], verdict: Verdict) -> list[Passage]:
    chosen = [p for p in passages if p.judgement.verdict is verdict]
    return sorted(chosen, key=lambda p: (-p.judgement.confidence, -p.hit.similarity))


def _same_words(a: Hit, b: Hit) -> bool:
    """A copy of a sentence (a wire story reprinted) cannot contradict it, whatever a rule
    makes of a sentence that both presupposes and denies something."""
    return normalised(a.sentence.text) == normalised(b.sentence.text)


def _position(hit: Hit) -> tuple[str, int]:
    return (hit.document.id, hit.sentence.ordinal)


def _with_similarity(hit: Hit, similarity: float) -> Hit:
    return Hit(hit.sentence, hit.document, similarity, hit.analysis)
