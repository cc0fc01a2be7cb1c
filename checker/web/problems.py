"""One error shape for HTTP: RFC 9457 `application/problem+json` for every error path.

`CheckerError`s carry their own status (request validation by flask-openapi3 becomes an
`InvalidInput` too: see `validation.invalid_input`); werkzeug's HTTP errors (404 route, 405 with
its `Allow` header, 413 body too large) keep theirs; anything else is logged with its
traceback and answered with a plain 500 problem that reveals nothing of the internals.

No answer names a path on the server: a message written for the command line (an index or
model directory that cannot be read) has its directories dropped here, and the full message
goes to the log for whoever runs the server.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, Response, current_app, json, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed, RequestEntityTooLarge

from checker.errors import CheckerError, InvalidInput

PROBLEM_JSON = "application/problem+json"
# An absolute path of two or more parts ("/srv/index/manifest.json", "/root/.cache/x"), not
# a URL's ("https://host/a"), nor a relative one ("../etc").
_SERVER_PATH = re.compile(r"(?<![\w.:/~-])(?:/[^\s/'\",:;()]+){2,}/?")


def problem(status: int, title: str, detail: str, **extra: Any) -> Response:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    body["instance"] = request.path
    body.update({k: v for k, v in extra.items() if v is not None})
    return Response(json.dumps(body), status=status, mimetype=PROBLEM_JSON)


def without_server_paths(detail: str) -> str:
    """`detail` with every absolute path shortened to its last part: the answer still says
    which file (`manifest.json has disappeared`), not where the server keeps it."""
    return _SERVER_PATH.sub(lambda found: found.group().rstrip("/").rsplit("/", 1)[-1], detail)


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CheckerError)
    def checker_error(exc: CheckerError) -> Response:
        field = exc.field if isinstance(exc, InvalidInput) else None
        detail = without_server_paths(exc.detail)
        if detail != exc.detail:  # the operator still gets the whole story
            current_app.logger.warning("%s %s: %s", request.method, request.path, exc.detail)
        response = problem(exc.status, exc.title, detail, field=field)
        response.headers.update(exc.headers())
        return response

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(exc: RequestEntityTooLarge) -> Response:
        limit = app.config["MAX_CONTENT_LENGTH"]
        return problem(
            413,
            "Payload too large",
            f"request body is over the limit of {limit} bytes (CHECKER_MAX_REQUEST_BYTES)",
        )

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException) -> Response:
        status = exc.code or 500
        response = problem(status, exc.name, exc.description or exc.name)
        if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
            response.headers["Allow"] = ", ".join(sorted(exc.valid_methods))
        return response

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Response:
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return problem(500, "Internal error", "the server hit an unexpected error; it is logged")
