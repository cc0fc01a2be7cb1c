"""Publication dates: turning what a record, sidecar, page or date line says into ISO 8601.

A date alone becomes `YYYY-MM-DD`; a date with a time keeps the time (and its offset, where
given). Only absolute dates count: "yesterday" or "last week" mean nothing once stored, so
they are refused, and a day, month and year are all required.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import dateparser

# Relative phrases and bare timestamps are left out on purpose (see the module docstring).
_SETTINGS: dict[str, Any] = {
    "REQUIRE_PARTS": ["day", "month", "year"],
    "PARSERS": ["custom-formats", "absolute-time"],
}
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_HAS_TIME = re.compile(r"\d{1,2}:\d{2}|\d{1,2}\s*[ap]\.?m\b", re.IGNORECASE)
# What a date line on a page can say before the date itself.
_DATE_LINE_PREFIX = re.compile(
    r"^(?:(?:first |last )?(?:published|updated|posted|modified)(?: on)?|date|on)\s*[:\-–—]?\s*",
    re.IGNORECASE,
)
# dateparser is slow on text that is not a date, so only lines that could be one reach it.
_LOOKS_DATED = re.compile(r"\b\d{4}\b|\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b")
_DATE_LINE_MAX_CHARS = 60


def normalise_date(raw: str) -> str | None:
    """`raw` as an ISO 8601 date or date-time, or None when it is not an absolute date."""
    raw = raw.strip()
    if _ISO_DATE.fullmatch(raw):
        try:
            return date.fromisoformat(raw).isoformat()
        except ValueError:
            return None
    try:
        return datetime.fromisoformat(raw).isoformat()
    except ValueError:
        pass
    parsed = dateparser.parse(raw, settings=_SETTINGS)
    if parsed is None:
        return None
    if _HAS_TIME.search(raw):
        return parsed.isoformat()
    return parsed.date().isoformat()


def date_line(line: str) -> str | None:
    """The ISO date when a line of text is nothing but a date ("20 September 2023")."""
    line = line.strip().rstrip(".")
    if len(line) > _DATE_LINE_MAX_CHARS or not _LOOKS_DATED.search(line):
        return None
    return normalise_date(_DATE_LINE_PREFIX.sub("", line))
