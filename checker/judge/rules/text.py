"""The rules' view of a sentence: its words as spaCy read them (`Analysis.words`: lemma, part
of speech, stopword, name, dependency), and the content-word overlap that gates every rule
("do both sentences speak of the same thing?").

Judging hands the rules the stored words of every sentence it judges (`stored_words`, in
`checker.service.judging`), so a check or a scan never parses a stored sentence again. A text
judged without its analysis (a rule called on its own, as the tests do) is parsed by spaCy
once. `analyse()` is cached by text: every rule of a pair reads the same two sentences, and
the scan judges each sentence against several neighbours.
"""

from __future__ import annotations

import contextlib
from bisect import bisect_left, bisect_right
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, replace
from difflib import SequenceMatcher
from functools import lru_cache

from checker.types import Analysis, Span, Word


def words(text: str) -> frozenset[str]:
    """A word list written as one string, for readability."""
    return frozenset(text.split())


UNTOPICAL = words("""
    be have do say tell report reportedly accord add week month year day today yesterday
    tomorrow time ago mr mrs ms dr st amid let shall one
    """)
"""Lemmas that carry no topic in news, beside spaCy's stopwords: nearly every news sentence
has a reporting verb and a calendar word, so counting them would make unrelated sentences
look alike; "be", "have" and "do" are tagged verbs where they are the main verb."""

# spaCy's stopword list also holds nouns and verbs that name a thing or an act ("made",
# "part", "show", "take"): tagged so, they carry topic, and a denial is often of them
# ("an offer has yet to be made").
_TOPICAL_POS = frozenset({"NOUN", "VERB"})

PUNCT_BOUNDARY = frozenset(',;:.!?()[]{}"“”«»—–')


@dataclass(frozen=True)
class Token:
    """One word or punctuation mark of a sentence, with its character span."""

    index: int
    text: str
    start: int
    end: int
    low: str  # lower case, curly apostrophes straightened
    lemma: str  # spaCy's lemma, lower case: "forces" and "force", "paid" and "pay" meet here
    tag: str  # spaCy's fine part of speech ("VBD": a verb in the past tense)
    is_word: bool
    is_content: bool  # a word that carries topic (not a stopword, not a number)
    is_proper: bool  # a name (a proper noun or part of a named entity): weighs more
    dep: str  # spaCy's dependency label ("amod": an adjective modifying its head)
    head: int  # the index of its head in the sentence's tokens (its own for the root)

    @property
    def span(self) -> Span:
        return (self.start, self.end)


MAX_CHARS = 4000
"""The rules read at most this many characters of a sentence. Real sentences are far shorter;
the cap keeps a pathological "sentence" (a table flattened into one line) from costing
seconds, since some steps grow with the square of its length."""


def clip(text: str) -> str:
    return text[:MAX_CHARS]


# The stored words of the sentences being judged, by (clipped) text: set by `stored_words`.
_STORED: ContextVar[Mapping[str, Sequence[Word]] | None] = ContextVar("stored", default=None)


@dataclass
class _Parses:
    """How many texts the rules had to parse themselves (none, where judging gave them the
    stored analyses): tests read it."""

    count: int = 0


PARSES = _Parses()


@contextlib.contextmanager
def stored_words(analysed: Iterable[tuple[str, Analysis]]) -> Iterator[None]:
    """Within this block the rules read these sentences' stored words instead of parsing."""
    known = {clip(text): _clipped(a.words, text) for text, a in analysed if a.words}
    token = _STORED.set(known)
    try:
        yield
    finally:
        _STORED.reset(token)


def _clipped(found: Sequence[Word], text: str) -> Sequence[Word]:
    if len(text) <= MAX_CHARS:
        return found
    return tuple(w for w in found if w.span[1] <= MAX_CHARS)


@lru_cache(maxsize=8192)
def analyse(text: str) -> tuple[Token, ...]:
    """Tokens of `text` with spans into it: its stored words where judging gave them, else
    spaCy's reading of it now. Never raises, whatever the input."""
    stored = _STORED.get()
    found = stored.get(text) if stored is not None else None
    if found is None:
        found = _parsed(text)
    tokens: list[Token] = []
    for word in found:
        start, end = word.span
        raw = text[start:end]
        if not raw:  # a span past the text: the analysis is not of this text
            continue
        tokens.append(_token(len(tokens), raw, word))
    # Words are dropped only at the end (past the text or past MAX_CHARS): a head among them,
    # or outside the sentence, is none.
    return tuple(t if 0 <= t.head < len(tokens) else replace(t, head=t.index) for t in tokens)


def _parsed(text: str) -> Sequence[Word]:
    from checker.analyse import load_analyser  # spaCy loads only where a text comes unparsed

    PARSES.count += 1
    return load_analyser().analyse([text])[0].words


def _token(index: int, raw: str, word: Word) -> Token:
    low = raw.lower().replace("’", "'")
    is_word = raw[0].isalnum()
    is_alpha = is_word and any(c.isalpha() for c in raw) and not raw[0].isdigit()
    # An acronym in capitals ("US", "AWB") is a name even when its letters spell a stopword.
    acronym = is_alpha and len(raw) > 1 and raw.isupper()
    stop = word.stop and word.pos not in _TOPICAL_POS
    untopical = stop or word.lemma in UNTOPICAL or low in UNTOPICAL
    is_content = is_alpha and len(low) > 1 and (acronym or not untopical)
    is_proper = is_content and (word.pos == "PROPN" or word.name or acronym)
    start, end = word.span
    return Token(
        index, raw, start, end, low, word.lemma, word.tag, is_word, is_content, is_proper,
        word.dep, index + word.head,
    )  # fmt: skip


def spelled_alike(x: str, y: str) -> bool:
    """One name written two ways: the same word with an ending ("Iraq" / "Iraqi", "Australia" /
    "Australian") or a letter changed ("Qaeda" / "Qaida"); not two names that share most
    letters ("Austria" / "Australia")."""
    short, long = sorted((x.casefold(), y.casefold()), key=len)
    if len(short) < 4:  # "US" / "USA", "UN" / "UNU": too short to tell by the letters
        return False
    if long.startswith(short):
        return True
    return len(long) - len(short) <= 1 and SequenceMatcher(None, short, long).ratio() >= 0.8


def names_within(ours: Iterable[str], theirs: Collection[str]) -> bool:
    """Every one of `ours` is one of `theirs`, as written or written another way
    (`spelled_alike`; a short name such as "US" or "al" only as written)."""
    same = {y.casefold() for y in theirs}
    return all(x.casefold() in same or any(spelled_alike(x, y) for y in theirs) for x in ours)


def content_weight(token: Token) -> float:
    """Names are rarer than common words, so sharing one says more about sharing a topic."""
    return 2.0 if token.is_proper else 1.0


@dataclass(frozen=True)
class Overlap:
    """How much two sentences share, outside the words a rule is comparing."""

    shared: frozenset[str]  # lemmas in both
    weight: float  # summed weight of the shared lemmas
    coefficient: float  # shared weight / weight of the smaller side, 0..1


def overlap(
    a: Sequence[Token],
    b: Sequence[Token],
    skip_a: Collection[int] = (),
    skip_b: Collection[int] = (),
    skip_lemmas: Collection[str] = (),
) -> Overlap:
    """Weighted overlap coefficient of the content words of `a` and `b`.

    The overlap coefficient (not Jaccard) because a short claim fully contained in a long
    passage should score high: the passage is about the claim's topic and more.
    """
    wa = _weights(a, skip_a, skip_lemmas)
    wb = _weights(b, skip_b, skip_lemmas)
    shared = frozenset(wa) & frozenset(wb)
    weight = sum(max(wa[s], wb[s]) for s in shared)
    smaller = min(sum(wa.values()), sum(wb.values()))
    coefficient = min(1.0, weight / smaller) if smaller else 0.0
    return Overlap(shared, weight, coefficient)


def _weights(
    tokens: Sequence[Token], skip: Collection[int], skip_lemmas: Collection[str]
) -> dict[str, float]:
    weights: dict[str, float] = {}
    for t in tokens:
        if t.is_content and t.index not in skip and t.lemma not in skip_lemmas:
            weights[t.lemma] = max(weights.get(t.lemma, 0.0), content_weight(t))
    return weights


def tokens_in(tokens: Sequence[Token], span: Span) -> list[int]:
    """Indices of the tokens that lie (at least partly) inside a character span."""
    start, end = span
    first = bisect_right([t.end for t in tokens], start)
    found = []
    for t in tokens[first:]:
        if t.start >= end:
            break
        found.append(t.index)
    return found


def around(tokens: Sequence[Token], span: Span, width: int = 8) -> tuple[list[Token], list[Token]]:
    """Up to `width` tokens ending before `span` and up to `width` starting after it."""
    first_after = bisect_left([t.start for t in tokens], span[1])
    last_before = bisect_right([t.end for t in tokens], span[0])
    return list(tokens[max(0, last_before - width) : last_before]), list(
        tokens[first_after : first_after + width]
    )


def cover(tokens: Sequence[Token], indices: Iterable[int]) -> Span:
    """The character span from the first to the last of the given tokens."""
    chosen = sorted(indices)
    return (tokens[chosen[0]].start, tokens[chosen[-1]].end)


def quote(text: str, span: Span) -> str:
    """The words of a span, for a human-readable detail line."""
    return " ".join(text[span[0] : span[1]].split())
