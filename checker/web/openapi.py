"""The published OpenAPI 3.1 document: what flask-openapi3 generates from the views' pydantic
models (`schemas.py`, `responses.py`), completed with what only this app knows.

flask-openapi3 writes the paths, parameters, request bodies, responses and component
schemas. `published(app)` then adds, per app: who may call each operation and the errors
that follow from it (401, 403, 429, from the views' `needs`/`public` marks in `auth.py`), the
503 every operation but `/healthz` can answer, and the limits that are settings (`k`, the
claim's length, the batch size), so that the document says what this server enforces.
`problems()` is what a view lists as the errors it can really return.
"""

from __future__ import annotations

import copy
import re
from typing import Any, cast

from flask import Flask

from checker import __version__
from checker.web import responses, schemas
from checker.web.auth import required_scope
from checker.web.indexes import Indexes

PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
PROBLEM_JSON = "application/problem+json"
TITLE = "Discrepancy checker"
DESCRIPTION = """Finds sentences in different news reports that disagree, and says why.

**Errors.** Every error is `application/problem+json` (RFC 9457): a `detail` a person can act
on and, for bad input, the `field` at fault. Each operation lists the errors it can answer;
any of them may also answer 409 when the index was built with another embedding model, and
500 for a bug (logged, with nothing of the internals in the answer).

**Keys.** Once the index has API keys (`checker keys create NAME --scope read|write|admin`),
send one as `Authorization: Bearer KEY` or `X-API-Key: KEY`. A fresh install has none, and
then the API is open.

**Bodies** are JSON; send them with `Content-Type: application/json`. A member an operation
does not know is refused, naming it.
"""

_WHEN = {
    400: "The body is empty, or not JSON (the detail says which `Content-Type` was sent).",
    401: "No API key, or one that is unknown or revoked (with `WWW-Authenticate`).",
    403: "The key's scope does not allow this (a read key trying to write).",
    404: "Not found.",
    413: "The body is over `CHECKER_MAX_REQUEST_BYTES`.",
    422: "A member is missing, of the wrong type or out of range: `field` names it.",
    429: "Over `CHECKER_RATE_LIMIT_PER_MINUTE` for this key (with `Retry-After`, seconds).",
    503: "The index or a model is unavailable: the detail says why (`/readyz` says too).",
}


def problems(*codes: int | tuple[int, str]) -> dict[str | int, Any]:
    """The errors an operation can really return, as problem+json responses: a status alone
    takes the usual wording, `(status, description)` says when this operation answers it."""
    listed: dict[str | int, Any] = {}
    for code in codes:
        status, when = code if isinstance(code, tuple) else (code, _WHEN[code])
        listed[status] = _problem_response(when)
    return listed


def _problem_response(when: str) -> dict[str, Any]:
    return {"description": when, "content": {PROBLEM_JSON: {"schema": dict(PROBLEM_REF)}}}


_CONVERTER = re.compile(r"<(?:\w+:)?(\w+)>")


def published(app: Flask) -> dict[str, Any]:
    """The document for this app: flask-openapi3's, completed (see the module docstring)."""
    document = copy.deepcopy(app.api_doc)  # type: ignore[attr-defined]
    document["info"] = {"title": TITLE, "version": __version__, "description": DESCRIPTION}
    endpoints = {
        (_CONVERTER.sub(r"{\1}", rule.rule), method.lower()): rule.endpoint
        for rule in app.url_map.iter_rules()
        for method in rule.methods or ()
    }
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            _complete(operation, required_scope(endpoints[(path, method)], app), path)
    document["paths"] = dict(sorted(document["paths"].items()))
    document["components"]["securitySchemes"] = {
        "bearer": {
            "type": "http",
            "scheme": "bearer",
            "description": "`Authorization: Bearer KEY`",
        },
        "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
    }
    components = document["components"]["schemas"]
    components["ClaimReview"] = responses.ClaimReview.model_json_schema(
        ref_template="#/components/schemas/{model}", mode="serialization"
    )
    _examples(components)
    _limits(components, app)
    return _whole_numbers(document)


def _complete(operation: dict[str, Any], scope: str | None, path: str) -> None:
    responses = operation.setdefault("responses", {})
    # flask-openapi3 adds its own 422 (application/json) to every operation that lists none.
    if "422" in responses and PROBLEM_JSON not in responses["422"].get("content", {}):
        del responses["422"]
    if scope is None:
        operation["security"] = []
    else:
        operation["security"] = [{"bearer": []}, {"apiKey": []}]
        note = f"Needs a key with scope `{scope}` (or higher)" + (
            "; open to anyone while the index has no keys, and with `CHECKER_OPEN_READS`."
            if scope == "read"
            else "; open to anyone while the index has no keys."
        )
        operation["description"] = "\n\n".join(filter(None, [operation.get("description"), note]))
        codes = [401, 429] if scope == "read" else [401, 403, 429]  # any key may read
        for code in codes:
            responses.setdefault(str(code), _problem_response(_WHEN[code]))
    if path != "/healthz":
        responses.setdefault("503", _problem_response(_WHEN[503]))
    operation["responses"] = dict(sorted(responses.items()))


def _examples(published: dict[str, Any]) -> None:
    """The models' examples, which flask-openapi3's schema objects leave out: /docs shows
    them, Swagger UI fills its forms with them, and a test checks each one validates."""
    for models, mode in ((schemas.MODELS, "validation"), (responses.MODELS, "serialization")):
        for name, model in models.items():
            examples = model.model_json_schema(mode=mode).get("examples")  # type: ignore[arg-type]
            if examples and name in published:
                published[name]["examples"] = examples


def _whole_numbers(value: Any) -> Any:
    """flask-openapi3's models hold `minimum` and `maximum` as floats: 1, not 1.0."""
    if isinstance(value, dict):
        return {key: _whole_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_whole_numbers(item) for item in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _limits(components: dict[str, Any], app: Flask) -> None:
    """The limits that are settings, as this app enforces them."""
    settings = cast(Indexes, app.extensions["checker"]).default.settings
    for name in ("CheckRequest", "DraftRequest"):
        components[name]["properties"]["k"]["maximum"] = settings.max_k
    components["CheckRequest"]["properties"]["claim"]["maxLength"] = settings.max_claim_chars
    as_list, as_object = components["DocumentsRequest"]["oneOf"]
    as_list["maxItems"] = settings.max_batch_documents
    as_object["properties"]["documents"]["maxItems"] = settings.max_batch_documents
