"""Reading a clause from spaCy's stored dependency parse: which clause a denying verb
governs, a verb's subject and object, the period a verb is bounded to, and whether a clause is
relative or only proposed. Noun phrases (a clause's subject as a phrase, the phrase after a
cue) are `checker.judge.rules.nouns`.

The stance rules (`checker.judge.rules.stances`) ask these questions of one sentence's tokens;
each answer is token indices into them, or a yes or no. Where the parse gives no answer they
fall back to the word walks of `checker.judge.rules.phrases`.
"""

from __future__ import annotations

from collections.abc import Sequence

from checker.judge.rules.phrases import (
    AUX,
    DETERMINERS,
    content_until_stop,
    skip,
)
from checker.judge.rules.text import Token, words

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


def in_relative_clause(tokens: Sequence[Token], i: int) -> bool:
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
    relative_word = any(t.head == verb and t.tag in _RELATIVE_TAGS for t in tokens)
    return not relative_word and bool(deps & _SUBJECTS) and "dobj" in deps


def period(tokens: Sequence[Token], i: int) -> tuple[int, ...]:
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


def subject_of(tokens: Sequence[Token], verb: int) -> int | None:
    """The subject of `verb`, also where spaCy hung it on the verb's auxiliary ("Pardoe is
    not convinced")."""
    around = [verb, *(t.index for t in tokens if t.head == verb and t.dep.startswith("aux"))]
    for t in tokens:
        if t.head in around and t.index != t.head and t.dep in _SUBJECTS:
            return t.index
    return None


def object_of(tokens: Sequence[Token], verb: int) -> int | None:
    """The direct object of `verb`, as spaCy parsed it (None where it has none)."""
    return next((t.index for t in tokens if t.head == verb and t.dep == "dobj"), None)


# Where a denying verb's clause hangs, as spaCy parses it: "denied (that) he knew" (ccomp),
# "rejected claims (that) it paid" (a clause on the object: acl, ccomp or relcl).
_CLAUSES = frozenset({"ccomp", "acl", "relcl"})


def clause_root(tokens: Sequence[Token], cue: int) -> int | None:
    """The verb of the clause the verb `cue` denies, from the parse: "denied (that) he knew"
    (ccomp), "rejected claims (that) it paid" (a clause on the object). None where the parse
    shows no clause with a subject or a "that" after the cue."""
    root = child(tokens, cue, frozenset({"ccomp"}))
    if root is None:
        claim = child(tokens, cue, frozenset({"dobj"}))
        root = None if claim is None else child(tokens, claim, _CLAUSES)
    if root is None or root < cue or not tokens[root].tag.startswith("VB"):
        return None  # what is denied follows the verb: "It appears ... dismissed" is no claim
    if subject_of(tokens, root) is None and child(tokens, root, frozenset({"mark"})) is None:
        return None  # "rejected the report, prepared by X": a participle, not a claim
    return root


def parsed_core(tokens: Sequence[Token], root: int) -> tuple[int, ...]:
    """The words a denied clause must be matched on: its subject noun and its predicate ("has
    denied to the Cole inquiry that he hatched a plan" denies hatching a plan)."""
    subject = subject_of(tokens, root)
    named = (subject,) if subject is not None and tokens[subject].is_content else ()
    return (*named, *content_until_stop(tokens, skip(tokens, root, AUX | DETERMINERS)))


def proposed(tokens: Sequence[Token], root: int) -> bool:
    """A clause in the bare form ("that a dump be built", "that he resign"): proposed, not
    claimed."""
    auxiliaries = [t for t in tokens if t.head == root != t.index and t.dep.startswith("aux")]
    if any(t.tag == "MD" or t.low == "to" or t.lemma == "do" for t in auxiliaries):
        return False  # "could buy", "to buy", "did pay": the bare form is the auxiliary's
    return tokens[root].tag == "VB" or any(t.tag == "VB" for t in auxiliaries)


_ARGUMENTS = _SUBJECTS | {"dobj"}


def relative(tokens: Sequence[Token], root: int) -> bool:
    """A relative clause: its subject or object is a relative word ("that were published")."""
    return any(t.head == root and t.dep in _ARGUMENTS and t.tag in _RELATIVE_TAGS for t in tokens)


def child(tokens: Sequence[Token], head: int, deps: frozenset[str]) -> int | None:
    return next((t.index for t in tokens if t.head == head != t.index and t.dep in deps), None)
