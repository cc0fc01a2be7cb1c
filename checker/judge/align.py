"""Alignment: do two sentences state the same fact about the same subject?

Only statements about the same thing can disagree, and only they can support each other.
`align` compares two stored analyses (no parsing here):

- the value-masked content: content lemmas plus the names both share, numbers and dates left
  out, so "$327 million" against "$600 million" is judged on what the sums are *of*;
- the subject and predicate of the main (or reported) clause;
- the value slots: numbers, dates and names that hang on the same word ("landed in Lyon" /
  "landed in Geneva") but differ.

`is_copy` recognises one sentence reprinted: the same words once attribution (who said it,
to whom, the reporting verb), quotes, case and punctuation are set aside, with at most a
typo or an added descriptor between them, and no number, date, name or denial changed.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from difflib import SequenceMatcher

import pint

from checker.analyse.parse import DATE_LABELS, NAME_LABELS, parse_number
from checker.judge.rules.text import names_within, spelled_alike
from checker.types import Analysis, Span, Value

# Words too common to say two sentences speak of the same thing.
_LIGHT = frozenset({"be", "have", "do", "say", "tell", "make", "get", "take", "go", "come"})
# A copy differs from its original by little more than this (difflib ratio on characters).
COPY_MIN_RATIO = 0.88
_WORD = re.compile(r"\w+")
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Alignment:
    """How far two sentences state the same fact, and what differs between them.

    `overlap`: shared value-masked content over the smaller side's (0–1); `shared`: those
    words; `same_subject` / `same_predicate`: the main clauses agree; `differing`: value pairs
    in the same slot (same kind, same word they hang on) with different values.
    """

    overlap: float
    shared: tuple[str, ...]
    same_subject: bool
    same_predicate: bool
    differing: tuple[tuple[Value, Value], ...]

    def agrees(self, min_overlap: float, min_shared: int) -> bool:
        """Same fact: enough shared content, and the same subject or predicate."""
        return (
            self.overlap >= min_overlap
            and len(self.shared) >= min_shared
            and (self.same_subject or self.same_predicate)
        )

    def evidence(self) -> str:
        parts = [f"shared: {', '.join(self.shared[:8]) or 'nothing'}"]
        if self.same_subject or self.same_predicate:
            parts.append(
                "same "
                + " and ".join(
                    n
                    for n, ok in (
                        ("subject", self.same_subject),
                        ("predicate", self.same_predicate),
                    )
                    if ok
                )
            )
        for a, b in self.differing[:3]:
            parts.append(f"{a.text!r} vs {b.text!r} ({a.head or a.label})")
        return f"overlap {self.overlap:.2f}; " + "; ".join(parts)

    @property
    def numbers_differ(self) -> bool:
        """A figure in the same slot (the same counted word) differs."""
        return any(a.kind == "number" for a, _ in self.differing)

    @property
    def days_differ(self) -> bool:
        """A date (not a time of day) in the same slot differs."""
        return any(a.label == b.label == "DATE" for a, b in self.differing)

    @property
    def names_clash(self) -> bool:
        """A different name in the same slot on each side."""
        return any(a.kind == "entity" for a, _ in self.differing)

    def differing_spans(self) -> tuple[tuple[Span, ...], tuple[Span, ...]]:
        return tuple(a.span for a, _ in self.differing), tuple(b.span for _, b in self.differing)


def content(analysis: Analysis) -> frozenset[str]:
    """Content lemmas and names: what the sentence is about, values masked."""
    names = {v.norm for v in analysis.values if v.kind == "entity"}
    return frozenset(w for w in analysis.lemmas if w not in _LIGHT) | names


def align(a: Analysis, b: Analysis) -> Alignment:
    ca, cb = content(a), content(b)
    shared = ca & cb
    smaller = min(len(ca), len(cb))
    overlap = len(shared) / smaller if smaller else 0.0
    return Alignment(
        overlap=round(overlap, 4),
        shared=tuple(sorted(shared)),
        same_subject=_same(a.subject, b.subject, ca, cb),
        same_predicate=_same(a.predicate, b.predicate, ca, cb),
        differing=_differing(a, b),
    )


def _same(x: str | None, y: str | None, cx: frozenset[str], cy: frozenset[str]) -> bool:
    """One side's subject (or predicate) is the other's, or among the other's words."""
    if x and x not in _LIGHT and (x == y or x in cy):
        return True
    return bool(y and y not in _LIGHT and y in cx)


def _differing(a: Analysis, b: Analysis) -> tuple[tuple[Value, Value], ...]:
    """Value pairs in the same slot with different values, where neither value also appears
    on the other side ("Lyon and Geneva" against "Geneva" is not a difference)."""
    a_norms = {v.norm for v in a.values}
    b_norms = {v.norm for v in b.values}
    a_words, b_words = _name_words(a), _name_words(b)
    b_measured: dict[int, bool] = {}  # _measured(vb, a) depends on vb alone: once per value
    pairs = []
    for va in a.values:
        if va.norm in b_norms or _named(va, b_words) or _measured(va, b):
            continue
        for j, vb in enumerate(b.values):
            if vb.norm in a_norms or _named(vb, a_words):
                continue
            if j not in b_measured:
                b_measured[j] = _measured(vb, a)
            if (
                not b_measured[j]
                and vb.kind == va.kind
                and _same_class(va, vb)
                and va.head
                and va.head == vb.head
                and va.head not in _VENUES
                and va.head not in _ROLES
                and not (va.kind == "entity" and _same_name(va, vb))
                and not (va.kind == "date" and not _days_apart(va, vb))
                and not (va.kind == "number" and (_same_measure(va, vb) or _overlap(va, vb)))
                and not (va.kind == "number" and _other_verbs(va, vb, a, b))
            ):
                pairs.append((va, vb))
                break
    return tuple(pairs)


def _measured(value: Value, other: Analysis) -> bool:
    """The other sentence gives this measure in other units ("12m" / "40 feet"): accounted
    for, whichever slot the parse hung either on."""
    return value.kind == "number" and any(
        v.kind == "number" and _same_measure(value, v) for v in other.values
    )


def _other_verbs(va: Value, vb: Value, a: Analysis, b: Analysis) -> bool:
    """The counted things are the subjects or objects of different verbs, neither of which
    the other sentence uses: "seven girls fell pregnant" / "28 girls went on the trip"."""
    if not va.verb or not vb.verb or va.verb == vb.verb:
        return False
    return va.verb not in b.lemmas and vb.verb not in a.lemmas


# Words that make a figure a bound ("at least ten shots") rather than a count.
_AT_LEAST = re.compile(r"^(?:at least|more than|over|above|upwards of|in excess of)\b", re.I)
_AT_MOST = re.compile(r"^(?:at most|up to|less than|fewer than|under|below)\b", re.I)
# ... and a figure that stops just short of one ("nearly 300"): within this much below it.
_NEARLY = re.compile(r"^(?:nearly|almost|as many as|as much as|close to)\b", re.I)
_NEARLY_SPAN = 0.15
_RANGE = re.compile(r"^(?:between|from)?\s*(.+?)\s*(?:\band\b|\bto\b|[-–])\s*(\S.*)$", re.I)


def _overlap(va: Value, vb: Value) -> bool:
    """Figures that can both be true: a value inside the other's range ("$4,999" / "between
    $4,000 and $5,000") or past its bound ("11 shots" / "at least ten shots")."""
    a, b = _bounds(va), _bounds(vb)
    if a is None or b is None or a[0] == a[1] == b[0] == b[1]:
        return False
    return a[0] <= b[1] and b[0] <= a[1]


def _bounds(value: Value) -> tuple[float, float] | None:
    """The interval a figure states: a point, a range, or an open bound."""
    text = value.text.strip()
    number = parse_number(text)
    if number is None:
        return None
    if _AT_LEAST.match(text) or value.norm.endswith("+"):  # "+": a count the sentence goes past
        return number, float("inf")
    if _AT_MOST.match(text):
        return 0.0, number
    if _NEARLY.match(text):
        return number * (1 - _NEARLY_SPAN), number
    found = _RANGE.match(text)
    if found is not None:
        first, second = found.group(1), found.group(2)
        scale = _SCALE.search(second)
        if scale is not None and _SCALE.search(first) is None:
            first = f"{first} {scale.group(0)}"  # "$4 to $5 million": the scale written once
        low, high = parse_number(first), parse_number(second)
        if low is not None and high is not None and low <= high:
            return low, high
    return number, number


_SCALE = re.compile(r"\b(?:hundred|thousand|million|billion|trillion|bn|m|k)\b", re.I)


# A place that qualifies a person ("a US official", "a White House spokesman") says who
# speaks, and two different ones are two people, not one fact told two ways.
_ROLES = frozenset(
    {"official", "spokesman", "spokeswoman", "spokesperson", "source", "diplomat", "officer",
     "representative", "aide", "lawmaker", "senator", "analyst", "expert", "agent",
     "journalist", "reporter", "correspondent", "authority", "leader", "minister"}
)  # fmt: skip


# Reporters round a converted measure ("16 feet (5 metres)"): within this, one measure.
_MEASURE_TOLERANCE = 0.05
# A figure and a unit in words ("16 feet", "40-feet", "12m", "110 km/h").
_MEASURE = re.compile(r"^\s*(\d[\d,]*(?:\.\d+)?)\s*-?\s*([a-zA-Z][a-zA-Z./ ]*?)\s*$")


def _same_measure(va: Value, vb: Value) -> bool:
    """ "16 feet" and "5 metres" state one depth: measures in two units of one dimension
    agree after conversion (pint), within what rounding explains."""
    qa, qb = _measure(va), _measure(vb)
    if qa is None or qb is None or qa.units == qb.units:
        return False
    try:
        converted = float(qa.to(qb.units).magnitude)
    except pint.errors.DimensionalityError:
        return False
    expected = float(qb.magnitude)
    return abs(converted - expected) <= _MEASURE_TOLERANCE * max(abs(expected), 1e-9)


def _measure(value: Value) -> pint.Quantity | None:
    """ "39 feet" as a quantity; a bare number with a unit for its head ("76" of "76 mm") too."""
    for text in (value.text, f"{value.norm} {value.head}"):
        found = _MEASURE.match(text)
        if found is None:
            continue
        units = _unit(found.group(2))
        if units is not None and not units.dimensionless:
            return _units().Quantity(float(found.group(1).replace(",", "")), units)
    return None


# Words pint knows as units that in news text are not ("a" is an annum to pint).
_NOT_UNITS = frozenset({"a", "an", "at", "in", "per"})


@functools.lru_cache(maxsize=4096)
def _unit(text: str) -> pint.Unit | None:
    """A unit named in words ("feet", "metres", "km/h"), or None. Each part is looked up by
    name, never parsed as an expression: pint's expression parser raises on much of what
    follows a figure in news ("year-old", "m."), which once stopped a nightly scan. Cached:
    pint's look-up by name is the dearest step of aligning two sentences, and news writes few
    distinct units."""
    parts = [p.strip() for p in text.casefold().split("/")]
    if not 1 <= len(parts) <= 2 or not all(p.isalpha() and p not in _NOT_UNITS for p in parts):
        return None
    try:
        names = [_units().get_name(part) for part in parts]
    except pint.errors.UndefinedUnitError:
        return None
    unit = _units().Unit(names[0])
    return unit / _units().Unit(names[1]) if len(names) == 2 else unit


@functools.cache
def _units() -> pint.UnitRegistry:
    return pint.UnitRegistry()


# The small English model often calls a city an ORG and a country a LOC: labels of one
# group name the same kind of slot.
_PLACES = frozenset({"GPE", "LOC", "FAC", "ORG"})
_GEO = frozenset({"GPE", "LOC", "FAC"})
# Where something is published is not what it says: "in the journal Science" / "in Nature".
_VENUES = frozenset(
    {"journal", "newspaper", "magazine", "paper", "website", "site", "channel", "station",
     "network", "publish", "broadcast", "program", "programme", "show", "blog"}
)  # fmt: skip


# Lines of a page that state no fact about the story: credits, sign-offs, time stamps.
_FURNITURE = re.compile(
    r"contributed (?:reporting )?to this (?:report|story|article)"
    r"|\b(?:this|the) (?:article|story|post) (?:was )?(?:originally |first )?"
    r"(?:appeared|published|ran)\b"
    r"|\(@\w+\)|pic\.twitter\.com|\bfollow (?:us|him|her|\w+) on (?:twitter|facebook)"
    r"|^\s*(?:updated?|posted|published)\s*[:\-–—]"
    r"|^\s*\d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\.?)?\s*(?:[A-Z]{2,4}\b)?\s*[:\-–—]?\s*$"
    r"|^\s*(?:\(?(?:additional )?reporting|editing|writing) by\b"
    r"|\b(?:getty images|ap photo|reuters/|afp photo)\b"
    r"|\bsign up (?:for|to) (?:our|the) newsletter"
    r"|\b(?:this|the) (?:story|article|post) (?:was|has been) updated\b"
    r"|innerHTML|getElementById|\bfunction\s*\(|\bvar\s+\w+\s*=|\}\);"
    # a web address or its slug quoted ("Its URL reads, 'bird-defecates-on-putin-video'")
    r"|\b(?:url|web address|link)\b[^.]{0,20}\b(?:reads|read|is|was)\b"
    r"|\b[a-z0-9]+(?:-[a-z0-9]+){6,}\b",
    re.IGNORECASE,
)


def subjects_swapped(a_text: str, b_text: str) -> bool:
    """Whether the two sentences are one template filled for two subjects: a name swapped for
    another *and* something else swapped too ("R.I.P. Axl Rose ... on Monday" / "R.I.P.
    Willie Nelson ... on Sunday"). One fact with a value changed swaps one thing (a place, a
    figure), or a figure and the day it was read (a change over time), but no name beside.
    Word-level diff; a run counts when it holds a name (a capitalised word that is not the
    sentence's first, a weekday or a month) or a figure on both sides."""
    wa, wb = _WORD.findall(a_text), _WORD.findall(b_text)
    matcher = SequenceMatcher(None, [w.casefold() for w in wa], [w.casefold() for w in wb])
    names = others = 0
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op != "replace":
            continue
        names_a, names_b = _names_in(wa, i1, i2), _names_in(wb, j1, j2)
        kind_a, kind_b = _swap_kind(wa[i1:i2], names_a), _swap_kind(wb[j1:j2], names_b)
        if kind_a == kind_b == "name":
            # One name spelled two ways ("the Iraqi Grains Board" / "the Iraq Grains Board")
            # is no swap.
            names += not _one_name(names_a, names_b)
        elif kind_a and kind_b:
            others += 1
    return names >= 1 and names + others >= 2


_CALENDAR = frozenset(
    ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
     "january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december")
)  # fmt: skip


def _swap_kind(run: list[str], names: list[str]) -> str | None:
    """The run's kind: "name" where it holds a name (`names`, its `_names_in`), "value" where
    it holds a figure, a weekday or a month, else None."""
    if names:
        return "name"
    if any(any(c.isdigit() for c in w) or w.casefold() in _CALENDAR for w in run):
        return "value"
    return None


def _names_in(words: list[str], start: int, end: int) -> list[str]:
    """The run's names: capitalised words that are not the sentence's first, a weekday or a
    month, or a figure written with its currency ("US130")."""
    return [
        w
        for i, w in enumerate(words[start:end], start)
        if w[:1].isupper()
        and i > 0
        and w.casefold() not in _CALENDAR
        and not any(c.isdigit() for c in w)
    ]


def _one_name(a: list[str], b: list[str]) -> bool:
    """Every name of each run is a spelling of one of the other's."""
    return names_within(a, b) and names_within(b, a)


def same_speaker(a: Analysis, b: Analysis) -> bool:
    """Both sentences are told by one speaker: the names of one's speaker are all in the
    other's ("The Iraqi Grains Board" / "The head of the Iraq Grains Board Khalil Aassi")."""
    if a.attribution is None or b.attribution is None:
        return False
    first, second = _names_of(a.attribution.speaker), _names_of(b.attribution.speaker)
    return bool(first and second) and (names_within(first, second) or names_within(second, first))


def _names_of(speaker: str) -> list[str]:
    return [w for w in _WORD.findall(speaker) if w[:1].isupper() and w.casefold() != "the"]


@functools.lru_cache(maxsize=8192)
def is_furniture(text: str) -> bool:
    """A line of the page rather than a statement of the story (cached: a scan asks it of
    each sentence once per neighbour)."""
    return bool(_FURNITURE.search(text))


def _name_words(analysis: Analysis) -> frozenset[str]:
    """Every word of the sentence's names and content lemmas."""
    return _names(analysis) | frozenset(analysis.lemmas)


def _names(analysis: Analysis) -> frozenset[str]:
    """Every word of the sentence's names ("christian bale" gives two)."""
    return frozenset(
        w for v in analysis.values if v.kind == "entity" for w in _WORD.findall(v.norm)
    )


def _named(value: Value, other_words: frozenset[str]) -> bool:
    """A name the other sentence also uses, in part ("Nagorno-Karabakh" / "Karabakh",
    "Pashinyan" / "Nikol Pashinyan"): the same thing, not a different one."""
    return value.kind == "entity" and any(w in other_words for w in _WORD.findall(value.norm))


def _days_apart(a: Value, b: Value) -> bool:
    """Two dates that name different days. A date not resolved to a day ("yesterday" in an
    undated report, "last month") cannot be compared, nor can one written more fully than
    the other ("Aug. 21" / "Aug. 21, 2014")."""
    if not (_ISO_DAY.fullmatch(a.norm) and _ISO_DAY.fullmatch(b.norm)):
        return False
    x, y = sorted((a.text.casefold(), b.text.casefold()), key=len)
    return a.norm != b.norm and not (y.startswith(x) or x in y)


# Country names that share no letters with their other names, as news writes them.
_COUNTRY_NAMES = (
    frozenset({"america", "united states", "united states of america", "us", "u.s.", "usa",
               "u.s.a.", "the states"}),
    frozenset({"britain", "great britain", "united kingdom", "uk", "u.k."}),
)  # fmt: skip


def _same_name(a: Value, b: Value) -> bool:
    """Two spellings of one name ("Mohammed" / "Mohammad"), a name and its initials
    ("Agence France Presse" / "AFP"), or one country's two names ("America" / "United
    States")."""
    if SequenceMatcher(None, a.norm, b.norm).ratio() >= 0.8:
        return True
    if any(a.norm in names and b.norm in names for names in _COUNTRY_NAMES):
        return True
    short, long = sorted((a.norm, b.norm), key=len)
    initials = "".join(w[0] for w in _WORD.findall(long))
    return short.replace(".", "") == initials


def _same_class(a: Value, b: Value) -> bool:
    """Values that can fill one slot: numbers with numbers, dates with dates, and a place
    with a place. Names of people and organisations are not compared: on real news a
    different one in the same slot was an alias ("ISIS" / "Islamic State", "the Met" /
    "Scotland Yard") or another subject far more often than a discrepancy."""
    if a.kind != "entity":
        return True
    labels = {a.label, b.label}
    return labels <= _PLACES and bool(labels & _GEO)


def is_copy(a_text: str, b_text: str, a: Analysis, b: Analysis, alignment: Alignment) -> bool:
    """One sentence reprinted (see the module docstring); `alignment` is `align(a, b)`."""
    if _heading_glued_on(a_text, b_text):
        return True
    if _numbers_clash(a, b) or _digits_clash(a_text, b_text) or alignment.differing:
        return False
    wa, wb = _copy_words(a_text, a), _copy_words(b_text, b)
    if not wa or not wb:
        return False
    if _quoted_at_more_length(wa, wb) or _same_quotation(a_text, b_text):
        return True
    if denies_what_other_says(a, b):
        return False
    # Characters, not words: "coloured"/"colored" or "Kobane"/"Kobani" is one letter apart.
    x, y = " ".join(wa), " ".join(wb)
    # ratio() <= quick_ratio() <= real_quick_ratio(), the last from the lengths alone (one
    # denominator, fewer matches each): the cheap bounds settle most pairs, which are no copy,
    # before the matcher indexes a side and matches them quadratically.
    if 2.0 * min(len(x), len(y)) / (len(x) + len(y)) < COPY_MIN_RATIO:
        return False
    matcher = SequenceMatcher(None, x, y, autojunk=False)
    return matcher.quick_ratio() >= COPY_MIN_RATIO and matcher.ratio() >= COPY_MIN_RATIO


# A sentence this long found word for word inside another is a quotation of it, not a
# sentence that happens to share words.
_QUOTED_MIN_WORDS = 8


def _quoted_at_more_length(wa: list[str], wb: list[str]) -> bool:
    """One sentence whole inside the other: the same quote given at two lengths ("'At least
    10 fighters were caught,' he said" / "He said 'at least 10 fighters were caught' and
    that ...")."""
    short, long = sorted((wa, wb), key=len)
    if len(short) < _QUOTED_MIN_WORDS or len(short) == len(long):
        return False
    if not set(short) <= set(long):
        return False  # a word of one missing from the other: no run can hold it whole
    matcher = SequenceMatcher(None, short, long, autojunk=False)
    run = matcher.find_longest_match(0, len(short), 0, len(long))
    if run.size != len(short):
        return False
    # "The claim that <the other sentence> is false" quotes it to deny it.
    rest = " ".join(long[: run.b] + long[run.b + run.size :])
    return _DEBUNKED.search(rest) is None


# A direct quotation: the words between double quotes, straight or curly.
_QUOTATION = re.compile(r'["“]([^"“”]+)["”]')
# "did not say", "never told": the saying itself denied (the quote's other words may hold
# negations of their own, and what else the sentence reports may be negated too).
_UNSAID = re.compile(
    r"(?:\bnot|\bnever|n't)\s+(?:\w+\s+)?"
    r"(?:say|says|said|saying|tell|tells|told|write|wrote|written|claim|claimed|make|made)\b"
)


def _same_quotation(a_text: str, b_text: str) -> bool:
    """Both sentences quote the same words, at least `_QUOTED_MIN_WORDS` of them (a word
    written two ways, `spelled_alike`, counts as one: "Chris" / "Christian", but also
    "increase" / "increased"), and neither denies or doubts it outside the quotes: one quote
    reported twice, however each tells who said it where and when ('"We needed the best actor
    …," Sorkin said on Oct. 23' / '"We needed the best actor …," Sorkin told Bloomberg
    Television'). Who said it is the attribution, shown on each side."""
    # Words inside quotes are the speaker's, the same on both sides when the quote is: only
    # the reporter's words around every quote can deny or doubt the saying.
    outside = (_QUOTATION.sub(" ", a_text).casefold(), _QUOTATION.sub(" ", b_text).casefold())
    if any(_DEBUNKED.search(t) or _UNSAID.search(t) for t in outside):
        return False
    quotes_a = [_WORD.findall(x.group(1).casefold()) for x in _QUOTATION.finditer(a_text)]
    quotes_b = [_WORD.findall(y.group(1).casefold()) for y in _QUOTATION.finditer(b_text)]
    return any(
        len(wx) >= _QUOTED_MIN_WORDS
        and len(wx) == len(wy)
        and all(u == v or spelled_alike(u, v) for u, v in zip(wx, wy, strict=True))
        for wx in quotes_a
        for wy in quotes_b
    )


_DEBUNKED = re.compile(
    r"\b(?:false|untrue|hoax|fake|wrong|debunked|baseless|unfounded|den(?:y|ied|ies)|"
    r"not true|n't true|not the case|no truth)\b"
)


# A section heading that a page's layout glued onto the sentence after it: two or more words
# in capitals, then a capitalised word that goes on in lower case ("NOT KIM'S FIRST ABSENCE
# North Korean officials have denied ...").
_GLUED_HEADING = re.compile(r"^(?:[A-Z0-9][A-Z0-9'’.,:-]*\s+){2,}(?=[A-Z][a-z])")


def _heading_glued_on(a_text: str, b_text: str) -> bool:
    """The same sentence, one with a heading glued on: a copy, whatever the heading says."""
    a_bare, b_bare = (_GLUED_HEADING.sub("", t, count=1) for t in (a_text, b_text))
    if (a_bare, b_bare) == (a_text, b_text):
        return False
    words_a, words_b = _WORD.findall(a_bare.casefold()), _WORD.findall(b_bare.casefold())
    return words_a == words_b


def denies_what_other_says(a: Analysis, b: Analysis) -> bool:
    """A word one side denies and the other does not, which both speak of: a polarity that
    differs on shared ground ("there are no forces" / "the withdrawal of remaining forces")."""
    return denial_met(a, b) or denial_met(b, a)


# Words of a denial the other side must assert besides the denied word itself: "traded no
# beef" is not answered by any sentence that mentions beef.
_DENIAL_CONTEXT = 1


def denial_met(denier: Analysis, other: Analysis) -> bool:
    """`other` asserts what `denier` denies: the denied word and more of the denial's words."""
    said = asserted(other)
    denied = (set(denier.negated) - set(other.negated)) & said
    denied -= _other_acts(denier, other, denied)
    if not denied or _of_a_narrower_kind(denier, other, denied):
        return False
    # Word by word: names are whole ("christian bale") in `said`, token lemmas in the scope.
    said_words = {w for item in said for w in _WORD.findall(item)} & _near(other, denied)
    around = {w for w in denier.unasserted if w not in denied} & said_words
    if len(around) < _DENIAL_CONTEXT:
        return False
    return not (
        _named_elsewhere(denier, other, _GEO)
        or _named_elsewhere(denier, other, NAME_LABELS)
        or _dated_before_the_window(denier, other)
    )


def _other_acts(denier: Analysis, other: Analysis, denied: set[str]) -> set[str]:
    """Denied verbs the other side completes with another act: "Comcast is not asking
    customers to stop using Tor" is not answered by "the agent asked the customer to tell him
    what sites he was accessing" (two requests). A verb either side uses without a
    complement is judged as before."""
    apart = set()
    for verb in denied:
        mine = {act for v, act in denier.complements if v == verb}
        theirs = {act for v, act in other.complements if v == verb}
        if mine and theirs and not mine & theirs:
            apart.add(verb)
    return apart


def _of_a_narrower_kind(denier: Analysis, other: Analysis, denied: set[str]) -> bool:
    """`other` asserts a kind of the denied thing that the denier does not name: "no complete
    skeleton has been found" (of pliosaurs) is not answered by "the most complete hominid
    skeleton ever found". A kind the denier names anywhere ("the PGA Tour" / "a secret Tour
    suspension") is the same thing."""
    words = _name_words(denier)
    return any(noun in denied and kind not in words for noun, kind in other.classifiers)


def _named_elsewhere(denier: Analysis, other: Analysis, labels: frozenset[str]) -> bool:
    """The assertion is made of a name of `labels` where the denial names none. Places
    (`_GEO`): "the national threat level has not been raised" is not answered by "the threat
    level in Canada was raised" (the denier's own country goes unsaid). Any name
    (`NAME_LABELS`): "witnesses don't agree on what happened next" (Ottawa) is not answered by
    "many witnesses agreed on what happened next: Officer Wilson's firearm went off"
    (Ferguson). A denial naming one is judged as before."""
    named = [any(v.label in labels for v in x.values) for x in (denier, other)]
    return named == [False, True]


# A span of time counted back from the report ("in a year", "for the past two weeks"), not a
# day: a denial bounded by it leaves the time before it open.
_DURATION = re.compile(
    r"^(?:(?:the\s+)?(?:past|last)\s+)?(?:a|an|one|two|three|four|five|six|seven|eight|nine|"
    r"ten|several|many|few|\d+)?\s*(?:year|month|week|day|decade)s?$",
    re.IGNORECASE,
)
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$|\b(?:1[89]|20)\d\d\b")


def _dated_before_the_window(denier: Analysis, other: Analysis) -> bool:
    """A denial over a span ("hasn't been seen in public in a year") and an assertion dated to
    a day or year ("the last time he was seen was Jan. 9, 2014"): the dated event can fall
    before the span, so both can be true. Two dates ("not seen since September 3" / "seen
    for the first time since September 3") are judged as before."""
    spans = [v for v in denier.values if v.label in DATE_LABELS]  # "six years" is a number
    return (
        bool(spans)
        and all(_DURATION.match(v.text.strip()) for v in spans)
        and any(v.kind == "date" and _DAY.search(v.norm) for v in other.values)
    )


# How many content words away from the asserted word the denial's other words may stand: "a
# difference between the two groups" is not "no difference between those two studies" because
# "study" turns up elsewhere in the sentence ("after starting the study").
_NEAR = 2


def _near(analysis: Analysis, words: set[str]) -> frozenset[str]:
    """The sentence's names, and its content lemmas within `_NEAR` places of `words` (all of
    them where none of `words` is a lemma of it)."""
    spots = [i for i, w in enumerate(analysis.lemmas) if w in words]
    if not spots:
        return _name_words(analysis)
    close = {w for i, w in enumerate(analysis.lemmas) if any(abs(i - j) <= _NEAR for j in spots)}
    return _names(analysis) | close


def asserted(analysis: Analysis) -> frozenset[str]:
    """What the sentence speaks of outside its denials: "doctors in Mosul might be unable to
    test" does not assert anything of the doctors that "there are no doctors who can" denies."""
    return content(analysis) - set(analysis.unasserted)


def _numbers_clash(a: Analysis, b: Analysis) -> bool:
    """Both sides state numbers, and some on each side are missing from the other: a figure
    changed. A conversion or a figure only one side gives ("(86,800 square meters)") is not."""
    na = {v.norm for v in a.values if v.kind == "number"}
    nb = {v.norm for v in b.values if v.kind == "number"}
    return bool(na - nb) and bool(nb - na)


_DIGITS = re.compile(r"\d+")


def _digits_clash(a_text: str, b_text: str) -> bool:
    """Figures the parse does not count ("a 12-year-old" / "a 14-year-old") changed: each
    side writes digits the other does not."""
    da, db = set(_DIGITS.findall(a_text)), set(_DIGITS.findall(b_text))
    return bool(da - db) and bool(db - da)


def _copy_words(text: str, analysis: Analysis) -> list[str]:
    """The sentence's words without its attribution (speaker and reporting verb)."""
    who = analysis.attribution
    if who is not None:
        start, end = who.span
        text = text[:start] + " " + text[end:]
        verb = re.escape(who.verb)
        text = re.sub(rf"\b{verb}\b", " ", text, count=1)
    return _WORD.findall(text.casefold())
