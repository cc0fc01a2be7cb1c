"""The HTTP API (`/v1/...`) and the health endpoints. Views parse, call the Checker, format."""

from __future__ import annotations

import json
from typing import Any, cast

from flask import Blueprint, Response, current_app, g, jsonify, request

from checker import serialize
from checker.drafts import check_draft
from checker.errors import InvalidInput, MalformedRequest, NotFound, PayloadTooLarge
from checker.ingest import Problem, document_from_record
from checker.report.claimreview import claim_review
from checker.service import Checker, CheckFilters
from checker.types import Document, ReviewState, Verdict
from checker.web import schemas
from checker.web.auth import needs, public
from checker.web.indexes import Indexes
from checker.web.problems import problem

api = Blueprint("api", __name__)


def _indexes() -> Indexes:
    return cast(Indexes, current_app.extensions["checker"])


def _checker(name: str | None = None) -> Checker:
    return _indexes().get(name if name is not None else request.args.get("index"))


def _json_body(whole: bool = True) -> Any:
    """The parsed body. Text that is not Unicode (a lone surrogate escape such as "\\ud800")
    is refused here when `whole`; POST /v1/documents passes False and leaves it to each record,
    so that one bad record does not sink the batch."""
    raw = request.get_data(cache=False)
    if not raw.strip():
        raise MalformedRequest("the request body is empty; send a JSON object")
    try:
        body = json.loads(raw)
    except ValueError as exc:
        raise MalformedRequest(f"the request body is not valid JSON: {exc}") from None
    except RecursionError:
        raise MalformedRequest(
            "the request body nests JSON arrays or objects too deeply to read"
        ) from None
    if whole:
        schemas.refuse_lone_surrogates(body)
    return body


@api.get("/healthz")
@public
def healthz() -> Response:
    return jsonify(status="ok")


@api.get("/readyz")
@public
def readyz() -> Response:
    checker = _indexes().default
    checker.store.refresh()  # raises IndexUnavailable (503) when the index has gone
    return jsonify(status="ready", index=str(checker.settings.index), **checker.store.counts())


@api.post("/v1/check")
@needs("read")
def check() -> Response:
    body = _json_body()
    schemas.validate(body, schemas.CHECK)
    result = _checker(body.get("index")).check(body["claim"], body.get("k"), _filters(body))
    return jsonify(serialize.check_result(result))


@api.post("/v1/check-draft")
@needs("read")
def check_a_draft() -> Response:
    body = _json_body()
    schemas.validate(body, schemas.CHECK_DRAFT)
    result = check_draft(_checker(body.get("index")), body["text"], body.get("k"), _filters(body))
    return jsonify(serialize.draft_result(result))


def _filters(body: dict[str, Any]) -> CheckFilters:
    return CheckFilters(
        sources=tuple(body.get("sources", ())),
        exclude_document=body.get("exclude_document"),
        published_after=body.get("published_after"),
        published_before=body.get("published_before"),
    )


@api.post("/v1/documents")
@needs("write", audit="documents.add")
def add_documents() -> Response | tuple[Response, int]:
    body = _json_body(whole=False)
    checker = _checker(body.get("index") if isinstance(body, dict) else None)
    limit = checker.settings.max_batch_documents
    records = body.get("documents") if isinstance(body, dict) else body
    if isinstance(records, list) and len(records) > limit:
        raise PayloadTooLarge(
            f"the batch has {len(records):,} documents, over the limit of {limit:,} "
            "(CHECKER_MAX_BATCH_DOCUMENTS): send it in several requests"
        )
    schemas.validate(body, schemas.documents(limit, record=schemas.ANY_RECORD))
    records = body if isinstance(body, list) else body["documents"]
    items = [_document_or_problem(record, n, checker) for n, record in enumerate(records)]
    summary = checker.ingest(items)
    payload = serialize.ingest_summary(summary)
    if summary.problems and not (summary.added or summary.replaced or summary.unchanged):
        return problem(422, "Invalid input", "no document could be ingested", **payload)
    return jsonify(payload), 201 if summary.added else 200


def _document_or_problem(record: object, n: int, checker: Checker) -> Document | Problem:
    try:
        schemas.validate(record, schemas.DOCUMENT)
        return document_from_record(record, checker.settings.max_document_chars)
    except (InvalidInput, PayloadTooLarge) as exc:  # one bad record must not sink the batch
        return Problem(f"documents[{n}]", exc.detail)


@api.get("/v1/documents/<document_id>")
@needs("read")
def get_document(document_id: str) -> Response:
    """The document's metadata; with `?text=1` also its stored text and where each of its
    sentences lies in it (the document page highlights a passage with these)."""
    with_text = _flag_arg("text")
    checker = _checker()
    checker.store.refresh()
    document = checker.store.document(document_id)
    if not with_text:
        return jsonify(
            **serialize.document_info(document.info),
            sentences=checker.store.sentence_count(document_id),
            characters=len(document.text),
        )
    hits, _ = checker.store.document_vectors(document_id)
    return jsonify(serialize.document_text(document, [hit.sentence for hit in hits]))


def _flag_arg(name: str) -> bool:
    raw = request.args.get(name, "").strip().lower()
    if raw in {"", "0", "false", "no"}:
        return False
    if raw in {"1", "true", "yes"}:
        return True
    raise InvalidInput(f"{name} must be 1 or 0 (true or false), got {raw!r}", field=name)


@api.delete("/v1/documents/<document_id>")
@needs("write", audit="documents.delete")
def delete_document(document_id: str) -> tuple[str, int]:
    if not _checker().delete(document_id):
        raise NotFound(f"no document with id {document_id!r}")
    return "", 204


@api.get("/v1/discrepancies")
@needs("read")
def discrepancies() -> Response:
    """Stored findings, confirmed ones first; `review` keeps some states (default: all)."""
    limit = _int_arg("limit", 50, 1, 500)
    offset = _int_arg("offset", 0, 0, 10**9)
    states = _review_states(request.args.get("review"))
    findings, total = _checker().findings(limit=limit, offset=offset, review=states)
    return jsonify(
        items=[serialize.finding(f) for f in findings], total=total, limit=limit, offset=offset
    )


@api.get("/v1/discrepancies/<int:finding_id>")
@needs("read")
def discrepancy(finding_id: int) -> Response:
    return jsonify(serialize.finding(_checker().finding(finding_id)))


@api.patch("/v1/discrepancies/<int:finding_id>")
@needs("write", audit="discrepancies.review")
def review_discrepancy(finding_id: int) -> Response:
    """An editor's decision: {"review": "confirmed" | "dismissed" | "open", "reason", "note"}."""
    body = _json_body()
    if not isinstance(body, dict):
        raise InvalidInput("the body must be a JSON object with a review", field="review")
    unknown = sorted(set(body) - {"review", "reason", "note"})
    if unknown:
        raise InvalidInput(f"unknown field {unknown[0]!r}", field=unknown[0])
    state = _review_state(body.get("review"))
    for name in ("reason", "note"):
        if body.get(name) is not None and not isinstance(body[name], str):
            raise InvalidInput(f"{name} must be a string", field=name)
    finding = _checker().review(
        finding_id, state, g.acting.key_name, body.get("reason"), body.get("note")
    )
    return jsonify(serialize.finding(finding))


def _review_state(raw: object) -> ReviewState:
    names = ", ".join(s.value for s in ReviewState)
    if not isinstance(raw, str) or raw not in {s.value for s in ReviewState}:
        raise InvalidInput(f"review must be one of {names}, got {raw!r}", field="review")
    return ReviewState(raw)


def _review_states(raw: str | None) -> list[ReviewState] | None:
    """`?review=open,confirmed` as states; None (all) when absent or `all`."""
    if raw is None or raw.strip() == "all":
        return None
    return [_review_state(part.strip()) for part in raw.split(",")]


@api.get("/v1/discrepancies/<int:finding_id>/claimreview")
@needs("read")
def discrepancy_claimreview(finding_id: int) -> Response:
    """One finding as schema.org ClaimReview JSON-LD (application/ld+json)."""
    finding = _checker().finding(finding_id)
    if finding.judgement.verdict is Verdict.CHANGED:  # an update reviews no one's claim
        raise NotFound(
            f"discrepancy {finding_id} is a change over time, not a contradiction: "
            "it has no ClaimReview"
        )
    review = claim_review(finding)
    return Response(json.dumps(review, ensure_ascii=False), mimetype="application/ld+json")


@api.post("/v1/scan")
@needs("write", audit="scan")
def scan() -> Response:
    summary = _checker().scan()
    return jsonify(serialize.scan_summary(summary))


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise InvalidInput(f"{name} must be an integer, got {raw!r}", field=name) from None
    if not low <= value <= high:
        raise InvalidInput(f"{name} must be from {low} to {high}, got {value}", field=name)
    return value
