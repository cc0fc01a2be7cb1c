"""What a figure counts or measures: the noun spaCy's parse hangs it on ("25,000 dairy
farmers", "a $40 million export deal"), the words after it where the parse names none, a rate
("$20 a tonne"), what it is "of" ("250 tonnes of hay") and the content words beside it ("fined
$2 million"). `checker.judge.rules.quantities` finds the figures and asks these.
"""

from __future__ import annotations

from collections.abc import Sequence

from checker.judge.rules.text import PUNCT_BOUNDARY, Token, tokens_in, words
from checker.types import Span

# Units written straight after the digits ("5km"); anything else glued on ("3G", "4WD")
# makes the number part of a name.
GLUED_UNITS = words("km kg ha mm cm m t g l ml mg kph kmh mph kw mw gw kwh mwh gb mb")

# Describe a quantity without saying what it counts: "12 new homes" counts homes.
_NOT_UNITS = words(
    "new more other extra additional further major small large big local different separate "
    "total full first last next top main key whole entire fewer less least most such square "
    "cubic"
)
_RATE_WORDS = words("a an per each")


def units(after: Sequence[Token], glued: str, kind: str) -> tuple[set[str], list[int]]:
    """What a number counts, and the tokens that say so (for the span)."""
    if glued in GLUED_UNITS:
        return {glued}, []
    rate = _rate(after)
    if kind != "count" and rate:
        return {"/" + rate}, []
    run: list[Token] = []
    for t in after[:2]:
        if not t.is_content or (run and t.is_proper):
            break
        run.append(t)
    if kind != "count":
        run = [t for t in run[:1] if not t.is_proper]
    # The counted noun is the first word after the number unless that word only describes it
    # ("12 new homes", "Twelve Indonesian fishermen"); a verb after the noun ("32 people
    # died") is not part of the unit.
    head = next((t for t in run if t.low not in _NOT_UNITS and not _describes(t, run)), None)
    if head is None:
        return set(), []
    used = run[: run.index(head) + 1]
    return {_per(head.lemma, after[len(used) :])}, [t.index for t in used]


# How spaCy hangs a number on what it counts, directly ("32 people") or through the rest of
# the number ("1.5 million people": 1.5 -> million -> people).
_NUMBER_DEPS = frozenset({"nummod", "compound", "quantmod"})


def counted_noun(
    tokens: Sequence[Token], span: Span, after: Sequence[Token]
) -> tuple[set[str], list[int]] | None:
    """What a count counts as spaCy parsed it: the common noun the number hangs on, within
    four words after it ("25,000 dairy farmers": farmers, not dairy; "two independent
    studies"), with a rate ("20 cents a kilo"). None where the parse shows no such noun (a
    name, a pronoun, a range, a noun that carries no topic): the word walk reads it."""
    found = _noun_of_figure(tokens, span, after)
    if found is None:
        return None
    noun, used = found
    return {_per(tokens[noun].lemma, after[len(used) :])}, used


def measured_noun(
    tokens: Sequence[Token], span: Span, after: Sequence[Token]
) -> tuple[set[str], list[int]]:
    """What a sum or a percentage is of, as spaCy parsed it: a rate ("$20 a tonne"), or the
    common noun the figure hangs on within four words ("a $40 million export deal": deal; "a
    5 per cent price cut": cut). Nothing where the figure hangs on no noun after it ("fell 2.9
    per cent", "$2 billion earmarked for"): the rule then needs "of" or the word before it."""
    rate = _rate(after)
    if rate:
        return {"/" + rate}, []
    found = _noun_of_figure(tokens, span, after)
    return (set(), []) if found is None else ({tokens[found[0]].lemma}, found[1])


def _noun_of_figure(
    tokens: Sequence[Token], span: Span, after: Sequence[Token]
) -> tuple[int, list[int]] | None:
    """The common noun a figure's number hangs on, directly ("32 people") or through the rest
    of the figure ("1.5 million people", "$40 million export deal"), within four words after
    the figure, and the words up to it. None for a name, a range or no such noun."""
    inside = tokens_in(tokens, span)
    if not inside:
        return None
    k = next((i for i in inside if tokens[i].tag == "CD"), inside[-1])
    for _ in range(6):  # through the figure's own words ("million", "%") to its noun
        t = tokens[k]
        number_word = t.tag == "CD" and t.dep in _NUMBER_DEPS and t.head > k
        if not (number_word or (k in inside and t.head != k)):
            break
        k = t.head
    window = [t.index for t in after[:4]]
    noun = tokens[k]
    if k not in window or noun.tag not in {"NN", "NNS"} or not noun.is_content:
        return None
    if not noun.text.isalpha():
        return None  # "U$1000": a figure spaCy took for a noun
    used: list[int] = window[: window.index(k) + 1]
    if any(tokens[i].tag == "CD" for i in used):
        return None  # "from 1,200 to 1,500 points": a range, which the walk reads
    return k, used


def _describes(t: Token, run: Sequence[Token]) -> bool:
    return t.is_proper and t is not run[-1]


def _rate(after: Sequence[Token]) -> str | None:
    """ "$20 a tonne", "746 cents a kilo": a price per unit is not the same figure as a total."""
    if len(after) >= 2 and after[0].low in _RATE_WORDS and after[1].is_content:
        return after[1].lemma
    return None


def _per(unit: str, rest: Sequence[Token]) -> str:
    """The unit with the rate that follows it, if any: "cent/kilogram" for "cents a kilogram"."""
    rate = _rate(rest)
    return unit + ("/" + rate if rate else "")


def of_noun(after: Sequence[Token]) -> str | None:
    """The head of the thing measured: "250 tonnes of hay", "60 per cent of the crop"."""
    if not after or after[0].low != "of":
        return None
    head: Token | None = None
    for t in after[1:6]:
        if t.is_content:
            head = t
        elif head is not None or not t.is_word:
            break
    return head.lemma if head else None


def left_word(before: Sequence[Token]) -> str | None:
    for t in reversed(before[-4:]):
        if t.low in PUNCT_BOUNDARY:
            return None
        if t.is_content:
            return t.lemma
    return None


def right_word(rest: Sequence[Token]) -> str | None:
    for t in rest[:4]:
        if t.low in PUNCT_BOUNDARY:
            return None
        if t.is_content:
            return t.lemma
    return None
