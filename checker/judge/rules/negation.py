"""The negation rule: one sentence denies what the other asserts or presupposes.

It takes each stance (`checker.judge.rules.stances`) of one sentence and looks for the same
phrase in the other: for a noun phrase, the same head noun with compatible modifiers
("no Armenian armed forces" finds "remaining Armenian forces" but not "Azerbaijani forces");
for a clause, all its content words close together ("denied the company paid kickbacks" finds
"the company paid kickbacks"). Opposite polarity contradicts; the same polarity supports.

Confidence = how clearly each side takes its stance × how well the phrases match × how many
(and how rare) the matched words are × whether the sentences share anything besides.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from checker.judge.rules import nouns
from checker.judge.rules.stances import (
    MODALS,
    Stance,
    irrealis,
    negated_tokens,
    stances,
)
from checker.judge.rules.text import (
    PUNCT_BOUNDARY,
    Token,
    analyse,
    clip,
    content_weight,
    cover,
    overlap,
    quote,
    words,
)
from checker.types import Reason, Span, Verdict

# Modifiers that do not restrict what a noun phrase names ("other forces" are still forces).
_NEUTRAL_MODIFIERS = words("remaining other such former current several")
_NEGATIONS = words("no not never none nothing nobody neither nor without cannot")
# Words that report a claim rather than make it: "accused of paying kickbacks".
_ALLEGED = words("accused accuse accuses alleged allegedly allegations claims claimed suspected")


@dataclass(frozen=True)
class _Side:
    """One sentence of the pair, read once."""

    text: str
    tokens: tuple[Token, ...]
    stances: tuple[Stance, ...]
    negated: frozenset[int]
    question: bool

    @classmethod
    def read(cls, text: str) -> _Side:
        question = text.rstrip().endswith("?")
        return cls(text, analyse(text), stances(text), negated_tokens(text), question)

    @property
    def own_stances(self) -> list[Stance]:
        """The stances the sentence itself takes (not those of a relative clause)."""
        return [s for s in self.stances if not s.restrictive]


@dataclass(frozen=True)
class _Found:
    """Where a stance's phrase turned up in the other sentence, and how well it matched."""

    indices: tuple[int, ...]  # matched tokens in the other sentence
    quality: float  # 0..1: how exactly the phrase matched
    weight: float  # matched words, names counting double, the rest of the scope included
    distinct: int  # matched words of the phrase itself and of the phrase right after it
    negative: bool  # the other sentence denies it too
    strength: float  # how clearly the other sentence takes its stance there


@dataclass(frozen=True)
class _Candidate:
    verdict: Verdict
    confidence: float
    detail: str
    spans: tuple[Span, Span]  # (in the sentence holding the stance, in the other one)


class NegationRule:
    """Denial in one sentence of what the other asserts exists or happened."""

    name = "negation"

    def check(self, claim: str, passage: str) -> Reason | None:
        a, b = _Side.read(clip(claim)), _Side.read(clip(passage))
        if not (a.stances or b.stances):
            return None
        found: list[tuple[_Candidate, bool]] = []
        for stance in a.own_stances:
            found.extend((c, False) for c in _judge(stance, a, b, ("claim", "passage")))
        for stance in b.own_stances:
            found.extend((c, True) for c in _judge(stance, b, a, ("passage", "claim")))
        if not found:
            return None
        # A contradiction outranks any support here; combine() makes the same call across rules.
        candidate, swapped = max(
            found, key=lambda f: (f[0].verdict is Verdict.CONTRADICTS, f[0].confidence)
        )
        own, other = candidate.spans
        claim_span, passage_span = (other, own) if swapped else (own, other)
        return Reason(
            kind=self.name,
            verdict=candidate.verdict,
            confidence=round(candidate.confidence, 3),
            detail=candidate.detail,
            claim_spans=(claim_span,),
            passage_spans=(passage_span,),
        )


def _judge(stance: Stance, own: _Side, other: _Side, names: tuple[str, str]) -> list[_Candidate]:
    if stance.kind == "exist":
        matches = _find_phrase(stance, own, other)
    else:
        matches = [m for m in [_find_clause(stance, own, other)] if m is not None]
    return [_candidate(stance, own, other, names, m) for m in matches if _counts(stance, m)]


def _counts(stance: Stance, match: _Found) -> bool:
    if match.distinct < 2:
        return False  # one shared word is not enough to say both speak of one thing
    # A positive stance that meets a denial is judged from the denial's side instead.
    return stance.negative or not match.negative


def _candidate(
    stance: Stance, own: _Side, other: _Side, names: tuple[str, str], match: _Found
) -> _Candidate:
    confidence = stance.strength * match.strength * match.quality * (1.0 - 0.5**match.weight)
    confidence *= _context(stance, own, other, match)
    if stance.period and not _same_period(stance, own, other):
        confidence *= _BOUNDED
    phrase = quote(own.text, cover(own.tokens, stance.core))
    mine, theirs = names
    if stance.negative and not match.negative:
        verdict = Verdict.CONTRADICTS
        tail = " exist" if stance.kind == "exist" else ""
        detail = f'{mine} denies "{phrase}" that the {theirs} asserts{tail}'
    elif stance.negative:
        verdict, detail = Verdict.SUPPORTS, f'claim and passage both deny "{phrase}"'
    else:
        verdict, detail = Verdict.SUPPORTS, f'claim and passage both assert "{phrase}" exist'
    spans = (_own_span(stance, own), _other_span(match, other))
    return _Candidate(verdict, confidence, detail, spans)


# How much less a denial bounded to a period counts against a sentence that does not name the
# same period: "had not been seen in public in a year" leaves "was last seen on 9 January
# 2014" true, and the moment of the other sentence is not read here, so a sighting within the
# period (a real contradiction) cannot be told from one before it.
_BOUNDED = 0.5
# What names a period: its nouns and numbers ("September 3", "2009", "year", "office").
_PERIOD_TAGS = frozenset({"NN", "NNS", "NNP", "NNPS", "CD"})


def _same_period(stance: Stance, own: _Side, other: _Side) -> bool:
    """Whether the other sentence names the period the denial is bounded to: "the first time
    Kim has been seen since September 3" meets "Kim has not been seen since September 3" on it."""
    named = {own.tokens[k].lemma for k in stance.period if own.tokens[k].tag in _PERIOD_TAGS}
    return bool(named) and named <= {t.lemma for t in other.tokens}


def _find_phrase(stance: Stance, own: _Side, other: _Side) -> list[_Found]:
    """Every occurrence of the stance's noun phrase (head + modifiers) in `other`: one may be
    denied there and another asserted, and each is judged."""
    head = own.tokens[stance.core[-1]]
    modifiers = {own.tokens[k].lemma: own.tokens[k] for k in stance.core[:-1]}
    found: list[_Found] = []
    for t in other.tokens:
        if not t.is_content or t.lemma != head.lemma:
            continue
        theirs = _modifiers_before(other.tokens, t.index)
        shared = set(modifiers) & set(theirs)
        only_own = set(modifiers) - shared
        only_theirs = set(theirs) - shared - _NEUTRAL_MODIFIERS
        # Each side may add a modifier ("armed forces" ~ "forces"), but "Armenian forces" and
        # "Azerbaijani forces" are different things: a clash costs far more than an addition.
        clash = 1.5 * min(len(only_own), len(only_theirs))
        extra = 0.25 * (len(only_own) + len(only_theirs))
        quality = (1 + len(shared)) / (1 + len(shared) + extra + clash)
        if _is_modifier(other.tokens, t.index):
            quality *= 0.6  # "rain gauge" is not rain
        indices = (t.index, *(theirs[s] for s in shared))
        weight = content_weight(head) + sum(content_weight(modifiers[s]) for s in shared)
        tail_weight, near = _tail(stance, own, other, indices)
        distinct = 1 + len(shared) + near
        found.append(_found(other, indices, quality, weight + tail_weight, distinct, "exist"))
    return found


def _find_clause(stance: Stance, own: _Side, other: _Side) -> _Found | None:
    """All the clause's content words close together in `other`. All of them: the one left
    out is too often the point ("denied he knew X was paying" must find "knew")."""
    lemmas = [own.tokens[k].lemma for k in stance.core]
    places = {s: [t.index for t in other.tokens if t.is_content and t.lemma == s] for s in lemmas}
    if not all(places.values()):
        return None
    window = _tightest(lemmas, places)
    if window is None:
        return None
    quality = 1.0
    weight = sum(content_weight(own.tokens[k]) for k in stance.core)
    distinct = len(set(lemmas))
    if stance.subject:
        # The subject's head noun must be there: "higher tonnages" is not "higher prices".
        # ... and close to the clause (before it, or just after it when the other sentence is
        # in the passive voice), not anywhere in the sentence.
        head = own.tokens[stance.subject[-1]].lemma
        nearby = other.tokens[max(0, window[0] - 8) : window[-1] + 4]
        subject_found = [t for t in nearby if t.is_content and t.lemma == head]
        if subject_found:
            weight += max(content_weight(t) for t in subject_found)
            distinct += 1
        else:
            quality *= 0.6  # a named subject the other sentence lacks: likely someone else
    tail_weight, near = _tail(stance, own, other, window)
    if len(stance.core) == 1 and stance.tail and not tail_weight:
        quality *= 0.7  # "not prepared for legal advice" may deny only the purpose
    return _found(other, window, quality, weight + tail_weight, distinct + near, "event")


def _tightest(lemmas: Sequence[str], places: dict[str, list[int]]) -> tuple[int, ...] | None:
    """The closest-together occurrence of the lemmas, if close enough to be one clause."""
    best: tuple[int, ...] | None = None
    for anchor in places[lemmas[0]]:
        chosen = sorted({min(places[s], key=lambda p: abs(p - anchor)) for s in lemmas})
        if chosen[-1] - chosen[0] > 3 * len(lemmas) + 2:
            continue
        if best is None or chosen[-1] - chosen[0] < best[-1] - best[0]:
            best = tuple(chosen)
    return best


def _found(
    other: _Side, indices: tuple[int, ...], quality: float, weight: float, distinct: int, kind: str
) -> _Found:
    """Reads the other sentence's stance on the matched words: denied, asserted or mentioned."""
    denials = [s for s in other.stances if s.negative and set(indices) & set(s.words)]
    if denials or set(indices) & other.negated or _negation_next_to(other.tokens, indices):
        strength = max((s.strength for s in denials), default=0.8)
        return _Found(indices, quality, weight, distinct, True, strength)
    explicit = any(set(indices) <= set(s.core) for s in other.stances if not s.negative)
    # A plain mention presupposes that a thing exists less firmly than "remaining X" does; a
    # whole clause found as it stands asserts about as firmly as a denial denies.
    strength = 1.0 if explicit else 0.65 if kind == "exist" else 0.85
    if not explicit and (irrealis(other.tokens, min(indices)) or _obliged(other.tokens, indices)):
        strength *= 0.5
    if any(t.low in _ALLEGED for t in other.tokens[max(0, min(indices) - 4) : min(indices)]):
        strength *= 0.7  # "accused of X" reports a claim of X, it does not assert X
    if other.question:
        strength *= 0.5  # "Is there a difference?" asserts nothing
    return _Found(indices, quality, weight, distinct, False, strength)


# "the office must be rat-free before she enters": what a modal governs is not asserted.
_MODAL_LEMMAS = MODALS | {"must"}


def _obliged(tokens: Sequence[Token], indices: Sequence[int]) -> bool:
    """A modal among the matched words: they are required or possible, not asserted."""
    return any(t.lemma in _MODAL_LEMMAS for t in tokens[min(indices) : max(indices)])


def _negation_next_to(tokens: Sequence[Token], indices: Sequence[int]) -> bool:
    """A negation right by the matched words, in the same clause, even where no stance was
    read from it ("contained none of these", "are not the same as bias"): then the sentence
    does not assert those words, whatever else it does."""
    first, last = min(indices), max(indices)
    for span in (range(first - 1, max(-1, first - 5), -1), range(last + 1, last + 3)):
        for i in span:
            if not 0 <= i < len(tokens) or tokens[i].low in PUNCT_BOUNDARY:
                break
            if tokens[i].low in _NEGATIONS or tokens[i].low.endswith("n't"):
                return True
    return False


# How a word narrows the noun it depends on, as spaCy parses it: "Armenian (amod) armed (amod)
# forces", "Tour (compound) suspension", "oil (nmod) - for - food programme".
_MODIFYING = frozenset({"amod", "compound", "nmod"})


def _modifiers_before(tokens: Sequence[Token], head: int) -> dict[str, int]:
    """The content words before the noun `head` that narrow it, those that narrow them
    ("Kenyan army forces") and their conjuncts ("Azerbaijani and Armenian forces"), as spaCy
    parsed them: at most three, by lemma. A place before the phrase is none ("In Karabakh
    Armenian forces remain")."""
    found: dict[str, int] = {}
    for k in nouns.narrowing_before(tokens, head, _MODIFYING):
        t = tokens[k]
        if t.is_content and t.low != "remaining" and len(found) < 3:
            found.setdefault(t.lemma, k)
    return found


def _is_modifier(tokens: Sequence[Token], i: int) -> bool:
    """A noun that narrows a noun after it is not the thing itself ("rain gauge")."""
    return tokens[i].dep == "compound" and tokens[i].head > i


def _tail(stance: Stance, own: _Side, other: _Side, used: Sequence[int]) -> tuple[float, int]:
    """Words of the rest of the scope ("in Karabakh") found in the other sentence: their weight
    (a bonus wherever they are), and how many follow the match closely enough to belong to
    the same phrase ("risk of fireblight")."""
    lemmas = {own.tokens[k].lemma: own.tokens[k] for k in stance.tail}
    hits = {
        t.index: t.lemma
        for t in other.tokens
        if t.is_content and t.index not in used and t.lemma in lemmas
    }
    weight = sum(content_weight(lemmas[s]) for s in set(hits.values()))
    last = max(used)
    near = {s for i, s in hits.items() if last < i <= last + 4}
    return weight, len(near)


def _context(stance: Stance, own: _Side, other: _Side, match: _Found) -> float:
    """Sharing something beyond the phrase itself makes it likelier both speak of one thing."""
    skip_own = {*stance.words, *stance.cue}
    shared = overlap(own.tokens, other.tokens, skip_own, set(match.indices))
    rest = [t for t in own.tokens if t.is_content and t.index not in skip_own]
    return 1.0 if shared.shared or not rest else 0.85


def _own_span(stance: Stance, own: _Side) -> Span:
    return cover(own.tokens, (*stance.cue, *stance.core))


def _other_span(match: _Found, other: _Side) -> Span:
    """The matched words, with the presupposing cue when one is right there ("remaining")."""
    around = [
        s
        for s in other.stances
        if set(match.indices) & set(s.core) and s.negative == match.negative
    ]
    if around:
        tight = min(around, key=lambda s: _width(cover(other.tokens, (*s.cue, *s.core))))
        return cover(other.tokens, (*tight.cue, *tight.core, *match.indices))
    return cover(other.tokens, match.indices)


def _width(span: Span) -> int:
    return span[1] - span[0]
