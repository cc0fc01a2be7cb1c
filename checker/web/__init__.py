"""The HTTP service: `create_app()` builds a Flask app around one `Checker`.

gunicorn runs `checker.web:create_app()`. Nothing is loaded at import time: the factory
opens the index and loads the models, and keeps the Checker in `app.extensions["checker"]`.

When the index or a model cannot be opened (a corrupt manifest, a missing database), the
app still starts: `/healthz` answers 200, every other route a 503 problem naming the reason,
and the opening is tried again at most every `RETRY_OPEN_SECONDS`, so the service becomes
ready by itself once the index is restored. `checker serve` checks the index before it
starts gunicorn and exits with the message instead.
"""

from __future__ import annotations

import gc
import threading
import time

from flask import Flask, request
from flask_openapi3 import OpenAPI
from pydantic import ValidationError

from checker.errors import CheckerError
from checker.service import Checker
from checker.settings import Settings
from checker.web import auth, cors
from checker.web.api import api
from checker.web.docs import docs
from checker.web.indexes import Indexes
from checker.web.pages import pages
from checker.web.problems import register_error_handlers
from checker.web.responses import Problem
from checker.web.validation import invalid_input

RETRY_OPEN_SECONDS = 5.0


def create_app(
    settings: Settings | None = None,
    checker: Checker | None = None,
    validate_responses: bool = False,
) -> Flask:
    """Build the app. Tests pass a ready `checker`; gunicorn passes nothing (env settings).

    `validate_responses` checks every JSON answer against its published model (a mismatch
    is a 500, logged): the tests turn it on, so that `/openapi.json` cannot drift from what
    the server sends."""
    settings = settings or (checker.settings if checker else Settings.from_env())
    # flask-openapi3's app: a Flask app that collects the views' models into /openapi.json
    # (published by `docs`, with the reference pages) and validates requests against them.
    app = OpenAPI(
        __name__,
        doc_ui=False,
        validation_error_model=Problem,
        validation_error_callback=_invalid,
        validate_response=validate_responses,
    )
    app.config["MAX_CONTENT_LENGTH"] = settings.max_request_bytes
    app.json.sort_keys = False  # type: ignore[attr-defined]  # keep the documented field order
    register_error_handlers(app)
    if checker is None:
        # Registered before auth's hook, which needs the index: this one runs first.
        app.before_request(_Opening(app, settings))
    else:
        checker.load_models()  # now, not on the first request: /readyz then means ready
        app.extensions["checker"] = Indexes(checker)
    app.register_api(api)
    app.register_blueprint(pages)
    app.register_blueprint(docs)
    auth.install(app, settings.rate_limit_per_minute, settings.open_reads)
    cors.install(app, settings.cors_origins)
    return app


def _invalid(error: ValidationError) -> None:
    """flask-openapi3 found the request invalid: the API's own 422 problem, naming the field."""
    raise invalid_input(error)


class _Opening:
    """Opens the index and loads the models at start-up; until that succeeds, answers every
    request but /healthz with the reason (a 503 problem) and tries again now and then."""

    def __init__(self, app: Flask, settings: Settings) -> None:
        self._app = app
        self._settings = settings
        self._lock = threading.Lock()
        self._error: CheckerError | None = None
        self._next_try = 0.0
        self._open()

    def _open(self) -> None:
        try:
            checker = Checker.from_settings(self._settings)
            checker.warm_up()  # now, not on the first request: /readyz then means ready
        except CheckerError as exc:
            self._app.logger.error("not ready: %s", exc.detail)
            self._error = exc
            self._next_try = time.monotonic() + RETRY_OPEN_SECONDS
            return
        self._app.extensions["checker"] = Indexes(checker)
        self._error = None
        # What is loaded now (the models, their vocabularies, the index) lives as long as the
        # worker: out of the garbage collector's full passes, which walked its ~300,000
        # objects and paused a check for 0.17 s (docs/performance-history.md).
        gc.freeze()

    def __call__(self) -> None:
        if self._error is None or request.path == "/healthz":
            return
        with self._lock:
            if self._error is not None and time.monotonic() >= self._next_try:
                self._open()
            if self._error is not None:
                raise self._error
