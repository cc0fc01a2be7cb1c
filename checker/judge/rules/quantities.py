"""Finding quantities in a sentence: the number, what it counts, and how exact it is.

Quantities are digits (with thousands commas and decimals), money ("$290 million"),
percentages ("5 per cent"), number words ("twelve", "thirty-two") and "nobody" (none). Each is
tied to what it counts: the common noun spaCy's parse hangs the number on ("25,000 dairy
farmers", "250 tonnes of hay"; the words after it where the parse names none), a rate ("$20 a
tonne"), or for a bare percentage or sum the word before it ("fined $2 million"). Hedges make
a range ("more than 30", "about 20", "five to six"). Numbers inside dates and times, years,
ordinals, labels ("stage four", "a 10 year plan") and parts of names ("A380", "Boeing 747")
are not quantities; nor are parts of a whole ("the remaining 65 per cent", "six shots, then
four more").
"""

from __future__ import annotations

import calendar
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from checker.judge.rules import counted
from checker.judge.rules.dates import find_dates
from checker.judge.rules.phrases import word_at
from checker.judge.rules.ranges import SCALES, SMALL, TENS, WORD_VALUES, interval
from checker.judge.rules.text import (
    PUNCT_BOUNDARY,
    Token,
    analyse,
    around,
    quote,
    tokens_in,
    words,
)
from checker.types import Span

_DIGITS = re.compile(
    # "US$190" and, as Australian news writes it, "$US190" / "$A1.5 billion".
    r"(?P<cur>(?:\b(?:A|AU|US|NZ|C))?[$£€](?:US|AU|A|NZ|C)?)?\s?"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
    r"(?P<glued>[A-Za-z]+)?"
    r"(?:\s?(?P<scale>million|billion|trillion|thousand|mln|bn)\b)?"
    r"(?:\s?(?P<pct>%|per\s?cent\b|percent\b|percentage points?\b))?"
)
_WORDS = re.compile(
    rf"\b(?P<word>{'|'.join((*SMALL, *TENS))})(?:-(?P<ones>{'|'.join(SMALL[1:10])}))?"
    r"(?:\s(?P<scale>hundred|thousand|million|billion)\b)?"
    r"(?:\s?(?P<pct>per\s?cent\b|percent\b))?\b",
    re.IGNORECASE,
)
_CALENDAR = frozenset(
    m.lower() for m in (*calendar.month_name[1:], *calendar.month_abbr[1:], *calendar.day_name)
)
# "Nobody was hurt" counts the people hurt: none.
_NOBODY = re.compile(r"\b(?P<nobody>no one|no-one|nobody)\b", re.IGNORECASE)
_PEOPLE = frozenset({"people", "person"})

# "the remaining 65 per cent", "another 20 homes": a part, not a rival figure for the whole.
_PARTS = words("remaining other another rest further additional extra")
# A figure someone expects, hopes for or guesses is weaker evidence than one that happened.
_IRREALIS = words(
    "expected expects expect forecast forecasts predicted predicts predict could would may "
    "might should reckon reckons hope hopes target targets plan plans if likely projected "
    "perhaps possibly maybe"
)
# Singular units that make a number part of a name for a kind: "a 10 year plan".
_LABEL_UNITS = words(
    "second minute hour day week month year metre meter kilometre mile point star storey page "
    "tonne litre acre hectare micron"
)
# Nouns that number things rather than count them: "stage four restrictions", "category 5".
_LABEL_NOUNS = words(
    "stage level category phase grade number section chapter page article round game flight "
    "route term division gate platform item clause part series version model class type"
)
_COMPARED = words("more less fewer higher lower bigger smaller larger greater")
# Words before a figure that make it a change rather than a level: "fell seven cents".
_CHANGE_WORDS = words(
    "by up down rose rise rises risen fell fall falls fallen dropped drop drops jumped jump "
    "climbed climb slipped slip eased ease gained gain lost lose increased increase decreased "
    "decrease lifted lift cut cuts added"
)
# The way a change goes: "fell seven cents" is down, "up 14 cents" up.
_DOWN = words(
    "down fell fall falls fallen falling dropped drop drops dropping slipped slip slipping eased "
    "ease easing lost lose losing decreased decrease declined decline cut cuts lower"
)
_UP = words(
    "up rose rise rises risen rising jumped jump climbed climb climbing gained gain gaining "
    "increased increase lifted lift added higher"
)


@dataclass(frozen=True)
class Quantity:
    span: Span  # the number with what it counts, for display: "32 people"
    value: float
    low: float
    high: float
    kind: str  # "count", "money:<currency>" or "percent"
    units: frozenset[str]  # lemmas of what it counts ("home"), or a rate ("/tonne")
    of: str | None  # head of "250 tonnes of hay" / "60 per cent of the crop": "hay", "crop"
    left: str | None  # the content word just before it in its clause: "fined $2 million"
    right: str | None  # the first content word after it and its unit: "32 people died"
    tokens: frozenset[int]  # token indices of the number and its unit, left out of overlap
    irrealis: bool  # expected, forecast, hoped for
    change: bool  # "dropped by 29 per cent" is a change, "dropped to 29 per cent" a level
    direction: int = 0  # of a change: -1 down ("fell"), 1 up ("up 14 cents"), 0 not said

    @property
    def hedged(self) -> bool:
        return self.low != self.value or self.high != self.value

    @property
    def open_ended(self) -> bool:
        """ "more than 30", "below 380": a bound, not a figure."""
        return self.low == 0 or math.isinf(self.high)


@lru_cache(maxsize=4096)
def find_quantities(text: str) -> tuple[Quantity, ...]:
    """Every quantity in `text` that says what it counts, in text order."""
    tokens = analyse(text)
    dates = [w.span for w in find_dates(text)]
    found: list[Quantity] = []
    for m in (*_DIGITS.finditer(text), *_WORDS.finditer(text), *_NOBODY.finditer(text)):
        number = m.span(next(g for g in ("num", "word", "nobody") if g in m.re.groupindex))
        if any(number[0] < end and number[1] > start for start, end in dates):
            continue
        if any(number[0] < q.span[1] and number[1] > q.span[0] for q in found):
            continue
        quantity = _quantity(text, tokens, m)
        if quantity is not None:
            found.append(quantity)
    return _continued(tokens, sorted(found, key=lambda q: q.span))


def _continued(tokens: Sequence[Token], found: Sequence[Quantity]) -> tuple[Quantity, ...]:
    """ "a group of six shots, then four more": a count the sentence goes on adding to, and the
    addition, are parts of a total, not rival figures for it (as "another 20 homes" is), so
    neither is compared with "at least 10 shots"."""
    parts: set[int] = set()
    for t in tokens:
        if t.tag != "CD" or word_at(tokens, t.index + 1) != "more":
            continue
        if "than" in {word_at(tokens, t.index + 2), word_at(tokens, t.index + 3)}:
            continue  # "four more (beds) than": a comparison
        before = [p.index for p in tokens[: t.index] if p.tag == "CD"]
        parts.add(t.index)
        if before and _adds_to(tokens, t.index, before[-1], found):
            parts.add(before[-1])
    return tuple(q for q in found if not q.tokens & parts)


# Words that make "N more" the next part of one series: "six shots, then four more".
_SEQUENCE = words("then followed before after")


def _adds_to(
    tokens: Sequence[Token], number: int, previous: int, found: Sequence[Quantity]
) -> bool:
    """Whether "N more" adds to the count just before it: the same noun after "more" ("six
    shots … four more shots"), or none after a word of sequence ("then four more", "followed
    by four more"). "Two people were killed and three more injured" gives two figures."""
    after = tokens[number + 2] if number + 2 < len(tokens) else None
    if after is not None and after.tag.startswith("NN"):
        units = {u.split("/")[0] for q in found if previous in q.tokens for u in q.units}
        return after.lemma in units
    return any(t.low in _SEQUENCE for t in tokens[max(0, number - 3) : number])


def _quantity(text: str, tokens: Sequence[Token], m: re.Match[str]) -> Quantity | None:
    parts = m.groupdict()
    digits = parts.get("num")
    glued = (parts.get("glued") or "").lower()
    value = _value(parts)
    if value is None or (glued and glued not in counted.GLUED_UNITS):
        return None
    if digits is not None and _not_a_count(text, tokens, m):
        return None
    before, after = around(tokens, m.span())
    if before and (before[-1].low in _PARTS or before[-1].low in _LABEL_NOUNS):
        return None
    if after and after[0].low in _CALENDAR:
        return None  # "31 September" is an impossible date, not 31 Septembers
    kind = "percent" if parts.get("pct") else "count"
    if parts.get("cur"):
        kind = "money:" + _currency(parts.get("cur") or "")
    units: set[str]
    used: list[int]
    if parts.get("nobody"):
        units, used = set(_PEOPLE), []
    elif kind == "count":
        found = None if glued else counted.counted_noun(tokens, m.span(), after)
        units, used = counted.units(after, glued, kind) if found is None else found
    else:
        units, used = counted.measured_noun(tokens, m.span(), after)
    if not units and (kind == "count"):
        return None
    if _label(value, after, used):
        return None
    rest = after[len(used) :]
    low, high = interval(value, before, rest)
    start = m.start() + (len(m.group()) - len(m.group().lstrip()))
    end = max([m.end(), *(tokens[i].end for i in used)])
    return Quantity(
        span=(start, end),
        value=value,
        low=low,
        high=high,
        kind=kind,
        units=frozenset(units),
        of=counted.of_noun(rest),
        left=counted.left_word(before),
        right=counted.right_word(rest),
        tokens=frozenset(tokens_in(tokens, (start, end))),
        irrealis=_in_irrealis(before),
        change=_is_change(before, rest),
        direction=_direction(before),
    )


def _currency(written: str) -> str:
    """One name per currency however it is written: "$US" and "US$" are both "US$"."""
    written = written.strip()
    symbol = written.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")[:1]
    return written.replace(symbol, "") + symbol


def _label(value: float, after: Sequence[Token], used: Sequence[int]) -> bool:
    """ "a five minute Apgar score", "a 10 year plan": a number with a singular noun before
    another noun names a kind of thing; it counts nothing."""
    if value == 1 or not used or len(after) <= len(used):
        return False
    unit, nxt = after[len(used) - 1], after[len(used)]
    return unit.low in _LABEL_UNITS and nxt.is_content


def _is_change(before: Sequence[Token], rest: Sequence[Token]) -> bool:
    """ "fell seven cents", "up 14 cents", "rose by 5 per cent", "$500,000 more than" are
    changes or differences; "fell to 744 cents" and "closed at 708 cents" are levels."""
    if rest and rest[0].low in _COMPARED:
        return True
    lows = [t.low for t in before[-3:]]
    if lows and lows[-1] in {"to", "at", "on", "of"}:
        return False
    return any(low in _CHANGE_WORDS for low in lows)


def _direction(before: Sequence[Token]) -> int:
    """Down (-1) or up (1) by the words just before a figure; 0 where they say neither or both."""
    lows = {t.low for t in before[-3:]}
    down, up = bool(lows & _DOWN), bool(lows & _UP)
    return 0 if down == up else (1 if up else -1)


def _value(parts: dict[str, str | None]) -> float | None:
    if parts.get("nobody"):
        return 0.0
    if parts.get("num"):
        value = float((parts.get("num") or "").replace(",", ""))
    else:
        word = (parts.get("word") or "").lower()
        ones = (parts.get("ones") or "").lower()
        if ones and word not in TENS:
            return None  # "three-four" is not a number
        value = WORD_VALUES[word] + WORD_VALUES.get(ones, 0.0)
    scale = (parts.get("scale") or "").lower()
    glued = (parts.get("glued") or "").lower()
    if parts.get("cur") and glued in {"m", "bn", "b", "k"}:
        scale = glued  # "$3m", "$2bn"
    return value * SCALES.get(scale, 1.0)


_PLURAL_NOUNS = frozenset({"NNS", "NNPS"})


def _not_a_count(text: str, tokens: Sequence[Token], m: re.Match[str]) -> bool:
    """Years, ordinals, numbers glued to names ("A380", "COVID-19") and labels ("Boeing 747")."""
    start, num = m.start("num"), m.group("num")
    glued = (m.group("glued") or "").lower()
    glued_to_currency = bool(m.group("cur")) and start == m.end("cur")  # "$US190"
    if (
        start > 0
        and not glued_to_currency
        and (text[start - 1].isalnum() or text[start - 1] in "-./:#_")
    ):
        return True
    if glued in {"st", "nd", "rd", "th", "s"}:
        return True  # "3rd", "1990s"
    previous, following = around(tokens, (start, m.end()), width=1)
    if previous and previous[-1].is_proper and not m.group("cur"):
        return True
    plain = not (m.group("cur") or m.group("pct") or m.group("scale") or "," in num)
    if plain and re.fullmatch(r"(1[89]|20)\d\d", num):
        # "2000 tonnes" counts; "2002 election" and "in 2002" name a year.
        return not (following and following[0].tag in _PLURAL_NOUNS)
    return False


def _in_irrealis(before: Sequence[Token]) -> bool:
    for t in reversed(before[-8:]):
        if t.low in PUNCT_BOUNDARY:
            return False
        if t.low in _IRREALIS:
            return True
    return False


def show(text: str, q: Quantity) -> str:
    return quote(text, q.span)
