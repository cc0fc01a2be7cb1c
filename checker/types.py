"""Plain data passed between the stages. No I/O, no heavy imports.

Offsets are always character offsets into `Document.text` (for sentences) or into the
sentence/claim text itself (for the spans inside a `Reason`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from urllib.parse import urlsplit

Span = tuple[int, int]
"""A half-open character range [start, end)."""


class Verdict(StrEnum):
    SUPPORTS = "supports"
    CONTRADICTS = "contradicts"
    RELATED = "related"


@dataclass(frozen=True)
class DocumentInfo:
    """What a result says about the document a sentence came from (no text)."""

    id: str
    title: str | None = None
    source: str | None = None
    url: str | None = None
    published: str | None = None
    language: str | None = None

    @property
    def outlet(self) -> str | None:
        """Who published it: the source, else the URL's host (wire copies often lack one)."""
        if self.source:
            return self.source
        try:
            host = urlsplit(self.url).hostname if self.url else None
        except ValueError:  # a malformed URL scraped from a page names no one
            host = None
        return host.removeprefix("www.") if host else None


@dataclass(frozen=True)
class Document:
    """One report as ingested: its full text and where its main text lies.

    `body` lists the spans of `text` that are article prose; navigation, captions, repeated
    headlines and date lines are outside every span, so they never become sentences.
    `published` is an ISO 8601 date or date-time string, or None when unknown.
    """

    id: str
    text: str
    title: str | None = None
    source: str | None = None
    url: str | None = None
    published: str | None = None
    language: str | None = None
    body: tuple[Span, ...] = ()

    @property
    def info(self) -> DocumentInfo:
        return DocumentInfo(
            self.id, self.title, self.source, self.url, self.published, self.language
        )


@dataclass(frozen=True)
class Sentence:
    """A sentence of a document. `id` is stable: `<document id>#<ordinal>`."""

    id: str
    document_id: str
    ordinal: int
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Reason:
    """Why a judge leaned one way: which rule or model, in words, and on which words.

    `claim_spans` index into the first sentence of the pair (the claim), `passage_spans`
    into the second (the passage).
    """

    kind: str
    verdict: Verdict
    confidence: float
    detail: str
    claim_spans: tuple[Span, ...] = ()
    passage_spans: tuple[Span, ...] = ()


@dataclass(frozen=True)
class Judgement:
    """The verdict on one (claim, passage) pair, with every reason that went into it."""

    verdict: Verdict
    confidence: float
    reasons: tuple[Reason, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Hit:
    """A sentence found near a query vector, with the document it belongs to."""

    sentence: Sentence
    document: DocumentInfo
    similarity: float


@dataclass(frozen=True)
class Passage:
    """A hit together with the judgement of it against the claim."""

    hit: Hit
    judgement: Judgement


@dataclass(frozen=True)
class Finding:
    """A stored cross-document contradiction found by the discrepancy scan.

    `a` is the sentence judged as the claim, `b` the one judged as the passage; the spans in
    the reasons index into them in that order.
    """

    id: int
    a: Hit
    b: Hit
    similarity: float
    judgement: Judgement
    created_at: str


@dataclass(frozen=True)
class ResolvedFinding:
    """A finding that went away because a document it rests on was deleted or corrected.

    `finding` is the copy kept when it went (its sentences are gone from the index);
    `resolution` says why ("document deleted" or "document corrected") and `document_id`
    which document.
    """

    finding: Finding
    resolved_at: str
    resolution: str
    document_id: str


@dataclass(frozen=True)
class ScanRecord:
    """One discrepancy scan: when it ran, what it found, and the new findings per outlet.

    A finding counts once for each distinct outlet among its two documents ("" when unknown),
    so `by_outlet` may add up to more than `findings`. Scans recorded before per-outlet
    counts were kept have an empty `by_outlet`.
    """

    id: int
    started_at: str
    finished_at: str
    documents: int
    pairs: int
    findings: int
    by_outlet: dict[str, int] = field(default_factory=dict)
