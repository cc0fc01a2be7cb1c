"""The published schema and its two readers: `/openapi.json`; `/docs`, a page for people,
rendered here from the same document (no script, readable on a phone); and `/docs/try`,
Swagger UI, to call the API from the browser.

Nothing comes from a CDN (the machine may be offline, and the Content-Security-Policy allows
only this app's own files): Swagger UI's files are the ones the `flask-openapi3-swagger`
package carries, served from here, and started by our own script, not an inline one.
Descriptions are Markdown, rendered with raw HTML turned off; Jinja escapes every other value.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import flask_openapi3_swagger
from flask import Blueprint, Response, current_app, jsonify, render_template, send_from_directory
from markdown_it import MarkdownIt
from markupsafe import Markup

from checker.web import openapi
from checker.web.pages import CONTENT_SECURITY_POLICY

docs = Blueprint("docs", __name__)

SWAGGER_UI = Path(flask_openapi3_swagger.__file__).parent / "templates" / "swagger"
_MARKDOWN = MarkdownIt("commonmark", {"html": False})
_METHOD_ORDER = ["get", "post", "patch", "delete"]


def _document() -> dict[str, Any]:
    # Built once per app: routes and settings do not change after start-up.
    cached = current_app.extensions.get("openapi")
    if cached is None:
        cached = current_app.extensions["openapi"] = openapi.published(current_app)
    return cached


@docs.get("/openapi.json")
def openapi_json() -> Response:
    return jsonify(_document())


@docs.get("/docs")
def docs_page() -> Response:
    document = _document()
    page = Reference(document)
    html = render_template(
        "docs.html",
        info=document["info"],
        description=markdown(document["info"]["description"]),
        groups=page.groups(),
        shapes=page.shapes(),
    )
    return _secured(html)


@docs.get("/docs/try")
def try_page() -> Response:
    return _secured(render_template("try.html", info=_document()["info"]))


@docs.get("/docs/swagger-ui/<path:filename>")
def swagger_ui(filename: str) -> Response:
    return send_from_directory(SWAGGER_UI, filename, max_age=3600)


def _secured(html: str) -> Response:
    response = Response(html, mimetype="text/html")
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def markdown(text: str | None) -> Markup:
    return Markup(_MARKDOWN.render(text or ""))  # raw HTML is off: escaped


class Reference:
    """The document as the `/docs` template reads it: operations grouped by tag, each with
    its parameters, body, answer and errors; and the shapes the answers are made of."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.schemas: dict[str, Any] = document["components"]["schemas"]

    def groups(self) -> list[dict[str, Any]]:
        tags = {tag["name"]: tag for tag in self.document.get("tags", [])}
        grouped: dict[str, list[dict[str, Any]]] = {name: [] for name in tags}
        for path, methods in self.document["paths"].items():
            for method in sorted(methods, key=_METHOD_ORDER.index):
                operation = methods[method]
                for tag in operation.get("tags", ["default"]):
                    grouped.setdefault(tag, []).append(self._operation(method, path, operation))
        return [
            {
                "name": name,
                "description": tags.get(name, {}).get("description", ""),
                "operations": operations,
            }
            for name, operations in grouped.items()
            if operations
        ]

    def shapes(self) -> list[dict[str, Any]]:
        """Every object the answers and bodies refer to by name, with its fields."""
        return [
            {
                "name": name,
                "description": markdown(schema.get("description")),
                "fields": self._fields(schema),
            }
            for name, schema in sorted(self.schemas.items())
            if self._object(schema).get("properties")
        ]

    def _operation(self, method: str, path: str, operation: dict[str, Any]) -> dict[str, Any]:
        responses = operation.get("responses", {})
        success = [(code, r) for code, r in responses.items() if code < "400"]
        return {
            "id": operation.get("operationId", f"{method}-{path}"),
            "method": method.upper(),
            "path": path,
            "summary": operation.get("summary", ""),
            "description": markdown(operation.get("description")),
            "public": operation.get("security") == [],
            "parameters": [
                {
                    "name": p["name"],
                    "in": p["in"],
                    "required": p.get("required", False),
                    "type": self._type(p.get("schema", {})),
                    "description": markdown(
                        p.get("description") or p.get("schema", {}).get("description")
                    ),
                }
                for p in operation.get("parameters", [])
            ],
            "body": self._body(operation.get("requestBody")),
            "answers": [self._answer(code, r) for code, r in success],
            "errors": [
                {"status": code, "when": markdown(r.get("description"))}
                for code, r in responses.items()
                if code >= "400"
            ],
        }

    def _body(self, body: dict[str, Any] | None) -> dict[str, Any] | None:
        if not body:
            return None
        schema = next(iter(body["content"].values()))["schema"]
        return self._content(schema)

    def _answer(self, code: str, response: dict[str, Any]) -> dict[str, Any]:
        content = response.get("content", {})
        answer = {"status": code, "media": ", ".join(content), "description": ""}
        if content:
            answer |= self._content(next(iter(content.values()))["schema"])
        return answer

    def _content(self, schema: dict[str, Any]) -> dict[str, Any]:
        resolved = self._resolve(schema)
        examples = resolved.get("examples") or []
        return {
            "shape": self._ref_name(schema),
            "description": markdown(resolved.get("description")),
            "fields": self._fields(resolved),
            "examples": [json.dumps(e, indent=2, ensure_ascii=False) for e in examples],
        }

    def _fields(self, schema: dict[str, Any]) -> list[dict[str, Any]]:
        schema = self._object(schema)
        required = set(schema.get("required", []))
        members = sorted(schema.get("properties", {}).items(), key=lambda m: m[0] not in required)
        return [
            {
                "name": name,
                "type": self._type(field),
                "required": name in required,
                "description": markdown(field.get("description")),
                "limits": _limits(field),
            }
            for name, field in members
        ]

    def _object(self, schema: dict[str, Any]) -> dict[str, Any]:
        """The object form of a schema (the documents body is a list or an object)."""
        schema = self._resolve(schema)
        for form in schema.get("oneOf", []):
            if form.get("type") == "object":
                return form
        return schema

    def _type(self, schema: dict[str, Any]) -> list[tuple[str, str | None]]:
        """The type as (text, link target) parts: ("array of", None), ("Passage", "Passage")."""
        name = self._ref_name(schema)
        if name is not None:
            target = self.schemas[name]
            if "enum" in target:  # a verdict or a state: its values say more than its name
                return self._type(target)
            return [(name, name if self._object(target).get("properties") else None)]
        if "anyOf" in schema or "oneOf" in schema:
            parts: list[tuple[str, str | None]] = []
            for n, member in enumerate(schema.get("anyOf") or schema["oneOf"]):
                parts += ([(" or ", None)] if n else []) + self._type(member)
            return parts
        kind = schema.get("type", "any")
        if kind == "array":
            return [("array of ", None), *self._type(schema.get("items", {}))]
        if "enum" in schema:
            return [(" | ".join("null" if v is None else str(v) for v in schema["enum"]), None)]
        if "const" in schema:
            return [(json.dumps(schema["const"]), None)]
        fmt = schema.get("format")
        return [(f"{kind} ({fmt})" if fmt else str(kind), None)]

    def _resolve(self, schema: dict[str, Any]) -> dict[str, Any]:
        name = self._ref_name(schema)
        return self.schemas[name] if name else schema

    @staticmethod
    def _ref_name(schema: dict[str, Any]) -> str | None:
        ref = schema.get("$ref")
        return ref.rsplit("/", 1)[-1] if isinstance(ref, str) else None


_LIMITS = {
    "minimum": "at least {}",
    "maximum": "at most {}",
    "minLength": "at least {} characters",
    "maxLength": "at most {} characters",
    "minItems": "at least {} items",
    "maxItems": "at most {} items",
    "pattern": "matches {}",
    "default": "default {}",
}


def _limits(schema: dict[str, Any]) -> list[str]:
    return [
        text.format(json.dumps(schema[key]) if key == "default" else schema[key])
        for key, text in _LIMITS.items()
        if key in schema
    ]
