"""Reading a clause from spaCy's stored dependency parse: who its subject is, which clause a
denying verb governs, the period a verb is bounded to, and whether a clause is relative or
only proposed.

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
    np_after,
    skip,
    word_at,
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


# What narrows a subject noun ("national research body", "US Agriculture Secretary Mike
# Johanns"), as spaCy labels it.
_NARROWING = frozenset({"compound", "amod"})
# A verb that takes its subject from the verb it depends on: "failed to agree" (xcomp), "did A
# and did not B" (conj).
_SHARED_SUBJECT = frozenset({"xcomp", "conj"})
# A participle or adjective describing a noun: "a state not known for", "growers unable to".
_DESCRIBING = frozenset({"amod", "acl"})


def subject(tokens: Sequence[Token], cue: int) -> tuple[int, ...]:
    """The content words naming who did not do it, as spaCy parsed the clause of the cue:
    its subject noun and what narrows it ("Cabinet again failed to agree" is Cabinet's; "metal
    detectors and x-ray don't cut it" the detectors'), or the noun a negated participle or
    adjective describes ("growers unable to sell", "coatings not designed to"). None for a
    pronoun or where the parse gives no subject: the other sentence may name someone else."""
    subject = _subject_noun(tokens, cue)
    if subject is not None:
        subject = _whole_of_part(tokens, subject)
    if subject is None or not tokens[subject].is_content or tokens[subject].lemma in _NOBODY:
        return ()
    narrowing = sorted(
        k
        for k in narrowing_before(tokens, subject, _NARROWING)
        if tokens[k].is_content and tokens[k].low != "remaining" and k != cue
    )
    return (*narrowing, subject)[-3:]


# A part or an amount of something, as the subject: "a lot of the records still exist" says
# the records exist, "a number of farmers did not receive" is about farmers. Not "none" or
# "few" of them: those deny rather than name a part.
_PARTS_OF = words(
    "lot lots number majority half most some many much rest bulk part proportion percentage "
    "share handful dozen dozens hundreds thousands millions all each several"
)


_NOBODY = words("none nobody nothing neither")


def _whole_of_part(tokens: Sequence[Token], noun: int) -> int:
    """The noun after "of" where `noun` only counts or measures part of it, else `noun`."""
    if tokens[noun].lemma not in _PARTS_OF and tokens[noun].tag != "CD":
        return noun
    of = _child(tokens, noun, frozenset({"prep"}))
    if of is None or tokens[of].low != "of":
        return noun
    whole = _child(tokens, of, frozenset({"pobj"}))
    return noun if whole is None else whole


def narrowing_before(tokens: Sequence[Token], noun: int, labels: frozenset[str]) -> list[int]:
    """The words before `noun` that narrow it (a dependency label among `labels`: "Armenian"
    of "Armenian forces"), those that narrow them ("Kenyan army forces") and their conjuncts
    ("Azerbaijani and Armenian forces"), nearest first at each step."""
    before = tokens[noun - 1 :: -1] if noun > 0 else ()
    reached = [noun]
    for node in reached:  # grows as words are found: each is searched for its own
        reached.extend(
            t.index
            for t in before
            if t.head == node
            and t.index not in reached
            and (t.dep in labels or (t.dep == "conj" and node != noun))
        )
    return reached[1:]


# What sits inside a noun phrase before its noun, as spaCy labels it: the words a phrase's
# first word may hang on on the way to its noun ("no [Armenian] armed forces", "[11] million
# 'phantom' cattle").
_INSIDE_PHRASE = frozenset(
    {"amod", "compound", "nmod", "npadvmod", "nummod", "quantmod", "det", "poss", "advmod"}
)
# The words before a noun that narrow it: "Armenian armed forces", "fatigue-related deaths".
_PHRASE_NARROWING = frozenset({"amod", "compound", "nmod", "npadvmod"})
# "no other explanation", "another shooting", "few sharks": the phrase is set against things
# the sentence does not name, so it neither denies nor asserts the plain noun.
_CONTRASTING = words("other another more further additional else few fewer different")


def noun_phrase(tokens: Sequence[Token], start: int, limit: int = 4) -> tuple[int, ...]:
    """The content words of the noun phrase that begins at token `start`, as spaCy parsed it:
    its noun and the words before it that narrow it ("no Armenian armed forces in Karabakh":
    Armenian, armed, forces; "the remaining 200 Australian troops": Australian, troops), the
    noun last. A verb after the noun is not part of it ("no rain fell"). Empty for a phrase
    set against others ("no other choice"). Where the parse shows no noun there, or splits a
    hyphenated word ("pre-adaptation"), the content words from `start` on (`phrases.np_after`)."""
    noun = start
    for _ in range(limit + 2):  # a phrase's words come before its noun
        t = tokens[noun] if 0 <= noun < len(tokens) else None
        if t is None or t.dep not in _INSIDE_PHRASE or t.head <= noun:
            break
        noun = t.head
    in_range = 0 <= noun < len(tokens)
    if not in_range or not tokens[noun].tag.startswith("NN") or word_at(tokens, noun + 1) == "-":
        return np_after(tokens, start, limit)
    if any(t.head == noun and start <= t.index < noun and t.low in _CONTRASTING for t in tokens):
        return ()
    if not tokens[noun].is_content:
        return ()
    narrowing = narrowing_before(tokens, noun, _PHRASE_NARROWING)
    kept = sorted(k for k in narrowing if k >= start and tokens[k].is_content)
    return (*kept, noun)[-limit:]


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
                found = object_of(tokens, t.head)  # "warned the Government not to use"
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
    root = _child(tokens, cue, frozenset({"ccomp"}))
    if root is None:
        claim = _child(tokens, cue, frozenset({"dobj"}))
        root = None if claim is None else _child(tokens, claim, _CLAUSES)
    if root is None or root < cue or not tokens[root].tag.startswith("VB"):
        return None  # what is denied follows the verb: "It appears ... dismissed" is no claim
    if _subject_of(tokens, root) is None and _child(tokens, root, frozenset({"mark"})) is None:
        return None  # "rejected the report, prepared by X": a participle, not a claim
    return root


def parsed_core(tokens: Sequence[Token], root: int) -> tuple[int, ...]:
    """The words a denied clause must be matched on: its subject noun and its predicate ("has
    denied to the Cole inquiry that he hatched a plan" denies hatching a plan)."""
    subject = _subject_of(tokens, root)
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


def _child(tokens: Sequence[Token], head: int, deps: frozenset[str]) -> int | None:
    return next((t.index for t in tokens if t.head == head != t.index and t.dep in deps), None)
