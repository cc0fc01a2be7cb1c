"""Small pure helpers every report format shares: counting words, marking spans, naming things."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from checker.types import DocumentInfo, Finding, Span

UNKNOWN_OUTLET = "unknown source"


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def marked(
    text: str,
    spans: Sequence[Span],
    before: str,
    after: str,
    escape: Callable[[str], str] = str,
) -> str:
    """`text` with each span wrapped in before/after (overlapping spans merged).

    `escape` is applied to the pieces of text, never to the markers.
    """
    out, cursor = [], 0
    for start, end in _merged(spans, len(text)):
        out += [escape(text[cursor:start]), before, escape(text[start:end]), after]
        cursor = end
    out.append(escape(text[cursor:]))
    return "".join(out)


def _merged(spans: Sequence[Span], limit: int) -> list[Span]:
    merged: list[list[int]] = []
    for start, end in sorted((max(0, s), min(limit, e)) for s, e in spans if s < e):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def spans(finding: Finding, side: str) -> list[Span]:
    """Every reason's spans on one side: "a" (the claim) or "b" (the passage)."""
    attr = "claim_spans" if side == "a" else "passage_spans"
    return [span for reason in finding.judgement.reasons for span in getattr(reason, attr)]


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def markdown_escape(text: str) -> str:
    """Backslash-escape what Markdown would read as markup or raw HTML."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def describe_document(info: DocumentInfo) -> str:
    parts = [info.source, info.published]
    extra = ", ".join(p for p in parts if p)
    title = info.title or info.id
    return f"{title} ({extra})" if extra else title


def outlet_label(info: DocumentInfo) -> str:
    return info.outlet or UNKNOWN_OUTLET


def kinds(finding: Finding) -> str:
    """The rules or models that spoke, each once, in order."""
    return ", ".join(dict.fromkeys(r.kind for r in finding.judgement.reasons))


def day(timestamp: str | None) -> str:
    """The date part of an ISO timestamp ("" when there is none)."""
    return (timestamp or "")[:10]


def web_link(url: str | None) -> str | None:
    """Only http(s) URLs become links: a `javascript:` URL in a record must not run."""
    return url if url and url.lower().startswith(("http://", "https://")) else None
