"""Metadata and ids as given by a record or a sidecar file: their validation and precedence.

Metadata fields are strings or null; surrounding whitespace is dropped and an empty string
counts as null. `published` is normalised to ISO 8601 (see `checker.ingest.dates`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields

from checker.errors import InvalidInput
from checker.ingest.dates import normalise_date

MAX_ID_CHARS = 200
# Half of a UTF-16 surrogate pair on its own: JSON can escape one ("\ud800") and Python
# reads it into a str, but it is not Unicode text: it cannot be encoded, embedded or stored.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


@dataclass(frozen=True)
class Metadata:
    """What is known about a document besides its text; None where nothing is."""

    title: str | None = None
    source: str | None = None
    url: str | None = None
    published: str | None = None
    language: str | None = None

    def over(self, fallback: Metadata) -> Metadata:
        """These values, with the gaps filled from `fallback` (explicit beats guessed)."""
        mine, theirs = asdict(self), asdict(fallback)
        return Metadata(**{k: theirs[k] if v is None else v for k, v in mine.items()})


def metadata_from(mapping: Mapping[str, object]) -> Metadata:
    """The metadata fields of a record or sidecar; other keys are ignored.

    Raises InvalidInput naming the field that is not a string or not a date.
    """
    values = {f.name: optional_string(mapping, f.name) for f in fields(Metadata)}
    raw_date = values["published"]
    if raw_date is not None:
        values["published"] = normalise_date(raw_date)
        if values["published"] is None:
            raise InvalidInput(
                f"'published' is not a date: {raw_date!r} (expected a day, month and year, "
                "such as 2023-09-20 or 20 September 2023)",
                field="published",
            )
    return Metadata(**values)


def optional_string(mapping: Mapping[str, object], name: str) -> str | None:
    """mapping[name] stripped, None when absent, null or blank; InvalidInput when not a string."""
    value = mapping.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput(f"'{name}' must be a string or null, not {json_type(value)}", field=name)
    refuse_lone_surrogates(value, name)
    return value.strip() or None


def check_id(value: object) -> str:
    """`value` when it can be a document id; InvalidInput(field="id") saying why not."""
    if not isinstance(value, str):
        raise InvalidInput(f"'id' must be a string, not {json_type(value)}", field="id")
    problem = _id_problem(value)
    if problem:
        raise InvalidInput(f"'id' {problem}: {value[:80]!r}", field="id")
    return value


def _id_problem(value: str) -> str | None:
    if not value:
        return "is empty"
    if len(value) > MAX_ID_CHARS:
        return f"is longer than {MAX_ID_CHARS} characters"
    if "#" in value:
        return "may not contain '#' (it separates a document id from a sentence number)"
    if "/" in value:
        return "may not contain '/'"
    if any(unicodedata.category(c) == "Cc" for c in value):
        return "may not contain control characters"
    if has_lone_surrogate(value):
        return "may not contain lone surrogates (not Unicode text)"
    return None


def has_lone_surrogate(text: str) -> bool:
    return _LONE_SURROGATE.search(text) is not None


def refuse_lone_surrogates(text: str, field: str) -> None:
    """InvalidInput(field=`field`) when `text` holds a lone surrogate (see `_LONE_SURROGATE`)."""
    found = _LONE_SURROGATE.search(text)
    if found:
        raise InvalidInput(
            f"'{field}' has a lone surrogate (\\u{ord(found.group()):04x} at character "
            f"{found.start()}): not Unicode text",
            field=field,
        )


def json_type(value: object) -> str:
    """How JSON would name the type of `value`, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
