"""Ingest: new and changed documents segmented, embedded and analysed (here or on a Ray
cluster) and committed in batches; the analysis upgrade of an old index; deletion."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np

from checker.ingest import Problem
from checker.report import plural
from checker.segment import segment
from checker.service.base import CheckerBase
from checker.store import document_hash
from checker.types import Analysis, Document, Sentence

# Sentences embedded and committed together during ingest: big enough to batch the model
# well, small enough that a crash loses little work.
INGEST_BATCH_SENTENCES = 256
_DUPLICATE_ID = (
    "an earlier input of this ingest has the same document id, so this one was skipped; "
    "give each document its own id (file name or record id)"
)


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


class IngestPart(CheckerBase):
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
        # The two models overlap: spaCy parses (in a thread, and for a large batch in other
        # processes too) while the embedder runs (its engine releases the GIL), instead of
        # one waiting for the other.
        analyses_of_batch = self._start_analysis(texts, published)
        vectors = self.embedder.encode(texts)
        analyses = analyses_of_batch()
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


def _texts_and_dates(
    batch: list[tuple[Document, list[Sentence]]],
) -> tuple[list[str], list[str | None]]:
    """An ingest batch's sentence texts, and each one's document date, in order."""
    texts = [s.text for _, sentences in batch for s in sentences]
    return texts, [document.published for document, sentences in batch for _ in sentences]
