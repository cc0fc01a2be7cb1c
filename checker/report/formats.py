"""The briefing as Markdown (for mail and terminals) and as JSON (for other programs)."""

from __future__ import annotations

import json
from typing import Any

from checker import serialize
from checker.report.briefing import Briefing, Card, resolved_document
from checker.report.text import (
    apart_line,
    day,
    decision,
    describe_document,
    headline,
    index_name,
    is_change,
    kinds,
    markdown_escape,
    marked,
    period,
    plural,
    side_note,
    spans,
)
from checker.types import Finding, ResolvedFinding

CHANGED_NOTE = (
    "The same fact with a different value at a different moment (a figure updated, a count "
    "revised): worth knowing which is current, but not a contradiction."
)


def render_markdown(briefing: Briefing) -> str:
    header = briefing.header
    lines = [
        "# Discrepancy report",
        "",
        f"**{markdown_escape(briefing.summary())}**",
        "",
        f"Generated {header.generated_at} from the index `{index_name(header.index)}` "
        f"({header.documents} documents, {header.sentences} sentences).",
        f"This run: {header.scan}.",
        _listing_line(briefing) + ", confirmed first, then most confident first.",
    ]
    if review := briefing.review_line():
        lines.append(review)
    for number, card in enumerate(briefing.cards, 1):
        lines += _card_lines(number, card)
    if briefing.changes:
        lines += ["", "## Changed over time", "", CHANGED_NOTE]
        for number, card in enumerate(briefing.changes, 1):
            lines += _card_lines(number, card, "###")
    if briefing.resolved:
        since = f" since {day(header.resolved_since)}" if header.resolved_since else ""
        lines += ["", f"## Resolved{since}", ""]
        lines += [_resolved_line(r) for r in briefing.resolved]
    if briefing.days:  # last: up to 30 rows would push the contradictions off the screen
        lines += ["", f"## Contradictions per day, last {plural(briefing.runs, 'run')}", ""]
        lines += ["| day | runs | all sources | by source |", "| --- | ---: | ---: | --- |"]
        for d in briefing.days:
            by = ", ".join(f"{markdown_escape(s)} {n}" for s, n in sorted(d.by_source.items()))
            lines.append(f"| {d.day} | {d.runs} | {d.findings} | {by} |")
    return "\n".join(lines) + "\n"


def _listing_line(briefing: Briefing) -> str:
    since = briefing.header.since
    line = plural(len(briefing.cards), "contradiction")
    if briefing.findings != len(briefing.cards):
        line += f" ({plural(briefing.findings, 'finding')}, near-duplicates grouped)"
    return line + (f" found since {since}" if since else "")


def _card_lines(number: int, card: Card, heading: str = "##") -> list[str]:
    f = card.lead
    flags = " — new" if card.new else ""
    flags += f" — repeated {card.count}×" if card.count > 1 else ""
    flags += f" — {decision(f)}" if f.review else ""
    when = f" · {period(f)}" if is_change(f) and period(f) else ""
    title = f"{number}. {headline(f)}{when} · confidence {f.judgement.confidence:.0%}{flags}"
    lines = ["", f"{heading} {title}", ""]
    lines += _pair_lines(f)
    lines += [f"- Why: {r.kind}: {markdown_escape(r.detail)}" for r in f.judgement.reasons]
    found = " · ".join(x for x in (apart_line(f), f"Found {day(f.created_at)}") if x)
    lines.append(f"- {found}")
    if card.count > 1:
        named = [d for d in card.documents if d.id not in (f.a.document.id, f.b.document.id)]
        docs = "; ".join(markdown_escape(describe_document(d)) for d in named)
        lines.append(f"- Also in {plural(len(named), 'more document')}: {docs}")
    return lines


def _pair_lines(f: Finding) -> list[str]:
    lines = []
    for side, hit in (("a", f.a), ("b", f.b)):
        text = marked(hit.sentence.text, spans(f, side), "**", "**", markdown_escape)
        lines.append(f"- **{markdown_escape(describe_document(hit.document))}**")
        if note := side_note(hit):  # who asserts it, and when; before the quote, which would
            lines.append(f"  _{markdown_escape(note)}_")  # take a line after it as its own
        lines.append(f"  > {text}")
    return lines


def _resolved_line(r: ResolvedFinding) -> str:
    f = r.finding
    gone = markdown_escape(describe_document(resolved_document(r)))
    a, b = (markdown_escape(h.sentence.text) for h in (f.a, f.b))
    docs = " / ".join(markdown_escape(describe_document(h.document)) for h in (f.a, f.b))
    return (
        f"- {day(r.resolved_at)}, {r.resolution}: {gone} (`{r.document_id}`). Was “{a}” ↔ "
        f"“{b}” — {docs} · {_what(f)}{kinds(f)}, confidence {f.judgement.confidence:.0%}"
    )


def _what(f: Finding) -> str:
    return "changed over time: " if is_change(f) else ""


def render_json(briefing: Briefing) -> str:
    header = briefing.header
    payload: dict[str, Any] = {
        "generated_at": header.generated_at,
        "index": header.index,
        "documents": header.documents,
        "sentences": header.sentences,
        "scan": header.scan,
        "since": header.since,
        "new_since": header.new_since,
        "resolved_since": header.resolved_since,
        "reviews": header.reviews,
        "shown": list(header.shown) or ["open", "confirmed", "dismissed"],
        "summary": {
            "line": briefing.summary(),
            "new": len(briefing.new_cards),
            "new_by_source": dict(briefing.new_by_source()),
            "resolved": len(briefing.resolved),
            "changed": len(briefing.changes),
            "new_changed": len(briefing.new_changes),
        },
        # Every contradiction, most confident first; `group` is the number of its card.
        "findings": _findings(briefing.cards),
        "groups": _groups(briefing.cards),
        # Changes over time (same fact, another value at another moment), grouped the same way.
        "changed": _findings(briefing.changes),
        "changed_groups": _groups(briefing.changes),
        "resolved": [
            {
                **serialize.finding(r.finding),
                "resolved_at": r.resolved_at,
                "resolution": r.resolution,
                "resolved_document": r.document_id,
            }
            for r in briefing.resolved
        ],
        "history": [
            {"day": d.day, "runs": d.runs, "findings": d.findings, "by_source": d.by_source}
            for d in briefing.days
        ],
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def _findings(cards: list[Card]) -> list[dict[str, Any]]:
    return [
        {**serialize.finding(f), "new": card.new, "group": number}
        for number, card in enumerate(cards, 1)
        for f in card.findings
    ]


def _groups(cards: list[Card]) -> list[dict[str, Any]]:
    return [
        {
            "group": number,
            "new": card.new,
            "count": card.count,
            "finding_ids": [f.id for f in card.findings],
            "documents": [serialize.document_info(d) for d in card.documents],
        }
        for number, card in enumerate(cards, 1)
    ]
