"""The HTTP API (`/v1/...`) and the health endpoints. Views parse, call the Checker, format.

Each view declares what it takes as pydantic models (`body`, `query`, `path`: see
`schemas.py`) and what it answers (`responses.py`, and the problems it can really return);
flask-openapi3 validates the request before the view runs and publishes both in
`/openapi.json`. The description of each operation is Markdown, rendered on `/docs`.
"""

from __future__ import annotations

import inspect
import json
from typing import cast, get_type_hints

from flask import Response, current_app, g, jsonify, request
from flask_openapi3 import APIBlueprint, Tag

from checker import serialize
from checker.drafts import check_draft
from checker.errors import InvalidInput, NotFound, PayloadTooLarge
from checker.ingest import Problem, document_from_record
from checker.report.claimreview import claim_review
from checker.service import Checker, CheckFilters
from checker.types import Document, Verdict
from checker.web import responses as out
from checker.web.auth import needs, public
from checker.web.indexes import Indexes
from checker.web.openapi import problems
from checker.web.problems import problem
from checker.web.schemas import (
    CheckRequest,
    DiscrepanciesQuery,
    DocumentPath,
    DocumentQuery,
    DocumentsRequest,
    DraftRequest,
    FindingPath,
    IndexQuery,
    ReviewRequest,
)
from checker.web.validation import read_json_body

CHECKING = Tag(name="Checking", description="Claims and drafts against every stored report.")
DOCUMENTS = Tag(name="Documents", description="What the checker has read.")
FINDINGS = Tag(name="Discrepancies", description="What the nightly scan found, and triage.")
HEALTH = Tag(name="Health", description="For load balancers and monitors.")

# operationId: the view's name (`check`, `get_document`), as the endpoint is `api.<name>`.
api = APIBlueprint("api", __name__, operation_id_callback=lambda *, name, path, method: name)


@api.before_request
def read_the_json_body() -> None:
    """Parse a JSON body before flask-openapi3 validates it: the model gets the parsed value,
    and a body that is not JSON gets a 400 that says why, not a 422 about a missing field."""
    if request.method == "OPTIONS":  # a CORS preflight carries no body
        return
    view = current_app.view_functions.get(request.endpoint or "")
    model = get_type_hints(inspect.unwrap(view)).get("body") if view else None
    if model is not None:
        read_json_body(request, whole_text=model.whole_text)


def _indexes() -> Indexes:
    return cast(Indexes, current_app.extensions["checker"])


def _checker(name: str | None = None) -> Checker:
    return _indexes().get(name)


@api.get(
    "/healthz",
    tags=[HEALTH],
    summary="The process is up",
    description="Answers as soon as the process serves, even while the index cannot be "
    "opened. No key needed.",
    responses={200: out.Health},
)
@public
def healthz() -> Response:
    return jsonify(status="ok")


@api.get(
    "/readyz",
    tags=[HEALTH],
    summary="The index is open and the models loaded",
    description="503 with the reason while the index cannot be opened or has gone (the app "
    "tries again every few seconds, and becomes ready by itself once the index is restored). "
    "No key needed, so it names the index and never says where the server keeps it.",
    responses={200: out.Ready, **problems()},
)
@public
def readyz() -> Response:
    checker = _indexes().default
    checker.store.refresh()  # raises IndexUnavailable (503) when the index has gone
    # The index's name, as a request's `index` names one: no answer gives a server path.
    return jsonify(status="ready", index=checker.settings.index.name, **checker.store.counts())


_INDEX_404 = (404, "`index` names no index.")


@api.post(
    "/v1/check",
    tags=[CHECKING],
    summary="Passages that support or contradict a claim",
    description="Searches the `k` stored sentences nearest the claim (in documents other "
    "than `exclude_document`, from `sources`, published in the date range) and judges each: "
    "the answer sorts them into `supporting`, `contradicting`, `changed` and `related`, most "
    "confident first.\n\n"
    "With `indexes` (indexes split by time, such as one a month), each is searched for its "
    "`k` nearest, and the `k` nearest of them all are judged.\n\n"
    "`changed` holds passages that state the same fact with another value at another moment "
    "(a count revised the next morning): a change over time, worth knowing, not a "
    "contradiction. Two passages are told apart by their `anchor` dates.",
    responses={
        200: out.CheckResult,
        **problems(400, (404, "`index`, or one of `indexes`, names no index."), 413, 422),
    },
)
@needs("read")
def check(body: CheckRequest) -> Response:
    if body.indexes is not None:
        return _check_indexes(body, body.indexes)
    checker = _checker(body.index)
    result = checker.check(body.claim, body.k, _filters(body))
    contexts = checker.store.neighbours(serialize.passages_of([result]))
    return jsonify(serialize.check_result(result, contexts))


def _check_indexes(body: CheckRequest, names: list[str]) -> Response:
    """The claim against several sibling indexes, their top k merged (Checker.check_indexes)."""
    indexes = {name: _indexes().get(name, "indexes") for name in names}
    result = _indexes().default.check_indexes(indexes, body.claim, body.k, _filters(body))
    hits = serialize.passages_of([result])
    contexts: serialize.Contexts = {}
    for name, checker in indexes.items():
        contexts |= checker.store.neighbours(h for h in hits if h.index == name)
    return jsonify(serialize.check_result(result, contexts))


@api.post(
    "/v1/check-draft",
    tags=[CHECKING],
    summary="Every sentence of a draft checked",
    description="Splits the draft into sentences and checks each as a claim (one embedding "
    "call for the whole draft). Each sentence comes with its offsets in the draft and one "
    "verdict: `disputed` when some reports support it and others contradict it.",
    responses={
        200: out.DraftResult,
        **problems(
            400,
            _INDEX_404,
            (
                413,
                "The body is over `CHECKER_MAX_REQUEST_BYTES`, or the draft has more than "
                "200 sentences: send it in parts.",
            ),
            (
                422,
                "A member is missing or of the wrong type (`field` names it), or a "
                "sentence is over `CHECKER_MAX_CLAIM_CHARS` (is punctuation missing?).",
            ),
        ),
    },
)
@needs("read")
def check_a_draft(body: DraftRequest) -> Response:
    checker = _checker(body.index)
    result = check_draft(checker, body.text, body.k, _filters(body))
    shown = serialize.passages_of([s.result for s in result.sentences])
    return jsonify(serialize.draft_result(result, checker.store.neighbours(shown)))


def _filters(body: CheckRequest | DraftRequest) -> CheckFilters:
    after, before = body.published_after, body.published_before
    return CheckFilters(
        sources=tuple(body.sources),
        exclude_document=body.exclude_document,
        published_after=after.isoformat() if after else None,
        published_before=before.isoformat() if before else None,
    )


@api.post(
    "/v1/documents",
    tags=[DOCUMENTS],
    summary="Add or replace documents",
    description="Stores each record: a new id is added, the same id with changed content "
    "replaces the document (its findings go), the same content is a no-op. A bad record is "
    "listed under `problems` (with `documents[N]` as its origin) while the rest are stored; "
    "only when every record is bad is the answer a 422 problem, which lists them too. "
    "Answers 201 when any document was added, else 200.",
    responses={
        200: out.IngestSummary,
        201: out.IngestSummary,
        **problems(
            400,
            _INDEX_404,
            (
                413,
                "The body is over `CHECKER_MAX_REQUEST_BYTES`, or the batch has more than "
                "`CHECKER_MAX_BATCH_DOCUMENTS` records: send it in several requests.",
            ),
            (
                422,
                'The body is not a list of records nor `{"documents": [...]}`, or no '
                "record could be stored (`problems` lists why).",
            ),
            (503, "The index cannot be written (open read-only, disk full)."),
        ),
    },
)
@needs("write", audit="documents.add")
def add_documents(body: DocumentsRequest) -> Response:
    checker = _checker(body.index)
    limit = checker.settings.max_batch_documents
    if len(body.documents) > limit:
        raise PayloadTooLarge(
            f"the batch has {len(body.documents):,} documents, over the limit of {limit:,} "
            "(CHECKER_MAX_BATCH_DOCUMENTS): send it in several requests"
        )
    items = [_document_or_problem(record, n, checker) for n, record in enumerate(body.documents)]
    summary = checker.ingest(items)
    payload = serialize.ingest_summary(summary)
    if summary.problems and not (summary.added or summary.replaced or summary.unchanged):
        return problem(422, "Invalid input", "no document could be ingested", **payload)
    response = jsonify(payload)
    response.status_code = 201 if summary.added else 200
    return response


def _document_or_problem(record: object, n: int, checker: Checker) -> Document | Problem:
    """One record of the batch, checked on its own (as `DocumentRecord` publishes it): one
    bad record must not sink the batch."""
    try:
        return document_from_record(record, checker.settings.max_document_chars)
    except (InvalidInput, PayloadTooLarge) as exc:
        return Problem(f"documents[{n}]", exc.detail)


@api.get(
    "/v1/documents/<document_id>",
    tags=[DOCUMENTS],
    summary="A stored document",
    description="Its metadata, sentence count and length; with `?text=1` also its stored "
    "text and where each of its sentences lies in it (the document page highlights a "
    "passage with these).",
    responses={
        200: out.StoredDocument,
        **problems((404, "No document with that id, or `index` names no index."), 422),
    },
)
@needs("read")
def get_document(path: DocumentPath, query: DocumentQuery) -> Response:
    checker = _checker(query.index)
    checker.store.refresh()
    document = checker.store.document(path.document_id)
    if not query.text:
        return jsonify(
            **serialize.document_info(document.info),
            sentences=checker.store.sentence_count(path.document_id),
            characters=len(document.text),
        )
    hits, _ = checker.store.document_vectors(path.document_id)
    return jsonify(serialize.document_text(document, [hit.sentence for hit in hits]))


@api.delete(
    "/v1/documents/<document_id>",
    tags=[DOCUMENTS],
    summary="Retract a document",
    description="Deletes the document, its sentences and its findings. Audited.",
    responses={
        204: None,
        **problems((404, "No document with that id, or `index` names no index."), 422, 503),
    },
)
@needs("write", audit="documents.delete")
def delete_document(path: DocumentPath, query: IndexQuery) -> tuple[str, int]:
    if not _checker(query.index).delete(path.document_id):
        raise NotFound(f"no document with id {path.document_id!r}")
    return "", 204


@api.get(
    "/v1/discrepancies",
    tags=[FINDINGS],
    summary="Stored contradictions and changes over time",
    description="What the scans found: confirmed findings first, then newest first. "
    "`review` keeps only some decisions (`?review=open` is the triage queue).",
    responses={200: out.FindingPage, **problems(_INDEX_404, 422)},
)
@needs("read")
def discrepancies(query: DiscrepanciesQuery) -> Response:
    findings, total = _checker(query.index).findings(
        limit=query.limit, offset=query.offset, review=query.review
    )
    return jsonify(
        items=[serialize.finding(f) for f in findings],
        total=total,
        limit=query.limit,
        offset=query.offset,
    )


_FINDING_404 = (404, "No finding with that id, or `index` names no index.")


@api.get(
    "/v1/discrepancies/<int:finding_id>",
    tags=[FINDINGS],
    summary="One stored finding, with its review",
    responses={200: out.Finding, **problems(_FINDING_404, 422)},
)
@needs("read")
def discrepancy(path: FindingPath, query: IndexQuery) -> Response:
    return jsonify(serialize.finding(_checker(query.index).finding(path.finding_id)))


@api.patch(
    "/v1/discrepancies/<int:finding_id>",
    tags=[FINDINGS],
    summary="Confirm or dismiss a finding, or make it open again",
    description="An editor's decision. A dismissed pair is not flagged again while neither "
    "sentence changes; confirmed ones stay at the top. Audited with the key's name, which "
    "is also stored as `decided_by`.",
    responses={
        200: out.Finding,
        **problems(
            400,
            _FINDING_404,
            413,
            (
                422,
                "`review` is missing or not a state, `reason` is not one of the list or "
                "comes with anything but a dismissal, or `note` is too long: `field` names it.",
            ),
            503,
        ),
    },
)
@needs("write", audit="discrepancies.review")
def review_discrepancy(path: FindingPath, query: IndexQuery, body: ReviewRequest) -> Response:
    finding = _checker(query.index).review(
        path.finding_id, body.review, g.acting.key_name, body.reason, body.note
    )
    return jsonify(serialize.finding(finding))


@api.get(
    "/v1/discrepancies/<int:finding_id>/claimreview",
    tags=[FINDINGS],
    summary="One contradiction as schema.org ClaimReview",
    description="The JSON-LD that fact-checkers publish (`application/ld+json`). A change "
    "over time reviews no one's claim: it is a 404.",
    responses={
        200: {
            "description": "OK",
            "content": {
                "application/ld+json": {"schema": {"$ref": "#/components/schemas/ClaimReview"}}
            },
        },
        **problems(
            (
                404,
                "No finding with that id, the finding is a change over time, or `index` "
                "names no index.",
            ),
            422,
        ),
    },
)
@needs("read")
def discrepancy_claimreview(path: FindingPath, query: IndexQuery) -> Response:
    finding = _checker(query.index).finding(path.finding_id)
    if finding.judgement.verdict is Verdict.CHANGED:  # an update reviews no one's claim
        raise NotFound(
            f"discrepancy {path.finding_id} is a change over time, not a contradiction: "
            "it has no ClaimReview"
        )
    review = claim_review(finding)
    return Response(json.dumps(review, ensure_ascii=False), mimetype="application/ld+json")


@api.post(
    "/v1/scan",
    tags=[FINDINGS],
    summary="Judge new and changed documents now",
    description="What `checker report` does first, and cron does nightly: judges the "
    "nearest cross-document pairs of every new or changed document and stores what "
    "disagrees. Audited.",
    responses={200: out.ScanSummary, **problems(_INDEX_404, 422, 503)},
)
@needs("write", audit="scan")
def scan(query: IndexQuery) -> Response:
    summary = _checker(query.index).scan()
    return jsonify(serialize.scan_summary(summary))
