"""Editors' decisions on findings: confirmed, dismissed (with a reason), or open (no decision).

A decision belongs to the pair of sentences, not to the finding's row: it is keyed by
`history.pair_key` (the two documents and the two sentences' texts). So it survives whatever
leaves both sentences as they were (a re-scan, a correction elsewhere in either story, which
deletes and re-finds the finding under a new id) and lapses the moment either sentence
changes: then the pair is new, and open. `finding_id` follows the pair to its latest finding,
so listing findings with their decision is one join.

Each row also keeps a copy of both sentences and the verdict as they were decided, so the
feedback export (`checker feedback export`) still has them after a document is deleted.

The table came after the first release: a read-write open adds it to an older index, and a
read-only connection to one without it reads every finding as open.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

from checker.store import database as db
from checker.store.history import has_table, hit_json, pair_key
from checker.types import Finding, Hit, Review, ReviewState

_COLUMNS = "r.state AS review_state, r.reason AS review_reason, r.note AS review_note, " + (
    "r.decided_by AS review_by, r.decided_at AS review_at"
)
_NO_COLUMNS = (
    "NULL AS review_state, NULL AS review_reason, NULL AS review_note, "
    "NULL AS review_by, NULL AS review_at"
)
# Confirmed findings stay at the top of every listing.
CONFIRMED_FIRST = "(review_state IS 'confirmed') DESC"


def joined(conn: sqlite3.Connection) -> tuple[str, str]:
    """(columns, join) that add each finding's decision to a query over `findings f`."""
    if has_table(conn, "reviews"):
        return _COLUMNS, "LEFT JOIN reviews r ON r.finding_id = f.id"
    return _NO_COLUMNS, ""


def state_filter(states: Sequence[ReviewState] | None) -> tuple[str, list[str]]:
    """A WHERE condition on the joined columns keeping findings in `states` (None: all)."""
    if not states:
        return "", []
    marks = ", ".join("?" for _ in states)
    return f"COALESCE(review_state, 'open') IN ({marks})", [s.value for s in states]


def from_row(row: sqlite3.Row) -> Review | None:
    if row["review_state"] is None:
        return None
    return Review(
        state=ReviewState(row["review_state"]),
        decided_by=row["review_by"],
        decided_at=row["review_at"],
        reason=row["review_reason"],
        note=row["review_note"],
    )


def decide(conn: sqlite3.Connection, finding: Finding, review: Review) -> None:
    """Record (or replace) the decision on the finding's pair; OPEN removes it."""
    key = pair_key(finding.a, finding.b)
    if review.state is ReviewState.OPEN:
        conn.execute("DELETE FROM reviews WHERE pair = ?", (key,))
        return
    verdict, confidence, reasons = db.judgement_columns(finding.judgement)
    conn.execute(
        "INSERT OR REPLACE INTO reviews (pair, finding_id, state, reason, note, decided_by, "
        "decided_at, a, b, verdict, confidence, reasons) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            key,
            finding.id,
            review.state.value,
            review.reason,
            review.note,
            review.decided_by,
            review.decided_at,
            hit_json(finding.a),
            hit_json(finding.b),
            verdict,
            confidence,
            reasons,
        ),
    )


def follow(conn: sqlite3.Connection, a: Hit, b: Hit, finding_id: int) -> ReviewState:
    """A pair found again under a new finding id keeps its decision; the decision's state."""
    key = pair_key(a, b)
    conn.execute("UPDATE reviews SET finding_id = ? WHERE pair = ?", (finding_id, key))
    row = conn.execute("SELECT state FROM reviews WHERE pair = ?", (key,)).fetchone()
    return ReviewState(row["state"]) if row else ReviewState.OPEN


def counts(conn: sqlite3.Connection, since: str | None = None) -> dict[str, int]:
    """How many live findings are open, confirmed and dismissed (created since `since`)."""
    columns, join = joined(conn)
    where, params = ("WHERE f.created_at >= ?", [since]) if since else ("", [])
    rows = conn.execute(
        f"SELECT COALESCE(review_state, 'open') AS state, COUNT(*) AS n FROM "
        f"(SELECT f.created_at, {columns} FROM findings f {join} {where}) GROUP BY state",
        params,
    ).fetchall()
    found = {row["state"]: row["n"] for row in rows}
    return {state.value: int(found.get(state.value, 0)) for state in ReviewState}


def decisions(conn: sqlite3.Connection) -> Iterator[dict[str, Any]]:
    """Every decision as a labelled pair (the feedback export's records), oldest first."""
    if not has_table(conn, "reviews"):
        return
    for row in conn.execute("SELECT * FROM reviews ORDER BY decided_at, pair"):
        yield {
            "decision": row["state"],
            "reason": row["reason"],
            "note": row["note"],
            "a": _side(row["a"]),
            "b": _side(row["b"]),
            "verdict": row["verdict"],
            "confidence": round(row["confidence"], 4),
            "reasons": [r["kind"] for r in json.loads(row["reasons"])],
            "finding_id": row["finding_id"],
            "decided_by": row["decided_by"],
            "decided_at": row["decided_at"],
        }


def _side(raw: str) -> dict[str, Any]:
    stored = json.loads(raw)
    sentence, document = stored["sentence"], stored["document"]
    return {
        "text": sentence["text"],
        "sentence_id": sentence["id"],
        "document_id": document["id"],
        "title": document.get("title"),
        "source": document.get("source"),
        "url": document.get("url"),
        "published": document.get("published"),
    }
