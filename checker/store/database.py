"""The SQLite side of the store: documents, sentences (with their vectors), findings, scans.

SQLite is the source of truth. Sentence vectors are kept here as float32 blobs as well as in
FAISS, so the FAISS file can always be rebuilt after a crash. Every write bumps `generation`
in the `meta` table inside the same transaction.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from checker.analyse.codec import analysis_from_json, analysis_to_json
from checker.analyse.version import ANALYSIS_VERSION
from checker.lru import LeastRecentlyUsed
from checker.types import Analysis, DocumentInfo, Hit, Judgement, Reason, Sentence, Verdict

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY,
    title TEXT, source TEXT, url TEXT, published TEXT, language TEXT,
    text TEXT NOT NULL,
    body TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    ingested_at TEXT NOT NULL,
    scanned INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS sentences (
    key INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    start_char INTEGER NOT NULL,
    end_char INTEGER NOT NULL,
    text TEXT NOT NULL,
    vector BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS sentences_by_document ON sentences(document_id);
CREATE TABLE IF NOT EXISTS findings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    a_sentence INTEGER NOT NULL REFERENCES sentences(key) ON DELETE CASCADE,
    b_sentence INTEGER NOT NULL REFERENCES sentences(key) ON DELETE CASCADE,
    similarity REAL NOT NULL,
    verdict TEXT NOT NULL,
    confidence REAL NOT NULL,
    reasons TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (a_sentence, b_sentence)
);
CREATE INDEX IF NOT EXISTS findings_by_b ON findings(b_sentence);
CREATE TABLE IF NOT EXISTS scans (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    documents INTEGER NOT NULL,
    pairs INTEGER NOT NULL,
    findings INTEGER NOT NULL
);
-- Added after the first release; CREATE ... IF NOT EXISTS adds them to older indexes on their
-- next read-write open, and readers treat a missing table as empty (see history.py).
CREATE TABLE IF NOT EXISTS resolved_findings (
    id INTEGER PRIMARY KEY,  -- the finding's own id (AUTOINCREMENT ids are never reused)
    pair TEXT NOT NULL,  -- history.pair_key: found again means not resolved after all
    a TEXT NOT NULL,  -- JSON copy of the sentence and its document: those rows are gone
    b TEXT NOT NULL,
    similarity REAL NOT NULL,
    verdict TEXT NOT NULL,
    confidence REAL NOT NULL,
    reasons TEXT NOT NULL,
    created_at TEXT NOT NULL,
    resolved_at TEXT NOT NULL,
    resolution TEXT NOT NULL,
    document_id TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS resolved_by_time ON resolved_findings(resolved_at);
CREATE INDEX IF NOT EXISTS resolved_by_pair ON resolved_findings(pair);
CREATE TABLE IF NOT EXISTS scan_outlets (
    scan_id INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
    outlet TEXT NOT NULL,  -- "" when neither source nor URL names one
    findings INTEGER NOT NULL,
    PRIMARY KEY (scan_id, outlet)
);
-- API keys (keys.py) and the audit log (audit.py), added the same way.
CREATE TABLE IF NOT EXISTS api_keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    scope TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,  -- SHA-256 of the key, hex; the key itself is never stored
    hint TEXT NOT NULL,  -- its first characters, so a person can tell keys apart
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
-- One live key per name; a revoked name may be reused.
CREATE UNIQUE INDEX IF NOT EXISTS api_keys_live_name ON api_keys(name) WHERE revoked_at IS NULL;
CREATE TABLE IF NOT EXISTS audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    key_name TEXT NOT NULL,  -- the API key's name, `anonymous` (no keys yet), or `cli:USER`
    action TEXT NOT NULL,  -- e.g. documents.add, documents.delete, scan, keys.create
    document_ids TEXT NOT NULL,  -- JSON list
    outcome TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_by_time ON audit(at);
-- Each sentence's analysis (checker.analyse) as JSON; indexes built before it have none until
-- `checker ingest` or `checker scan` fills it in (Store.unanalysed).
CREATE TABLE IF NOT EXISTS analyses (
    sentence_key INTEGER PRIMARY KEY REFERENCES sentences(key) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    data TEXT NOT NULL
);
-- Editors' decisions on findings (reviews.py), keyed by the pair, not the finding's row.
CREATE TABLE IF NOT EXISTS reviews (
    pair TEXT PRIMARY KEY,  -- history.pair_key: the same two sentences in the same documents
    finding_id INTEGER,  -- the pair's latest finding (ids are never reused)
    state TEXT NOT NULL,  -- confirmed | dismissed (open is the absence of a row)
    reason TEXT,  -- dismissed only: types.DISMISS_REASONS
    note TEXT,
    decided_by TEXT NOT NULL,  -- the API key's name or cli:USER, as in the audit log
    decided_at TEXT NOT NULL,
    a TEXT NOT NULL,  -- JSON copies of both sentences and their documents, as decided
    b TEXT NOT NULL,
    verdict TEXT NOT NULL,
    confidence REAL NOT NULL,
    reasons TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS reviews_by_finding ON reviews(finding_id);
"""

_HIT_COLUMNS = """s.key, s.id, s.document_id, s.ordinal, s.start_char, s.end_char, s.text,
    d.title, d.source, d.url, d.published, d.language, an.version AS analysis_version,
    an.data AS analysis"""
# Joined wherever hits are read, so each Hit carries its stored analysis.
_WITH_ANALYSIS = "LEFT JOIN analyses an ON an.sentence_key = s.key"


def now(timespec: str = "milliseconds") -> str:
    """UTC, ISO 8601. Milliseconds by default: a report run in the same second as the scan
    before it must still tell that scan's findings from its own (they compare as strings)."""
    return datetime.now(UTC).isoformat(timespec=timespec)


def connect(path: Path, readonly: bool = False) -> sqlite3.Connection:
    uri = f"file:{path}?mode=ro" if readonly else f"file:{path}"
    conn = sqlite3.connect(uri, uri=True, timeout=30, isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    if not readonly:
        conn.execute("PRAGMA journal_mode = WAL")  # readers never block the writer
        conn.execute("PRAGMA synchronous = NORMAL")  # WAL keeps this crash-safe
        conn.executescript(SCHEMA)
    return conn


def generation(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
    return int(row[0]) if row else 0


def bump_generation(conn: sqlite3.Connection) -> int:
    new = generation(conn) + 1
    conn.execute(
        "INSERT INTO meta (key, value) VALUES ('generation', ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (str(new),),
    )
    return new


def counts(conn: sqlite3.Connection) -> dict[str, int]:
    return {
        table: int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
        for table in ("documents", "sentences", "findings")
    }


def sentence_total(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT COUNT(*) FROM sentences").fetchone()[0])


def content_hash(conn: sqlite3.Connection, document_id: str) -> str | None:
    row = conn.execute("SELECT content_hash FROM documents WHERE id = ?", (document_id,)).fetchone()
    return row[0] if row else None


def sentence_keys(conn: sqlite3.Connection, document_id: str) -> np.ndarray:
    rows = conn.execute("SELECT key FROM sentences WHERE document_id = ?", (document_id,))
    return np.array([r[0] for r in rows], dtype=np.int64)


def insert_document(conn: sqlite3.Connection, row: dict[str, Any]) -> None:
    conn.execute(
        "INSERT INTO documents (id, title, source, url, published, language, text, body, "
        "content_hash, ingested_at) VALUES (:id, :title, :source, :url, :published, "
        ":language, :text, :body, :content_hash, :ingested_at)",
        row,
    )


def insert_sentences(
    conn: sqlite3.Connection, sentences: Sequence[Sentence], vectors: np.ndarray
) -> np.ndarray:
    keys = []
    for sentence, vector in zip(sentences, vectors, strict=True):
        cursor = conn.execute(
            "INSERT INTO sentences (id, document_id, ordinal, start_char, end_char, text, vector)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                sentence.id,
                sentence.document_id,
                sentence.ordinal,
                sentence.start,
                sentence.end,
                sentence.text,
                np.asarray(vector, dtype=np.float32).tobytes(),
            ),
        )
        keys.append(cursor.lastrowid)
    return np.array(keys, dtype=np.int64)


def iter_vectors(
    conn: sqlite3.Connection, dimension: int, batch: int = 10_000
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """All (keys, vectors) in batches, for rebuilding the FAISS index."""
    cursor = conn.execute("SELECT key, vector FROM sentences ORDER BY key")
    while rows := cursor.fetchmany(batch):
        keys = np.array([r[0] for r in rows], dtype=np.int64)
        vectors = np.frombuffer(b"".join(r[1] for r in rows), dtype=np.float32)
        yield keys, vectors.reshape(len(rows), dimension)


def document_vectors(
    conn: sqlite3.Connection, document_id: str, dimension: int
) -> tuple[list[Hit], np.ndarray]:
    rows = conn.execute(
        f"SELECT {_HIT_COLUMNS}, s.vector FROM sentences s JOIN documents d "
        f"ON d.id = s.document_id {_WITH_ANALYSIS} WHERE s.document_id = ? ORDER BY s.ordinal",
        (document_id,),
    ).fetchall()
    hits = [_hit(row, 1.0) for row in rows]
    vectors = np.frombuffer(b"".join(r["vector"] for r in rows), dtype=np.float32)
    return hits, vectors.reshape(len(rows), dimension)


def texts_by_id(conn: sqlite3.Connection, ids: Iterable[str]) -> dict[str, str]:
    """Stored sentences' texts by sentence id; ids not stored are simply absent."""
    wanted = sorted(set(ids))
    found: dict[str, str] = {}
    for start in range(0, len(wanted), 500):  # stay under SQLite's variable limit
        chunk = wanted[start : start + 500]
        marks = ",".join("?" * len(chunk))
        rows = conn.execute(f"SELECT id, text FROM sentences WHERE id IN ({marks})", chunk)
        found.update({row["id"]: row["text"] for row in rows})
    return found


def hits_by_key(
    conn: sqlite3.Connection, keys: Iterable[int], cache: LeastRecentlyUsed[int, Hit] | None = None
) -> dict[int, Hit]:
    """Sentences with their document info, by key; keys no longer stored are simply absent.
    Hits held in `cache` are not read again (sentence keys are never reused), and the hits
    read are kept there."""
    wanted = sorted({int(k) for k in keys if k >= 0})
    found: dict[int, Hit] = {}
    if cache is not None:
        found = cache.found(wanted)
        wanted = [k for k in wanted if k not in found]
    read = _hits_read(conn, wanted)
    if cache is not None:
        cache.keep(list(read), read)
    found.update(read)
    return found


def _hits_read(conn: sqlite3.Connection, wanted: list[int]) -> dict[int, Hit]:
    found: dict[int, Hit] = {}
    for start in range(0, len(wanted), 500):  # stay under SQLite's variable limit
        chunk = wanted[start : start + 500]
        marks = ",".join("?" * len(chunk))
        rows = conn.execute(
            f"SELECT {_HIT_COLUMNS} FROM sentences s JOIN documents d ON d.id = s.document_id "
            f"{_WITH_ANALYSIS} WHERE s.key IN ({marks})",
            chunk,
        )
        found.update({row["key"]: _hit(row, 0.0) for row in rows})
    return found


def _hit(row: sqlite3.Row, similarity: float) -> Hit:
    sentence = Sentence(
        id=row["id"],
        document_id=row["document_id"],
        ordinal=row["ordinal"],
        start=row["start_char"],
        end=row["end_char"],
        text=row["text"],
    )
    info = DocumentInfo(
        id=row["document_id"],
        title=row["title"],
        source=row["source"],
        url=row["url"],
        published=row["published"],
        language=row["language"],
    )
    analysis = None
    if row["analysis"] is not None and row["analysis_version"] == ANALYSIS_VERSION:
        analysis = analysis_from_json(row["analysis"])
    return Hit(sentence=sentence, document=info, similarity=similarity, analysis=analysis)


def insert_analyses(
    conn: sqlite3.Connection, keys: Iterable[int], analyses: Iterable[Analysis]
) -> None:
    """Store (or replace) the analyses of the sentences with these keys."""
    conn.executemany(
        "INSERT OR REPLACE INTO analyses (sentence_key, version, data) VALUES (?, ?, ?)",
        [(int(key), a.version, analysis_to_json(a)) for key, a in zip(keys, analyses, strict=True)],
    )


def analyses_current(conn: sqlite3.Connection) -> bool:
    """Whether every stored sentence is known to carry a current analysis, so no upgrade
    needs to look (finding the sentences without one reads the whole sentences table)."""
    row = conn.execute("SELECT value FROM meta WHERE key = 'analysis_version'").fetchone()
    return row is not None and row[0] == str(ANALYSIS_VERSION)


def set_analyses_current(conn: sqlite3.Connection, current: bool) -> None:
    if current:
        conn.execute(
            "INSERT INTO meta (key, value) VALUES ('analysis_version', ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (str(ANALYSIS_VERSION),),
        )
    else:
        conn.execute("DELETE FROM meta WHERE key = 'analysis_version'")


def unanalysed(conn: sqlite3.Connection, limit: int) -> list[tuple[int, str, str | None]]:
    """(key, text, document date) of sentences with no analysis of the current version."""
    rows = conn.execute(
        "SELECT s.key, s.text, d.published FROM sentences s JOIN documents d "
        "ON d.id = s.document_id LEFT JOIN analyses an ON an.sentence_key = s.key "
        "WHERE an.version IS NULL OR an.version != ? ORDER BY s.key LIMIT ?",
        (ANALYSIS_VERSION, limit),
    )
    return [(int(r[0]), r[1], r[2]) for r in rows]


def unanalysed_count(conn: sqlite3.Connection) -> int:
    row = conn.execute(
        "SELECT COUNT(*) FROM sentences s LEFT JOIN analyses an ON an.sentence_key = s.key "
        "WHERE an.version IS NULL OR an.version != ?",
        (ANALYSIS_VERSION,),
    ).fetchone()
    return int(row[0])


def reasons_to_json(reasons: Sequence[Reason]) -> str:
    return json.dumps(
        [
            {
                "kind": r.kind,
                "verdict": r.verdict.value,
                "confidence": r.confidence,
                "detail": r.detail,
                "claim_spans": [list(s) for s in r.claim_spans],
                "passage_spans": [list(s) for s in r.passage_spans],
            }
            for r in reasons
        ]
    )


def reasons_from_json(raw: str) -> tuple[Reason, ...]:
    return tuple(
        Reason(
            kind=r["kind"],
            verdict=Verdict(r["verdict"]),
            confidence=r["confidence"],
            detail=r["detail"],
            claim_spans=tuple((s[0], s[1]) for s in r["claim_spans"]),
            passage_spans=tuple((s[0], s[1]) for s in r["passage_spans"]),
        )
        for r in json.loads(raw)
    )


def judgement_columns(judgement: Judgement) -> tuple[str, float, str]:
    return judgement.verdict.value, judgement.confidence, reasons_to_json(judgement.reasons)
