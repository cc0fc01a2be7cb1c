"""Checking a whole draft: split it into sentences and check each against the corpus.

The check page and the widget send the editor's draft here. Each sentence is checked with
`Checker.check` exactly as a claim would be, so a sentence gets the same passages, verdicts
and reasons it would get on its own; offsets say where it lies in the draft so a front end
can highlight it in place.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from checker.errors import InvalidInput, PayloadTooLarge
from checker.segment import segment
from checker.service import Checker, CheckFilters, CheckResult
from checker.types import Document, Finding

# Each sentence is one search and one judging round (embedding is batched); this bounds the time a
# single request can hold a worker (a long feature is a few hundred sentences: send it in parts).
MAX_DRAFT_SENTENCES = 200

# The id the draft gets while it is segmented; it never reaches the store.
DRAFT_ID = "draft"

# A draft sentence's verdict, most pressing first (see DraftSentence.verdict).
DRAFT_VERDICTS = ("disputed", "contradicts", "changed", "supports", "related", "none")


@dataclass(frozen=True)
class StoryMatch:
    """A draft sentence seen against the stored version of its story (the draft was checked
    with `exclude_document`): `sentence_id` is the stored sentence with the same words (None:
    the sentence was written or edited since the story was stored), and `findings` the scan's
    findings between that stored sentence and a passage, by the passage's sentence id. Those
    are the flags an editor can confirm or dismiss from the draft."""

    sentence_id: str | None
    findings: Mapping[str, Finding] = field(default_factory=dict)


@dataclass(frozen=True)
class DraftSentence:
    """One sentence of the draft, where it lies (`draft[start:end] == text`), and its check;
    `story` only when the draft was checked as a stored story's new version."""

    text: str
    start: int
    end: int
    result: CheckResult
    story: StoryMatch | None = None

    @property
    def verdict(self) -> str:
        """The sentence's overall verdict, one of DRAFT_VERDICTS: "disputed" when some reports
        support it and others contradict it; else any contradiction decides it; then a change
        over time (the same fact with another value at another moment) before support, since
        the draft's figure may be the older or the newer one."""
        if self.result.contradicting:
            return "disputed" if self.result.supporting else "contradicts"
        if self.result.changed:
            return "changed"
        if self.result.supporting:
            return "supports"
        if self.result.related:
            return "related"
        return "none"


@dataclass(frozen=True)
class DraftResult:
    sentences: list[DraftSentence]
    took_ms: float


def check_draft(
    checker: Checker, text: str, k: int | None = None, filters: CheckFilters | None = None
) -> DraftResult:
    """Check every sentence of `text`. Raises InvalidInput or PayloadTooLarge, naming `text`."""
    checker.load_models()  # a first-use model load is not part of the draft's time
    started = time.perf_counter()
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput("text must be a non-empty string", field="text")
    sentences = segment(Document(id=DRAFT_ID, text=text, body=((0, len(text)),)))
    if len(sentences) > MAX_DRAFT_SENTENCES:
        raise PayloadTooLarge(
            f"the draft has {len(sentences)} sentences; at most {MAX_DRAFT_SENTENCES} are "
            "checked in one request: send it in parts"
        )
    limit = checker.settings.max_claim_chars
    for n, sentence in enumerate(sentences, start=1):
        if len(sentence.text) > limit:
            raise InvalidInput(
                f"sentence {n} (characters {sentence.start}-{sentence.end}) is "
                f"{len(sentence.text)} characters; the limit is {limit} "
                "(CHECKER_MAX_CLAIM_CHARS): is punctuation missing?",
                field="text",
            )
    # One embedding call for the whole draft (repeated sentences come from the claim cache);
    # each sentence then gets its own search and judging, exactly as a claim would.
    vectors = checker.claim_vectors([s.text.strip() for s in sentences])
    checked = [
        DraftSentence(s.text, s.start, s.end, checker.check(s.text, k, filters, vector=v[None]))
        for s, v in zip(sentences, vectors, strict=True)
    ]
    if filters is not None and filters.exclude_document:
        checked = _against_story(checker, checked, filters.exclude_document)
    return DraftResult(checked, round((time.perf_counter() - started) * 1000, 1))


def _words(text: str) -> str:
    return " ".join(text.split())


def _against_story(
    checker: Checker, checked: list[DraftSentence], document_id: str
) -> list[DraftSentence]:
    """Each sentence with the stored sentence of the story that has the same words, and the
    scan's findings between it and other reports (an unknown story matches nothing)."""
    stored_hits, _ = checker.store.document_vectors(document_id)
    stored = {_words(hit.sentence.text): hit.sentence.id for hit in stored_hits}
    found: dict[str, dict[str, Finding]] = {}
    for finding in checker.store.findings_of(document_id):
        for own, other in ((finding.a, finding.b), (finding.b, finding.a)):
            if own.document.id == document_id and other.document.id != document_id:
                found.setdefault(own.sentence.id, {})[other.sentence.id] = finding
    matched = []
    for sentence in checked:
        own_id = stored.get(_words(sentence.text))
        story = StoryMatch(own_id, found.get(own_id, {}) if own_id else {})
        matched.append(replace(sentence, story=story))
    return matched
