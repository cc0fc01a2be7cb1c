"""Where a sentence takes a stance on a phrase: what it denies and what it asserts exists.

A `Stance` is a phrase (its content words, as token indices) with a polarity. Denials come from
cues with a scope after them ("there are no X", "no X", "not ... X", "never", "denied (that)
...", "without X", "failed to ...", "none of the X", "lack of X"); explicit assertions of
existence from presupposing cues ("remaining X", "X remain", "X are present/stationed/deployed",
"presence/withdrawal of X", "there are X"). The negation rule compares the stances of two
sentences; this module only reads one sentence at a time. Who a stance's subject is, the
clause a denying verb governs and the period a denial is bounded to come from spaCy's parse
(`checker.judge.rules.clauses`); the cues and the phrases after them from word walks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from checker.judge.rules import clauses, nouns
from checker.judge.rules.phrases import (
    AUX,
    BE,
    DETERMINERS,
    clause_core,
    content_until_boundary,
    content_until_stop,
    lows,
    skip,
    skip_back,
    tag_at,
    word_at,
)
from checker.judge.rules.text import PUNCT_BOUNDARY, Token, analyse, words


@dataclass(frozen=True)
class Stance:
    negative: bool
    kind: str  # "exist": a noun phrase exists; "event": a clause happened
    core: tuple[int, ...]  # content words that must all be found in the other sentence
    tail: tuple[int, ...]  # content words of the rest of the scope (place, object): a bonus
    subject: tuple[int, ...]  # who did it, for events negated after their subject
    cue: tuple[int, ...]  # the cue's own tokens
    strength: float  # how clearly the cue takes this stance, 0..1
    # Inside a relative clause ("episodes that caused no symptoms"): it names a subgroup
    # rather than denying anything, but the words it covers are still not asserted. So is the
    # rejection of a thing ("rejects the idea of governments buying water").
    restrictive: bool = False
    # The period a denial is bounded to ("in a year", "since September 3"), as token indices:
    # it denies only within it (`period`).
    period: tuple[int, ...] = ()

    @property
    def words(self) -> tuple[int, ...]:
        return self.core + self.tail + self.subject


MODALS = words("would could might may should")
# A clause governed by these is wished for, planned or supposed, not asserted.
_IRREALIS = words(
    "if unless whether would could might may should hope hopes hoped want wants wanted plan "
    "plans planned proposed propose proposes recommend recommends recommended recommending "
    "urge urges urged urging lobby lobbying lobbied seek seeking demand demanding considering "
    "ask asks asked asking invite invites invited request requests requested"  # "asked to comment"
)
# "X are present", "X remain": asserting that X exists.
EXIST_PREDICATES = words(
    "present stationed deployed based located remain remains remained remaining exist exists "
    "existed operating active"
)
_NEEDS_BE = words("present located active operating")
# "presence of X", "withdrawal of X": presupposing that X exists.
_EXIST_NOUNS = words("presence withdrawal deployment existence pullout redeployment arrival")
# "have never been better" praises; "not ... more" compares.
_COMPARATIVES = words(
    "better worse higher lower greater stronger bigger larger smaller more less cheaper "
    "easier harder"
)
# "not only", "not enough", "not all": "not" that qualifies rather than denies.
_NOT_EXCEPTIONS = words(
    "only just least necessarily enough all every much many quite always entirely completely "
    "fully exactly until far long so as too surprisingly unlike unusual uncommon same "
    "different similar identical"
)
# "does not pay for all treats": not all is some.
_ALL = words("all every everything everyone always")
# "no doubt", "no matter", "no more than", "no one" (counted by the number rule).
_NO_EXCEPTIONS = words("one doubt matter more less fewer sooner later way longer question")
_DENY = words("deny denies denied denying")
_REJECT = words("rejected rejects reject dismissed dismisses dismiss refuted refutes")
# Skipped after "denied"/"rejected": the claim itself follows them.
_CLAIM_NOUNS = words(
    "claim claims report reports allegation allegations suggestion suggestions accusation "
    "accusations speculation rumours rumors that any"
)
_THERE = words("there there's there're")
_LACK = words("lack lacks lacked lacking")
_STOPPED = words("stopped ceased halted suspended quit stops ceases halts suspends")
# Negative implicatives: "declined to comment" denies commenting as "did not comment" does.
_FAIL = words(
    "fail fails failed failing refuse refuses refused refusing decline declines declined "
    "declining unable"
)
# Quotation marks, as text.analyse writes them (curly ones made straight).
_QUOTE_MARKS = frozenset({'"', "“", "”", "«", "»"})
# "no word of X", "no sign of X": X is denied, not the word or the sign.
_NO_SIGN = words("word sign signs evidence indication indications trace report reports")
# "not going to X", "not able to X": the denial is of X.
_SEMI_AUX = words("going able likely set due about trying allowed supposed")
# "not ... as much": a comparison, not a denial.
_AS_MUCH = words(
    "much many often well good high strong big large quickly fast long far badly severe"
)
# A negation after one of these hedges rather than denies. By lemma: spaCy splits "cannot",
# "can't" and "couldn't" into the modal and the negation ("ca" is "can").
_HEDGING_MODALS = MODALS | {"can", "must"}


@lru_cache(maxsize=4096)
def stances(text: str) -> tuple[Stance, ...]:
    """Every denial and explicit existence assertion in `text`."""
    tokens = analyse(text)
    if text.rstrip().endswith("?"):
        return ()  # a question asserts nothing
    found: list[Stance] = []
    for t in tokens:
        stance = _denial(tokens, t.index) or _assertion(tokens, t.index)
        if stance is None or not stance.core:
            continue
        if stance.negative and clauses.in_relative_clause(tokens, t.index):
            stance = replace(stance, restrictive=True)
        if stance.negative:
            stance = replace(stance, period=clauses.period(tokens, stance.core[0]))
        found.append(stance)
    return tuple(found)


@lru_cache(maxsize=4096)
def negated_tokens(text: str) -> frozenset[int]:
    """Token indices inside the scope of some denial in `text`."""
    return frozenset(i for s in stances(text) if s.negative for i in (*s.cue, *s.words))


def irrealis(tokens: Sequence[Token], first: int) -> bool:
    """Whether the clause around token `first` is hypothetical, wished for or conditional."""
    for t in reversed(tokens[max(0, first - 8) : first]):
        if t.low in PUNCT_BOUNDARY:
            break
        if t.low in _IRREALIS:
            return True
    return False


def _denial(tokens: Sequence[Token], i: int) -> Stance | None:
    low = tokens[i].low
    nxt = word_at(tokens, i + 1)
    if low == "no" and nxt == "longer":
        return _event_denial(tokens, i, i + 2, 0.7, with_subject=True)
    if low == "no" and nxt in _NO_SIGN:
        of = next((k for k in range(i + 2, min(i + 6, len(tokens))) if tokens[k].low == "of"), None)
        if of is not None and not irrealis(tokens, i):
            return _event_denial(tokens, i, of + 1, 0.7, cue_end=of + 1)
    if low == "no":
        return _no_denial(tokens, i, nxt)
    if low in {"not", "never", "cannot"} or low.endswith("n't"):
        return _not_denial(tokens, i, nxt)
    if low in _DENY:
        return _deny_denial(tokens, i)
    if low in _REJECT and nxt in _CLAIM_NOUNS | {"the"}:
        start = skip(tokens, i + 1, _CLAIM_NOUNS | {"the", "that"})
        stance = _event_denial(tokens, i, start, 0.8, cue_end=start, clause=True)
        if stance is not None and _rejects_a_thing(tokens, i):
            # It denies nothing, but what it rejects ("the idea of governments buying
            # water") is not asserted either.
            stance = replace(stance, restrictive=True)
        return stance
    if (low in _FAIL and nxt == "to") or (low == "yet" and nxt == "to" and i > 0):
        # "failed to defend", "refused to pay", "has yet to declare"
        return _event_denial(tokens, i, i + 2, 0.7, with_subject=True)
    if low == "unlikely" and nxt == "to":
        return _event_denial(tokens, i, i + 2, 0.6, with_subject=True)
    if low in _STOPPED and tag_at(tokens, i + 1) == "VBG":
        return _event_denial(tokens, i, i + 1, 0.7, with_subject=True)  # "stopped processing"
    if low == "without":
        return _exist_denial(tokens, i, i + 1, 0.7)
    if low in {"none", "lack", "absence", "denial"} and nxt == "of":
        return _exist_denial(tokens, i, i + 2, 0.75)
    if low in _LACK and nxt != "of":
        return _exist_denial(tokens, i, i + 1, 0.8)
    return None


def _rejects_a_thing(tokens: Sequence[Token], cue: int) -> bool:
    """ "rejected the bill", "dismissed the states' challenge", "rejected the inquiry's final
    report, prepared by …", "rejects the idea of governments buying water": the parse shows a
    plain object that is no claim, and no clause saying what is claimed. Rejecting a thing
    opposes it; it denies nothing a sentence about the thing could assert."""
    rejected = clauses.object_of(tokens, cue)
    if rejected is None or clauses.clause_root(tokens, cue) is not None:
        return False
    claim_noun = tokens[rejected].low in _CLAIM_NOUNS
    return not claim_noun or any(t.head == rejected and t.dep == "poss" for t in tokens)


def _no_denial(tokens: Sequence[Token], i: int, nxt: str) -> Stance | None:
    """ "no X" denies that X exists only in "there is no X", "X-less" uses ("with no X",
    "have no X") and before an existence predicate ("no troops remain"). As a subject ("no
    politicians are calling for ...") it denies an event, which must then match as a whole;
    as an object ("pose no risk") it denies the verb with its object."""
    if nxt in _NO_EXCEPTIONS or nxt in PUNCT_BOUNDARY or nxt == "-" or not nxt:
        return None
    if i > 0 and tokens[i - 1].low in {"a", "the", "yes", "or"}:
        return None  # "a no vote", "yes or no"
    if irrealis(tokens, i):
        return None
    if any(t.low in _THERE for t in tokens[max(0, i - 3) : i]):
        return _exist_denial(tokens, i, i + 1, 1.0)
    if i > 0 and tokens[i - 1].low in AUX:
        return _exist_denial(tokens, i, i + 1, 0.8)  # "had no warning", "is no match"
    noun = nouns.noun_phrase(tokens, skip(tokens, i + 1, DETERMINERS))
    if not noun:
        return None
    after = skip(tokens, noun[-1] + 1, AUX)
    if word_at(tokens, after) in EXIST_PREDICATES:
        return _exist_denial(tokens, i, i + 1, 0.9)
    if word_at(tokens, noun[-1] + 1) in AUX or (after < len(tokens) and tokens[after].is_content):
        verb = content_until_stop(tokens, after)
        return Stance(True, "event", noun + verb, (), (), (i,), 0.85)
    before = skip_back(tokens, i - 1, AUX)
    if before >= 0 and tokens[before].is_content:
        tail = content_until_boundary(tokens, noun[-1] + 1)
        return Stance(True, "event", (before, *noun), tail, (), (i,), 0.85)
    return _exist_denial(tokens, i, i + 1, 0.8)


def _not_denial(tokens: Sequence[Token], i: int, nxt: str) -> Stance | None:
    if nxt in _NOT_EXCEPTIONS or (nxt == "to" and word_at(tokens, i + 2) == "mention"):
        return None
    after = word_at(tokens, skip(tokens, i + 1, AUX | DETERMINERS))
    if after in _NOT_EXCEPTIONS or after in _COMPARATIVES:
        return None  # "not the only risk"; "never been better" praises
    if i > 0 and tokens[i - 1].low in {"if", "or", "whether"}:
        return None  # "if not", "whether or not"
    strength = 0.8
    if i > 0 and tokens[i - 1].lemma in _HEDGING_MODALS:
        strength = 0.55  # "may not be paid", "cannot remain long" hedge rather than deny
    start = skip(tokens, i + 1, AUX | DETERMINERS)
    if word_at(tokens, start) in EXIST_PREDICATES or word_at(tokens, start) in _THERE:
        subject = nouns.subject(tokens, start)
        if subject and not irrealis(tokens, i):
            tail = content_until_boundary(tokens, start + 1)
            return Stance(True, "exist", subject, tail, (), (i, start), min(strength, 0.9))
    return _event_denial(tokens, i, i + 1, strength, with_subject=True)


def _deny_denial(tokens: Sequence[Token], i: int) -> Stance | None:
    # "denied (the) claims that ..." denies what follows; "denied knowledge of X" is left as it
    # is, because it denies knowing X, not X.
    start = skip(tokens, i + 1, (_CLAIM_NOUNS - {"any"}) | {"the", "that"})
    gerund = tag_at(tokens, start) == "VBG"
    if word_at(tokens, start) in {"of", "any"}:
        return _exist_denial(tokens, i, start + 1, 0.8)
    return _event_denial(tokens, i, start, 0.85, with_subject=gerund, clause=not gerund)


def _exist_denial(tokens: Sequence[Token], cue: int, start: int, strength: float) -> Stance:
    core = nouns.noun_phrase(tokens, skip(tokens, start, DETERMINERS))
    end = (core[-1] + 1) if core else start
    return Stance(True, "exist", core, content_until_boundary(tokens, end), (), (cue,), strength)


def _event_denial(
    tokens: Sequence[Token],
    cue: int,
    start: int,
    strength: float,
    with_subject: bool = False,
    cue_end: int | None = None,
    clause: bool = False,
) -> Stance | None:
    if irrealis(tokens, cue):
        return None
    # "not going to come up with X" denies coming up with X, not "going"; a quotation mark
    # inside the phrase ("was never going to be" a panel) does not end it.
    start = skip(tokens, start, AUX | DETERMINERS | _SEMI_AUX | _QUOTE_MARKS | {"to"})
    start = skip(tokens, start, DETERMINERS)
    if clause:
        root = clauses.clause_root(tokens, cue)
        if root is not None and (clauses.proposed(tokens, root) or clauses.relative(tokens, root)):
            # "rejected suggestions that a dump be built" opposes, it denies nothing; "denied
            # the claims that were published" does not say what the claims are.
            return None
        parsed = clauses.parsed_core(tokens, root) if root is not None else ()
        core = parsed or clause_core(tokens, start)
    else:
        core = content_until_stop(tokens, start)
    end = core[-1] + 1 if core else start
    if _comparative(tokens, end):
        return None  # "not milking as much" compares, it does not deny
    if any(t.low in _ALL for t in tokens[end : end + 3]):
        return None  # "does not pay for all such treats" says some are paid for
    subject: tuple[int, ...] = ()
    if with_subject:
        subject = nouns.subject(tokens, cue)
        if not subject:
            strength *= 0.75  # "they did not ...": who "they" are, the other sentence may differ
    cue_tokens = tuple(range(cue, (cue_end or cue + 1)))
    tail = content_until_boundary(tokens, end)
    return Stance(True, "event", core, tail, subject, cue_tokens, strength)


def _comparative(tokens: Sequence[Token], i: int) -> bool:
    return word_at(tokens, i) == "as" and word_at(tokens, i + 1) in _AS_MUCH


def _assertion(tokens: Sequence[Token], i: int) -> Stance | None:
    """Explicit presupposition that a noun phrase exists."""
    low = tokens[i].low
    nxt = tokens[i + 1] if i + 1 < len(tokens) else None
    if low == "remaining" and nxt is not None and (nxt.is_content or nxt.tag == "CD"):
        return _exists(tokens, nouns.noun_phrase(tokens, i + 1), (i,))
    if low in _EXIST_NOUNS and word_at(tokens, i + 1) == "of":
        start = skip(tokens, i + 2, DETERMINERS | {"remaining"})
        return _exists(tokens, nouns.noun_phrase(tokens, start), (i, i + 1))
    if (low == "there" and word_at(tokens, i + 1) in BE) or low in _THERE - {"there"}:
        start = skip(tokens, i + 1, AUX | DETERMINERS | {"many", "several"})
        if word_at(tokens, start) in {"no", "not", "never"}:
            return None
        return _exists(tokens, nouns.noun_phrase(tokens, start), (i, i + 1))
    if low in EXIST_PREDICATES and low != "remaining":
        before = skip_back(tokens, i - 1, AUX)
        between = lows(tokens, range(before + 1, i))
        if between & ({"not", "no", "never"} | MODALS) or word_at(tokens, i + 1) in {"on", "upon"}:
            return None  # "are not present", "may exist", "based on"
        if low in _NEEDS_BE and not between & BE:
            return None  # "present" and "active" are predicates only after a form of "be"
        if tokens[i].dep == "amod" or word_at(tokens, i - 1) == "-":
            return None  # "a US-based group", "active ingredients": a kind, not a claim
        return _exists(tokens, nouns.subject(tokens, i), (i,))
    return None


def _exists(tokens: Sequence[Token], core: tuple[int, ...], cue: tuple[int, ...]) -> Stance | None:
    presupposed = "remaining" in lows(tokens, cue)  # "remaining X" holds even in a wish
    if not core or (irrealis(tokens, min(core[0], cue[0])) and not presupposed):
        return None
    return Stance(False, "exist", core, (), (), cue, 1.0)
