"""JSON Schemas of the request bodies, and the one function that enforces them.

A violation becomes an `InvalidInput` whose detail and `field` name the offending member.
"""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from checker.errors import InvalidInput

_STRING_OR_NULL = {"type": ["string", "null"]}

# What a claim and a draft may both say about how to check them.
_CHECK_OPTIONS = {
    "k": {"type": "integer", "minimum": 1},
    "sources": {"type": "array", "items": {"type": "string"}},
    "exclude_document": {"type": "string"},
    "published_after": {"type": "string"},
    "published_before": {"type": "string"},
    "index": {"type": "string"},
}

CHECK = {
    "type": "object",
    "required": ["claim"],
    "additionalProperties": False,
    "properties": {"claim": {"type": "string", "minLength": 1}, **_CHECK_OPTIONS},
}

CHECK_DRAFT = {
    "type": "object",
    "required": ["text"],
    "additionalProperties": False,
    "properties": {"text": {"type": "string", "minLength": 1}, **_CHECK_OPTIONS},
}

DOCUMENT = {
    "type": "object",
    "properties": {
        "id": {"type": "string", "minLength": 1},
        "title": _STRING_OR_NULL,
        "source": _STRING_OR_NULL,
        "url": _STRING_OR_NULL,
        "published": _STRING_OR_NULL,
        "language": _STRING_OR_NULL,
        "text": {"type": "string"},
        "html": {"type": "string"},
    },
}

DOCUMENTS = {
    "oneOf": [
        {"type": "array", "items": {"type": "object"}, "minItems": 1},
        {
            "type": "object",
            "required": ["documents"],
            "properties": {
                "documents": {"type": "array", "items": {"type": "object"}, "minItems": 1},
                "index": {"type": "string"},
            },
        },
    ]
}


def validate(instance: Any, schema: dict[str, Any]) -> None:
    error = best_match(Draft202012Validator(schema).iter_errors(instance))
    if error is None:
        return
    path = ".".join(str(part) for part in error.absolute_path)
    where = f"{path}: " if path else ""
    raise InvalidInput(f"{where}{error.message}", field=path or None)
