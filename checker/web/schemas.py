"""JSON Schemas of the request bodies, and the one function that enforces them.

A violation becomes an `InvalidInput` whose detail and `field` name the offending member.
"""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from checker.errors import InvalidInput
from checker.ingest.metadata import has_lone_surrogate
from checker.settings import Settings

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


def documents(max_items: int, record: dict[str, Any] = DOCUMENT) -> dict[str, Any]:
    """The body of POST /v1/documents: a list of records, or {"documents": [...], "index"}.

    `max_items` is the batch limit (`max_batch_documents`), published as `maxItems`; the view
    checks it first, so that the answer names the setting. Records are published as
    `DOCUMENT`; the view checks the list with `record=ANY_RECORD` and then each record on its
    own, so that a bad record is listed under `problems` while the rest are stored.
    """
    records = {"type": "array", "items": record, "minItems": 1, "maxItems": max_items}
    return {
        "oneOf": [
            records,
            {
                "type": "object",
                "required": ["documents"],
                "properties": {"documents": records, "index": {"type": "string"}},
            },
        ]
    }


ANY_RECORD = {"type": "object"}
# As published with the default batch limit.
DOCUMENTS = documents(Settings().max_batch_documents)


def validate(instance: Any, schema: dict[str, Any]) -> None:
    error = best_match(Draft202012Validator(schema).iter_errors(instance))
    if error is None:
        return
    path = ".".join(str(part) for part in error.absolute_path)
    where = f"{path}: " if path else ""
    raise InvalidInput(f"{where}{error.message}", field=path or None)


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
