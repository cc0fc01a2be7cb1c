"""The published schema: `/openapi.json`, and `/docs`, a page that lists it for people.

`/docs` is rendered here from the same document, with no script and nothing from a CDN (the
machine may be offline); Jinja escapes every value.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, jsonify, render_template

from checker.web import openapi
from checker.web.pages import CONTENT_SECURITY_POLICY

docs = Blueprint("docs", __name__)


def _document() -> dict[str, Any]:
    # Built once per app: routes do not change after start-up.
    cached = current_app.extensions.get("openapi")
    if cached is None:
        cached = current_app.extensions["openapi"] = openapi.build(current_app)
    return cached


@docs.get("/openapi.json")
def openapi_json() -> Response:
    return jsonify(_document())


@docs.get("/docs")
def docs_page() -> Response:
    document = _document()
    operations = [
        {"method": method.upper(), "path": path, **operation}
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    ]
    html = render_template("docs.html", info=document["info"], operations=operations)
    response = Response(html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response
