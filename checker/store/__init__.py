"""The index directory: SQLite rows and FAISS vectors kept in step, described by a manifest.

    <index>/checker.sqlite3   documents, sentences (+ vectors), findings, scans, and what the
                              report remembers: resolved findings, per-scan counts (history.py)
    <index>/vectors.faiss     the same vectors in a FAISS index, keyed by sentence key
    <index>/manifest.json     model, dimension, FAISS factory, counts, generation

Writes happen in `Store.writing()` blocks: one SQLite transaction each, under a file lock so
that one process writes at a time. FAISS is updated in memory after the commit and saved by
`flush()`; the manifest's `generation` then says which write the saved file reflects. After a
crash the file is behind SQLite, and the next read-write open rebuilds it from the vectors in
SQLite, so the index always comes back to the last committed state.

Readers in other processes (gunicorn workers) call `refresh()` before each request: when the
manifest changed, they load the new FAISS file. Until then their hits may name sentences
deleted since; those are dropped, so a response reflects one state or the other.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from checker.errors import IndexUnavailable, NotFound
from checker.store import audit, history
from checker.store import database as db
from checker.store.files import exclusive_lock
from checker.store.manifest import MANIFEST_NAME, Manifest, read_manifest, write_manifest
from checker.store.vectors import FACTORY, VectorIndex
from checker.store.writer import Writer, document_hash
from checker.types import Document, Finding, Hit, Judgement, ResolvedFinding, ScanRecord, Verdict

__all__ = ["DATABASE_NAME", "VECTORS_NAME", "Store", "Writer", "document_hash"]

DATABASE_NAME = "checker.sqlite3"
VECTORS_NAME = "vectors.faiss"
LOCK_NAME = ".write.lock"
_FINDING_ORDER = {
    "newest": "f.created_at DESC, f.confidence DESC, f.id",
    "confident": "f.confidence DESC, f.similarity DESC, f.id",
}


class Store:
    def __init__(
        self, directory: Path, embedding_model: str, dimension: int, readonly: bool = False
    ) -> None:
        self.directory = directory
        self.embedding_model = embedding_model
        self.dimension = dimension
        self.readonly = readonly
        self._local = threading.local()
        self._lock = threading.RLock()  # FAISS is not safe to search while it is modified
        self._vectors = VectorIndex(dimension)
        self._generation = -1
        self._manifest_stamp: int | None = None

    # -- opening -------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        directory: Path,
        embedding_model: str,
        dimension: int,
        create: bool = True,
        readonly: bool = False,
    ) -> Store:
        directory = Path(directory)
        if not (directory / MANIFEST_NAME).exists():
            if not create or readonly:
                raise IndexUnavailable(
                    f"no index at {directory} (manifest.json missing); build one with "
                    f"`checker ingest PATH --index {directory}`"
                )
            if (directory / DATABASE_NAME).exists():
                raise IndexUnavailable(
                    f"{directory} has a database but no manifest.json; restore the manifest "
                    "or ingest into a new index directory"
                )
            cls._create(directory, embedding_model, dimension)
        manifest = read_manifest(directory)
        assert manifest is not None
        manifest.check_compatible(embedding_model, dimension)
        store = cls(directory, embedding_model, dimension, readonly)
        store._open_vectors()
        return store

    @staticmethod
    def _create(directory: Path, embedding_model: str, dimension: int) -> None:
        try:
            directory.mkdir(parents=True, exist_ok=True)
            db.connect(directory / DATABASE_NAME).close()
        except (OSError, sqlite3.Error) as exc:
            raise IndexUnavailable(f"cannot create an index in {directory}: {exc}") from None
        write_manifest(directory, Manifest(embedding_model, dimension, FACTORY))

    def _open_vectors(self) -> None:
        if self.readonly:
            self._sync_vectors()
            return
        with self._write_lock():
            if self._sync_vectors():
                self._save()

    # -- connections and locks --------------------------------------------------------------

    @property
    def conn(self) -> sqlite3.Connection:
        """One SQLite connection per thread (gunicorn threads share a Store)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            try:
                conn = db.connect(self.directory / DATABASE_NAME, readonly=self.readonly)
            except sqlite3.Error as exc:
                path = self.directory / DATABASE_NAME
                raise IndexUnavailable(f"cannot open {path}: {exc}") from None
            self._local.conn = conn
        return conn

    @contextlib.contextmanager
    def _write_lock(self) -> Iterator[None]:
        with self._lock, exclusive_lock(self.directory / LOCK_NAME):
            yield

    # -- keeping FAISS in step with SQLite ---------------------------------------------------

    def _sync_vectors(self) -> bool:
        """Make the in-memory FAISS match SQLite. True when it had to be rebuilt."""
        current = db.generation(self.conn)
        if current == self._generation:
            return False
        manifest = read_manifest(self.directory)
        path = self.directory / VECTORS_NAME
        if manifest is not None and manifest.generation == current and path.exists():
            self._vectors = VectorIndex.load(path, self.dimension)
            self._generation = current
            return False
        rebuilt = VectorIndex(self.dimension)
        for keys, vectors in db.iter_vectors(self.conn, self.dimension):
            rebuilt.add(keys, vectors)
        self._vectors, self._generation = rebuilt, current
        return True

    def refresh(self) -> None:
        """Pick up what another process flushed since (cheap when nothing changed)."""
        try:
            stamp = (self.directory / MANIFEST_NAME).stat().st_mtime_ns
        except FileNotFoundError:
            raise IndexUnavailable(f"{self.directory / MANIFEST_NAME} has disappeared") from None
        if stamp == self._manifest_stamp:
            return
        with self._lock:
            manifest = read_manifest(self.directory)
            path = self.directory / VECTORS_NAME
            if manifest and manifest.generation != self._generation and path.exists():
                self._vectors = VectorIndex.load(path, self.dimension)
                self._generation = manifest.generation
            self._manifest_stamp = stamp

    def flush(self) -> None:
        """Save FAISS and the manifest so they reflect every committed write."""
        if self.readonly:
            return
        with self._write_lock():
            self._sync_vectors()
            self._save()

    def _save(self) -> None:
        self._vectors.save(self.directory / VECTORS_NAME)
        counts = db.counts(self.conn)
        manifest = Manifest(
            self.embedding_model,
            self.dimension,
            FACTORY,
            generation=self._generation,
            documents=counts["documents"],
            sentences=counts["sentences"],
            findings=counts["findings"],
            updated_at=db.now(),
        )
        write_manifest(self.directory, manifest)
        self._manifest_stamp = (self.directory / MANIFEST_NAME).stat().st_mtime_ns

    # -- writes --------------------------------------------------------------------------

    @contextlib.contextmanager
    def writing(self) -> Iterator[Writer]:
        """One transaction: all of the block's changes land, or none do."""
        if self.readonly:
            raise IndexUnavailable(f"{self.directory} is open read-only")
        with self._write_lock():
            self._sync_vectors()
            writer = Writer(self.conn)
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield writer
                audit.in_transaction(self.conn, writer.document_ids)  # lands with the write
                self._generation = db.bump_generation(self.conn)
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                self._generation = -1  # FAISS may not match any more; resync next time
                raise
            self._vectors.remove(np.array(writer.removed, dtype=np.int64))
            for keys, vectors in writer.added:
                self._vectors.add(keys, vectors)

    # -- reads ---------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        return db.counts(self.conn)

    def stored_hash(self, document_id: str) -> str | None:
        return db.content_hash(self.conn, document_id)

    def document(self, document_id: str) -> Document:
        row = self.conn.execute("SELECT * FROM documents WHERE id = ?", (document_id,)).fetchone()
        if row is None:
            raise NotFound(f"no document with id {document_id!r}")
        return Document(
            id=row["id"],
            text=row["text"],
            title=row["title"],
            source=row["source"],
            url=row["url"],
            published=row["published"],
            language=row["language"],
            body=tuple((s[0], s[1]) for s in json.loads(row["body"])),
        )

    def sentence_count(self, document_id: str) -> int:
        row = self.conn.execute(
            "SELECT COUNT(*) FROM sentences WHERE document_id = ?", (document_id,)
        ).fetchone()
        return int(row[0])

    def search(
        self, vectors: np.ndarray, k: int, accept: Callable[[Hit], bool] | None = None
    ) -> list[list[Hit]]:
        """The k nearest stored sentences to each vector that `accept` lets through."""
        with self._lock:
            size = self._vectors.size
        if size == 0 or len(vectors) == 0:
            return [[] for _ in range(len(vectors))]
        fetch = k if accept is None else min(size, 4 * k)
        results: list[list[Hit]] = []
        for vector in vectors:
            while True:
                hits = self._search_one(vector, fetch, accept)
                if len(hits) >= k or fetch >= size:
                    break
                fetch = min(size, fetch * 4)  # filters dropped too many: look further
            results.append(hits[:k])
        return results

    def _search_one(
        self, vector: np.ndarray, fetch: int, accept: Callable[[Hit], bool] | None
    ) -> list[Hit]:
        with self._lock:
            sims, keys = self._vectors.search(vector[None, :], fetch)
        found = db.hits_by_key(self.conn, keys[0])
        hits = []
        for sim, key in zip(sims[0], keys[0], strict=True):
            hit = found.get(int(key))
            if hit is None:  # deleted since this worker loaded its vectors
                continue
            hit = dataclasses.replace(hit, similarity=float(sim))
            if accept is None or accept(hit):
                hits.append(hit)
        return hits

    def document_vectors(self, document_id: str) -> tuple[list[Hit], np.ndarray]:
        return db.document_vectors(self.conn, document_id, self.dimension)

    def pending_documents(self) -> list[str]:
        """Documents added or changed since the last discrepancy scan."""
        rows = self.conn.execute("SELECT id FROM documents WHERE scanned = 0 ORDER BY id")
        return [r[0] for r in rows]

    def findings(
        self,
        limit: int = 50,
        offset: int = 0,
        since: str | None = None,
        order: str = "newest",
    ) -> tuple[list[Finding], int]:
        """Stored contradictions ("newest" first, or most "confident" first); and the total."""
        where, params = ("WHERE f.created_at >= ?", [since]) if since else ("", [])
        total = self.conn.execute(f"SELECT COUNT(*) FROM findings f {where}", params).fetchone()
        rows = self.conn.execute(
            f"SELECT f.* FROM findings f {where} ORDER BY {_FINDING_ORDER[order]} LIMIT ? OFFSET ?",
            [*params, limit, offset],
        ).fetchall()
        sentences = db.hits_by_key(
            self.conn, [r["a_sentence"] for r in rows] + [r["b_sentence"] for r in rows]
        )
        return [self._finding(row, sentences) for row in rows], int(total[0])

    def finding(self, finding_id: int) -> Finding:
        row = None
        if 0 < finding_id < 2**63:  # SQLite integers are 64-bit; a bigger id names nothing
            query = "SELECT * FROM findings WHERE id = ?"
            row = self.conn.execute(query, (finding_id,)).fetchone()
        if row is None:
            raise NotFound(f"no discrepancy with id {finding_id}")
        sentences = db.hits_by_key(self.conn, [row["a_sentence"], row["b_sentence"]])
        return self._finding(row, sentences)

    def resolved(self, since: str | None = None, limit: int = 500) -> list[ResolvedFinding]:
        """Findings gone with a deleted or corrected document, most recently resolved first."""
        return history.resolved(self.conn, since, limit)

    def scan_history(self, runs: int = 30) -> list[ScanRecord]:
        """The last `runs` scans, oldest first, with their new findings per outlet."""
        return history.scan_history(self.conn, runs)

    @staticmethod
    def _finding(row: sqlite3.Row, sentences: dict[int, Hit]) -> Finding:
        similarity = row["similarity"]
        return Finding(
            id=row["id"],
            a=dataclasses.replace(sentences[row["a_sentence"]], similarity=similarity),
            b=dataclasses.replace(sentences[row["b_sentence"]], similarity=similarity),
            similarity=similarity,
            judgement=Judgement(
                verdict=Verdict(row["verdict"]),
                confidence=row["confidence"],
                reasons=db.reasons_from_json(row["reasons"]),
            ),
            created_at=row["created_at"],
        )

    def last_scan(self) -> str | None:
        row = self.conn.execute("SELECT MAX(finished_at) FROM scans").fetchone()
        return row[0] if row else None

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
