"""The audit log: every write to an index, who made it, on which documents, with what outcome.

The front door (web request, CLI command) says who is acting with `acting(key, action)`;
`Store.writing()` then adds an `audit` row inside the write's own transaction, so a change
and its audit row land together or not at all. A write that changed nothing or was refused
never reaches a transaction; the front door records it afterwards with `record()`.
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from checker.store import database as db
from checker.store.history import has_table


@dataclass
class Acting:
    """Who is writing now; `recorded` says whether a transaction has logged it already."""

    key_name: str
    action: str
    recorded: bool = False


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: str
    key_name: str
    action: str
    document_ids: tuple[str, ...]
    outcome: str


log = logging.getLogger(__name__)

# A context variable, not a global: each gunicorn thread (and each test) has its own.
_current: contextvars.ContextVar[Acting | None] = contextvars.ContextVar("acting", default=None)


@contextlib.contextmanager
def acting(key_name: str, action: str) -> Iterator[Acting]:
    token = _current.set(Acting(key_name, action))
    try:
        yield _current.get()  # type: ignore[misc]
    finally:
        _current.reset(token)


def begin(key_name: str, action: str) -> tuple[Acting, contextvars.Token[Acting | None]]:
    """`acting` for callers that cannot wrap a block (Flask's before/teardown hooks)."""
    now = Acting(key_name, action)
    return now, _current.set(now)


def end(token: contextvars.Token[Acting | None]) -> None:
    _current.reset(token)


def in_transaction(conn: sqlite3.Connection, document_ids: Sequence[str]) -> None:
    """Called by `Store.writing()` before COMMIT: log the write if someone is acting."""
    now = _current.get()
    if now is None or not document_ids:
        return
    ids = list(dict.fromkeys(document_ids))
    record(conn, now.key_name, now.action, ids, "ok")
    now.recorded = True


def rolled_back() -> None:
    """Called by `Store.writing()` when a write is rolled back: its audit row went with it,
    so the write counts as not recorded, and the web layer logs it as refused."""
    now = _current.get()
    if now is not None:
        now.recorded = False


def record(
    conn: sqlite3.Connection, key_name: str, action: str, ids: Sequence[str], outcome: str
) -> None:
    """Add an entry: inside a write's transaction, or on its own for a write that changed
    nothing or was refused."""
    inside_a_write = conn.in_transaction  # asked first: a failure may end the transaction
    try:
        conn.execute(
            "INSERT INTO audit (at, key_name, action, document_ids, outcome) "
            "VALUES (?, ?, ?, ?, ?)",
            (db.now(), key_name, action, json.dumps(list(ids), ensure_ascii=False), outcome),
        )
    except sqlite3.OperationalError as exc:
        if inside_a_write:
            raise  # the write fails with its audit row: neither lands
        # On its own, after a refused write (a full disk, a read-only index): the answer
        # must stay the one that says why, not become an error about the log.
        log.warning("audit entry not recorded (%s %s %s): %s", key_name, action, outcome, exc)


def entries(conn: sqlite3.Connection, limit: int = 50) -> list[AuditEntry]:
    """The newest `limit` entries, newest first."""
    if not has_table(conn, "audit"):
        return []
    rows = conn.execute("SELECT * FROM audit ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
    return [
        AuditEntry(
            row["id"],
            row["at"],
            row["key_name"],
            row["action"],
            tuple(json.loads(row["document_ids"])),
            row["outcome"],
        )
        for row in rows
    ]
