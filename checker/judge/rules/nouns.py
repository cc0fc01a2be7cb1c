"""Reading noun phrases from spaCy's stored dependency parse: who a clause's subject is, the
noun phrase after a cue, and the words before a noun that narrow it.

The stance rules (`checker.judge.rules.stances`) and the negation rule ask these questions of
one sentence's tokens; each answer is token indices into them. Where the parse shows no noun
they fall back to the word walks of `checker.judge.rules.phrases`. What a clause is (relative,
proposed, bounded to a period, denied by a verb) is `checker.judge.rules.clauses`.
"""

from __future__ import annotations

from collections.abc import Sequence

from checker.judge.rules import clauses
from checker.judge.rules.phrases import np_after, word_at
from checker.judge.rules.text import Token, words

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
    of = clauses.child(tokens, noun, frozenset({"prep"}))
    if of is None or tokens[of].low != "of":
        return noun
    whole = clauses.child(tokens, of, frozenset({"pobj"}))
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
            found = clauses.subject_of(tokens, i)
            if found is None and describes:
                found = t.head  # "coatings not designed to": the coatings are not
            if found is None and t.dep == "xcomp":
                found = clauses.object_of(tokens, t.head)  # "warned the Government not to use"
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
