"""What the report remembers beyond the live findings: resolved findings and per-run counts.

Findings go with their sentences (ON DELETE CASCADE). Before a document is deleted or
replaced, `keep_resolved` copies the findings that rest on it, both sentences and documents
included, into `resolved_findings` in the same transaction, so the report can still say
what was resolved and why. When the same contradiction is found again (a correction that
left the contradicting sentence as it was), `unresolve` drops the copy: it was not resolved.
`scan_outlets` keeps each scan's new findings per outlet, for the report's chart.

Both tables came after the first release. A read-write open adds them to an older index
(CREATE TABLE IF NOT EXISTS); a read-only connection to one has neither, and reading them
then gives nothing rather than an error.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sqlite3
from collections.abc import Mapping
from typing import Any

from checker.store import database as db
from checker.types import (
    DocumentInfo,
    Finding,
    Hit,
    Judgement,
    ResolvedFinding,
    ScanRecord,
    Sentence,
    Verdict,
)

DELETED = "document deleted"
CORRECTED = "document corrected"


def has_table(conn: sqlite3.Connection, name: str) -> bool:
    row = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
    ).fetchone()
    return row is not None


def pair_key(a: Hit, b: Hit) -> str:
    """The same two documents saying the same two things, in either order."""
    sides = sorted([[a.document.id, a.sentence.text], [b.document.id, b.sentence.text]])
    return hashlib.sha256(json.dumps(sides, ensure_ascii=False).encode()).hexdigest()


def keep_resolved(conn: sqlite3.Connection, document_id: str, resolution: str) -> int:
    """Copy the findings resting on a document about to go; how many were copied."""
    rows = conn.execute(
        "SELECT * FROM findings WHERE a_sentence IN (SELECT key FROM sentences "
        "WHERE document_id = :d) OR b_sentence IN (SELECT key FROM sentences "
        "WHERE document_id = :d)",
        {"d": document_id},
    ).fetchall()
    hits = db.hits_by_key(conn, [r["a_sentence"] for r in rows] + [r["b_sentence"] for r in rows])
    resolved_at = db.now()
    conn.executemany(
        "INSERT OR REPLACE INTO resolved_findings (id, pair, a, b, similarity, verdict, "
        "confidence, reasons, created_at, resolved_at, resolution, document_id) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                row["id"],
                pair_key(hits[row["a_sentence"]], hits[row["b_sentence"]]),
                hit_json(hits[row["a_sentence"]]),
                hit_json(hits[row["b_sentence"]]),
                row["similarity"],
                row["verdict"],
                row["confidence"],
                row["reasons"],
                row["created_at"],
                resolved_at,
                resolution,
                document_id,
            )
            for row in rows
        ],
    )
    return len(rows)


def unresolve(conn: sqlite3.Connection, a: Hit, b: Hit) -> None:
    conn.execute("DELETE FROM resolved_findings WHERE pair = ?", (pair_key(a, b),))


def resolved(
    conn: sqlite3.Connection, since: str | None = None, limit: int = 500
) -> list[ResolvedFinding]:
    """Resolved findings, most recently resolved first (and most confident among those)."""
    if not has_table(conn, "resolved_findings"):
        return []
    rows = conn.execute(
        "SELECT * FROM resolved_findings WHERE :since IS NULL OR resolved_at >= :since "
        "ORDER BY resolved_at DESC, confidence DESC, id LIMIT :limit",
        {"since": since, "limit": limit},
    ).fetchall()
    return [
        ResolvedFinding(
            finding=Finding(
                id=row["id"],
                a=hit_from_json(row["a"], row["similarity"]),
                b=hit_from_json(row["b"], row["similarity"]),
                similarity=row["similarity"],
                judgement=Judgement(
                    Verdict(row["verdict"]),
                    row["confidence"],
                    db.reasons_from_json(row["reasons"]),
                ),
                created_at=row["created_at"],
            ),
            resolved_at=row["resolved_at"],
            resolution=row["resolution"],
            document_id=row["document_id"],
        )
        for row in rows
    ]


def record_outlets(conn: sqlite3.Connection, scan_id: int, by_outlet: Mapping[str, int]) -> None:
    conn.executemany(
        "INSERT INTO scan_outlets (scan_id, outlet, findings) VALUES (?, ?, ?)",
        [(scan_id, outlet, count) for outlet, count in sorted(by_outlet.items()) if count],
    )


def scan_history(conn: sqlite3.Connection, runs: int = 30) -> list[ScanRecord]:
    """The last `runs` scans, oldest first, each with its new findings per outlet."""
    rows = conn.execute("SELECT * FROM scans ORDER BY id DESC LIMIT ?", (runs,)).fetchall()
    outlets: dict[int, dict[str, int]] = {row["id"]: {} for row in rows}
    if rows and has_table(conn, "scan_outlets"):
        for item in conn.execute(
            "SELECT scan_id, outlet, findings FROM scan_outlets WHERE scan_id >= ? "
            "ORDER BY scan_id, outlet",
            (rows[-1]["id"],),
        ):
            if item["scan_id"] in outlets:
                outlets[item["scan_id"]][item["outlet"]] = item["findings"]
    return [
        ScanRecord(
            id=row["id"],
            started_at=row["started_at"],
            finished_at=row["finished_at"],
            documents=row["documents"],
            pairs=row["pairs"],
            findings=row["findings"],
            by_outlet=outlets[row["id"]],
        )
        for row in reversed(rows)
    ]


def hit_json(hit: Hit) -> str:
    payload = {
        "sentence": dataclasses.asdict(hit.sentence),
        "document": dataclasses.asdict(hit.document),
    }
    return json.dumps(payload, ensure_ascii=False)


def hit_from_json(raw: str, similarity: float) -> Hit:
    payload: dict[str, Any] = json.loads(raw)
    return Hit(Sentence(**payload["sentence"]), DocumentInfo(**payload["document"]), similarity)
