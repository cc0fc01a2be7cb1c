"""Walking a sentence's tokens to find its phrases: the noun phrase after a cue, the subject
before it, the content words up to a preposition or the end of a clause.

Word lists over spaCy's tokens, not its parse: the rules only need to know which content
words a cue governs, and they stay conservative where these guesses are unsure.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from checker.judge.rules.text import PUNCT_BOUNDARY, Token, words

BE = words("be is are was were been being am")
ADVERBS = words("also still now yet ever really even just already currently always")
# Skipped when looking for the verb or the subject: "has still not been", "will not".
AUX = (
    BE
    | ADVERBS
    | words("do does did have has had will would could can should may might must shall")
)
DETERMINERS = words(
    "a an the any some all its their his her our this that these those such either "
    "further more single"
)
PREPOSITIONS = words(
    "in on at of to for from with by over under into about between across near within against "
    "during through since towards toward and or as than after before around beyond"
)
# Where the phrase a cue governs ends; its place or object may follow ("no forces | in X").
CORE_ENDS = PREPOSITIONS | {"and", "or"}
# Where the clause ends altogether.
CLAUSE_ENDS = words(
    "but although though while whereas because despite which who whom whose where when if "
    "unless until so however claiming saying says said according instead rather"
)
# Verbs whose "to" complement is the point: "does not plan to go" is about going.
CONTROL_VERBS = words(
    "plan plans planned want wants wanted intend intends intended expect expects expected "
    "hope hopes hoped need needs needed try tries tried seek seeks sought aim aims wish wishes"
)


_PAST = frozenset({"VBD", "VBN"})


def word_at(tokens: Sequence[Token], i: int) -> str:
    return tokens[i].low if 0 <= i < len(tokens) else ""


def tag_at(tokens: Sequence[Token], i: int) -> str:
    return tokens[i].tag if 0 <= i < len(tokens) else ""


def lows(tokens: Sequence[Token], indices: Iterable[int]) -> set[str]:
    return {tokens[k].low for k in indices}


def skip(tokens: Sequence[Token], i: int, wordset: frozenset[str] | set[str]) -> int:
    """The first index from `i` on whose word is not in `wordset`."""
    while i < len(tokens) and tokens[i].low in wordset:
        i += 1
    return i


def skip_back(tokens: Sequence[Token], i: int, wordset: frozenset[str] | set[str]) -> int:
    """The first index from `i` backwards whose word is not in `wordset` (-1 if none)."""
    while i >= 0 and tokens[i].low in wordset:
        i -= 1
    return i


def np_after(tokens: Sequence[Token], i: int, limit: int = 4) -> tuple[int, ...]:
    """Content words of the noun phrase starting at `i` ("Armenian armed forces")."""
    found: list[int] = []
    while i < len(tokens) and len(found) < limit:
        t = tokens[i]
        if t.is_content:
            found.append(i)
        elif not (t.low == "-" and found):
            break
        i += 1
    return tuple(found)


def content_until_boundary(tokens: Sequence[Token], i: int, limit: int = 6) -> tuple[int, ...]:
    """Content words from `i` to the end of the clause: the rest of a cue's scope."""
    found: list[int] = []
    while i < len(tokens) and len(found) < limit:
        t = tokens[i]
        if t.low in PUNCT_BOUNDARY or t.low in CLAUSE_ENDS:
            break
        if t.is_content:
            found.append(i)
        i += 1
    return tuple(found)


def content_until_stop(tokens: Sequence[Token], i: int, limit: int = 5) -> tuple[int, ...]:
    """Content words from `i` to the first preposition, conjunction or boundary."""
    core: list[int] = []
    while i < len(tokens) and len(core) < limit:
        t = tokens[i]
        if t.low == "to" and len(core) == 1 and tokens[core[0]].low in CONTROL_VERBS:
            i += 1  # "does not plan to go": the plan is to go, so "go" belongs to the core
            continue
        if hyphenated(tokens, i):
            i += 1  # "oil-for-food" is one word, whatever its middle
            continue
        if t.low in PUNCT_BOUNDARY or t.low in CORE_ENDS or t.low in CLAUSE_ENDS:
            break
        if t.is_content:
            core.append(i)
        i += 1
    return tuple(core)


def hyphenated(tokens: Sequence[Token], i: int) -> bool:
    return tokens[i].low == "-" or (word_at(tokens, i - 1) == "-" and word_at(tokens, i + 1) == "-")


def clause_core(tokens: Sequence[Token], i: int) -> tuple[int, ...]:
    """The words a denied clause must be matched on: its subject's first word and its
    predicate. "denied the rollout of its network is facing difficulties" denies the facing of
    difficulties; another sentence that only mentions the rollout does not assert that."""
    j = i
    while j < len(tokens) and not verb_like_at(tokens, j):
        if tokens[j].low in PUNCT_BOUNDARY or tokens[j].low in CLAUSE_ENDS:
            return content_until_stop(tokens, i)  # no verb found: keep the plain reading
        j += 1
    subject = [k for k in range(i, j) if tokens[k].is_content][:1]
    predicate = content_until_stop(tokens, skip(tokens, j, AUX | DETERMINERS))
    return (*subject, *predicate)


def verb_like_at(tokens: Sequence[Token], j: int) -> bool:
    """Whether token `j` is a verb or an auxiliary, as these phrase walks need it."""
    t = tokens[j]
    if t.low in AUX - ADVERBS:
        return True
    # A verb in the past tense or a past participle, as spaCy tagged it ("fired", "paid").
    return t.is_content and j > 0 and t.tag in _PAST
