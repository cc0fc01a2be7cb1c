"""The OpenAPI 3.1 document of the HTTP API, built from the app's own routes and schemas.

Paths come from the URL map, so a route cannot be missing; request bodies are the very
JSON Schemas the views enforce (`schemas.py`); who may call what comes from the views'
`needs`/`public` marks (`auth.py`). Response shapes are described loosely: the README's
examples are the detailed reference; the passage, its attribution and anchor, and the
finding are published in full under `components/schemas`.
"""

from __future__ import annotations

import re
from typing import Any, cast

from flask import Flask

from checker import __version__
from checker.drafts import DRAFT_VERDICTS
from checker.service import MAX_REVIEW_NOTE_CHARS
from checker.types import DISMISS_REASONS, ReviewState
from checker.web import schemas
from checker.web.auth import required_scope
from checker.web.indexes import Indexes

_OBJECT = {"type": "object"}
_DOCUMENT_INFO = {
    "type": "object",
    "properties": {
        name: {"type": ["string", "null"]}
        for name in ("id", "title", "source", "url", "published", "language")
    },
}
_SPAN = {
    "type": "object",
    "required": ["start", "end"],
    "properties": {"start": {"type": "integer"}, "end": {"type": "integer"}},
}
ATTRIBUTION = {
    "description": "Who asserts the sentence: the speaker or source and the reporting verb "
    "as written, e.g. “Armenian PM Nikol Pashinyan — claiming” or “the accord — called "
    "for”. null when the text asserts it directly, or when the sentence has not been "
    "analysed (an index built before analysis was added).",
    "type": ["object", "null"],
    "required": ["speaker", "verb", "text", "span"],
    "properties": {
        "speaker": {"type": "string", "description": "Who, as the sentence names them."},
        "verb": {"type": "string", "description": "The reporting verb, as written."},
        "text": {"type": "string", "description": "Speaker and verb, ready to show."},
        "span": {**_SPAN, "description": "Where the speaker lies in the sentence's text."},
    },
}
ANCHOR = {
    "description": "The day the sentence speaks of; null when unknown. Two sentences that "
    "give the same fact different values on different days are a change over time.",
    "type": ["object", "null"],
    "required": ["date", "source"],
    "properties": {
        "date": {"type": "string", "description": "An ISO 8601 date."},
        "source": {
            "enum": ["sentence", "published"],
            "description": "sentence: a date or weekday in the sentence itself (resolved "
            "against the document's date); published: the document's publication date.",
        },
    },
}
_VERDICTS = {
    "supports": "the passage says the same as the claim",
    "contradicts": "it states the same fact incompatibly (another value, or a denial) with no "
    "later date to explain the difference",
    "changed": "it states the same fact with another value at another moment (the anchor "
    "dates differ): a change over time, such as a count revised the next morning, not a "
    "contradiction",
    "related": "it is about the same thing but neither supports nor contradicts it",
}
_VERDICT = {
    "enum": list(_VERDICTS),
    "description": "; ".join(f"{name}: {meaning}" for name, meaning in _VERDICTS.items()) + ".",
}
_SENTENCE_PROPERTIES = {
    "sentence_id": {"type": "string"},
    "text": {"type": "string"},
    "document": _DOCUMENT_INFO,
    "span": {**_SPAN, "description": "Where the sentence lies in its document's text."},
    "attribution": {"$ref": "#/components/schemas/Attribution"},
    "anchor": {"$ref": "#/components/schemas/Anchor"},
}
PASSAGE = {
    "type": "object",
    "required": [
        "sentence_id",
        "text",
        "document",
        "span",
        "attribution",
        "anchor",
        "verdict",
        "confidence",
    ],
    "properties": {
        **_SENTENCE_PROPERTIES,
        "similarity": {"type": "number"},
        "verdict": _VERDICT,
        "confidence": {"type": "number"},
        "reasons": {"type": "array", "items": _OBJECT},
    },
}
_SIDE = {
    "type": "object",
    "required": ["sentence_id", "text", "document", "span", "attribution", "anchor"],
    "properties": _SENTENCE_PROPERTIES,
}
_REVIEW_STATES = [s.value for s in ReviewState]
_NULLABLE_TEXT = {"type": ["string", "null"]}
REVIEW = {
    "type": "object",
    "description": "An editor's decision on the finding. It holds for the two sentences while "
    "neither changes: a dismissed pair found again by a later scan stays dismissed.",
    "required": ["state"],
    "properties": {
        "state": {"enum": _REVIEW_STATES, "description": "open: no decision yet."},
        "reason": {
            "enum": [*DISMISS_REASONS, None],
            "description": "Why it was dismissed (dismissed only).",
        },
        "note": _NULLABLE_TEXT,
        "decided_by": {**_NULLABLE_TEXT, "description": "The API key's name, or cli:USER."},
        "decided_at": _NULLABLE_TEXT,
    },
}
REVIEW_BODY = {
    "type": "object",
    "required": ["review"],
    "additionalProperties": False,
    "properties": {
        "review": {"enum": _REVIEW_STATES, "description": "open withdraws a decision."},
        "reason": {
            "enum": [*DISMISS_REASONS, None],
            "description": "With dismissed only: why.",
        },
        "note": {"type": ["string", "null"], "maxLength": MAX_REVIEW_NOTE_CHARS},
    },
}
FINDING = {
    "type": "object",
    "description": "Two sentences of different documents that disagree; `a` was judged as "
    "the claim, `b` as the passage.",
    "required": ["id", "verdict", "confidence", "a", "b", "review"],
    "properties": {
        "review": {"$ref": "#/components/schemas/Review"},
        "headline": {
            "type": "string",
            "description": 'What the finding is about, in words: "Different figures for the '
            'same fact", "One report denies what another asserts", "Changed between '
            'reports 2 days apart".',
        },
        "days_apart": {
            "type": ["integer", "null"],
            "description": "Days between the two documents' publication dates; null when "
            "either has none.",
        },
        "id": {"type": "integer"},
        "created_at": {"type": "string"},
        "similarity": {"type": "number"},
        "verdict": {
            "enum": ["contradicts", "changed"],
            "description": "contradicts: the two state the same fact differently; changed: "
            "with different values at different moments (a change over time, not a "
            "contradiction).",
        },
        "confidence": {"type": "number"},
        "a": _SIDE,
        "b": _SIDE,
        "reasons": {"type": "array", "items": _OBJECT},
    },
}
_PASSAGE_REF = {"$ref": "#/components/schemas/Passage"}
_DOCUMENT = {
    "type": "object",
    "description": "A stored document. `text` and `sentence_spans` come only with ?text=1.",
    "required": ["id", "sentences", "characters"],
    "properties": {
        **cast(dict[str, Any], _DOCUMENT_INFO["properties"]),
        "sentences": {"type": "integer", "description": "How many sentences it was split into."},
        "characters": {"type": "integer", "description": "The length of its stored text."},
        "text": {
            "type": "string",
            "description": "The stored text (with ?text=1): the text that every `span` of a "
            "passage from this document indexes into.",
        },
        "sentence_spans": {
            "type": "array",
            "description": "Each sentence's id (a passage's `sentence_id`) and its offsets in "
            "`text`, in Unicode code points, in order (with ?text=1).",
            "items": {
                "type": "object",
                "required": ["id", "start", "end"],
                "properties": {
                    "id": {"type": "string"},
                    "start": {"type": "integer"},
                    "end": {"type": "integer"},
                },
            },
        },
    },
}


def _passages(description: str) -> dict[str, Any]:
    return {"type": "array", "items": _PASSAGE_REF, "description": description}


_DRAFT_SENTENCE = {
    "type": "object",
    "required": ["text", "start", "end", "verdict", "contradicting", "changed", "supporting"],
    "properties": {
        "text": {"type": "string"},
        "start": {"type": "integer"},
        "end": {"type": "integer"},
        "verdict": {
            "enum": list(DRAFT_VERDICTS),
            "description": "disputed: some reports support the sentence and others "
            "contradict it; contradicts; changed: a report gives the same fact another value "
            "at another moment; supports; related; none: nothing found.",
        },
        "contradicting": _passages("Passages that contradict the sentence."),
        "changed": _passages("Passages where the same fact changed over time."),
        "supporting": _passages("Passages that support the sentence."),
    },
}
PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem details; `field` names the input at fault.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "field": {"type": "string"},
    },
}

# (method, rule) -> summary, request schema, success status and response schema.
OPERATIONS: dict[tuple[str, str], tuple[str, dict[str, Any] | None, int, dict[str, Any]]] = {
    ("GET", "/healthz"): ("The process is up", None, 200, _OBJECT),
    ("GET", "/readyz"): (
        "The index is open and the models loaded (503 if not)",
        None,
        200,
        _OBJECT,
    ),
    ("POST", "/v1/check"): (
        "Passages that support or contradict a claim",
        schemas.CHECK,
        200,
        {
            "type": "object",
            "description": "The passages found for the claim, in one bucket per verdict, "
            "most confident first.",
            "required": ["claim", "supporting", "contradicting", "changed", "related"],
            "properties": {
                "claim": {"type": "string"},
                "supporting": _passages("Passages that say the same as the claim."),
                "contradicting": _passages(
                    "Passages that state the same fact incompatibly, with no later date to "
                    "explain the difference."
                ),
                "changed": _passages(
                    "Passages that state the same fact with another value at another moment "
                    "(their anchor dates differ): a change over time, such as a count revised "
                    "the next morning, not a contradiction."
                ),
                "related": _passages("Passages about the same thing that do neither."),
                "took_ms": {"type": "number"},
            },
        },
    ),
    ("POST", "/v1/check-draft"): (
        "Every sentence of a draft checked",
        schemas.CHECK_DRAFT,
        200,
        {
            "type": "object",
            "properties": {
                "sentences": {"type": "array", "items": _DRAFT_SENTENCE},
                "took_ms": {"type": "number"},
            },
        },
    ),
    ("POST", "/v1/documents"): (
        "Add or replace documents (201 when any was added)",
        schemas.DOCUMENTS,
        201,
        {
            "type": "object",
            "properties": {
                name: {"type": "array"} for name in ("added", "replaced", "unchanged", "problems")
            },
        },
    ),
    ("GET", "/v1/documents/{document_id}"): (
        "A document's metadata; with ?text=1 also its text and its sentences' offsets",
        None,
        200,
        _DOCUMENT,
    ),
    ("DELETE", "/v1/documents/{document_id}"): ("Retract a document", None, 204, {}),
    ("GET", "/v1/discrepancies"): (
        "Stored contradictions and changes over time: confirmed ones first, then newest first",
        None,
        200,
        {
            "type": "object",
            "properties": {
                "items": {"type": "array", "items": {"$ref": "#/components/schemas/Finding"}},
                "total": {"type": "integer"},
            },
        },
    ),
    ("GET", "/v1/discrepancies/{finding_id}"): (
        "One stored finding, with its review",
        None,
        200,
        {"$ref": "#/components/schemas/Finding"},
    ),
    ("PATCH", "/v1/discrepancies/{finding_id}"): (
        "Confirm or dismiss a finding, or make it open again (audited with the key's name)",
        REVIEW_BODY,
        200,
        {"$ref": "#/components/schemas/Finding"},
    ),
    ("GET", "/v1/discrepancies/{finding_id}/claimreview"): (
        "One contradiction as schema.org ClaimReview (application/ld+json); 404 for a change "
        "over time",
        None,
        200,
        _OBJECT,
    ),
    ("POST", "/v1/scan"): ("Judge new and changed documents now", None, 200, _OBJECT),
}
_QUERY = {
    "/v1/discrepancies": [("limit", 1, 500), ("offset", 0, 10**9)],
}
# Query parameters that are switches: (name, description) by rule.
# Query parameters that take a string of a given pattern: (name, pattern, description).
_STRINGS = {
    "/v1/discrepancies": [
        (
            "review",
            "^(all|(open|confirmed|dismissed)(,(open|confirmed|dismissed))*)$",
            "Only findings with these decisions, comma-separated (open, confirmed, dismissed); "
            "all (the default) lists every one.",
        ),
    ],
}
_SWITCHES = {
    "/v1/documents/<document_id>": [
        ("text", "1 (or true): include the document's stored text and its sentences' offsets."),
    ],
}
_CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")


def build(app: Flask) -> dict[str, Any]:
    # The batch limit is a setting, so the documents body is published as this app enforces it.
    settings = cast(Indexes, app.extensions["checker"]).default.settings
    bodies = {("POST", "/v1/documents"): schemas.documents(settings.max_batch_documents)}
    paths: dict[str, dict[str, Any]] = {}
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api."):
            continue
        path = _CONVERTER.sub(r"{\2}", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            summary, body, status, shape = OPERATIONS[(method, path)]
            body = bodies.get((method, path), body)
            operation = _operation(rule.endpoint, rule.rule, summary, body, status, shape, app)
            paths.setdefault(path, {})[method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Discrepancy checker",
            "version": __version__,
            "description": "Finds sentences in different news reports that disagree. "
            "Every error is application/problem+json.",
        },
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": {
                "Problem": PROBLEM,
                "Passage": PASSAGE,
                "Finding": FINDING,
                "Review": REVIEW,
                "Attribution": ATTRIBUTION,
                "Anchor": ANCHOR,
            },
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
            },
        },
    }


def _operation(
    endpoint: str,
    rule: str,
    summary: str,
    body: dict[str, Any] | None,
    status: int,
    shape: dict[str, Any],
    app: Flask,
) -> dict[str, Any]:
    problem = {"$ref": "#/components/schemas/Problem"}
    errors = {"400", "404", "413", "422", "429", "500", "503"}
    operation: dict[str, Any] = {"operationId": endpoint.removeprefix("api."), "summary": summary}
    parameters = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": {"type": "integer", "minimum": 1} if kind == "int" else {"type": "string"},
        }
        for kind, name in _CONVERTER.findall(rule)
    ]
    parameters += [
        {"name": n, "in": "query", "schema": {"type": "integer", "minimum": lo, "maximum": hi}}
        for n, lo, hi in _QUERY.get(rule, [])
    ]
    parameters += [
        {
            "name": n,
            "in": "query",
            "description": description,
            "schema": {"type": "string", "pattern": pattern},
        }
        for n, pattern, description in _STRINGS.get(rule, [])
    ]
    parameters += [
        {
            "name": n,
            "in": "query",
            "description": description,
            "schema": {"enum": ["1", "0", "true", "false", "yes", "no"], "default": "0"},
        }
        for n, description in _SWITCHES.get(rule, [])
    ]
    if parameters:
        operation["parameters"] = parameters
    if body is not None:
        content = {"application/json": {"schema": body}}
        operation["requestBody"] = {"required": True, "content": content}
    scope = required_scope(endpoint, app)
    if scope is None:
        operation["security"] = []
    else:
        operation["security"] = [{"bearer": []}, {"apiKey": []}]
        operation["description"] = f"Needs a key with scope `{scope}` (or higher)" + (
            "; open to anyone while the index has no keys, and with CHECKER_OPEN_READS."
            if scope == "read"
            else "; open to anyone while the index has no keys."
        )
        errors |= {"401", "403"}
    success: dict[str, Any] = {"description": "OK"}
    if shape:
        media = "application/ld+json" if "claimreview" in rule else "application/json"
        success["content"] = {media: {"schema": shape}}
    responses: dict[str, Any] = {str(status): success}
    for code in sorted(errors):
        responses[code] = {
            "description": "Problem",
            "content": {"application/problem+json": {"schema": problem}},
        }
    operation["responses"] = responses
    return operation
