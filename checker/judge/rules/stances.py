"""Where a sentence takes a stance on a phrase: what it denies and what it asserts exists.

A `Stance` is a phrase (its content words, as token indices) with a polarity. Denials come from
cues with a scope after them ("there are no X", "no X", "not ... X", "never", "denied (that)
...", "without X", "failed to ...", "none of the X", "lack of X"); explicit assertions of
existence from presupposing cues ("remaining X", "X remain", "X are present/stationed/deployed",
"presence/withdrawal of X", "there are X"). The negation rule compares the stances of two
sentences; this module only reads one sentence at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from checker.judge.rules.phrases import (
    AUX,
    BE,
    DETERMINERS,
    clause_core,
    content_until_boundary,
    content_until_stop,
    lows,
    np_after,
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
    # rather than denying anything, but the words it covers are still not asserted.
    restrictive: bool = False
    # The period a denial is bounded to ("in a year", "since September 3"), as token indices:
    # it denies only within it (`_period`).
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
# A denial bounded to a period denies only within it: "had not been seen in public in a year"
# leaves "was last seen on 9 January 2014" true. As spaCy parses it: the denied verb has a
# "for three weeks", "in a year", "over the past month" or "since 2009" (a preposition whose
# object is a span of time, or anything after "since"), a "this month" (a bare noun of time),
# or a clause opened by "since" ("since he left").
_PERIOD_PREPOSITIONS = words("in for over during within since")
_ORDINALS = words("first second third last next only")
_PERIODS = words(
    "year month week day decade hour minute while age century time season fortnight "
    "january february march april may june july august september october november december "
    "monday tuesday wednesday thursday friday saturday sunday"
)


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
        if stance.negative and _in_relative_clause(tokens, t.index):
            stance = replace(stance, restrictive=True)
        if stance.negative:
            stance = replace(stance, period=_period(tokens, stance.core[0]))
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
        return _event_denial(tokens, i, start, 0.8, cue_end=start, clause=True)
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


def _in_relative_clause(tokens: Sequence[Token], i: int) -> bool:
    """Whether token `i` sits in a relative clause ("fees that cover no insurance", "patients
    the drug did not help"), as spaCy parsed it: a clause labelled `relcl` on the way from `i`
    to the root. A reported clause ("Gawker reports that ...", "It's true that ...") asserts
    and is none.

    spaCy takes a name after a noun for the subject of a relative clause without a relative
    word ("the Islamist group Boko Haram has denied claims"). A relative clause with no
    relative word lacks the noun it describes somewhere, so one with both its subject and its
    object is read as the sentence's own clause.
    """
    seen = {i}
    while tokens[i].head != i:
        if tokens[i].dep == "relcl" and not _whole_clause(tokens, i):
            return True
        i = tokens[i].head
        if i in seen:
            return False  # a cycle: no stored parse should hold one
        seen.add(i)
    return False


# A relative word as spaCy tags it ("which", "who", "whose", "where"); "that" is tagged WDT too.
_RELATIVE_TAGS = frozenset({"WDT", "WP", "WP$", "WRB"})
_SUBJECTS = frozenset({"nsubj", "nsubjpass"})


def _whole_clause(tokens: Sequence[Token], verb: int) -> bool:
    """A clause with its subject and its object and no relative word: nothing is missing for
    a noun outside it to fill."""
    deps = {t.dep for t in tokens if t.head == verb and t.index != verb}
    relative = any(t.head == verb and t.tag in _RELATIVE_TAGS for t in tokens)
    return not relative and bool(deps & _SUBJECTS) and "dobj" in deps


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
    noun = np_after(tokens, skip(tokens, i + 1, DETERMINERS))
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
        subject = _subject(tokens, start)
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
    core = np_after(tokens, skip(tokens, start, DETERMINERS))
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
        root = _clause_root(tokens, cue)
        if root is not None and (_subjunctive(tokens, root) or _relative(tokens, root)):
            # "rejected suggestions that a dump be built" opposes, it denies nothing; "denied
            # the claims that were published" does not say what the claims are.
            return None
        parsed = _clause_core(tokens, root) if root is not None else ()
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
        subject = _subject(tokens, cue)
        if not subject:
            strength *= 0.75  # "they did not ...": who "they" are, the other sentence may differ
    cue_tokens = tuple(range(cue, (cue_end or cue + 1)))
    tail = content_until_boundary(tokens, end)
    return Stance(True, "event", core, tail, subject, cue_tokens, strength)


def _period(tokens: Sequence[Token], i: int) -> tuple[int, ...]:
    """The phrase that bounds the verb of token `i` to a period (`_PERIODS`), as token
    indices: empty where none does."""
    verb = _governing_verb(tokens, i)
    if verb is None:
        return ()
    for child in tokens:
        if child.head != verb or child.index == verb:
            continue
        if child.dep == "prep" and child.lemma in _PERIOD_PREPOSITIONS:
            objects = [t for t in tokens if t.head == child.index and t.dep == "pobj"]
            if any(child.lemma == "since" or _a_span_of_time(tokens, t) for t in objects):
                return _subtree(tokens, child.index)
        if child.dep == "npadvmod" and child.lemma in _PERIODS:
            return _subtree(tokens, child.index)
        if child.dep == "advcl" and any(
            t.head == child.index and t.dep == "mark" and t.lemma == "since" for t in tokens
        ):
            return _subtree(tokens, child.index)
    return ()


def _a_span_of_time(tokens: Sequence[Token], noun: Token) -> bool:
    """ "a year", "some time", but not "the first time": an ordinal makes it one occasion."""
    ordinal = any(t.head == noun.index and t.lemma in _ORDINALS for t in tokens)
    return noun.lemma in _PERIODS and not ordinal


def _subtree(tokens: Sequence[Token], root: int) -> tuple[int, ...]:
    """Token `root` and every token whose chain of heads reaches it."""
    inside = {root}
    for t in tokens:  # heads may come after their dependents: walk each chain up
        chain: list[int] = []
        k = t.index
        while k not in inside and tokens[k].head != k and len(chain) < len(tokens):
            chain.append(k)
            k = tokens[k].head
        if k in inside:
            inside.update(chain)
    return tuple(sorted(inside))


def _governing_verb(tokens: Sequence[Token], i: int) -> int | None:
    """Token `i` itself when a verb, else the first verb up its chain of heads (three at most)."""
    for _ in range(4):
        if tokens[i].tag.startswith("VB"):
            return i
        if tokens[i].head == i:
            return None
        i = tokens[i].head
    return None


# What narrows a subject noun ("national research body", "US Agriculture Secretary Mike
# Johanns"), as spaCy labels it.
_NARROWING = frozenset({"compound", "amod"})
# A verb that takes its subject from the verb it depends on: "failed to agree" (xcomp), "did A
# and did not B" (conj).
_SHARED_SUBJECT = frozenset({"xcomp", "conj"})
# A participle or adjective describing a noun: "a state not known for", "growers unable to".
_DESCRIBING = frozenset({"amod", "acl"})


def _subject(tokens: Sequence[Token], cue: int) -> tuple[int, ...]:
    """The content words naming who did not do it, as spaCy parsed the clause of the cue:
    its subject noun and what narrows it ("Cabinet again failed to agree" is Cabinet's; "metal
    detectors and x-ray don't cut it" the detectors'), or the noun a negated participle or
    adjective describes ("growers unable to sell", "coatings not designed to"). None for a
    pronoun or where the parse gives no subject: the other sentence may name someone else."""
    subject = _subject_noun(tokens, cue)
    if subject is None or not tokens[subject].is_content:
        return ()
    reached = [subject]
    for node in reached:  # grows: what narrows a modifier, and its conjuncts, narrow too
        reached.extend(
            t.index
            for t in tokens[:subject]
            if t.head == node
            and t.index not in reached
            and (t.dep in _NARROWING or (t.dep == "conj" and node != subject))
        )
    narrowing = sorted(
        k for k in reached[1:] if tokens[k].is_content and tokens[k].low != "remaining" and k != cue
    )
    return (*narrowing, subject)[-3:]


def _subject_noun(tokens: Sequence[Token], cue: int) -> int | None:
    """The index of the subject of the cue's clause, walking up from the cue to its verb and
    on through verbs that share their subject (`_SHARED_SUBJECT`). None where the cue denies
    a phrase rather than a clause ("from Australia, not the US")."""
    i = cue
    for _ in range(5):
        t = tokens[i]
        describes = t.dep in _DESCRIBING and tokens[t.head].tag.startswith("NN")
        if t.tag.startswith("VB"):
            found = _subject_of(tokens, i)
            if found is None and describes:
                found = t.head  # "coatings not designed to": the coatings are not
            if found is None and t.dep == "xcomp":
                found = _object_of(tokens, t.head)  # "warned the Government not to use"
            if found is not None or t.dep not in _SHARED_SUBJECT:
                return found
        elif describes:
            return t.head  # "growers unable to sell": the growers are unable
        elif t.tag.startswith(("NN", "PRP", "CD", "IN")):
            return None  # "not the US", "not from the US": a phrase is denied
        if t.head == i:
            return None
        i = t.head
    return None


def _subject_of(tokens: Sequence[Token], verb: int) -> int | None:
    """The subject of `verb`, also where spaCy hung it on the verb's auxiliary ("Pardoe is
    not convinced")."""
    around = [verb, *(t.index for t in tokens if t.head == verb and t.dep.startswith("aux"))]
    for t in tokens:
        if t.head in around and t.index != t.head and t.dep in _SUBJECTS:
            return t.index
    return None


def _object_of(tokens: Sequence[Token], verb: int) -> int | None:
    return next((t.index for t in tokens if t.head == verb and t.dep == "dobj"), None)


# Where a denying verb's clause hangs, as spaCy parses it: "denied (that) he knew" (ccomp),
# "rejected claims (that) it paid" (a clause on the object: acl, ccomp or relcl).
_CLAUSES = frozenset({"ccomp", "acl", "relcl"})


def _clause_root(tokens: Sequence[Token], cue: int) -> int | None:
    """The verb of the clause the verb `cue` denies, from the parse: "denied (that) he knew"
    (ccomp), "rejected claims (that) it paid" (a clause on the object). None where the parse
    shows no clause with a subject or a "that" after the cue."""
    root = _child(tokens, cue, frozenset({"ccomp"}))
    if root is None:
        claim = _child(tokens, cue, frozenset({"dobj"}))
        root = None if claim is None else _child(tokens, claim, _CLAUSES)
    if root is None or root < cue or not tokens[root].tag.startswith("VB"):
        return None  # what is denied follows the verb: "It appears ... dismissed" is no claim
    if _subject_of(tokens, root) is None and _child(tokens, root, frozenset({"mark"})) is None:
        return None  # "rejected the report, prepared by X": a participle, not a claim
    return root


def _clause_core(tokens: Sequence[Token], root: int) -> tuple[int, ...]:
    """The words a denied clause must be matched on: its subject noun and its predicate ("has
    denied to the Cole inquiry that he hatched a plan" denies hatching a plan)."""
    subject = _subject_of(tokens, root)
    named = (subject,) if subject is not None and tokens[subject].is_content else ()
    return (*named, *content_until_stop(tokens, skip(tokens, root, AUX | DETERMINERS)))


def _subjunctive(tokens: Sequence[Token], root: int) -> bool:
    """A clause in the bare form ("that a dump be built", "that he resign"): proposed, not
    claimed."""
    auxiliaries = [t for t in tokens if t.head == root != t.index and t.dep.startswith("aux")]
    if any(t.tag == "MD" or t.low == "to" or t.lemma == "do" for t in auxiliaries):
        return False  # "could buy", "to buy", "did pay": the bare form is the auxiliary's
    return tokens[root].tag == "VB" or any(t.tag == "VB" for t in auxiliaries)


def _relative(tokens: Sequence[Token], root: int) -> bool:
    """A relative clause: its subject or object is a relative word ("that were published")."""
    return any(t.head == root and t.dep in _ARGUMENTS and t.tag in _RELATIVE_TAGS for t in tokens)


_ARGUMENTS = _SUBJECTS | {"dobj"}


def _child(tokens: Sequence[Token], head: int, deps: frozenset[str]) -> int | None:
    return next((t.index for t in tokens if t.head == head != t.index and t.dep in deps), None)


def _comparative(tokens: Sequence[Token], i: int) -> bool:
    return word_at(tokens, i) == "as" and word_at(tokens, i + 1) in _AS_MUCH


def _assertion(tokens: Sequence[Token], i: int) -> Stance | None:
    """Explicit presupposition that a noun phrase exists."""
    low = tokens[i].low
    if low == "remaining" and i + 1 < len(tokens) and tokens[i + 1].is_content:
        return _exists(tokens, np_after(tokens, i + 1), (i,))
    if low in _EXIST_NOUNS and word_at(tokens, i + 1) == "of":
        start = skip(tokens, i + 2, DETERMINERS | {"remaining"})
        return _exists(tokens, np_after(tokens, start), (i, i + 1))
    if (low == "there" and word_at(tokens, i + 1) in BE) or low in _THERE - {"there"}:
        start = skip(tokens, i + 1, AUX | DETERMINERS | {"many", "several"})
        if word_at(tokens, start) in {"no", "not", "never"}:
            return None
        return _exists(tokens, np_after(tokens, start), (i, i + 1))
    if low in EXIST_PREDICATES and low != "remaining":
        before = skip_back(tokens, i - 1, AUX)
        between = lows(tokens, range(before + 1, i))
        if between & ({"not", "no", "never"} | MODALS) or word_at(tokens, i + 1) in {"on", "upon"}:
            return None  # "are not present", "may exist", "based on"
        if low in _NEEDS_BE and not between & BE:
            return None  # "present" and "active" are predicates only after a form of "be"
        if tokens[i].dep == "amod" or word_at(tokens, i - 1) == "-":
            return None  # "a US-based group", "active ingredients": a kind, not a claim
        return _exists(tokens, _subject(tokens, i), (i,))
    return None


def _exists(tokens: Sequence[Token], core: tuple[int, ...], cue: tuple[int, ...]) -> Stance | None:
    presupposed = "remaining" in lows(tokens, cue)  # "remaining X" holds even in a wish
    if not core or (irrealis(tokens, min(core[0], cue[0])) and not presupposed):
        return None
    return Stance(False, "exist", core, (), (), cue, 1.0)
