"""The day a sentence speaks of: its own date, resolved against the document's, else the
document's date. Two reports of the same figure on different days are an update, not a
contradiction; this anchor is how the judge tells.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from checker.types import Value

# A date phrase names a day when it has a weekday, a relative day, or a day of a month.
_DAY_WORDS = re.compile(
    r"\b(?:mon|tues|wednes|thurs|fri|satur|sun)day\b|\b(?:yesterday|today|tonight|tomorrow)\b"
    r"|\blast night\b|\bthis (?:morning|afternoon|evening)\b",
    re.IGNORECASE,
)
_DAY_OF_MONTH = re.compile(
    r"\b\d{1,2}(?:st|nd|rd|th)?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b"
    r"|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?\b"
    r"|\b\d{4}-\d{2}-\d{2}\b",
    re.IGNORECASE,
)


_WEEKDAYS = {
    name: i
    for i, name in enumerate(
        ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    )
}


def names_a_day(text: str) -> bool:
    return bool(_DAY_WORDS.search(text) or _DAY_OF_MONTH.search(text))


def resolve_day(text: str, published: str | None) -> str | None:
    """The ISO day a date phrase names, relative phrases resolved against `published`; None
    when it names no day, or a relative one with nothing to resolve it against."""
    if not names_a_day(text):
        return None
    relative = bool(_DAY_WORDS.search(text))
    if not published and (relative or not re.search(r"\b\d{4}\b", text)):
        return None  # "Aug. 21" names no day without a year or the report's date
    return _parse(text, published[:10] if published else None)


@functools.lru_cache(maxsize=4096)
def _parse(text: str, base: str | None) -> str | None:
    import dateparser

    settings: dict[str, Any] = {"PREFER_DATES_FROM": "past"}
    if base:
        try:
            settings["RELATIVE_BASE"] = datetime.fromisoformat(base)
        except ValueError:
            return None
    phrase = re.sub(r"^(?:on|last|this|since|by|until)\s+", "", text.strip(), flags=re.I)
    weekday = _WEEKDAYS.get(phrase.casefold())
    if weekday is not None and base:
        # News usage: "on Wednesday" in Wednesday's paper is that day, else the last one.
        day = date.fromisoformat(base)
        return (day - timedelta(days=(day.weekday() - weekday) % 7)).isoformat()
    parsed = dateparser.parse(phrase, languages=["en"], settings=settings)
    return parsed.date().isoformat() if parsed else None


def time_anchor(values: Sequence[Value], published: str | None) -> tuple[str | None, str | None]:
    """(ISO day, "sentence" | "published"), or (None, None) when neither is known."""
    for value in values:
        if value.kind == "date" and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.norm):
            return value.norm, "sentence"
    if published:
        return published[:10], "published"
    return None, None
