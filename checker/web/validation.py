"""What happens to a request before its view runs: the JSON body read once and strictly, and
pydantic's validation errors worded as the API's one 422 problem.

`read_json_body` runs as the API blueprint's `before_request`: an empty body, text that is
not JSON or JSON nested past what Python reads is a 400 with a hint about `Content-Type`; a
lone surrogate escape (half of a UTF-16 pair, "\\ud800") is a 422 naming the member. Then
flask-openapi3 validates the parsed body against the view's model (`schemas.py`) and hands
any `ValidationError` to `invalid_input`, whose message names the member in the words of JSON
Schema (`claim: 42 is not of type 'string'`, `'claim' is a required property`).
"""

from __future__ import annotations

import json
from typing import Any

from flask import Request
from pydantic import BaseModel, ValidationError

from checker.errors import InvalidInput, MalformedRequest
from checker.ingest.metadata import has_lone_surrogate
from checker.web.schemas import MODELS

_JSON_TYPES = {
    "string_type": "string",
    "int_type": "integer",
    "float_type": "number",
    "bool_type": "boolean",
    "list_type": "array",
    "dict_type": "object",
    "model_type": "object",
    "model_attributes_type": "object",
    "enum_type": "string",
}


def invalid_input(error: ValidationError) -> InvalidInput:
    """The first of pydantic's errors as the API's 422, naming the member at fault in
    `field` (dotted: `sources.1`) and saying what is wrong in words."""
    first = error.errors(include_url=False)[0]
    loc = [str(part) for part in first["loc"]]
    field = ".".join(loc) or None
    model = MODELS.get(error.title)
    return InvalidInput(_message(first, loc, model), field=field)


def _message(error: Any, loc: list[str], model: type[BaseModel] | None) -> str:
    kind, value = error["type"], error.get("input")
    path, name = ".".join(loc), (loc[-1] if loc else "")
    where = f"{path}: " if path else ""
    if kind == "missing":
        parent = ".".join(loc[:-1])
        return f"{parent + ': ' if parent else ''}{name!r} is a required property"
    if kind == "extra_forbidden":
        known = ", ".join(model.model_fields) if model and len(loc) == 1 else ""
        return f"unknown field {name!r} was unexpected" + (
            f"; the fields are {known}" if known else ""
        )
    if kind in ("model_type", "dict_type") and not loc:
        return f"the body must be a JSON object: {value!r} is not of type 'object'"
    if kind in _JSON_TYPES:
        return f"{where}{value!r} is not of type '{_JSON_TYPES[kind]}'"
    if kind in ("enum", "literal_error"):
        expected = str(error.get("ctx", {}).get("expected", "")).replace("'", "")
        return f"{path} must be one of {expected.replace(' or ', ', ')}, got {value!r}"
    if kind in ("greater_than_equal", "less_than_equal") and model is not None:
        low, high = _bounds(model, name)
        return f"{path} must be from {low} to {high}, got {value}"
    if kind in ("day", "integer", "switch", "review_filter"):
        return f"{path} {error['msg']}, got {value!r}"
    return f"{where}{error['msg']}"


def _bounds(model: type[BaseModel], name: str) -> tuple[object, object]:
    schema = model.model_json_schema()["properties"].get(name, {})
    return schema.get("minimum"), schema.get("maximum")


# -- the body, read once ------------------------------------------------------------------


def read_json_body(request: Request, whole_text: bool) -> Any:
    """The parsed body, kept where `request.get_json()` finds it (flask-openapi3 reads it
    there to validate). Text that is not Unicode is refused here when `whole_text`; POST
    /v1/documents leaves it to each record, so that one bad record does not sink the batch.
    A JSON body is taken whatever its `Content-Type`, as before; when the body is not JSON,
    the message says what `Content-Type` the request gave."""
    raw = request.get_data(cache=False)
    if not raw.strip():
        raise MalformedRequest("the request body is empty; send a JSON object" + _hint(request))
    try:
        body = json.loads(raw)
    except ValueError as exc:
        raise MalformedRequest(
            f"the request body is not valid JSON: {exc}" + _hint(request)
        ) from None
    except RecursionError:
        raise MalformedRequest(
            "the request body nests JSON arrays or objects too deeply to read"
        ) from None
    if isinstance(body, str):  # flask-openapi3 would read a string as JSON text again
        raise InvalidInput(f"the body must be a JSON object: {body!r} is not of type 'object'")
    if whole_text:
        refuse_lone_surrogates(body)
    request._cached_json = (body, body)  # what get_json() returns from now on
    return body


def _hint(request: Request) -> str:
    given = request.mimetype
    if given == "application/json":
        return ""
    said = f"says Content-Type: {given}" if given else "has no Content-Type"
    return f" (the request {said}; send JSON with Content-Type: application/json)"


def refuse_lone_surrogates(instance: Any) -> None:
    """InvalidInput naming a string (member name or value) that holds a lone surrogate.

    JSON may escape half of a UTF-16 pair ("\\ud800"); Python reads it into a string that
    cannot be encoded, embedded or stored, so it is refused at the door.
    """
    pending: list[tuple[str, Any]] = [("", instance)]
    while pending:  # a loop, not recursion: the body may nest as deep as json.loads allows
        path, value = pending.pop()
        if isinstance(value, str):
            if has_lone_surrogate(value):
                raise InvalidInput(
                    f"{path or 'the body'}: {value[:40]!r} has a lone surrogate, which is not "
                    "Unicode text",
                    field=path or None,
                )
        elif isinstance(value, dict):
            for key, item in value.items():
                inner = f"{path}.{key}" if path else str(key)
                if has_lone_surrogate(key):
                    raise InvalidInput(
                        f"{inner!r}: a member name has a lone surrogate, which is not Unicode text"
                    )
                pending.append((inner, item))
        elif isinstance(value, list):
            pending.extend((f"{path}.{n}" if path else str(n), v) for n, v in enumerate(value))
