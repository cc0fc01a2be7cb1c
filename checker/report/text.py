"""Small pure helpers every report format shares: counting words, marking spans, naming things."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import PurePath

from checker.types import DocumentInfo, Finding, Hit, Span, Verdict

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


def index_name(index: str) -> str:
    """An index by its name, never its directory on the server."""
    return PurePath(index).name or index


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


def decision(finding: Finding) -> str:
    """An editor's decision in words: "confirmed by NAME", "dismissed (copy) by NAME"; "open"."""
    review = finding.review
    if review is None:
        return "open"
    reason = f" ({review.reason.replace('-', ' ')})" if review.reason else ""
    return f"{review.state.value}{reason} by {review.decided_by} on {day(review.decided_at)}"


# A card's heading, in an editor's words, by the first reason that names the difference.
_HEADLINES = {
    "number": "Different figures for the same fact",
    "date": "Different dates for the same event",
    "negation": "One report denies what another asserts",
    "entity": "Different places or names for the same event",
    "nli": "The reports say incompatible things",
}


def headline(finding: Finding) -> str:
    """What the card is about: "Different figures for the same fact", "Changed between
    reports 2 days apart"."""
    if is_change(finding):
        apart = days_apart(finding, anchors=True)
        return "Changed over time" if apart is None else f"Changed {_apart_words(apart)}"
    kind = next((r.kind for r in finding.judgement.reasons if r.kind in _HEADLINES), "")
    return _HEADLINES.get(kind, "The reports disagree")


def days_apart(finding: Finding, anchors: bool = False) -> int | None:
    """Days between the two reports' publication dates (or, with `anchors`, the days their
    sentences speak of, falling back to publication); None when a side has no date."""
    moments = []
    for hit in (finding.a, finding.b):
        when = hit.analysis.anchor if anchors and hit.analysis else None
        moments.append(_as_date(when or hit.document.published))
    first, second = moments
    return abs((second - first).days) if first and second else None


def apart_line(finding: Finding) -> str:
    """ "Published 3 days apart", "Published the same day"; "" when a date is missing."""
    apart = days_apart(finding)
    if apart is None:
        return ""
    return "Published the same day" if apart == 0 else f"Published {plural(apart, 'day')} apart"


def _apart_words(days: int) -> str:
    return "on the same day" if days == 0 else f"between reports {plural(days, 'day')} apart"


def _as_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def is_change(finding: Finding) -> bool:
    """A change over time (same fact, another value at another moment): not a contradiction."""
    return finding.judgement.verdict is Verdict.CHANGED


def asserted_by(hit: Hit) -> str | None:
    """Who asserts the sentence ("Armenian PM Nikol Pashinyan — claiming"); None when the
    text asserts it itself or the sentence was not analysed."""
    attribution = hit.analysis.attribution if hit.analysis else None
    return attribution.phrase if attribution else None


def as_of(hit: Hit) -> str | None:
    """The day the sentence speaks of ("as of 2023-09-21"), saying so when that is only the
    document's publication date; None when unknown."""
    if hit.analysis is None or not hit.analysis.anchor:
        return None
    if hit.analysis.anchor_source == "published":
        return f"as of {hit.analysis.anchor} (publication date)"
    return f"as of {hit.analysis.anchor}"


def side_note(hit: Hit) -> str:
    """Who asserts a finding's side and when, e.g. "the accord — called for · as of
    2023-09-20"; "" when neither is known."""
    return " · ".join(part for part in (asserted_by(hit), as_of(hit)) if part)


def period(finding: Finding) -> str:
    """A change's two moments, earlier first ("2026-11-20 → 2026-11-21"); "" unless both
    sides are dated."""
    dates = [h.analysis.anchor if h.analysis else None for h in (finding.a, finding.b)]
    if not all(dates):
        return ""
    earlier, later = sorted(d for d in dates if d)
    return f"{earlier} → {later}"
