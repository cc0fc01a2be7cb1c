"""One error shape for HTTP: RFC 9457 `application/problem+json` for every error path.

`CheckerError`s carry their own status; werkzeug's HTTP errors (404 route, 405, 413 body too
large) keep theirs; anything else is logged with its traceback and answered with a plain 500
problem that reveals nothing of the internals.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, json, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from checker.errors import CheckerError, InvalidInput

PROBLEM_JSON = "application/problem+json"


def problem(status: int, title: str, detail: str, **extra: Any) -> Response:
    body = {"type": "about:blank", "title": title, "status": status, "detail": detail}
    body["instance"] = request.path
    body.update({k: v for k, v in extra.items() if v is not None})
    return Response(json.dumps(body), status=status, mimetype=PROBLEM_JSON)


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CheckerError)
    def checker_error(exc: CheckerError) -> Response:
        field = exc.field if isinstance(exc, InvalidInput) else None
        response = problem(exc.status, exc.title, exc.detail, field=field)
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
        return problem(status, exc.name, exc.description or exc.name)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception) -> Response:
        app.logger.exception("unhandled error on %s %s", request.method, request.path)
        return problem(500, "Internal error", "the server hit an unexpected error; it is logged")
