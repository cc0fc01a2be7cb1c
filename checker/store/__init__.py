"""The index directory: SQLite rows and FAISS vectors kept in step, described by a manifest.

    <index>/checker.sqlite3   documents, sentences (+ vectors), findings, scans, and what the
                              report remembers: resolved findings, per-scan counts (history.py),
                              editors' decisions on findings (reviews.py)
    <index>/vectors.faiss     the same vectors in a FAISS index, keyed by sentence key
    <index>/manifest.json     model, dimension, FAISS factory, counts, generation

Writes happen in `Store.writing()` blocks: one SQLite transaction each, under a file lock so
that one process writes at a time. FAISS is updated in memory after the commit and saved by
`flush()`; the manifest's `generation` then says which write the saved file reflects. After a
crash the file is behind SQLite, and the next read-write open rebuilds it from the vectors in
SQLite, so the index always comes back to the last committed state.

Readers in other processes (gunicorn workers) call `refresh()` before each request: when the
manifest changed, they load the new FAISS file. Until then their hits may name sentences
deleted since; those are dropped rather than returned half-built.

What can go wrong on disk becomes an `IndexUnavailable` naming the file and the cause: a
database that is missing or damaged, a write refused (disk full, read-only directory), a
corrupt manifest. A FAISS file that cannot be read is not an error: SQLite holds the same
vectors, so it is rebuilt from there.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from checker.errors import IndexUnavailable, NotFound
from checker.lru import LeastRecentlyUsed
from checker.store import audit, history, reviews
from checker.store import database as db
from checker.store.files import exclusive_lock, remove_stale_temporaries
from checker.store.manifest import MANIFEST_NAME, Manifest, read_manifest, write_manifest
from checker.store.nearest import build_index, nearest
from checker.store.vectors import FACTORY, IndexConfig, VectorIndex, factory_for
from checker.store.writer import Writer, document_hash
from checker.types import (
    Document,
    Finding,
    Hit,
    Judgement,
    ResolvedFinding,
    ReviewState,
    ScanRecord,
    Verdict,
)

__all__ = ["DATABASE_NAME", "VECTORS_NAME", "Store", "Writer", "document_hash"]

DATABASE_NAME = "checker.sqlite3"
VECTORS_NAME = "vectors.faiss"
LOCK_NAME = ".write.lock"
log = logging.getLogger(__name__)
_FINDING_ORDER = {
    "newest": "f.created_at DESC, f.confidence DESC, f.id",
    "confident": "f.confidence DESC, f.similarity DESC, f.id",
}


class Store:
    def __init__(
        self,
        directory: Path,
        embedding_model: str,
        dimension: int,
        readonly: bool = False,
        config: IndexConfig | None = None,
    ) -> None:
        self.directory = directory
        self.embedding_model = embedding_model
        self.dimension = dimension
        self.readonly = readonly
        self.config = config or IndexConfig()  # which FAISS index, searched how
        self._local = threading.local()
        self._lock = threading.RLock()  # FAISS is not safe to search while it is modified
        self._vectors = VectorIndex(dimension, config=self.config)
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
        config: IndexConfig | None = None,
    ) -> Store:
        directory = Path(directory)
        if not (directory / MANIFEST_NAME).exists():
            if not create or readonly:
                raise IndexUnavailable(
                    f"no index at {directory} (manifest.json missing); build one with "
                    f"`checker ingest PATH --index {directory}`"
                )
            if (directory / DATABASE_NAME).exists() and not _never_written(directory):
                raise IndexUnavailable(
                    f"{directory} has a database but no manifest.json; restore the manifest "
                    "or ingest into a new index directory"
                )
            cls._create(directory, embedding_model, dimension)
        else:
            cls._check_database_present(directory)
        manifest = read_manifest(directory)
        assert manifest is not None
        manifest.check_compatible(embedding_model, dimension)
        store = cls(directory, embedding_model, dimension, readonly, config)
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

    @staticmethod
    def _check_database_present(directory: Path) -> None:
        """A manifest without its database must not become a new, empty index."""
        path = directory / DATABASE_NAME
        try:
            empty = path.stat().st_size == 0
        except FileNotFoundError:
            empty = True
        if empty:
            raise IndexUnavailable(
                f"{path} is missing or empty but {directory / MANIFEST_NAME} describes an "
                "index; restore the database from a backup or ingest into a new index directory"
            )

    def _open_vectors(self) -> None:
        try:
            if self.readonly:
                self._sync_vectors()
                return
            with self._write_lock():
                # left behind by a process killed while saving
                remove_stale_temporaries(self.directory, (VECTORS_NAME, MANIFEST_NAME))
                if self._sync_vectors():
                    self._save()
        except sqlite3.DatabaseError as exc:
            raise _unavailable(self.directory / DATABASE_NAME, "cannot open", exc) from None

    # -- connections and locks --------------------------------------------------------------

    @property
    def conn(self) -> sqlite3.Connection:
        """One SQLite connection per thread (gunicorn threads share a Store)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            try:
                conn = db.connect(self.directory / DATABASE_NAME, readonly=self.readonly)
                # A read-only connection reads nothing until asked: fail here, not mid-request.
                conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
            except sqlite3.Error as exc:
                path = self.directory / DATABASE_NAME
                raise IndexUnavailable(f"cannot open {path}: {exc}") from None
            self._local.conn = conn
        return conn

    @contextlib.contextmanager
    def _write_lock(self) -> Iterator[None]:
        with self._lock, contextlib.ExitStack() as stack:
            try:
                stack.enter_context(exclusive_lock(self.directory / LOCK_NAME))
            except OSError as exc:  # a read-only file system, a directory we may not write
                raise IndexUnavailable(
                    f"cannot write to the index at {self.directory}: {exc.strerror}"
                ) from None
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
            loaded = self._load_vectors(path)
            recorded = manifest.vectors_bytes in (0, path.stat().st_size)
            if loaded is not None and recorded and loaded.size == db.sentence_total(self.conn):
                self._vectors, self._generation = loaded, current
                return False
            if loaded is not None:
                log.warning("%s does not match %s; rebuilding it", path, DATABASE_NAME)
        self._rebuild(current)
        return True

    def _rebuild(self, generation: int) -> None:
        count = db.counts(self.conn)["sentences"]
        factory = factory_for(count, self.config, self._vectors.factory, self.dimension)
        rebuilt = build_index(self.conn, self.dimension, factory, self.config)
        self._vectors, self._generation = rebuilt, generation

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
                loaded = self._load_vectors(path)
                if loaded is None:
                    self._rebuild(db.generation(self.conn))
                else:
                    self._vectors, self._generation = loaded, manifest.generation
            self._manifest_stamp = stamp

    def _load_vectors(self, path: Path) -> VectorIndex | None:
        """The saved FAISS index; None when it cannot be read (SQLite can rebuild it)."""
        try:
            return VectorIndex.load(path, self.dimension, self.config)
        except IndexUnavailable as exc:
            log.warning("%s; rebuilding it from %s", exc.detail, DATABASE_NAME)
            return None

    def flush(self) -> None:
        """Save FAISS and the manifest so they reflect every committed write."""
        if self.readonly:
            return
        with self._write_lock():
            self._sync_vectors()
            self._save()

    def _save(self) -> None:
        # The index type follows the size (exact below CHECKER_ANN_MIN_SENTENCES, IVF-SQ8 from
        # there, IVF-PQ from CHECKER_PQ_MIN_SENTENCES): it changes here, on a save after a
        # committed write, never in the middle of one. The new index is built from SQLite and
        # replaces the file atomically, the manifest after it: a process killed in between
        # leaves the old file and manifest, which the next open finds behind SQLite and rebuilds.
        wanted = factory_for(self._vectors.size, self.config, self._vectors.factory, self.dimension)
        if wanted != self._vectors.factory:
            log.info("vectors: %s -> %s at %d", self._vectors.factory, wanted, self._vectors.size)
            self._vectors = build_index(self.conn, self.dimension, wanted, self.config)
        path = self.directory / VECTORS_NAME
        # A mapped index is the file itself, unchanged since it was read (a write that changes
        # vectors takes an owned copy first), so only the manifest needs saving: after a scan,
        # which stores findings but no vectors, a 375 MB file at 1M sentences is not rewritten.
        unchanged = self._vectors.mapped and path.exists()
        try:
            if not unchanged:
                self._vectors.save(path)
            self._save_manifest()
        except (OSError, RuntimeError, sqlite3.OperationalError) as exc:  # faiss: RuntimeError
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise IndexUnavailable(
                f"cannot save the vectors in {self.directory}: {reason}; every committed "
                f"write is kept in {DATABASE_NAME} and the vectors are rebuilt from it on "
                "the next open"
            ) from None
        if unchanged:
            return
        with contextlib.suppress(IndexUnavailable):  # if not, the owned copy serves as well
            # mapped: this process keeps no private copy of what the file holds
            self._vectors = VectorIndex.load(path, self.dimension, self.config)

    def _save_manifest(self) -> None:
        counts = db.counts(self.conn)
        manifest = Manifest(
            self.embedding_model,
            self.dimension,
            self._vectors.factory,
            generation=self._generation,
            vectors_bytes=(self.directory / VECTORS_NAME).stat().st_size,
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
            try:
                self._sync_vectors()
                writer = Writer(self.conn)
                self.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise _unavailable(self.directory, "cannot write to the index at", exc) from None
            try:
                yield writer
                audit.in_transaction(self.conn, writer.document_ids)  # lands with the write
                self._generation = db.bump_generation(self.conn)
                self.conn.execute("COMMIT")
            except BaseException as exc:
                self._rollback()
                audit.rolled_back()
                self._generation = -1  # FAISS may not match any more; resync next time
                if isinstance(exc, sqlite3.DatabaseError) and _is_storage_error(exc):
                    raise _unavailable(
                        self.directory, "cannot write to the index at", exc, unchanged=True
                    ) from None
                raise
            if writer.removed or writer.added:
                try:
                    self._vectors = self._vectors.writable()  # an owned copy if it was mapped
                    self._vectors.remove(np.array(writer.removed, dtype=np.int64))
                    for keys, vectors in writer.added:
                        self._vectors.add(keys, vectors)
                except BaseException:
                    self._generation = -1  # committed, but not in FAISS: rebuild next time
                    raise

    def _rollback(self) -> None:
        # SQLite may have rolled back already (a full disk, an I/O error): then there is
        # no transaction left, and ROLLBACK would hide the error that matters.
        if self.conn.in_transaction:
            try:
                self.conn.execute("ROLLBACK")
            except sqlite3.Error as exc:
                log.warning("ROLLBACK failed after an error: %s", exc)

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
        self,
        vectors: np.ndarray,
        k: int,
        accept: Callable[[Hit], bool] | None = None,
        exclude_documents: Sequence[str | None] | None = None,
        cache: LeastRecentlyUsed[int, Hit] | None = None,
    ) -> list[list[Hit]]:
        """The k nearest stored sentences to each vector that `accept` lets through and that
        are not in that vector's `exclude_documents` entry; batched (see nearest.py). Hits
        `cache` holds are not read again; a scan keeps one for its whole run."""
        with self._lock:
            index = self._vectors  # the one a refresh() may replace meanwhile
        if index.size == 0 or len(vectors) == 0:
            return [[] for _ in range(len(vectors))]
        return nearest(self.conn, index, self._lock, vectors, k, accept, exclude_documents, cache)

    def neighbours(self, hits: Iterable[Hit]) -> dict[str, tuple[str | None, str | None]]:
        """Each hit's sentence before and after it in its document (None at either end)."""
        around = {
            hit.sentence.id: (
                f"{hit.sentence.document_id}#{hit.sentence.ordinal - 1}",
                f"{hit.sentence.document_id}#{hit.sentence.ordinal + 1}",
            )
            for hit in hits
        }
        texts = db.texts_by_id(self.conn, [i for pair in around.values() for i in pair])
        return {sid: (texts.get(b), texts.get(a)) for sid, (b, a) in around.items()}

    def document_vectors(self, document_id: str) -> tuple[list[Hit], np.ndarray]:
        return db.document_vectors(self.conn, document_id, self.dimension)

    def unanalysed(self, limit: int = 1024) -> list[tuple[int, str, str | None]]:
        """(key, text, document date) of up to `limit` sentences stored without a current
        analysis (an index built before checker.analyse, or by an older version of it)."""
        return db.unanalysed(self.conn, limit)

    def unanalysed_count(self) -> int:
        """How many sentences lack a current analysis; 0 at once when the index records that
        all have one."""
        return 0 if self.analyses_current() else db.unanalysed_count(self.conn)

    def analyses_current(self) -> bool:
        return db.analyses_current(self.conn)

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
        review: Sequence[ReviewState] | None = None,
    ) -> tuple[list[Finding], int]:
        """Stored findings in the `review` states (None: all), confirmed ones first, then
        "newest" first or most "confident" first; and the total."""
        columns, join = reviews.joined(self.conn)
        conditions, params = ["f.created_at >= ?"] if since else [], [since] if since else []
        in_states, state_params = reviews.state_filter(review)
        if in_states:
            conditions.append(in_states)
        where = "WHERE " + " AND ".join(conditions) if conditions else ""
        listed = f"SELECT * FROM (SELECT f.*, {columns} FROM findings f {join}) f {where}"
        args = [*params, *state_params]
        total = self.conn.execute(f"SELECT COUNT(*) FROM ({listed})", args).fetchone()
        rows = self.conn.execute(
            f"{listed} ORDER BY {reviews.CONFIRMED_FIRST}, {_FINDING_ORDER[order]} "
            "LIMIT ? OFFSET ?",
            [*args, limit, offset],
        ).fetchall()
        sentences = db.hits_by_key(
            self.conn, [r["a_sentence"] for r in rows] + [r["b_sentence"] for r in rows]
        )
        return [self._finding(row, sentences) for row in rows], int(total[0])

    def finding(self, finding_id: int) -> Finding:
        row = None
        if 0 < finding_id < 2**63:  # SQLite integers are 64-bit; a bigger id names nothing
            columns, join = reviews.joined(self.conn)
            query = f"SELECT f.*, {columns} FROM findings f {join} WHERE f.id = ?"
            row = self.conn.execute(query, (finding_id,)).fetchone()
        if row is None:
            raise NotFound(f"no discrepancy with id {finding_id}")
        sentences = db.hits_by_key(self.conn, [row["a_sentence"], row["b_sentence"]])
        return self._finding(row, sentences)

    def findings_of(self, document_id: str) -> list[Finding]:
        """The live findings that rest on one of the document's sentences (either side), with
        their decisions: what an editor can triage while checking that story's draft."""
        columns, join = reviews.joined(self.conn)
        rows = self.conn.execute(
            f"SELECT f.*, {columns} FROM findings f {join} WHERE f.a_sentence IN (SELECT key "
            "FROM sentences WHERE document_id = :d) OR f.b_sentence IN (SELECT key FROM "
            "sentences WHERE document_id = :d) ORDER BY f.id",
            {"d": document_id},
        ).fetchall()
        sentences = db.hits_by_key(
            self.conn, [r["a_sentence"] for r in rows] + [r["b_sentence"] for r in rows]
        )
        return [self._finding(row, sentences) for row in rows]

    def review_counts(self, since: str | None = None) -> dict[str, int]:
        """Live findings (created since `since`) by review state: open, confirmed, dismissed."""
        return reviews.counts(self.conn, since)

    def decisions(self) -> Iterator[dict[str, Any]]:
        """Every editor's decision as a labelled pair, oldest first (the feedback export)."""
        return reviews.decisions(self.conn)

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
            review=reviews.from_row(row),
        )

    def last_scan(self) -> str | None:
        row = self.conn.execute("SELECT MAX(finished_at) FROM scans").fetchone()
        return row[0] if row else None

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


# What a person can do about SQLite's errors, by (the start of) their sqlite_errorname.
_HINTS = {
    "SQLITE_FULL": "the disk is full",
    "SQLITE_IOERR": "a disk read or write failed: a full disk, a file size limit, an I/O error",
    "SQLITE_READONLY": "the index is read-only",
    "SQLITE_CANTOPEN": "the file cannot be opened",
    "SQLITE_BUSY": "another process holds the database",
    "SQLITE_CORRUPT": "the database is damaged; restore it from a backup",
    "SQLITE_NOTADB": "the file is not a SQLite database; restore it from a backup",
}


def _never_written(directory: Path) -> bool:
    """A database no write ever reached: its creation was cut short before the manifest."""
    try:
        with contextlib.closing(db.connect(directory / DATABASE_NAME, readonly=True)) as conn:
            return db.generation(conn) == 0 and db.counts(conn)["documents"] == 0
    except sqlite3.Error:
        return False


def _is_storage_error(exc: sqlite3.DatabaseError) -> bool:
    """A failure of the disk or the database file, not of the code that called it."""
    return isinstance(exc, sqlite3.OperationalError) or type(exc) is sqlite3.DatabaseError


def _unavailable(
    where: Path, what: str, exc: sqlite3.Error, unchanged: bool = False
) -> IndexUnavailable:
    name = getattr(exc, "sqlite_errorname", "") or ""
    hint = next((text for prefix, text in _HINTS.items() if name.startswith(prefix)), "")
    detail = f"{what} {where}: {exc}" + (f" ({hint})" if hint and hint not in str(exc) else "")
    if unchanged:
        detail += "; nothing of this write was stored"
    return IndexUnavailable(detail)
