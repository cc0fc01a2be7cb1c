"""Who may do what over HTTP: API keys and scopes, the audit log, rate limits, CORS.

Real Flask test client on a real seeds index; keys are created in the index as
`checker keys create` does.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from checker.errors import InvalidInput
from checker.service import Checker
from checker.settings import Settings
from checker.store import audit, keys
from checker.web import auth, create_app
from tests.conftest import SEED_000
from tests.test_web import CLAIM, assert_problem

RECORD = {"id": "wire-1", "text": "The ceasefire held overnight, officials said."}
READS: list[tuple[str, str, Any]] = [
    ("POST", "/v1/check", {"claim": CLAIM}),
    ("POST", "/v1/check-draft", {"text": CLAIM}),
    ("GET", f"/v1/documents/{SEED_000}", None),
    ("GET", "/v1/discrepancies", None),
]
WRITES: list[tuple[str, str, Any]] = [
    ("POST", "/v1/documents", [RECORD]),
    ("DELETE", f"/v1/documents/{SEED_000}", None),
    ("POST", "/v1/scan", None),
]


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def call(client: FlaskClient, method: str, path: str, body: Any, **kwargs: Any) -> Any:
    return client.open(path, method=method, json=body, **kwargs)


def app_for(checker: Checker, **settings: Any) -> Flask:
    return create_app(checker=_with(checker, **settings))


def _with(checker: Checker, **settings: Any) -> Checker:
    checker.settings = Settings(**{**checker.settings.__dict__, **settings})
    return checker


@pytest.fixture
def closed(seeded: Checker) -> tuple[FlaskClient, dict[str, str]]:
    """An index with one key of each scope; returns the client and the keys by scope."""
    made = {
        scope: keys.create(seeded.store.conn, f"desk-{scope}", scope)[1] for scope in keys.SCOPES
    }
    return create_app(checker=seeded).test_client(), made


def test_a_fresh_install_is_open_and_audits_writes_as_anonymous(seeded: Checker) -> None:
    client = create_app(checker=seeded).test_client()
    assert client.post("/v1/check", json={"claim": CLAIM}).status_code == 200
    assert client.post("/v1/documents", json=[RECORD]).status_code == 201
    [entry] = audit.entries(seeded.store.conn)
    assert (entry.key_name, entry.action, entry.document_ids, entry.outcome) == (
        "anonymous",
        "documents.add",
        ("wire-1",),
        "ok",
    )


@pytest.mark.parametrize(("method", "path", "body"), READS + WRITES)
def test_with_keys_every_api_call_needs_one(
    closed: tuple[FlaskClient, dict[str, str]], method: str, path: str, body: Any
) -> None:
    client, _ = closed
    response = call(client, method, path, body)
    assert_problem(response, 401, "needs an API key")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    wrong = call(client, method, path, body, headers=bearer("ck_not-a-key"))
    assert_problem(wrong, 401, "unknown or revoked")
    assert wrong.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(("method", "path", "body"), READS)
def test_a_read_key_reads_by_either_header(
    closed: tuple[FlaskClient, dict[str, str]], method: str, path: str, body: Any
) -> None:
    client, made = closed
    assert call(client, method, path, body, headers=bearer(made["read"])).status_code == 200
    assert call(client, method, path, body, headers={"X-API-Key": made["read"]}).status_code == 200


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_a_read_key_may_not_write(
    closed: tuple[FlaskClient, dict[str, str]], method: str, path: str, body: Any
) -> None:
    client, made = closed
    assert_problem(call(client, method, path, body, headers=bearer(made["read"])), 403, "'read'")


@pytest.mark.parametrize("scope", ["write", "admin"])
def test_write_and_admin_keys_write(
    closed: tuple[FlaskClient, dict[str, str]], seeded: Checker, scope: str
) -> None:
    client, made = closed
    headers = bearer(made[scope])
    assert client.post("/v1/documents", json=[RECORD], headers=headers).status_code == 201
    assert client.delete("/v1/documents/wire-1", headers=headers).status_code == 204
    assert client.post("/v1/scan", headers=headers).status_code == 200
    assert client.post("/v1/check", json={"claim": CLAIM}, headers=headers).status_code == 200
    entries = audit.entries(seeded.store.conn)
    assert [(e.key_name, e.action, e.document_ids, e.outcome) for e in reversed(entries)] == [
        (f"desk-{scope}", "documents.add", ("wire-1",), "ok"),
        (f"desk-{scope}", "documents.delete", ("wire-1",), "ok"),
        (f"desk-{scope}", "scan", (SEED_000, "001_8033d1b0714a6b2e"), "ok"),
    ]


def test_refused_and_empty_writes_are_audited_too(
    closed: tuple[FlaskClient, dict[str, str]], seeded: Checker
) -> None:
    client, made = closed
    client.delete("/v1/documents/nope", headers=bearer(made["write"]))
    client.post("/v1/documents", json=[RECORD], headers=bearer(made["read"]))
    client.post("/v1/documents", json=[RECORD], headers=bearer(made["write"]))
    client.post("/v1/documents", json=[RECORD], headers=bearer(made["write"]))  # unchanged
    rows = [
        (e.key_name, e.action, e.document_ids, e.outcome) for e in audit.entries(seeded.store.conn)
    ]
    assert rows[::-1] == [
        ("desk-write", "documents.delete", ("nope",), "404 NOT FOUND"),
        ("desk-read", "documents.add", (), "403 FORBIDDEN"),
        ("desk-write", "documents.add", ("wire-1",), "ok"),
        ("desk-write", "documents.add", (), "no change"),
    ]


def test_a_failed_write_leaves_no_audit_row_claiming_success(
    closed: tuple[FlaskClient, dict[str, str]], seeded: Checker
) -> None:
    """The audit row is part of the write's transaction: rolled back with it."""
    with (
        audit.acting("desk-write", "documents.delete"),
        pytest.raises(RuntimeError),
        seeded.store.writing() as writer,
    ):
        writer.delete_document(SEED_000)
        raise RuntimeError("crash mid-write")
    assert audit.entries(seeded.store.conn) == []
    assert seeded.store.stored_hash(SEED_000) is not None


def test_health_pages_static_and_schema_need_no_key(
    closed: tuple[FlaskClient, dict[str, str]],
) -> None:
    client, _ = closed
    for path in ("/healthz", "/readyz", "/", "/static/checker-ui.js", "/openapi.json", "/docs"):
        response = client.get(path)
        response.close()  # static files are streamed from an open file
        assert response.status_code == 200, path


def test_a_revoked_key_stops_working_at_once(
    closed: tuple[FlaskClient, dict[str, str]], seeded: Checker
) -> None:
    client, made = closed
    keys.revoke(seeded.store.conn, "desk-read")
    response = client.post("/v1/check", json={"claim": CLAIM}, headers=bearer(made["read"]))
    assert_problem(response, 401, "unknown or revoked")


def test_revoking_every_key_opens_the_index_again(
    closed: tuple[FlaskClient, dict[str, str]], seeded: Checker
) -> None:
    client, _ = closed
    for scope in keys.SCOPES:
        keys.revoke(seeded.store.conn, f"desk-{scope}")
    assert client.post("/v1/check", json={"claim": CLAIM}).status_code == 200


def test_open_reads_lets_anyone_read_but_not_write(seeded: Checker) -> None:
    keys.create(seeded.store.conn, "desk", "write")
    client = app_for(seeded, open_reads=True).test_client()
    for method, path, body in READS:
        assert call(client, method, path, body).status_code == 200, path
    for method, path, body in WRITES:
        assert_problem(call(client, method, path, body), 401, "scope 'write'")


def test_rate_limit_answers_429_with_retry_after(seeded: Checker) -> None:
    secret = keys.create(seeded.store.conn, "busy", "read")[1]
    other = keys.create(seeded.store.conn, "calm", "read")[1]
    client = app_for(seeded, rate_limit_per_minute=2).test_client()
    for _ in range(2):
        assert client.get("/v1/discrepancies", headers=bearer(secret)).status_code == 200
    response = client.get("/v1/discrepancies", headers=bearer(secret))
    assert_problem(response, 429, "2 requests per minute")
    assert 1 <= int(response.headers["Retry-After"]) <= 30
    assert client.get("/v1/discrepancies", headers=bearer(other)).status_code == 200  # per key
    assert client.get("/healthz").status_code == 200  # health is never limited


def test_keys_are_stored_hashed_never_in_clear(seeded: Checker) -> None:
    key, secret = keys.create(seeded.store.conn, "desk", "write")
    assert secret.startswith("ck_") and len(secret) > 40
    dump = "\n".join(seeded.store.conn.iterdump())
    assert secret not in dump and keys.hash_key(secret) in dump
    assert keys.listing(seeded.store.conn) == [key]
    assert keys.find(seeded.store.conn, secret) == key
    assert keys.find(seeded.store.conn, secret + "x") is None


def test_key_names_scopes_and_revocation_are_checked(seeded: Checker) -> None:
    conn = seeded.store.conn
    keys.create(conn, "desk", "read")
    with pytest.raises(InvalidInput, match="live key named 'desk'"):
        keys.create(conn, "desk", "write")
    with pytest.raises(InvalidInput, match="scope must be one of"):
        keys.create(conn, "other", "root")
    with pytest.raises(InvalidInput, match="printable"):
        keys.create(conn, "  ", "read")
    keys.revoke(conn, "desk")
    keys.create(conn, "desk", "write")  # a revoked name may be reused
    with pytest.raises(Exception, match="no live key named 'ghost'"):
        keys.revoke(conn, "ghost")


def test_an_older_index_without_the_tables_is_open(tmp_path: Any) -> None:
    conn = sqlite3.connect(tmp_path / "old.sqlite3")
    conn.row_factory = sqlite3.Row
    assert not keys.any_live(conn) and keys.find(conn, "ck_x") is None
    assert keys.listing(conn) == [] and audit.entries(conn) == []


def test_the_rate_limiter_forgets_idle_clients(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(auth, "MAX_BUCKETS", 3)
    limiter = auth.RateLimiter(per_minute=60)
    for n in range(5):
        limiter.take(f"address:10.0.0.{n}")
    assert len(limiter._buckets) <= 5
    limiter._buckets = {name: (60.0, 0.0) for name in limiter._buckets}  # all refilled
    limiter.take("address:10.0.0.9")
    assert list(limiter._buckets) == ["address:10.0.0.9"]
    assert auth.RateLimiter(per_minute=0).take("x") is None  # 0: no limit


# -- CORS ----------------------------------------------------------------------------------

CMS = "https://cms.example.org"


def test_no_cors_headers_by_default(closed: tuple[FlaskClient, dict[str, str]]) -> None:
    client, _ = closed
    response = client.options("/v1/check", headers={"Origin": CMS})
    assert "Access-Control-Allow-Origin" not in response.headers


@pytest.mark.parametrize("path", ["/v1/check", "/v1/documents/x", "/static/checker-ui.js"])
def test_cors_preflight_for_a_listed_origin(seeded: Checker, path: str) -> None:
    keys.create(seeded.store.conn, "desk", "read")
    client = app_for(seeded, cors_origins=f"{CMS}, https://other.example.org/").test_client()
    response = client.options(
        path,
        headers={
            "Origin": CMS,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization, content-type",
        },
    )
    assert response.status_code == 200  # no key asked of a preflight
    assert response.headers["Access-Control-Allow-Origin"] == CMS
    # flask-cors echoes the requested names as sent; header names are case-insensitive.
    assert "authorization" in response.headers["Access-Control-Allow-Headers"].lower()
    assert "Origin" in response.headers["Vary"]
    assert "Access-Control-Allow-Credentials" not in response.headers
    refused = client.options(path, headers={"Origin": "https://evil.example.com"})
    assert "Access-Control-Allow-Origin" not in refused.headers


def test_cors_headers_on_answers_and_errors(seeded: Checker) -> None:
    keys.create(seeded.store.conn, "desk", "read")
    client = app_for(seeded, cors_origins=CMS).test_client()
    response = client.post("/v1/check", json={"claim": CLAIM}, headers={"Origin": CMS})
    assert_problem(response, 401, "needs an API key")  # the page can read why
    assert response.headers["Access-Control-Allow-Origin"] == CMS
    assert "WWW-Authenticate" in response.headers["Access-Control-Expose-Headers"]
    page = client.get("/", headers={"Origin": CMS})
    assert "Access-Control-Allow-Origin" not in page.headers  # pages are not shared


@pytest.mark.parametrize("origins", ["*", "cms.example.org", f"{CMS},*"])
def test_a_wildcard_or_bare_host_is_refused(seeded: Checker, origins: str) -> None:
    with pytest.raises(InvalidInput, match="CHECKER_CORS_ORIGINS"):
        app_for(seeded, cors_origins=origins)
