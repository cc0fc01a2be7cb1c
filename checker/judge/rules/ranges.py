"""How exact a figure is: the words of numbers, the hedges around them ("more than 30",
"about 20", "30 or more") and the ranges they are part of ("five to six", "between $20
million and $30 million"). `checker.judge.rules.quantities` finds the figures and asks these.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from checker.judge.rules.text import Token, words

SMALL = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
         "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
         "eighteen", "nineteen", "twenty")  # fmt: skip
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
        "eighty": 80, "ninety": 90}  # fmt: skip
WORD_VALUES = {w: float(i) for i, w in enumerate(SMALL)} | {k: float(v) for k, v in TENS.items()}
SCALES = {"hundred": 1e2, "thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "mln": 1e6,
          "billion": 1e9, "bn": 1e9, "b": 1e9, "trillion": 1e12}  # fmt: skip

# Words in front of a number that make it a range: (low factor, high factor).
_HEDGES: dict[tuple[str, ...], tuple[float, float]] = {
    ("more", "than"): (1.0, math.inf), ("over",): (1.0, math.inf), ("above",): (1.0, math.inf),
    ("at", "least"): (1.0, math.inf), ("exceeding",): (1.0, math.inf),
    ("upwards", "of"): (1.0, math.inf), ("less", "than"): (0.0, 1.0),
    ("fewer", "than"): (0.0, 1.0), ("under",): (0.0, 1.0), ("below",): (0.0, 1.0),
    ("up", "to"): (0.0, 1.0), ("at", "most"): (0.0, 1.0), ("as", "many", "as"): (0.0, 1.0),
    ("as", "much", "as"): (0.0, 1.0), ("almost",): (0.8, 1.0), ("nearly",): (0.8, 1.0),
    ("close", "to"): (0.8, 1.2), ("about",): (0.8, 1.2), ("around",): (0.8, 1.2),
    ("approximately",): (0.8, 1.2), ("roughly",): (0.8, 1.2), ("some",): (0.8, 1.2),
    ("estimated",): (0.8, 1.2), ("just", "over"): (1.0, 1.2), ("just", "under"): (0.8, 1.0),
}  # fmt: skip
_HEDGES_AFTER: dict[tuple[str, ...], tuple[float, float]] = {
    ("or", "more"): (1.0, math.inf), ("or", "so"): (0.8, 1.2), ("plus",): (1.0, math.inf),
}  # fmt: skip
_RANGE_WORDS = words("to - – and or")


def interval(value: float, before: Sequence[Token], after: Sequence[Token]) -> tuple[float, float]:
    other = _range_partner(before, after)
    if other is not None:  # "five to six districts", "between $20 million and $30 million"
        return min(other, value), max(other, value)
    words_before = tuple(t.low for t in before[-3:])
    for hedge, (lo, hi) in sorted(_HEDGES.items(), key=lambda h: -len(h[0])):
        if words_before[-len(hedge) :] == hedge:
            return value * lo, value * hi
    words_after = tuple(t.low for t in after[:2])
    for hedge, (lo, hi) in _HEDGES_AFTER.items():
        if words_after[: len(hedge)] == hedge:
            return value * lo, value * hi
    return value, value


def _range_partner(before: Sequence[Token], after: Sequence[Token]) -> float | None:
    """The other end of a range the number is part of, if any (scale words ignored: a range
    is written with one scale, "20 to 30 million")."""
    previous = [w for w in _merged(before[-8:]) if w not in SCALES and w not in "$£€"]
    if len(previous) >= 2 and previous[-1] in _RANGE_WORDS:
        first = _number_word(previous[-2])
        if first is not None:
            return first
    if any(t.low == "between" for t in before[-2:]):
        following = [w for w in _merged(after[:7]) if w not in SCALES and w not in "$£€"]
        if len(following) >= 2 and following[0] == "and":
            return _number_word(following[1])
    return None


def _merged(tokens: Sequence[Token]) -> list[str]:
    """Token words with a figure split at its thousands commas ("6", ",", "000") made whole."""
    merged: list[str] = []
    for token in tokens:
        split = len(merged) >= 2 and merged[-1] == "," and merged[-2][-1:].isdigit()
        if split and token.low.isdigit():
            merged[-2:] = [f"{merged[-2]},{token.low}"]
        else:
            merged.append(token.low)
    return merged


def _number_word(word: str) -> float | None:
    if word in WORD_VALUES:
        return WORD_VALUES[word]
    try:
        return float(word.replace(",", ""))
    except ValueError:
        return None
