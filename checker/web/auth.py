"""Who may call what: API keys and scopes, per-key rate limits, and the audit of every write.

Views declare what they need with `@needs("write", audit="documents.add")` or `@public`;
an undeclared view of the API blueprint needs a read key (fail closed), pages and static
files need none. The keys live in the default index (`checker keys ...`).

A fresh install has no keys, and then the API is open, so that `make run`, the check page
and the widget work out of the box on loopback; creating the first key closes it. With keys,
reads need a `read` key unless `open_reads` is set, writes a `write` (or `admin`) key. A key
comes as `Authorization: Bearer KEY` or `X-API-Key: KEY`.

The rate limit is a token bucket per key (per client address without one) held in this
process: with N gunicorn workers a key may make up to N times the limit in all.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import Flask, Response, current_app, g, request

from checker.errors import Forbidden, RateLimited, Unauthorized
from checker.store import audit, keys
from checker.web.indexes import Indexes

View = TypeVar("View", bound=Callable[..., Any])
ANONYMOUS = "anonymous"
MAX_BUCKETS = 10_000
OPEN_READS = "CHECKER_OPEN_READS"  # app.config: CHECKER_OPEN_READS as this app was built


def needs(scope: str, audit: str | None = None) -> Callable[[View], View]:
    """Mark a view: the scope a key must have, and the audit action when it writes."""

    def mark(view: View) -> View:
        view.required_scope = scope  # type: ignore[attr-defined]
        view.audit_action = audit  # type: ignore[attr-defined]
        return view

    return mark


def public(view: View) -> View:
    view.required_scope = None  # type: ignore[attr-defined]
    return view


def required_scope(endpoint: str, app: Flask) -> str | None:
    view = app.view_functions.get(endpoint)
    default = "read" if endpoint.startswith("api.") else None
    return cast(str | None, getattr(view, "required_scope", default))


class RateLimiter:
    """A token bucket per name: `per_minute` requests, refilled continuously."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._buckets: dict[str, tuple[float, float]] = {}  # name -> (tokens, last time)
        self._lock = threading.Lock()

    def take(self, name: str) -> None:
        if self.per_minute <= 0:
            return
        rate = self.per_minute / 60.0
        now = time.monotonic()
        with self._lock:
            if len(self._buckets) > MAX_BUCKETS:  # many client addresses: forget idle ones
                self._forget_full(now, rate)
            tokens, last = self._buckets.get(name, (float(self.per_minute), now))
            tokens = min(float(self.per_minute), tokens + (now - last) * rate)
            if tokens < 1.0:
                self._buckets[name] = (tokens, now)
                wait = max(1, math.ceil((1.0 - tokens) / rate))
                raise RateLimited(
                    f"over the limit of {self.per_minute} requests per minute "
                    f"(CHECKER_RATE_LIMIT_PER_MINUTE); retry in {wait} s",
                    retry_after=wait,
                )
            self._buckets[name] = (tokens - 1.0, now)

    def _forget_full(self, now: float, rate: float) -> None:
        """Drop buckets that have refilled: forgetting them changes nothing."""
        full = float(self.per_minute)
        self._buckets = {
            name: (tokens, last)
            for name, (tokens, last) in self._buckets.items()
            if tokens + (now - last) * rate < full
        }


def reads_need_a_key(app: Flask) -> bool:
    """Whether reading the API needs a key right now (the index has keys, reads are not open):
    a page that shows stored text itself, rather than through the API, must not then."""
    if app.config.get(OPEN_READS, False):
        return False
    return keys.any_live(_indexes().default.store.conn)


def install(app: Flask, rate_limit_per_minute: int, open_reads: bool) -> None:
    limiter = RateLimiter(rate_limit_per_minute)
    app.config[OPEN_READS] = open_reads

    @app.before_request
    def authorize() -> None:
        if request.method == "OPTIONS" or request.endpoint is None:
            return  # CORS preflight carries no key; unknown routes are a plain 404
        scope = required_scope(request.endpoint, app)
        if scope is None:
            return
        store = _indexes().default.store
        presented = _presented_key()
        if not keys.any_live(store.conn):
            name = ANONYMOUS  # a fresh install: open until the first key is created
        elif presented is not None:
            key = keys.find(store.conn, presented)
            if key is None:
                raise Unauthorized("the API key is unknown or revoked")
            name = key.name
            if not key.allows(scope):
                _begin_audit(name)  # a known key trying to write is worth recording
                raise Forbidden(f"the key {name!r} has scope {key.scope!r}; this needs {scope!r}")
        elif scope == "read" and open_reads:
            name = ANONYMOUS
        else:
            raise Unauthorized(
                f"this needs an API key with scope {scope!r}: send `Authorization: Bearer KEY` "
                "or `X-API-Key: KEY` (create one with `checker keys create NAME`)"
            )
        _begin_audit(name)
        limiter.take(name if name != ANONYMOUS else f"address:{request.remote_addr}")

    @app.after_request
    def record_unlogged_write(response: Response) -> Response:
        acting = g.pop("acting", None)
        if acting is not None and not acting.recorded:
            store = _indexes().default.store
            if not store.readonly:
                outcome = "no change" if response.status_code < 400 else response.status
                ids = [str(v) for v in (request.view_args or {}).values()]
                audit.record(store.conn, acting.key_name, acting.action, ids, outcome)
        return response

    @app.teardown_request
    def stop_acting(exc: BaseException | None) -> None:
        token = g.pop("acting_token", None)
        if token is not None:
            audit.end(token)


def _begin_audit(name: str) -> None:
    assert request.endpoint is not None
    action = getattr(current_app.view_functions[request.endpoint], "audit_action", None)
    if action:
        g.acting, g.acting_token = audit.begin(name, action)


def _presented_key() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    api_key = request.headers.get("X-API-Key", "").strip()
    return api_key or None


def _indexes() -> Indexes:
    return cast(Indexes, current_app.extensions["checker"])
