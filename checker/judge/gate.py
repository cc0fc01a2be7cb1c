"""The alignment gate: a verdict stands only when both sentences state the same fact.

The text judges (rules and the NLI model) speak first; `Gate.decide` then reads both
sentences' stored analyses and:

1. calls a reprinted sentence a copy (it supports, and is never a contradiction);
2. adds the reasons of the rules that read analyses: the entity rule's (a different place,
   person or organisation in the same slot) and the debunking rule's (one side calls false
   what the other asserts);
3. keeps a contradiction or support reason only when alignment says the two sentences state
   the same fact (each kind has its own bar, below), and a value contradiction only when the
   two are not one template filled for two subjects (`subjects_swapped`); the rest
   become dissent;
4. turns a value contradiction between sentences anchored on different days into a change over
   time (Verdict.CHANGED);
5. lists the alignment evidence as the last reason of every verdict it lets through.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from functools import cached_property

from checker.judge.align import (
    Alignment,
    align,
    denies_what_other_says,
    is_copy,
    is_furniture,
    same_speaker,
    subjects_swapped,
)
from checker.judge.base import combine
from checker.judge.calibration import Calibration, load_calibration
from checker.judge.rules import same_words
from checker.judge.rules.debunk import debunk_reason
from checker.judge.rules.entity import entity_reason
from checker.judge.rules.numbers import two_moves
from checker.types import Analysis, Judgement, Reason, Verdict

# Reasons about a value in a slot (rather than the polarity of the whole statement).
VALUE_KINDS = frozenset({"number", "entity"})
# Reasons that stand without alignment: the passage repeats the claim.
SELF_EVIDENT = frozenset({"identical", "copy"})


@dataclass(frozen=True)
class Bar:
    """How much two sentences must share for a reason of some kind to stand."""

    min_overlap: float
    min_shared: int

    def passed(self, alignment: Alignment) -> bool:
        return alignment.agrees(self.min_overlap, self.min_shared)

    def shares(self, alignment: Alignment) -> bool:
        """Enough shared content, whatever the main clauses say."""
        return alignment.overlap >= self.min_overlap and len(alignment.shared) >= self.min_shared


@dataclass(frozen=True)
class GateSettings:
    """The bars per kind of reason. Chosen on hand-judged flags of real multi-source news
    (bench/results/), never on the NLI evaluation sets."""

    nli: Bar = Bar(0.5, 3)
    value: Bar = Bar(0.5, 3)
    date: Bar = Bar(0.4, 2)
    negation: Bar = Bar(0.35, 3)
    # A different name is the discrepancy only when all else is the same statement.
    entity: Bar = Bar(0.75, 3)
    support: Bar = Bar(0.5, 2)

    @property
    def floor(self) -> Bar:
        """The least any bar asks: a pair sharing less can have no reason kept but a copy's.
        Every field is a bar, so a bar added later counts here without being listed."""
        bars = [getattr(self, f.name) for f in fields(self)]
        return Bar(min(b.min_overlap for b in bars), min(b.min_shared for b in bars))

    def bar(self, reason: Reason) -> Bar:
        if reason.verdict is Verdict.SUPPORTS:
            return self.support
        bars = {
            "number": self.value,
            "date": self.date,
            "negation": self.negation,
            "entity": self.entity,
        }
        return bars.get(reason.kind, self.nli)


@dataclass
class Sides:
    """A (claim, passage) pair as the gate reads it: both texts and their analyses. What the
    gate works out about the pair (copy? furniture? alignment) it works out once, though both
    `Gate.model_can_matter` and `Gate.decide` ask."""

    a_text: str
    b_text: str
    a: Analysis
    b: Analysis

    @cached_property
    def alignment(self) -> Alignment:
        return align(self.a, self.b)

    @cached_property
    def copy(self) -> bool:
        return is_copy(self.a_text, self.b_text, self.a, self.b, self.alignment)

    @cached_property
    def furniture(self) -> bool:
        return is_furniture(self.a_text) or is_furniture(self.b_text)

    @cached_property
    def two_facts(self) -> bool:
        """The two sentences state two facts, not one: one template filled for two subjects,
        a fact whose owner one side leaves unsaid, or two moves of one figure from different
        starting levels (two occasions). Worked out only for a reason it could set aside (most
        pairs have none)."""
        return (
            subjects_swapped(self.a_text, self.b_text)
            or _whose_unsaid(self)
            or two_moves(self.a_text, self.b_text)
        )


class Gate:
    def __init__(
        self,
        min_confidence: float,
        settings: GateSettings | None = None,
        calibration: Calibration | None = None,
    ) -> None:
        self.min_confidence = min_confidence
        self.settings = settings or GateSettings()
        self.calibration = load_calibration() if calibration is None else calibration

    def judges_can_matter(self, sides: Sides) -> bool:
        """Whether any text judge's reading of the pair could be kept: not a copy or page
        furniture (decided without them), and sharing enough to pass the lowest bar, or the
        same words (the rules' "identical", which needs no alignment). Most pairs a check or
        a scan finds share less (88 % of a check's on ABC), so the rules skip them too."""
        if sides.copy or sides.furniture:
            return False
        return self.settings.floor.shares(sides.alignment) or same_words(sides.a_text, sides.b_text)

    def model_can_matter(self, sides: Sides) -> bool:
        """Whether an NLI reading of the pair could be kept: not a copy, and aligned enough
        for a model contradiction or support to stand. Otherwise `decide` would set any
        reading aside, so the model need not run (the cascade: cheap gates first)."""
        if sides.copy or sides.furniture:
            return False
        alignment = sides.alignment
        return self.settings.nli.passed(alignment) or self.settings.support.passed(alignment)

    def decide(self, judgement: Judgement, sides: Sides) -> Judgement:
        """The final judgement of the pair given the text judges' `judgement` of it."""
        if sides.copy:
            return _copy(judgement)
        if sides.furniture:
            return _furniture(judgement)
        a, b, alignment = sides.a, sides.b, sides.alignment
        found = [*judgement.reasons, *judgement.dissent]
        for extra in (entity_reason(alignment), debunk_reason(a, b)):
            if extra is not None:
                found.append(extra)
        kept: list[Reason] = []
        dissent: list[Reason] = []
        for reason in found:
            stands = self._stands(reason, alignment, a, b) and not (
                reason.verdict is not Verdict.RELATED
                and reason.kind != "negation"
                and sides.two_facts
            )
            (kept if stands else dissent).append(reason)
        decided = combine(kept, self.min_confidence)
        decided = _over_time(decided, a, b, alignment)
        return self._calibrated(_explained(decided, alignment, dissent))

    def _calibrated(self, judgement: Judgement) -> Judgement:
        """A flag's confidence is how often flags decided the same way were right."""
        if judgement.verdict not in (Verdict.CONTRADICTS, Verdict.CHANGED):
            return judgement
        lead = _deciding(judgement)
        confidence = self.calibration.confidence(judgement.verdict, lead, judgement.confidence)
        return replace(judgement, confidence=confidence)

    def _stands(self, reason: Reason, alignment: Alignment, a: Analysis, b: Analysis) -> bool:
        if reason.kind in SELF_EVIDENT or reason.verdict is Verdict.RELATED:
            return True
        bar = self.settings.bar(reason)
        if reason.verdict is not Verdict.CONTRADICTS:
            return bar.passed(alignment)
        if _hearsay(a) or _hearsay(b):
            # "... passed away," the report claimed: the sentence says what a report or post
            # claims, not that it is so, and a denial of the claim does not contradict that.
            return False
        if reason.kind == "negation":
            # What one side denies the other speaks of: that is the shared fact, whatever
            # verbs frame it ("the withdrawal of remaining forces" / "there are no forces").
            met = bar.shares(alignment) and denies_what_other_says(a, b)
            return met and not (_said_of_the_past(a, b) or _said_of_the_past(b, a))
        if reason.kind == "entity":
            # The one thing that differs, in a statement otherwise the same.
            whole = alignment.same_subject and alignment.same_predicate
            return bar.passed(alignment) and whole and len(alignment.differing) == 1
        if (_pronoun_subject(a) or _pronoun_subject(b)) and not same_speaker(a, b):
            # "It has announced a profit of $536,000": whose profit, the sentence alone does
            # not say, so it cannot be the same fact as another company's. Told by one speaker
            # on both sides, the figure is that speaker's account either way ("The Iraqi Grains
            # Board told reporters it had signed ..." / "The head of the Iraq Grains Board ...").
            return False
        if reason.kind == "number" and not alignment.numbers_differ:
            # The rule matched figures the parse does not put in one slot (the steel model's
            # price against the gold model's, a part against the whole).
            return False
        if alignment.names_clash:
            # Another person, place or organisation in the same slot: two subjects (two
            # hoaxes, two trials), so their figures and dates are not the same fact's.
            return False
        if reason.kind == "date" and not alignment.days_differ:
            # Times of day ("at 3:30 p.m." / "at 1 p.m.") mostly tell two events apart; a day
            # that differs for the same event is the discrepancy.
            return False
        if reason.kind not in ("number", "date") and not _something_differs(a, b, alignment):
            # A model contradiction must point at something: a value in the same slot, or a
            # denial on shared ground. Without one it is a reading of the wording.
            return False
        return bar.passed(alignment)


def _deciding(judgement: Judgement) -> str:
    """The kind of reason that decided a flag: for a change over time, the value reason
    behind it (the "time" reason only says why it is not a contradiction)."""
    kinds = [r.kind for r in judgement.reasons if r.kind not in ("time", "alignment")]
    return kinds[0] if kinds else "alignment"


_PRONOUNS = frozenset(
    ("it", "he", "she", "they", "we", "i", "you", "this", "that", "these", "those", "who",
     "which", "one")
)  # fmt: skip


def _pronoun_subject(analysis: Analysis) -> bool:
    return analysis.subject in _PRONOUNS


# A claim relayed from a document rather than from a person or body that stands behind it:
# "the report claimed", "a circulating report claims", "posts on social media alleged".
_DOCUMENTS = frozenset(
    ("report", "reports", "article", "articles", "post", "posts", "story", "stories", "rumour",
     "rumours", "rumor", "rumors", "website", "websites", "site", "sites", "tweet", "tweets",
     "blog", "message", "messages", "hoax", "video", "videos", "email", "emails")
)  # fmt: skip
_CLAIMING = ("claim", "alleg", "purport", "rumo")


def _hearsay(analysis: Analysis) -> bool:
    who = analysis.attribution
    if who is None or not who.verb.casefold().startswith(_CLAIMING):
        return False
    return any(word in _DOCUMENTS for word in who.speaker.casefold().split())


# A date that places what a sentence says before the time it is told at.
_PAST = re.compile(r"\b(?:last|previous|earlier|ago|yesterday|in (?:19|20)\d\d)\b|^(?:19|20)\d\d$")


def _said_of_the_past(asserter: Analysis, denier: Analysis) -> bool:
    """`asserter` dates what `denier` denies in the past ("Kim attended the event last year"
    / "the first time in three years Kim has not attended"): two occasions, both true."""
    denied = set(denier.negated)
    denier_dates = {v.norm for v in denier.values if v.kind == "date"}
    return any(
        v.kind == "date"
        and v.head in denied
        and v.norm not in denier_dates
        and _PAST.search(v.text.casefold()) is not None
        for v in asserter.values
    )


_POSSESSIVE = re.compile(r"\b(?:his|her|their)\b", re.IGNORECASE)


def _whose_unsaid(sides: Sides) -> bool:
    """One side names the person a fact is about ("a reward for al-Baghdadi's capture") and
    the other only says "his" ("a reward for information on his whereabouts"): whose reward,
    the second sentence alone does not say."""
    people = [
        {v.norm for v in side.values if v.kind == "entity" and v.label == "PERSON"}
        for side in (sides.a, sides.b)
    ]
    texts = (sides.a_text, sides.b_text)
    return any(
        people[i] and not people[1 - i] and _POSSESSIVE.search(texts[1 - i]) is not None
        for i in (0, 1)
    )


def _something_differs(a: Analysis, b: Analysis, alignment: Alignment) -> bool:
    return bool(alignment.differing) or denies_what_other_says(a, b)


def _furniture(judgement: Judgement) -> Judgement:
    """Page furniture (a credit line, a tweet's sign-off, a time stamp) states no fact."""
    return Judgement(Verdict.RELATED, 0.0, (), (*judgement.reasons, *judgement.dissent))


def _copy(judgement: Judgement) -> Judgement:
    reason = Reason(
        "copy",
        Verdict.SUPPORTS,
        1.0,
        "the same sentence reprinted: only attribution, quotes, punctuation or a descriptor differ",
    )
    dissent = tuple(r for r in (*judgement.reasons, *judgement.dissent) if r.kind != "identical")
    return Judgement(Verdict.SUPPORTS, 1.0, (reason,), dissent)


def _over_time(decided: Judgement, a: Analysis, b: Analysis, alignment: Alignment) -> Judgement:
    """A value contradiction between sentences anchored on different days is a change."""
    if decided.verdict is not Verdict.CONTRADICTS or not decided.reasons:
        return decided
    lead = decided.reasons[0]
    # A different date alone is a contradiction about when; a different figure with it is
    # the same figure read at two moments.
    about_a_value = lead.kind in VALUE_KINDS or alignment.numbers_differ
    if not about_a_value or not a.anchor or not b.anchor or a.anchor == b.anchor:
        return decided
    reason = Reason(
        "time",
        Verdict.CHANGED,
        decided.confidence,
        f"the same fact at two moments: {a.anchor} ({_anchor_source(a)}) and {b.anchor} "
        f"({_anchor_source(b)})",
    )
    return Judgement(Verdict.CHANGED, decided.confidence, (reason, *decided.reasons))


def _anchor_source(analysis: Analysis) -> str:
    return "its own date" if analysis.anchor_source == "sentence" else "the report's date"


def _explained(decided: Judgement, alignment: Alignment, dissent: list[Reason]) -> Judgement:
    """Only reasons that lean the verdict's way are its reasons; the alignment evidence
    closes the list of a verdict it let through."""
    verdicts = {decided.verdict}
    if decided.verdict is Verdict.CHANGED:
        verdicts.add(Verdict.CONTRADICTS)
    agreeing = tuple(r for r in decided.reasons if r.verdict in verdicts)
    against = tuple(r for r in decided.reasons if r.verdict not in verdicts)
    if decided.verdict is Verdict.RELATED:
        return Judgement(Verdict.RELATED, 0.0, (), (*against, *agreeing, *dissent))
    claim_spans, passage_spans = alignment.differing_spans()
    evidence = Reason(
        "alignment",
        decided.verdict,
        alignment.overlap,
        f"same fact: {alignment.evidence()}",
        claim_spans,
        passage_spans,
    )
    if agreeing and agreeing[0].kind in SELF_EVIDENT:
        return Judgement(decided.verdict, decided.confidence, agreeing, (*against, *dissent))
    return Judgement(
        decided.verdict, decided.confidence, (*agreeing, evidence), (*against, *dissent)
    )
