"""`Writer`: every change to an index, made inside one `Store.writing()` transaction.

SQLite rows change here; the Writer only notes which vectors FAISS must add and remove, and
the Store applies that after the commit.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sqlite3
from collections import Counter
from collections.abc import Sequence

import numpy as np

from checker.store import database as db
from checker.store import history, reviews
from checker.types import (
    Analysis,
    Document,
    Finding,
    Hit,
    Judgement,
    Review,
    ReviewState,
    Sentence,
    Verdict,
)


def document_hash(document: Document) -> str:
    """Changes whenever anything stored about the document would change."""
    payload = json.dumps(dataclasses.asdict(document), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


class Writer:
    """What may be changed inside `Store.writing()`; FAISS follows after the commit."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self.added: list[tuple[np.ndarray, np.ndarray]] = []
        self.removed: list[int] = []
        # New findings per outlet, recorded with the scan by `finish_scan`.
        self.new_by_outlet: Counter[str] = Counter()
        # The documents this transaction wrote, for its audit row (audit.in_transaction).
        self.document_ids: list[str] = []

    def put_document(
        self,
        document: Document,
        sentences: Sequence[Sentence],
        vectors: np.ndarray,
        analyses: Sequence[Analysis] | None = None,
    ) -> str:
        """Store a document with its sentences (and their analyses, where given): "added", or
        "replaced" an older version."""
        replaced = self.delete_document(document.id, resolution=history.CORRECTED)
        db.insert_document(
            self._conn,
            {
                **dataclasses.asdict(document.info),
                "text": document.text,
                "body": json.dumps([list(span) for span in document.body]),
                "content_hash": document_hash(document),
                "ingested_at": db.now(),
            },
        )
        keys = db.insert_sentences(self._conn, sentences, vectors)
        if analyses is not None:
            db.insert_analyses(self._conn, keys, analyses)
        else:  # sentences without analyses: the next upgrade must look for them
            db.set_analyses_current(self._conn, False)
        self.document_ids.append(document.id)
        self.added.append((keys, np.asarray(vectors, dtype=np.float32)))
        return "replaced" if replaced else "added"

    def put_analyses(self, keys: Sequence[int], analyses: Sequence[Analysis]) -> None:
        """Store the analyses of already stored sentences (an index built before them)."""
        db.insert_analyses(self._conn, keys, analyses)

    def mark_analyses_current(self) -> None:
        """Every stored sentence now carries a current analysis."""
        db.set_analyses_current(self._conn, True)

    def delete_document(self, document_id: str, resolution: str = history.DELETED) -> bool:
        """Remove a document, its sentences, vectors and findings. False if it was not there.

        The findings are kept as resolved (with `resolution` as the reason) before they go.
        """
        keys = db.sentence_keys(self._conn, document_id)
        if len(keys):
            history.keep_resolved(self._conn, document_id, resolution)
        cursor = self._conn.execute("DELETE FROM documents WHERE id = ?", (document_id,))
        self.removed.extend(int(k) for k in keys)
        if cursor.rowcount > 0 and resolution == history.DELETED:
            self.document_ids.append(document_id)
        return cursor.rowcount > 0

    def add_finding(self, a: Hit, b: Hit, similarity: float, judgement: Judgement) -> bool:
        """Store a contradiction or a change over time unless this pair is already recorded.
        True when new to an editor: a pair found again after it was dismissed is stored (it
        keeps its decision) but is not new. Only contradictions count in the scan's
        per-outlet figures."""
        verdict, confidence, reasons = db.judgement_columns(judgement)
        cursor = self._conn.execute(
            "INSERT OR IGNORE INTO findings (a_sentence, b_sentence, similarity, verdict, "
            "confidence, reasons, created_at) SELECT a.key, b.key, ?, ?, ?, ?, ? "
            "FROM sentences a, sentences b WHERE a.id = ? AND b.id = ?",
            (similarity, verdict, confidence, reasons, db.now(), a.sentence.id, b.sentence.id),
        )
        if cursor.rowcount == 0:
            return False
        history.unresolve(self._conn, a, b)
        assert cursor.lastrowid is not None
        if reviews.follow(self._conn, a, b, cursor.lastrowid) is ReviewState.DISMISSED:
            return False
        if judgement.verdict is Verdict.CONTRADICTS:  # a change over time is not counted
            for outlet in {a.document.outlet or "", b.document.outlet or ""}:
                self.new_by_outlet[outlet] += 1
        return True

    def review(self, finding: Finding, review: Review) -> None:
        """Record an editor's decision on the finding's pair (OPEN withdraws a decision)."""
        reviews.decide(self._conn, finding, review)
        self.document_ids.extend([finding.a.document.id, finding.b.document.id])

    def finish_scan(
        self, document_ids: Sequence[str], started_at: str, pairs: int, new: int
    ) -> None:
        self.document_ids.extend(document_ids)
        self._conn.executemany(
            "UPDATE documents SET scanned = 1 WHERE id = ?", [(d,) for d in document_ids]
        )
        cursor = self._conn.execute(
            "INSERT INTO scans (started_at, finished_at, documents, pairs, findings) "
            "VALUES (?, ?, ?, ?, ?)",
            (started_at, db.now(), len(document_ids), pairs, new),
        )
        assert cursor.lastrowid is not None
        history.record_outlets(self._conn, cursor.lastrowid, self.new_by_outlet)
