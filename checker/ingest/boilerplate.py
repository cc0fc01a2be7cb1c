"""Furniture: which lines of a text are article prose, and what the rest says about the article.

Scraped pages keep navigation bullets, photo captions, share buttons, the headline (often
several times), sub-headings and a date line around the article. `find_body` marks the prose
as spans of the text, so furniture never becomes a sentence while offsets still point into
the text as it was, and reads a title and a date from the furniture for documents that came
without them.

Every rule looks at one line and its neighbours. A line that ends like a sentence ("." "!" "?"
and the like) is prose unless it is a caption or a bare date: short prose is never dropped for
being short.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from checker.ingest.dates import date_line
from checker.segment import CLOSERS, ENDS_SENTENCE
from checker.types import Span

# A line ending like this goes on into the next sentence or line: never a heading.
_ENDS_PROSE = re.compile(rf"[.!?…:;,][{CLOSERS}]*$")
# Bullets cut short with an ellipsis are links to other articles, not prose.
_ENDS_FULL_STOP = re.compile(rf"(?<!\.\.)[.!?][{CLOSERS}]*$")
# Leading indentation, then a list bullet or a Markdown heading marker.
_MARKER = re.compile(r"[^\S\n]*(?:(?P<bullet>[•·▪‣◦●○■□►▸]\s*|[-*+–—]\s+)|(?P<heading>#{1,6}\s+))?")
_CAPTION = re.compile(
    r"(?:image|photo|photograph|picture|pic|credit|illustration|graphic|video|footage|caption)s?"
    r"(?:\s+(?:credit|source)s?)?\s*(?:[:|]|by\b|courtesy\b)",
    re.IGNORECASE,
)
_RELATED_LINK = re.compile(
    r"(?:read more|see also|related|more on this story|more from)\s*[:›»>|]", re.IGNORECASE
)
# Lines made only of these words are buttons and menus ("Share on Facebook", "Tweet", "Print").
_BUTTON_VOCABULARY = """
    share this article story page post on via to with tweet email e-mail print read more
    comments comment copy link facebook twitter x linkedin whatsapp reddit pinterest telegram
    messenger bluesky threads mastodon flipboard advertisement skip content main subscribe sign
    up in log follow us menu search back top related articles stories listen save home
    newsletter our for continue reading
"""
_BUTTON_WORDS = frozenset(_BUTTON_VOCABULARY.split())
_BUTTON_SEPARATORS = re.compile(r"[\s|/·•,:›»>]+")
_BUTTON_MAX_WORDS = 8
_HEADING_MAX_WORDS = 20
_HEADLINE_MAX_CHARS = 200
# How much longer than a heading the line after it is (see `_is_heading`): a whole sentence
# this much longer, or any line the other.
_LONGER = 1.2
_MUCH_LONGER = 2
# A date line counts as the publication date only this near the top (in non-blank lines).
_TOP_LINES = 10


@dataclass(frozen=True)
class Layout:
    """Where the prose is, and the title and date the furniture gives (None when it gives none)."""

    body: tuple[Span, ...]
    title: str | None = None
    published: str | None = None


@dataclass(frozen=True)
class _Line:
    start: int  # offsets of `text` in the document
    end: int
    text: str  # without indentation, bullet or heading marker, surrounding whitespace
    bullet: bool
    marked_heading: bool

    @property
    def key(self) -> str:
        return " ".join(self.text.split()).casefold()


def find_body(text: str) -> Layout:
    """Split `text` into prose spans and furniture; guess title and date from the furniture."""
    lines = _split_lines(text)
    kinds = _classify(lines)
    return Layout(_body_spans(lines, kinds), _title(lines, kinds), _published(lines, kinds))


def _split_lines(text: str) -> list[_Line | None]:
    """Every line of `text`, None for blank ones."""
    lines: list[_Line | None] = []
    pos = 0
    while pos <= len(text):
        stop = text.find("\n", pos)
        stop = len(text) if stop == -1 else stop
        lines.append(_line(text, pos, stop))
        pos = stop + 1
    return lines


def _line(text: str, start: int, stop: int) -> _Line | None:
    marker = _MARKER.match(text, start, stop)
    assert marker is not None  # the pattern matches the empty string
    raw = text[marker.end() : stop]
    content = raw.strip()
    if not content:
        return None
    begin = marker.end() + (len(raw) - len(raw.lstrip()))
    return _Line(
        start=begin,
        end=begin + len(content),
        text=content,
        bullet=marker.group("bullet") is not None,
        marked_heading=marker.group("heading") is not None,
    )


def _classify(lines: list[_Line | None]) -> list[str]:
    """A kind for each line: "prose", or the furniture it is ("nav", "caption", ...)."""
    repeated = _repeated_keys(lines)
    kinds = [_kind(line, repeated) if line else "blank" for line in lines]
    # Headings depend on their neighbours' kinds, so they come in a second pass.
    for i, line in enumerate(lines):
        if line and kinds[i] == "prose":
            before = lines[i - 1] if i and kinds[i - 1] == "prose" else None
            after = lines[i + 1] if i + 1 < len(lines) and kinds[i + 1] == "prose" else None
            if _is_heading(line, before, after):
                kinds[i] = "heading"
    return kinds


def _kind(line: _Line, repeated: set[str]) -> str:
    if line.marked_heading:
        return "heading"
    if _CAPTION.match(line.text):
        return "caption"
    if _is_button(line.text) or _RELATED_LINK.match(line.text):
        return "button"
    if line.key in repeated:
        return "headline"
    if date_line(line.text):
        return "date"
    if line.bullet and not _is_listed_prose(line.text):
        return "nav"
    return "prose"


def _repeated_keys(lines: list[_Line | None]) -> set[str]:
    """Title-like lines that appear more than once: the headline, repeated by the page."""
    counts = Counter(
        line.key
        for line in lines
        if line and len(line.text) <= _HEADLINE_MAX_CHARS and not _ENDS_PROSE.search(line.text)
    )
    return {key for key, count in counts.items() if count > 1}


def _is_listed_prose(text: str) -> bool:
    """A bulleted line that is prose: a whole sentence, or too long for a menu entry."""
    words = len(text.split())
    return words > _HEADING_MAX_WORDS or (words >= 4 and bool(_ENDS_FULL_STOP.search(text)))


def _is_button(text: str) -> bool:
    words = [w for w in _BUTTON_SEPARATORS.split(text.casefold()) if w]
    return 0 < len(words) <= _BUTTON_MAX_WORDS and all(w in _BUTTON_WORDS for w in words)


def _is_heading(line: _Line, before: _Line | None, after: _Line | None) -> bool:
    """A short line without end punctuation that starts a block and is not wrapped prose.

    `before`/`after` are the neighbouring prose lines (None at a gap). Hard-wrapped prose has
    lines of about one width, its last line the shortest; a headline followed by its story is
    clearly shorter than the sentence after it.
    """
    if _ENDS_PROSE.search(line.text) or len(line.text.split()) > _HEADING_MAX_WORDS:
        return False
    if not any(c.isalpha() for c in line.text):
        return False
    if before is not None and not ENDS_SENTENCE.search(before.text):
        return False
    if after is None or len(after.text) >= _MUCH_LONGER * len(line.text):
        return True
    return bool(ENDS_SENTENCE.search(after.text)) and len(after.text) >= _LONGER * len(line.text)


def _body_spans(lines: list[_Line | None], kinds: list[str]) -> tuple[Span, ...]:
    """Runs of adjacent prose lines, one span each; a bulleted line is a span of its own."""
    spans: list[Span] = []
    previous: _Line | None = None
    for line, kind in zip(lines, kinds, strict=True):
        if line is None or kind != "prose":
            previous = None
            continue
        if previous is not None and not previous.bullet and not line.bullet:
            spans[-1] = (spans[-1][0], line.end)
        else:
            spans.append((line.start, line.end))
        previous = line
    return tuple(spans)


def _title(lines: list[_Line | None], kinds: list[str]) -> str | None:
    """The heading or headline above the first prose line, else the first repeated headline."""
    for line, kind in zip(lines, kinds, strict=True):
        if kind == "prose":
            break
        if line and kind in ("heading", "headline"):
            return " ".join(line.text.split())
    for line, kind in zip(lines, kinds, strict=True):
        if line and kind == "headline":
            return " ".join(line.text.split())
    return None


def _published(lines: list[_Line | None], kinds: list[str]) -> str | None:
    """The date of the first date-only line near the top."""
    near_top = [(line, kind) for line, kind in zip(lines, kinds, strict=True) if line][:_TOP_LINES]
    for line, kind in near_top:
        if kind == "date":
            return date_line(line.text)
    return None
