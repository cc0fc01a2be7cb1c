"""Shared tokenising for the rules: word tokens with character spans, crude stems, stopwords,
and the content-word overlap that gates every rule ("do both sentences speak of the same thing?").

Pure Python and regex. `analyse()` is cached because every rule of a pair tokenises the same
two sentences, and the scan judges each sentence against several neighbours.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from checker.types import Span


def words(text: str) -> frozenset[str]:
    """A word list written as one string, for readability."""
    return frozenset(text.split())


# A word (letters/digits, with inner apostrophes) or a single punctuation mark.
_TOKEN_RE = re.compile(r"[^\W_]+(?:['’][^\W_]+)*|[^\w\s]")

STOPWORDS = words("""
    a about above after again against all also am an and any are aren't as at be because been
    before being below between both but by can could did do does doing down during each either
    else ever every few for from further had has have having he her here hers herself him himself
    his how however i if in into is it its itself just let me more most much must my myself nor
    of off on once only onto or other our ours ourselves out over own per same she should so some
    such than that the their theirs them themselves then there these they this those though
    through thus to too under until up upon us very via was we were what when where whether which
    while who whom whose why will with within would yet you your yours yourself yourselves
    one ones another many several may might shall still even already now since among amid
    mr mrs ms dr st no not never none nothing nobody neither without cannot
    say says said saying told tell tells according added adding reported reports reportedly
    week weeks year years month months day days today yesterday tomorrow time times ago
    """)
"""Words that carry no topic. Reporting verbs and calendar words are here on purpose: nearly
every news sentence has them, so counting them would make unrelated sentences look alike."""

_CLITIC_HOSTS = STOPWORDS | {"i"}

PUNCT_BOUNDARY = frozenset(',;:.!?()[]{}"“”«»—–')

_IRREGULAR = {
    "paid": "pay", "said": "say", "knew": "know", "known": "know", "made": "make",
    "took": "take", "taken": "take", "gave": "give", "given": "give", "went": "go",
    "gone": "go", "came": "come", "met": "meet", "held": "hold", "left": "leave",
    "found": "find", "told": "tell", "sold": "sell", "bought": "buy", "brought": "bring",
    "built": "build", "fought": "fight", "kept": "keep", "lost": "lose", "led": "lead",
    "won": "win", "began": "begin", "begun": "begin", "fell": "fall", "fallen": "fall",
    "rose": "rise", "risen": "rise", "saw": "see", "seen": "see", "spent": "spend",
    "sent": "send", "struck": "strike", "thought": "think", "wrote": "write",
    "written": "write", "ran": "run", "stood": "stand", "grew": "grow", "grown": "grow",
    "drove": "drive", "driven": "drive", "ate": "eat", "eaten": "eat", "broke": "break",
    "broken": "break", "stole": "steal", "stolen": "steal", "shot": "shoot", "fled": "flee",
    "caught": "catch", "taught": "teach", "sought": "seek", "meant": "mean", "dealt": "deal",
    "felt": "feel", "heard": "hear", "laid": "lay", "spoke": "speak", "spoken": "speak",
    "chose": "choose", "chosen": "choose", "men": "man", "women": "woman",
    "children": "child", "died": "die", "dies": "die", "dying": "die", "lying": "lie",
    "withdrew": "withdraw", "withdrawn": "withdraw", "arose": "arise",
}  # fmt: skip
IRREGULAR_VERB_FORMS = frozenset(_IRREGULAR) - {"men", "women", "children"}


@dataclass(frozen=True)
class Token:
    """One word or punctuation mark of a sentence, with its character span."""

    index: int
    text: str
    start: int
    end: int
    low: str  # lower case, curly apostrophes straightened
    stem: str  # crude stem: "forces" and "force", "paid" and "pay" meet here
    is_word: bool
    is_content: bool  # a word that carries topic (not a stopword, not a number)
    is_proper: bool  # capitalised but not the first word: likely a name, weighs more

    @property
    def span(self) -> Span:
        return (self.start, self.end)


def stem(word: str) -> str:
    """A deliberately crude suffix stripper: only needs to make inflections of one word meet."""
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    if w in _IRREGULAR:
        return _IRREGULAR[w]
    return stem_regular(w)


def stem_regular(w: str) -> str:
    """`stem` without the table of irregular forms."""
    if len(w) > 4 and w.endswith("ies"):
        w = w[:-3] + "y"
    elif len(w) > 4 and w.endswith(("sses", "shes", "ches", "xes", "zes")):
        w = w[:-2]
    elif len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if len(w) > 5 and w.endswith("ing"):
        w = w[:-3]
    elif len(w) > 4 and w.endswith("ed"):
        w = w[:-2]
    if len(w) > 3 and w.endswith("e"):
        w = w[:-1]
    if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "aeiou":
        w = w[:-1]
    return w


@lru_cache(maxsize=4096)
def analyse(text: str) -> tuple[Token, ...]:
    """Tokens of `text` with spans into it. Never raises, whatever the input."""
    tokens: list[Token] = []
    for i, m in enumerate(_TOKEN_RE.finditer(text)):
        raw = m.group()
        low = raw.lower().replace("’", "'")
        is_word = raw[0].isalnum()
        is_alpha = is_word and any(c.isalpha() for c in raw) and not raw[0].isdigit()
        # An acronym in capitals ("US", "AWB") is a name even when its letters spell a stopword.
        acronym = is_alpha and len(raw) > 1 and raw.isupper()
        is_content = is_alpha and len(low) > 1 and not low.endswith("n't")
        is_content = is_content and (low not in STOPWORDS or acronym)
        if "'" in low:  # "we're", "it's": a stopword with a clitic is still a stopword
            is_content = is_content and low.split("'")[0] not in _CLITIC_HOSTS
        is_proper = is_content and raw[0].isupper() and i > 0 and not _after_boundary(tokens)
        tokens.append(
            Token(i, raw, m.start(), m.end(), low, stem(raw), is_word, is_content, is_proper)
        )
    return tuple(tokens)


def _after_boundary(previous: Sequence[Token]) -> bool:
    """A capital right after an opening quote or full stop is not a sign of a name."""
    return bool(previous) and previous[-1].low in {".", "!", "?", "“", '"', ":", "‘", "'"}


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
    """Every one of `ours` is one of `theirs` written another way (`spelled_alike`)."""
    return all(any(spelled_alike(x, y) for y in theirs) for x in ours)


def content_weight(token: Token) -> float:
    """Names are rarer than common words, so sharing one says more about sharing a topic."""
    return 2.0 if token.is_proper else 1.0


@dataclass(frozen=True)
class Overlap:
    """How much two sentences share, outside the words a rule is comparing."""

    shared: frozenset[str]  # stems in both
    weight: float  # summed weight of the shared stems
    coefficient: float  # shared weight / weight of the smaller side, 0..1


def overlap(
    a: Sequence[Token],
    b: Sequence[Token],
    skip_a: Collection[int] = (),
    skip_b: Collection[int] = (),
    skip_stems: Collection[str] = (),
) -> Overlap:
    """Weighted overlap coefficient of the content words of `a` and `b`.

    The overlap coefficient (not Jaccard) because a short claim fully contained in a long
    passage should score high: the passage is about the claim's topic and more.
    """
    wa = _weights(a, skip_a, skip_stems)
    wb = _weights(b, skip_b, skip_stems)
    shared = frozenset(wa) & frozenset(wb)
    weight = sum(max(wa[s], wb[s]) for s in shared)
    smaller = min(sum(wa.values()), sum(wb.values()))
    coefficient = min(1.0, weight / smaller) if smaller else 0.0
    return Overlap(shared, weight, coefficient)


def _weights(
    tokens: Sequence[Token], skip: Collection[int], skip_stems: Collection[str]
) -> dict[str, float]:
    weights: dict[str, float] = {}
    for t in tokens:
        if t.is_content and t.index not in skip and t.stem not in skip_stems:
            weights[t.stem] = max(weights.get(t.stem, 0.0), content_weight(t))
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


MAX_CHARS = 4000
"""The rules read at most this many characters of a sentence. Real sentences are far shorter;
the cap keeps a pathological "sentence" (a table flattened into one line) from costing
seconds, since some steps grow with the square of its length."""


def clip(text: str) -> str:
    return text[:MAX_CHARS]


def cover(tokens: Sequence[Token], indices: Iterable[int]) -> Span:
    """The character span from the first to the last of the given tokens."""
    chosen = sorted(indices)
    return (tokens[chosen[0]].start, tokens[chosen[-1]].end)


def quote(text: str, span: Span) -> str:
    """The words of a span, for a human-readable detail line."""
    return " ".join(text[span[0] : span[1]].split())
