"""Results as JSON-ready dicts: the one shape shared by the HTTP API, `--json` and reports.

Spans inside a reason are character offsets into the claim text (`claim_spans`) and into the
passage sentence text (`passage_spans`), each given with the words they cover; a passage's own
`span` is its offsets in the document text.

Every sentence shown (a passage, either side of a finding) says who asserts it
(`attribution`: the speaker or source and the reporting verb, null when the text asserts it
directly or the sentence was not analysed) and the moment it speaks of (`anchor`: an ISO date,
from the sentence's own words or the document's publication date, null when unknown).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

# report.text is pure string work (no rendering): the headline is worded once, for both.
from checker.report import text
from checker.types import (
    Analysis,
    Document,
    DocumentInfo,
    Finding,
    Hit,
    Judgement,
    Passage,
    Reason,
    Review,
    Sentence,
    Span,
)

if TYPE_CHECKING:  # only for annotations: rendering stays free of the service's imports
    from checker.drafts import DraftResult, DraftSentence
    from checker.service import CheckResult, IngestSummary, ScanSummary


# Related passages a draft sentence carries (a check's own answer keeps them all).
RELATED_IN_DRAFTS = 3


def document_info(info: DocumentInfo) -> dict[str, Any]:
    return dataclasses.asdict(info)


def document_text(document: Document, sentences: list[Sentence]) -> dict[str, Any]:
    """A document with its stored text, as `GET /v1/documents/<id>?text=1` gives it: each
    sentence's `start`/`end` are its offsets in `text` (Unicode code points)."""
    return {
        **document_info(document.info),
        "sentences": len(sentences),
        "characters": len(document.text),
        "text": document.text,
        "sentence_spans": [{"id": s.id, "start": s.start, "end": s.end} for s in sentences],
    }


def _spans(spans: tuple[Span, ...], text: str) -> list[dict[str, Any]]:
    return [{"start": s, "end": e, "text": text[s:e]} for s, e in spans]


def attribution(analysis: Analysis | None) -> dict[str, Any] | None:
    """Who asserts the sentence, e.g. {"speaker": "Armenian PM Nikol Pashinyan", "verb":
    "claiming", "text": "Armenian PM Nikol Pashinyan — claiming", "span": {...}}; `span`
    covers the speaker in the sentence. None when the text asserts it itself."""
    if analysis is None or analysis.attribution is None:
        return None
    a = analysis.attribution
    start, end = a.span
    return {
        "speaker": a.speaker,
        "verb": a.verb,
        "text": a.phrase,
        "span": {"start": start, "end": end},
    }


def anchor(analysis: Analysis | None) -> dict[str, Any] | None:
    """The date the sentence speaks of: {"date": ISO date, "source": "sentence" (its own
    words) or "published" (the document's date)}; None when neither is known."""
    if analysis is None or analysis.anchor is None:
        return None
    return {"date": analysis.anchor, "source": analysis.anchor_source}


def reason(r: Reason, claim: str, passage: str) -> dict[str, Any]:
    return {
        "kind": r.kind,
        "verdict": r.verdict.value,
        "confidence": round(r.confidence, 4),
        "detail": r.detail,
        "claim_spans": _spans(r.claim_spans, claim),
        "passage_spans": _spans(r.passage_spans, passage),
    }


def _judged(hit: Hit, judgement: Judgement, claim: str) -> dict[str, Any]:
    judged = {
        **_sentence(hit),
        "similarity": round(hit.similarity, 4),
        "verdict": judgement.verdict.value,
        "confidence": round(judgement.confidence, 4),
        "reasons": [reason(r, claim, hit.sentence.text) for r in judgement.reasons],
    }
    if hit.index is not None:  # a check of several indexes: which one it came from
        judged["index"] = hit.index
    return judged


# A passage's neighbours in its document, by sentence id: (before, after), None at an end.
Contexts = dict[str, tuple[str | None, str | None]]


def passage(p: Passage, claim: str, contexts: Contexts | None = None) -> dict[str, Any]:
    """`context`: the sentences around the passage in its report, where `contexts` has them."""
    around = (contexts or {}).get(p.hit.sentence.id)
    context = {"before": around[0], "after": around[1]} if around else None
    return {**_judged(p.hit, p.judgement, claim), "context": context}


def passages_of(results: Sequence[CheckResult]) -> list[Hit]:
    """Every passage's hit in `results`, for the contexts of an answer."""
    return [
        p.hit
        for r in results
        for group in (r.supporting, r.contradicting, r.changed, r.related)
        for p in group
    ]


def check_result(result: CheckResult, contexts: Contexts | None = None) -> dict[str, Any]:
    """The claim's passages in buckets by verdict; `changed` holds the ones that state the same
    fact with another value at another moment (a change over time, not a contradiction)."""
    claim = result.claim
    return {
        "claim": claim,
        "supporting": [passage(p, claim, contexts) for p in result.supporting],
        "contradicting": [passage(p, claim, contexts) for p in result.contradicting],
        "changed": [passage(p, claim, contexts) for p in result.changed],
        "related": [passage(p, claim, contexts) for p in result.related],
        "took_ms": result.took_ms,
    }


def draft_result(result: DraftResult, contexts: Contexts | None = None) -> dict[str, Any]:
    """Each sentence with its offsets in the draft; reasons' claim_spans index into its text."""
    return {
        "sentences": [_draft_sentence(s, contexts) for s in result.sentences],
        "took_ms": result.took_ms,
    }


def _draft_sentence(s: DraftSentence, contexts: Contexts | None) -> dict[str, Any]:
    claim = s.result.claim
    found = s.story.findings if s.story else {}

    def flagged(p: Passage) -> dict[str, Any]:
        """The passage, with the stored finding it makes with the story's own sentence (what
        an editor can confirm or dismiss from the draft), where there is one."""
        shown = passage(p, claim, contexts)
        finding = found.get(p.hit.sentence.id)
        if finding is not None:
            shown["finding"] = {"id": finding.id, "review": review(finding.review)}
        return shown

    answer = {
        "text": s.text,
        "start": s.start,
        "end": s.end,
        "verdict": s.verdict,
        "contradicting": [flagged(p) for p in s.result.contradicting],
        "changed": [flagged(p) for p in s.result.changed],
        "supporting": [passage(p, claim, contexts) for p in s.result.supporting],
        # What other reports say about it when they neither support nor contradict it:
        # an editor's "related coverage" (most similar first, a few).
        "related": [passage(p, claim, contexts) for p in s.result.related[:RELATED_IN_DRAFTS]],
    }
    if s.story is not None:  # checked as a stored story's new version
        answer["stored_as"] = s.story.sentence_id
    return answer


def _sentence(hit: Hit) -> dict[str, Any]:
    return {
        "sentence_id": hit.sentence.id,
        "text": hit.sentence.text,
        "document": document_info(hit.document),
        "span": {"start": hit.sentence.start, "end": hit.sentence.end},
        "attribution": attribution(hit.analysis),
        "anchor": anchor(hit.analysis),
    }


def finding(f: Finding) -> dict[str, Any]:
    """`a` is the sentence judged as the claim; reasons' claim_spans index into it.

    `verdict` is "contradicts", or "changed" for a change over time."""
    return {
        "id": f.id,
        "created_at": f.created_at,
        "similarity": round(f.similarity, 4),
        "verdict": f.judgement.verdict.value,
        "confidence": round(f.judgement.confidence, 4),
        "a": _sentence(f.a),
        "b": _sentence(f.b),
        "reasons": [reason(r, f.a.sentence.text, f.b.sentence.text) for r in f.judgement.reasons],
        "review": review(f.review),
        # For people: what the finding is about in words, and how far apart the reports were.
        "headline": text.headline(f),
        "days_apart": text.days_apart(f),
    }


def review(r: Review | None) -> dict[str, Any]:
    """An editor's decision; `{"state": "open", ...}` with nulls while there is none."""
    if r is None:
        return {"state": "open", **dict.fromkeys(("reason", "note", "decided_by", "decided_at"))}
    return {
        "state": r.state.value,
        "reason": r.reason,
        "note": r.note,
        "decided_by": r.decided_by,
        "decided_at": r.decided_at,
    }


def ingest_summary(summary: IngestSummary) -> dict[str, Any]:
    return {
        "added": summary.added,
        "replaced": summary.replaced,
        "unchanged": summary.unchanged,
        "sentences": summary.sentences,
        "problems": [{"origin": p.origin, "message": p.message} for p in summary.problems],
    }


def scan_summary(summary: ScanSummary) -> dict[str, Any]:
    return dataclasses.asdict(summary)
