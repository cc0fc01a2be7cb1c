"""Plain data passed between the stages. No I/O, no heavy imports.

Offsets are always character offsets into `Document.text` (for sentences) or into the
sentence/claim text itself (for the spans inside a `Reason`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple
from urllib.parse import urlsplit

Span = tuple[int, int]
"""A half-open character range [start, end)."""


class Verdict(StrEnum):
    """What a passage does to a claim.

    CHANGED: the two state the same fact with different values at different moments (a count
    revised the next morning, an indicator on two days): a change over time, not a
    contradiction.
    """

    SUPPORTS = "supports"
    CONTRADICTS = "contradicts"
    CHANGED = "changed"
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
    """The verdict on one (claim, passage) pair and the reasons that support it, deciding
    one first. `dissent` keeps the readings that leaned another way or were set aside by
    alignment (a model's "neutral 0.87" under a contradiction), never shown as reasons."""

    verdict: Verdict
    confidence: float
    reasons: tuple[Reason, ...] = field(default_factory=tuple)
    dissent: tuple[Reason, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Attribution:
    """Who asserts a sentence: the speaker or source and the reporting verb as written
    ("Armenian PM Nikol Pashinyan" — "claiming"). `span` covers the speaker in the sentence.
    A sentence the text asserts directly has no Attribution."""

    speaker: str
    verb: str
    span: Span

    @property
    def phrase(self) -> str:
        return f"{self.speaker} — {self.verb}"


@dataclass(frozen=True)
class Value:
    """A number, date, or named entity in a sentence, and the word it attaches to.

    `kind` is "number", "date" or "entity"; `label` the spaCy entity label (CARDINAL, MONEY,
    DATE, GPE, PERSON, ...); `norm` a comparable form (a number as a plain decimal, a date as
    ISO, a name casefolded); `head` the lemma of what it counts or belongs to ("sheep" in
    "300 sheep", "land" in "landed in Lyon"); `verb` the lemma of the verb a counted thing
    is the subject or object of ("fall" in "seven girls fell pregnant"), "" where none is.
    """

    kind: str
    label: str
    text: str
    span: Span
    norm: str
    head: str = ""
    verb: str = ""


class Word(NamedTuple):
    """One token of a sentence as spaCy read it: what the rules walk instead of tokenising the
    text again. `span` is into the sentence; `lemma` lower case; `pos` and `tag` spaCy's
    coarse and fine part of speech ("PROPN", "NNP"); `stop` spaCy's stopword flag; `name`
    inside a named entity that names something (a place, person, organisation, nationality);
    `dep` its dependency label and `head` how many words after it (before it, if negative)
    its head is, 0 for the root. A named tuple, not a dataclass: a sentence has dozens, built
    whenever one is read."""

    span: Span
    lemma: str
    pos: str
    tag: str
    stop: bool
    name: bool
    dep: str = ""
    head: int = 0


@dataclass(frozen=True)
class Analysis:
    """What judging needs to know about one sentence, worked out once at ingest (spaCy).

    `lemmas`: content-word lemmas in order, values excluded (the value-masked form alignment
    compares); `predicate`/`subject`: lemmas of the main (or reported) clause's verb and its
    subject; `negated`: lemmas the sentence denies; `unasserted`: content lemmas it speaks of
    without asserting them (inside its denials, or inside a claim it mentions); `anchor`: the
    ISO date the sentence speaks of (its own date resolved against the document's date, else
    the document's date), with `anchor_source` "sentence" or "published" (None when neither
    is known); `classifiers`: (noun, the noun that narrows it) pairs, lemmas ("hominid
    skeleton" -> ("skeleton", "hominid")); `complements`: (verb, the verb of its open
    complement) pairs, lemmas ("asking customers to stop using Tor" -> ("ask", "stop"),
    ("stop", "use")); `debunked`: the lemmas of what the sentence calls false, a hoax or
    debunked (a subset of `negated`: "reports that Banksy was arrested are false" -> "arrest");
    `words`: every token but spaces, in order (`Word`), which the rules read (a stored
    analysis decodes them only when they are first read: `checker.analyse.codec`).
    """

    version: int
    lemmas: tuple[str, ...] = ()
    values: tuple[Value, ...] = ()
    predicate: str | None = None
    subject: str | None = None
    negated: tuple[str, ...] = ()
    unasserted: tuple[str, ...] = ()
    attribution: Attribution | None = None
    anchor: str | None = None
    anchor_source: str | None = None
    classifiers: tuple[tuple[str, str], ...] = ()
    complements: tuple[tuple[str, str], ...] = ()
    debunked: tuple[str, ...] = ()
    words: Sequence[Word] = ()


@dataclass(frozen=True)
class Hit:
    """A sentence found near a query vector, with the document it belongs to and, where it
    has been analysed, its stored `analysis`. `index`: the sibling index it was found in, when
    a check searched several (None: the one index searched)."""

    sentence: Sentence
    document: DocumentInfo
    similarity: float
    analysis: Analysis | None = None
    index: str | None = None

    def at(self, similarity: float) -> Hit:
        """The same hit found at another similarity (a search hands out one stored hit at
        many; built directly, as `dataclasses.replace` takes twice as long)."""
        return Hit(self.sentence, self.document, similarity, self.analysis, self.index)


@dataclass(frozen=True)
class Passage:
    """A hit together with the judgement of it against the claim."""

    hit: Hit
    judgement: Judgement


class ReviewState(StrEnum):
    """An editor's decision on a finding. OPEN: no decision yet (the default)."""

    OPEN = "open"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"


# Why a finding was dismissed (optional); the feedback export carries it to the training data.
DISMISS_REASONS = ("different-subjects", "different-time", "copy", "other")


@dataclass(frozen=True)
class Review:
    """A decision on a finding's pair of sentences: who made it and when.

    `reason` is one of DISMISS_REASONS (dismissed findings only); `note` is free text.
    """

    state: ReviewState
    decided_by: str
    decided_at: str
    reason: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Finding:
    """A stored cross-document contradiction found by the discrepancy scan.

    `a` is the sentence judged as the claim, `b` the one judged as the passage; the spans in
    the reasons index into them in that order. `review` is None while no editor has decided.
    """

    id: int
    a: Hit
    b: Hit
    similarity: float
    judgement: Judgement
    created_at: str
    review: Review | None = None

    @property
    def review_state(self) -> ReviewState:
        return self.review.state if self.review else ReviewState.OPEN


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
