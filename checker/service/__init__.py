"""`Checker`: the one composition root. It owns the embedder, the store and the judge.

The CLI, the web app and the tests all build a Checker with `Checker.from_settings()` and
call `ingest()`, `delete()`, `check()` and `scan()`; nothing else loads models or opens the
index. Views and commands only parse input, call these methods and format the result.

The Checker is put together from parts, each a module of this package named by what it
owns: `base` (settings, store, models, judge), `ingest`, `check` (a claim), `review`
(stored findings and editors' decisions) and `judging` (the judge, and judging analysed
pairs); the nightly discrepancy scan, which uses them all, is here with the Checker.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from checker.analyse import Analyser
from checker.embed import Embedder, load_embedder
from checker.lru import LeastRecentlyUsed
from checker.report import plural
from checker.report.grouping import normalised
from checker.service.check import CheckFilters, CheckPart, CheckResult
from checker.service.ingest import INGEST_BATCH_SENTENCES, IngestPart, IngestSummary
from checker.service.judging import ModelReads, build_judge, judge_analysed, judge_texts
from checker.service.review import MAX_REVIEW_NOTE_CHARS, ReviewPart
from checker.settings import Settings
from checker.store import Store
from checker.store.database import now
from checker.store.manifest import read_manifest
from checker.store.vectors import IndexConfig
from checker.types import Analysis, Hit, Judgement, Verdict

if TYPE_CHECKING:
    from checker.cluster import RayCluster

__all__ = [
    "INGEST_BATCH_SENTENCES",
    "MAX_REVIEW_NOTE_CHARS",
    "SCAN_SEARCH_SENTENCES",
    "CheckFilters",
    "CheckResult",
    "Checker",
    "IngestSummary",
    "ModelReads",
    "ScanSummary",
    "build_judge",
    "judge_analysed",
    "judge_texts",
]

# Sentences whose neighbours the scan asks FAISS for in one batched search.
SCAN_SEARCH_SENTENCES = 1024
# Stored hits (sentence, document, parsed analysis: about 4 KB each) one scan keeps while it
# runs. A sentence is the neighbour of many: the ABC scan read 297,269 hits of 28,033
# sentences, and reading and parsing them was a third of its time. 20,000 held would have
# served 93 % of those reads.
SCAN_HIT_CACHE = 20_000


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


class Checker(IngestPart, CheckPart, ReviewPart):
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
        needed); otherwise on first use, so `checker report` never pays for it. The judge (the
        NLI model) is built on first use too (`load_judge` builds it now). With a `cluster`
        (`checker.cluster.connect`), ingest and scan do their model work there.
        """
        manifest = read_manifest(settings.index)
        if embedder is None and manifest is None and create:
            embedder = load_embedder(settings)
        model = embedder.name if embedder else settings.embedding_model
        dimension = embedder.dimension if embedder else (manifest.dimension if manifest else 0)
        config = IndexConfig.from_settings(settings)
        store = Store.open(settings.index, model, dimension, create=create, config=config)
        return cls(settings, store, None, embedder, analyser, cluster)

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
        """(documents, their pairs not judged yet) a search batch at a time; `judged` grows.
        A pair of sentences from two unrelated stories is not judged at all."""
        floor = self.settings.scan_min_story_similarity
        stories = Stories(self.store)
        hits: LeastRecentlyUsed[int, Hit] = LeastRecentlyUsed(SCAN_HIT_CACHE)
        for documents, sentences, vectors in self._pending_batches(pending):
            fresh = []
            for a, b in self._neighbour_pairs(sentences, vectors, hits):
                if floor > 0 and stories.similarity(a.document.id, b.document.id) < floor:
                    continue
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

    def _neighbour_pairs(
        self, sentences: list[Hit], vectors: np.ndarray, hits: LeastRecentlyUsed[int, Hit]
    ) -> list[tuple[Hit, Hit]]:
        """Each sentence with its nearest sentences of other documents: one batched search."""
        neighbours = self.store.search(
            vectors,
            self.settings.scan_neighbours,
            exclude_documents=[a.document.id for a in sentences],
            cache=hits,
        )
        floor = self.settings.scan_min_similarity
        return [
            (a.at(b.similarity), b)
            for a, near in zip(sentences, neighbours, strict=True)
            for b in near
            if b.similarity >= floor and not _same_words(a, b)
        ]

    def close(self) -> None:
        self._analysis_worker.shutdown(wait=True)
        self._analysis_processes.close()
        self._claim_worker.shutdown(wait=True)
        self.store.close()


class Stories:
    """What each document is about as a whole: the mean of its sentence vectors, read from the
    store once per scan. Two reports of one story share far more than two sentences do; on the
    judged news samples (bench/results/) every real discrepancy and update lay between
    documents at cosine 0.47 or more, while sentences of unrelated stories that share a
    template or a figure ("recorded a $6.1 million loss") mostly lie between documents below."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._vectors: dict[str, np.ndarray] = {}

    def similarity(self, first: str, second: str) -> float:
        return float(self._vector(first) @ self._vector(second))

    def _vector(self, document_id: str) -> np.ndarray:
        vector = self._vectors.get(document_id)
        if vector is None:
            _, matrix = self.store.document_vectors(document_id)
            mean = matrix.mean(axis=0) if len(matrix) else np.zeros(self.store.dimension)
            norm = float(np.linalg.norm(mean))
            vector = self._vectors[document_id] = mean / norm if norm else mean
        return vector


def _disagreeing(
    pairs: Sequence[tuple[Hit, Hit]], judgements: Sequence[Judgement]
) -> list[tuple[Hit, Hit, Judgement]]:
    """The pairs that disagree: contradictions and changes over time."""
    return [
        (a, b, j)
        for (a, b), j in zip(pairs, judgements, strict=True)
        if j.verdict in (Verdict.CONTRADICTS, Verdict.CHANGED)
    ]


def _same_words(a: Hit, b: Hit) -> bool:
    """A copy of a sentence (a wire story reprinted) cannot contradict it, whatever a rule
    makes of a sentence that both presupposes and denies something."""
    return normalised(a.sentence.text) == normalised(b.sentence.text)


def _position(hit: Hit) -> tuple[str, int]:
    return (hit.document.id, hit.sentence.ordinal)
