"""API keys: who may call the HTTP API, and with which scope. Only hashes are stored.

A key is `ck_` + 32 random bytes (URL-safe base64). The `api_keys` table keeps its SHA-256,
never the key itself. A fast hash is right here, unlike for passwords: a 256-bit random token
cannot be guessed or brute-forced, so a slow KDF (bcrypt, scrypt) would buy nothing and cost
every request milliseconds. Presented keys are compared with `hmac.compare_digest` against
every live hash, so the time taken says nothing about how close a guess was.

Scopes are ordered: `read` < `write` < `admin`; a key may do what its scope or a lower one
allows. Revoked keys stay in the table (the audit log names them) with `revoked_at` set.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import secrets
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass

from checker.errors import InvalidInput, NotFound
from checker.store import audit
from checker.store import database as db
from checker.store.history import has_table

SCOPES = ("read", "write", "admin")
PREFIX = "ck_"


@dataclass(frozen=True)
class ApiKey:
    name: str
    scope: str
    hint: str
    created_at: str
    revoked_at: str | None = None

    def allows(self, scope: str) -> bool:
        return SCOPES.index(self.scope) >= SCOPES.index(scope)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


@contextlib.contextmanager
def _transaction(
    conn: sqlite3.Connection, actor: str | None, action: str, outcome: str
) -> Iterator[None]:
    """A key change and its audit row, together. Not `Store.writing()`: that bumps the index
    generation, and a key change must not make the next open rebuild FAISS."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
        if actor is not None:
            audit.record(conn, actor, action, [], outcome)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise


def create(
    conn: sqlite3.Connection, name: str, scope: str = "read", actor: str | None = None
) -> tuple[ApiKey, str]:
    """A new key named `name`; returns it and the key in clear (shown once, never again).

    With `actor`, the creation is recorded in the audit log in the same transaction."""
    name = name.strip()
    if not name or len(name) > 100 or not name.isprintable():
        raise InvalidInput("a key name must be 1 to 100 printable characters", field="name")
    if scope not in SCOPES:
        raise InvalidInput(f"scope must be one of {', '.join(SCOPES)}; got {scope!r}", "scope")
    secret = PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(name, scope, secret[:8], db.now("seconds"))
    try:
        with _transaction(conn, actor, "keys.create", f"ok: {name} ({scope})"):
            conn.execute(
                "INSERT INTO api_keys (name, scope, hash, hint, created_at) VALUES (?, ?, ?, ?, ?)",
                (key.name, key.scope, hash_key(secret), key.hint, key.created_at),
            )
    except sqlite3.IntegrityError:
        raise InvalidInput(
            f"a live key named {name!r} exists; revoke it first or pick another name", "name"
        ) from None
    return key, secret


def revoke(conn: sqlite3.Connection, name: str, actor: str | None = None) -> None:
    with _transaction(conn, actor, "keys.revoke", f"ok: {name}"):
        cursor = conn.execute(
            "UPDATE api_keys SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL",
            (db.now("seconds"), name),
        )
        if cursor.rowcount == 0:
            raise NotFound(f"no live key named {name!r}")


def listing(conn: sqlite3.Connection) -> list[ApiKey]:
    """Every key, live and revoked, oldest first (hashes are not part of it)."""
    if not has_table(conn, "api_keys"):
        return []
    rows = conn.execute(
        "SELECT name, scope, hint, created_at, revoked_at FROM api_keys ORDER BY id"
    ).fetchall()
    return [ApiKey(*row) for row in rows]


def any_live(conn: sqlite3.Connection) -> bool:
    """Whether the index has any live key; with none, the API is open (a fresh install)."""
    if not has_table(conn, "api_keys"):  # an older index opened read-only
        return False
    row = conn.execute("SELECT 1 FROM api_keys WHERE revoked_at IS NULL LIMIT 1").fetchone()
    return row is not None


def find(conn: sqlite3.Connection, presented: str) -> ApiKey | None:
    """The live key whose hash matches, compared in constant time against every live key."""
    if not has_table(conn, "api_keys"):
        return None
    digest = hash_key(presented)
    rows = conn.execute(
        "SELECT name, scope, hint, created_at, hash FROM api_keys WHERE revoked_at IS NULL"
    ).fetchall()
    found = None
    for row in rows:  # no early exit: every presented key costs the same comparisons
        if hmac.compare_digest(digest, row["hash"]):
            found = ApiKey(row["name"], row["scope"], row["hint"], row["created_at"])
    return found
