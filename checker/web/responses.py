"""What the API answers: pydantic models of every response body, published in
`/openapi.json` under `components/schemas` with a description of each field.

The views still build their answers with `checker.serialize` (the one shape shared with the
CLI's `--json` and the reports); these models describe that shape, and the tests validate
real answers against them (flask-openapi3's response validation is on under test), so the
published document cannot drift from what the server sends.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from checker.drafts import DRAFT_VERDICTS
from checker.types import DISMISS_REASONS, ReviewState, Verdict
from checker.web.examples import CHECK_EXAMPLE, DRAFT_EXAMPLE, FINDING_EXAMPLE

_CONFIDENCE = "Calibrated confidence from 0 to 1."


def _absent(schema: dict[str, Any]) -> None:
    """A member that is left out when it does not apply, never null: published as its type
    alone, with no default."""
    members = [m for m in schema.pop("anyOf", []) if m.get("type") != "null"]
    for key, value in (members[0] if members else {}).items():
        schema.setdefault(key, value)
    schema.pop("default", None)


def _example(value: Any) -> ConfigDict:
    return ConfigDict(json_schema_extra={"examples": [value]})


class Span(BaseModel):
    """Character offsets (Unicode code points), `start` inclusive, `end` exclusive."""

    start: int = Field(ge=0, description="The first character's offset.")
    end: int = Field(ge=0, description="The offset just past the last character.")


class TextSpan(Span):
    """Offsets with the words they cover: `text` is the covered slice."""

    text: str = Field(description="The words covered, `text[start:end]` of the sentence.")


class Reason(BaseModel):
    """Why a verdict was reached: one rule or model, what it found and where."""

    model_config = _example(
        {
            "kind": "negation",
            "verdict": "contradicts",
            "confidence": 0.732,
            "detail": 'passage denies "Armenian armed forces" that the claim asserts exist',
            "claim_spans": [{"start": 0, "end": 27, "text": "Armenian forces are present"}],
            "passage_spans": [{"start": 145, "end": 169, "text": "no Armenian armed forces"}],
        }
    )

    kind: str = Field(
        description="The rule or model that spoke: `negation`, `number`, `date`, `entity`, "
        "`nli`; or `alignment`, the evidence that both sentences state the same fact."
    )
    verdict: Verdict = Field(description="What this reason alone says.")
    confidence: float = Field(ge=0, le=1, description="This reason's own reading, 0 to 1.")
    detail: str = Field(description="What it found, in words.")
    claim_spans: list[TextSpan] = Field(
        description="Where in the claim (or finding's side `a`) the evidence lies."
    )
    passage_spans: list[TextSpan] = Field(
        description="Where in the passage's `text` (or finding's side `b`) it lies."
    )


class Attribution(BaseModel):
    """Who asserts the sentence: the speaker or source and the reporting verb as written,
    e.g. “Armenian PM Nikol Pashinyan — claiming” or “the accord — called for”. null when
    the text asserts it directly, or when the sentence has not been analysed (an index built
    before analysis was added)."""

    speaker: str = Field(description="Who, as the sentence names them.")
    verb: str = Field(description="The reporting verb, as written.")
    text: str = Field(description="Speaker and verb, ready to show.")
    span: Span = Field(description="Where the speaker lies in the sentence's text.")


class Anchor(BaseModel):
    """The day the sentence speaks of; null when unknown. Two sentences that give the same
    fact different values on different days are a change over time."""

    date: dt.date = Field(description="The day, `YYYY-MM-DD`.")
    source: Literal["sentence", "published"] = Field(
        description="sentence: a date or weekday in the sentence itself (resolved against the "
        "document's date); published: the document's publication date."
    )


class DocumentInfo(BaseModel):
    """What is known about a stored document; null where nothing is."""

    id: str = Field(description="The document's id.")
    title: str | None = Field(description="The headline.")
    source: str | None = Field(description="The outlet.")
    url: str | None = Field(description="Where it was published.")
    published: dt.date | dt.datetime | None = Field(
        description="When it was published: a day (`2023-09-20`), or a date and time where "
        "the source gave one."
    )
    language: str | None = Field(description="An ISO 639-1 code, where known.")


class Sentence(BaseModel):
    """A stored sentence, its document, and who asserts it when."""

    sentence_id: str = Field(description="The sentence's id: `DOCUMENT_ID#N`.")
    text: str = Field(description="The sentence as stored.")
    document: DocumentInfo
    span: Span = Field(description="Where the sentence lies in its document's text.")
    attribution: Attribution | None
    anchor: Anchor | None


class Passage(Sentence):
    """A stored sentence near the claim, and what it does to it."""

    similarity: float = Field(description="Cosine similarity of the two sentences' embeddings.")
    verdict: Verdict = Field(
        description="supports: the passage says the same as the claim; contradicts: it states "
        "the same fact incompatibly (another value, or a denial) with no later date to "
        "explain the difference; changed: it states the same fact with another value at "
        "another moment (the anchor dates differ): a change over time, such as a count "
        "revised the next morning, not a contradiction; related: it is about the same thing "
        "but neither supports nor contradicts it."
    )
    confidence: float = Field(ge=0, le=1, description=_CONFIDENCE)
    reasons: list[Reason] = Field(description="Why, strongest first.")
    context: Context | None = Field(
        description="The sentences around the passage in its report, to read it in context; "
        "null where the answer does not carry them."
    )
    finding: FindingRef | None = Field(
        None,  # absent where the passage is no stored finding
        description="Drafts checked with `exclude_document` only: the nightly scan's stored "
        "finding between the story's own stored sentence (the draft sentence's `stored_as`) "
        "and this passage, with its review, so that an editor can confirm or dismiss it with "
        "`PATCH /v1/discrepancies/{id}`. Absent when the pair is no stored finding.",
        json_schema_extra=_absent,
    )

    index: str | None = Field(
        None,  # absent where one index was searched
        description="Checks of several `indexes` only: the index the passage was found in. "
        "Absent when one index was searched.",
        json_schema_extra=_absent,
    )


class FindingRef(BaseModel):
    """A stored finding that a passage of a draft's answer makes with the story's own sentence."""

    id: int = Field(description="The finding's id, for `/v1/discrepancies/{id}`.")
    review: Review = Field(description="The editors' decision on it so far.")


class Context(BaseModel):
    """A passage's neighbours in its report."""

    before: str | None = Field(description="The sentence before it; null at the start.")
    after: str | None = Field(description="The sentence after it; null at the end.")


def _passages(description: str) -> Any:
    return Field(description=description + " Most confident first.")


class CheckResult(BaseModel):
    """The passages found for the claim, in one bucket per verdict."""

    model_config = _example(CHECK_EXAMPLE)

    claim: str = Field(description="The claim as checked (surrounding whitespace dropped).")
    supporting: list[Passage] = _passages("Passages that say the same as the claim.")
    contradicting: list[Passage] = _passages(
        "Passages that state the same fact incompatibly, with no later date to explain the "
        "difference."
    )
    changed: list[Passage] = _passages(
        "Passages that state the same fact with another value at another moment (their "
        "anchor dates differ): a change over time, such as a count revised the next morning, "
        "not a contradiction."
    )
    related: list[Passage] = Field(description="Passages about the same thing that do neither.")
    took_ms: float = Field(description="How long the check took, in milliseconds.")


class DraftSentence(BaseModel):
    """One sentence of the draft, where it lies in it, and its check."""

    text: str = Field(description="The sentence: `draft[start:end]`.")
    start: int = Field(ge=0, description="Its offset in the draft.")
    end: int = Field(ge=0, description="Where it ends in the draft (exclusive).")
    verdict: Literal[DRAFT_VERDICTS] = Field(  # type: ignore[valid-type]
        description="disputed: some reports support the sentence and others contradict it; "
        "contradicts; changed: a report gives the same fact another value at another moment; "
        "supports; related: other reports speak of it, doing neither (see `related`); none: "
        "nothing related found."
    )
    contradicting: list[Passage] = Field(description="Passages that contradict the sentence.")
    changed: list[Passage] = Field(description="Passages where the same fact changed over time.")
    supporting: list[Passage] = Field(description="Passages that support the sentence.")
    related: list[Passage] = Field(
        description="Passages about the same thing that neither support nor contradict it: "
        "what other reports say about it, most similar first, at most 3."
    )
    stored_as: str | None = Field(
        None,  # absent unless the draft was checked with exclude_document
        description="Drafts checked with `exclude_document` only: the id of the stored story's "
        "sentence with the same words, whose stored findings the passages' `finding` give; "
        "null when the story has no such sentence (it was written or edited since the story "
        "was stored, so there is no stored finding to decide on yet).",
    )


class DraftResult(BaseModel):
    """Every sentence of the draft, in order."""

    model_config = _example(DRAFT_EXAMPLE)

    sentences: list[DraftSentence] = Field(description="Each sentence, in draft order.")
    took_ms: float = Field(description="How long the whole draft took, in milliseconds.")


class SentenceSpan(Span):
    """A sentence's id (a passage's `sentence_id`) and its offsets in the document's `text`."""

    id: str = Field(description="The sentence's id: `DOCUMENT_ID#N`.")


class StoredDocument(DocumentInfo):
    """A stored document. `text` and `sentence_spans` come only with `?text=1`."""

    model_config = _example(
        {
            "id": "wire-1",
            "title": "Ceasefire holds",
            "source": "Wire",
            "url": "https://example.org/1",
            "published": "2023-09-21",
            "language": None,
            "sentences": 1,
            "characters": 45,
            "text": "The ceasefire held overnight, officials said.",
            "sentence_spans": [{"id": "wire-1#0", "start": 0, "end": 45}],
        }
    )

    sentences: int = Field(ge=0, description="How many sentences it was split into.")
    characters: int = Field(ge=0, description="The length of its stored text.")
    text: str | None = Field(
        None,  # absent without ?text=1
        description="The stored text (with ?text=1): the text that every `span` of a passage "
        "from this document indexes into.",
        json_schema_extra=_absent,
    )
    sentence_spans: list[SentenceSpan] | None = Field(
        None,
        description="Each sentence's offsets in `text`, in order (with ?text=1).",
        json_schema_extra=_absent,
    )


class IngestProblem(BaseModel):
    """A record that could not be stored, and why."""

    origin: str = Field(description="Which record: `documents[N]`, counting from 0.")
    message: str = Field(description="What is wrong with it, in words.")


class IngestSummary(BaseModel):
    """What happened to each record: 201 when any was added, else 200."""

    model_config = _example(
        {"added": ["wire-1"], "replaced": [], "unchanged": [], "sentences": 1, "problems": []}
    )

    added: list[str] = Field(description="Ids of new documents.")
    replaced: list[str] = Field(description="Ids whose content changed (re-indexed).")
    unchanged: list[str] = Field(description="Ids sent again with the same content (no-op).")
    sentences: int = Field(ge=0, description="Sentences indexed by this request.")
    problems: list[IngestProblem] = Field(description="Records that were not stored.")


class Review(BaseModel):
    """An editor's decision on the finding. It holds for the two sentences while neither
    changes: a dismissed pair found again by a later scan stays dismissed."""

    state: ReviewState = Field(description="open: no decision yet.")
    reason: Literal[DISMISS_REASONS] | None = Field(  # type: ignore[valid-type]
        description="Why it was dismissed (dismissed only)."
    )
    note: str | None = Field(description="The editor's note.")
    decided_by: str | None = Field(description="The API key's name, or cli:USER.")
    decided_at: str | None = Field(description="When, as an ISO 8601 date-time.")


class Finding(BaseModel):
    """Two sentences of different documents that disagree; `a` was judged as the claim, `b`
    as the passage."""

    model_config = _example(FINDING_EXAMPLE)

    id: int = Field(description="The finding's id.")
    created_at: str = Field(description="When the scan found it, as an ISO 8601 date-time.")
    similarity: float = Field(description="Cosine similarity of the two sentences.")
    verdict: Literal["contradicts", "changed"] = Field(
        description="contradicts: the two state the same fact differently; changed: with "
        "different values at different moments (a change over time, not a contradiction)."
    )
    confidence: float = Field(ge=0, le=1, description=_CONFIDENCE)
    a: Sentence = Field(description="The sentence judged as the claim.")
    b: Sentence = Field(description="The sentence judged as the passage.")
    reasons: list[Reason] = Field(description="Why, strongest first.")
    review: Review
    headline: str = Field(
        description='What the finding is about, in words: "Different figures for the same '
        'fact", "One report denies what another asserts", "Changed between reports 2 days '
        'apart".'
    )
    days_apart: int | None = Field(
        description="Days between the two documents' publication dates; null when either has none."
    )


class FindingPage(BaseModel):
    """One page of stored findings: confirmed ones first, then newest first."""

    model_config = _example({"items": [FINDING_EXAMPLE], "total": 1, "limit": 50, "offset": 0})

    items: list[Finding] = Field(description="This page's findings.")
    total: int = Field(ge=0, description="How many findings match, on every page.")
    limit: int = Field(description="The page size asked for.")
    offset: int = Field(description="How many were skipped.")


class ScanSummary(BaseModel):
    """What a scan did."""

    model_config = _example(
        {
            "documents": 2,
            "pairs": 14,
            "new_findings": 1,
            "started_at": "2026-11-22T02:15:03+00:00",
            "new_changes": 0,
        }
    )

    documents: int = Field(ge=0, description="New or changed documents scanned.")
    pairs: int = Field(ge=0, description="Sentence pairs judged.")
    new_findings: int = Field(ge=0, description="New contradictions found.")
    started_at: str = Field(description="When the scan started, as an ISO 8601 date-time.")
    new_changes: int = Field(ge=0, description="New changes over time found.")


class Health(BaseModel):
    """The process is up."""

    model_config = _example({"status": "ok"})

    status: Literal["ok"] = Field(description="Always `ok`.")


class Ready(BaseModel):
    """The index is open and the models are loaded."""

    model_config = _example(
        {
            "status": "ready",
            "index": "default",
            "documents": 2,
            "sentences": 61,
            "findings": 1,
        }
    )

    status: Literal["ready"] = Field(description="Always `ready` (otherwise a 503 problem).")
    index: str = Field(
        description="The default index's name: the last part of `CHECKER_INDEX`, as the "
        "`index` member of a request names an index (never a path on the server)."
    )
    documents: int = Field(ge=0, description="Stored documents.")
    sentences: int = Field(ge=0, description="Stored sentences.")
    findings: int = Field(ge=0, description="Stored findings.")


class ClaimReview(BaseModel):
    """One contradiction as schema.org ClaimReview JSON-LD (`application/ld+json`): the
    format fact-checkers publish; the claim reviewed is side `a` of the finding."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    context: Literal["https://schema.org"] = Field(alias="@context", description="JSON-LD.")
    type: Literal["ClaimReview"] = Field(alias="@type", description="The schema.org type.")
    claimReviewed: str = Field(description="The sentence reviewed (side `a`).")
    itemReviewed: dict[str, Any] = Field(
        description="The Claim: where it appeared, who made it, when."
    )
    reviewRating: dict[str, Any] = Field(
        description="The Rating: which report contradicts it, and why."
    )
    datePublished: str = Field(description="When the finding was made.")


class Problem(BaseModel):
    """RFC 9457 problem details: every error, whatever the operation."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "type": "about:blank",
                    "title": "Invalid input",
                    "status": 422,
                    "detail": "claim: 42 is not of type 'string'",
                    "instance": "/v1/check",
                    "field": "claim",
                }
            ]
        },
    )

    type: str = Field(description="Always `about:blank`: `title` says what kind of problem.")
    title: str = Field(description="The kind of problem, e.g. `Invalid input`.")
    status: int = Field(description="The HTTP status, repeated.")
    detail: str = Field(description="What went wrong and what to do, for a person.")
    instance: str = Field(description="The request's path.")
    field: str | None = Field(
        None,  # absent when no one member is at fault
        description="The member at fault (dotted for nested ones: `sources.1`), for bad input.",
        json_schema_extra=_absent,
    )


MODELS: dict[str, type[BaseModel]] = {
    model.__name__: model
    for model in (
        CheckResult,
        DraftResult,
        StoredDocument,
        IngestSummary,
        Finding,
        FindingPage,
        ScanSummary,
        Health,
        Ready,
        ClaimReview,
        Problem,
        Reason,
    )
}
