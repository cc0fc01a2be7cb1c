"""The date rule: the same event put on different days or at different times.

Dates and clock times are found by regex ("20 September", "September 20, 2023", "2023-09-20",
"in 2002", "on Monday", "13:00", "1.30pm") and normalised with dateparser (fields the text
leaves out stay unknown: "September 20" and "20 September 2023" are the same date, a missing
year is not a difference). Two sentences that share enough content words and put their event
on different dates contradict; the same date (and time) supports.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from checker.judge.rules.stances import negated_tokens
from checker.judge.rules.text import analyse, clip, overlap, quote, tokens_in
from checker.types import Reason, Span, Verdict

# A full stop belongs to an abbreviation ("Sept."), never to a full month name.
_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?)"
)
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s+(?P<year>(?:1[89]|20)\d{2})\b)?"
_WEEKDAYS = tuple(calendar.day_name)  # Monday .. Sunday, weekday() order

# Order matters: earlier patterns win where matches overlap.
_DATE_PATTERNS = (
    re.compile(r"\b(?P<iso>(?:1[89]|20)\d{2}-[01]\d-[0-3]\d)\b"),
    re.compile(rf"\b{_DAY}(?:\s+of)?\s+(?P<month>{_MONTH})(?![\w]){_YEAR}"),
    re.compile(rf"\b(?P<month>{_MONTH})\s+{_DAY}\b(?!:){_YEAR}"),
    re.compile(rf"\b(?P<month>{_MONTH})\s+(?P<year>(?:1[89]|20)\d{{2}})\b"),
    # A bare month or year only after a word that makes it a point in time ("in May"): "May"
    # alone is usually the verb, and a bare number is usually a count.
    re.compile(
        rf"\b(?i:in|during|until|by|early|late|mid|last|next)[\s-]+(?P<month>{_MONTH})(?![\w])"
    ),
    re.compile(r"\b(?i:in|during)\s+(?P<year>(?:1[89]|20)\d{2})\b(?![-/])"),
    re.compile(rf"\b(?P<weekday>{'|'.join(_WEEKDAYS)})\b"),
)
_AM_PM = r"(?:(?P<ap>[ap])m\b|(?P<ap2>[ap])\.m\.)"
_TIME_PATTERNS = (
    re.compile(rf"\b(?P<h>[01]?\d|2[0-3]):(?P<m>[0-5]\d)(?!\d)(?:\s*{_AM_PM})?"),
    re.compile(rf"\b(?P<h>1[0-2]|0?[1-9])(?:[.:](?P<m>[0-5]\d))?\s*{_AM_PM}"),
    re.compile(r"\b(?P<word>noon|midday|midnight)\b", re.IGNORECASE),
)
_PARSE_SETTINGS = {"DATE_ORDER": "DMY", "PREFER_DAY_OF_MONTH": "first"}


@dataclass(frozen=True)
class When:
    """A date or a clock time found in a sentence; parts the text leaves out are None."""

    span: Span
    kind: str  # "date" or "time"
    year: int | None = None
    month: int | None = None
    day: int | None = None
    weekday: int | None = None
    minute: int | None = None  # minutes after midnight, for times


@lru_cache(maxsize=4096)
def find_dates(text: str) -> tuple[When, ...]:
    """Every date and time expression in `text`, in text order, none overlapping."""
    found: list[When] = []
    taken: list[Span] = []
    for pattern in (*_TIME_PATTERNS, *_DATE_PATTERNS):
        for m in pattern.finditer(text):
            span = _value_span(m)
            if any(span[0] < end and span[1] > start for start, end in taken):
                continue
            when = _time(m, span) if pattern in _TIME_PATTERNS else _date(m, span)
            if when is not None:
                found.append(when)
                taken.append(span)
    return tuple(sorted(found, key=lambda w: w.span))


def _value_span(m: re.Match[str]) -> Span:
    """The span of the date itself, without a leading "in"/"during" that only licensed it."""
    groups = [g for g in ("iso", "day", "month", "year", "weekday") if m.groupdict().get(g)]
    if m.re in _TIME_PATTERNS or not groups:
        return m.span()
    return (min(m.start(g) for g in groups), max(m.end(g) for g in groups))


def _time(m: re.Match[str], span: Span) -> When | None:
    parts = m.groupdict()
    if parts.get("word"):
        minute = 0 if parts["word"].lower() == "midnight" else 12 * 60
        return When(span, "time", minute=minute)
    hour, minute = int(parts["h"] or 0), int(parts.get("m") or 0)
    am_pm = parts.get("ap") or parts.get("ap2")
    if am_pm:
        if hour > 12:
            return None
        hour = hour % 12 + (12 if am_pm == "p" else 0)
    return When(span, "time", minute=hour * 60 + minute)


def _date(m: re.Match[str], span: Span) -> When | None:
    parts = m.groupdict()
    if parts.get("weekday"):
        return When(span, "date", weekday=_WEEKDAYS.index(parts["weekday"]))
    if parts.get("iso"):
        y, m_, d = (int(p) for p in (parts["iso"] or "").split("-"))
        return _checked(span, y, m_, d)
    day = int(parts["day"]) if parts.get("day") else None
    year = int(parts["year"]) if parts.get("year") else None
    if not parts.get("month"):
        return When(span, "date", year=year)
    month = _month_number(parts["month"].rstrip("."))
    if month is None:
        return None
    return _checked(span, year, month, day)


def _checked(span: Span, year: int | None, month: int, day: int | None) -> When | None:
    """Drops impossible dates ("31 September"); fills the weekday when the date is complete."""
    if day is not None:
        try:
            # 2000 is a leap year, so "29 February" without a year stays possible.
            date = dt.date(year or 2000, month, day)
        except ValueError:
            return None
        weekday = date.weekday() if year else None
        return When(span, "date", year=year, month=month, day=day, weekday=weekday)
    return When(span, "date", year=year, month=month)


@lru_cache(maxsize=64)
def _month_number(name: str) -> int | None:
    # dateparser knows every spelling and abbreviation of the month names; a fixed
    # RELATIVE_BASE keeps the result independent of today's date.
    import dateparser

    settings = {**_PARSE_SETTINGS, "RELATIVE_BASE": dt.datetime(2000, 1, 1)}
    parsed = dateparser.parse(f"1 {name} 2000", languages=["en"], settings=settings)
    return parsed.month if parsed else None


def _asserted(text: str) -> list[When]:
    """The dates a sentence puts something on: "not open on Sunday" puts nothing on Sunday."""
    tokens, negated = analyse(text), negated_tokens(text)
    return [w for w in find_dates(text) if not set(tokens_in(tokens, w.span)) & negated]


def describe(text: str, when: When) -> str:
    return quote(text, when.span)


# How much agreeing on a part says that two sentences speak of the same moment.
_SPECIFICITY = {"day": 0.7, "time": 0.5, "weekday": 0.35, "month": 0.3, "year": 0.2}
# How sure a difference makes a contradiction once the topic is shared, by the finest part
# both dates give: two full dates that differ are strong evidence, a bare month or year much
# less (news sentences often line up a series: "in 2004 ... in 2008").
_DIFFERENCE = {"day": 0.85, "time": 0.8, "month": 0.6, "weekday": 0.55, "year": 0.5}


def compare(a: When, b: When) -> tuple[bool, str] | None:
    """(same?, finest part compared) or None when the two share no part to compare."""
    if a.kind != b.kind:
        return None
    if a.kind == "time":
        return (a.minute == b.minute, "time")
    shared = [
        part
        for part in ("year", "month", "day", "weekday")
        if getattr(a, part) is not None and getattr(b, part) is not None
    ]
    if "weekday" in shared and (a.day is None) != (b.day is None):
        # A full date's weekday is worked out, not said, and a bare "Thursday" is some week's
        # Thursday: "noted Thursday" is not the Thursday of "9 January 2014".
        shared.remove("weekday")
    if not shared or shared == ["day"]:
        return None
    finest = max(shared, key=lambda p: _SPECIFICITY[p])
    return (all(getattr(a, p) == getattr(b, p) for p in shared), finest)


class DateRule:
    """Different dates or times for the same event contradict; the same ones support."""

    name = "date"

    def check(self, claim: str, passage: str) -> Reason | None:
        claim, passage = clip(claim), clip(passage)
        dates_a, dates_b = _asserted(claim), _asserted(passage)
        if not dates_a or not dates_b:
            return None
        agreements: dict[str, tuple[When, When, str]] = {}
        differences: dict[str, tuple[When, When, str]] = {}
        for a in dates_a:
            for b in dates_b:
                result = compare(a, b)
                if result is None:
                    continue
                same, part = result
                bucket = agreements if same else differences
                current = bucket.get(a.kind)
                if current is None or _SPECIFICITY[part] > _SPECIFICITY[current[2]]:
                    bucket[a.kind] = (a, b, part)
        topic = self._topic(claim, passage)
        contradiction = self._contradiction(claim, passage, agreements, differences, topic)
        return contradiction or self._support(claim, passage, agreements, topic)

    @staticmethod
    def _topic(claim: str, passage: str) -> tuple[int, float]:
        ta, tb = analyse(claim), analyse(passage)
        skip_a = {i for w in find_dates(claim) for i in tokens_in(ta, w.span)}
        skip_b = {i for w in find_dates(passage) for i in tokens_in(tb, w.span)}
        shared = overlap(ta, tb, skip_a, skip_b)
        return len(shared.shared), shared.coefficient

    def _contradiction(
        self,
        claim: str,
        passage: str,
        agreements: dict[str, tuple[When, When, str]],
        differences: dict[str, tuple[When, When, str]],
        topic: tuple[int, float],
    ) -> Reason | None:
        # A kind (date or time) contradicts only if no expression of it agrees: sentences often
        # name two dates ("on 19 September ... by 20 September"), and one match is enough.
        clashes = [v for kind, v in differences.items() if kind not in agreements]
        shared, coefficient = topic
        if not clashes or shared < 2:
            return None
        a, b, part = max(clashes, key=lambda c: _DIFFERENCE[c[2]])
        # Different dates in sentences on different events are normal news; only a clearly
        # shared topic (coefficient well above what neighbouring sentences share) counts.
        topical = min(1.0, max(0.0, (coefficient - 0.3) / 0.3))
        corroborated = 0.1 if agreements else 0.0
        confidence = _DIFFERENCE[part] * min(1.0, topical + corroborated)
        if confidence <= 0:
            return None
        return Reason(
            kind=self.name,
            verdict=Verdict.CONTRADICTS,
            confidence=round(confidence, 3),
            detail=f"claim says {describe(claim, a)}, passage says {describe(passage, b)}",
            claim_spans=(a.span,),
            passage_spans=(b.span,),
        )

    def _support(
        self,
        claim: str,
        passage: str,
        agreements: dict[str, tuple[When, When, str]],
        topic: tuple[int, float],
    ) -> Reason | None:
        if not agreements:
            return None
        miss = 1.0
        for _, _, part in agreements.values():
            miss *= 1.0 - _SPECIFICITY[part]
        # Agreeing on the day and the minute is itself a sign of the same event, so support
        # needs less shared wording than a contradiction does.
        confidence = (1.0 - miss) * (0.65 + 0.35 * min(1.0, topic[1] / 0.4))
        pairs = sorted(agreements.values(), key=lambda v: v[0].span)
        said = " and ".join(describe(claim, a) for a, _, _ in pairs)
        return Reason(
            kind=self.name,
            verdict=Verdict.SUPPORTS,
            confidence=round(confidence, 3),
            detail=f"claim and passage both say {said}",
            claim_spans=tuple(a.span for a, _, _ in pairs),
            passage_spans=tuple(b.span for _, b, _ in pairs),
        )
