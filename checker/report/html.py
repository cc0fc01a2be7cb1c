"""The briefing as one self-contained HTML page (inline CSS and SVG, no script, no CDN).

Every piece of text goes through the Jinja template with autoescaping on, so a `<script>`
scraped into an article shows as text. The only markup built here is <mark> around spans of
escaped text, and the chart, whose labels chart.py escapes.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from checker.report.briefing import Briefing, Card, resolved_document
from checker.report.claimreview import claim_review
from checker.report.text import (
    apart_line,
    as_of,
    asserted_by,
    day,
    decision,
    describe_document,
    headline,
    index_name,
    is_change,
    kinds,
    marked,
    outlet_label,
    period,
    spans,
    web_link,
)
from checker.types import Finding, Hit, Span


def _html_marked(text: str, spans: Sequence[Span]) -> Markup:
    """Escape every piece of text, then add <mark> around the spans."""
    return Markup(marked(text, spans, "<mark>", "</mark>", lambda piece: str(escape(piece))))


def _side(f: Finding, hit: Hit, side: str) -> dict[str, Any]:
    return {
        "hit": hit,
        "text": _html_marked(hit.sentence.text, spans(f, side)),
        "who": asserted_by(hit),  # who asserts it; None when the text does
        "when": as_of(hit),
        "anchor": hit.analysis.anchor if hit.analysis else None,
    }


def _pair(f: Finding) -> dict[str, Any]:
    return {
        "finding": f,
        "kinds": kinds(f),
        "headline": headline(f),
        "apart": apart_line(f),
        "change": is_change(f),
        "period": period(f),
        "sides": [_side(f, f.a, "a"), _side(f, f.b, "b")],
    }


def _card(card: Card) -> dict[str, Any]:
    lead = card.lead
    shown = (lead.a.document.id, lead.b.document.id)
    return {
        **_pair(lead),
        "new": card.new,
        "count": card.count,
        "documents": len(card.documents),
        "more_documents": [d for d in card.documents if d.id not in shown],
        "decision": decision(lead) if lead.review else None,
        "state": lead.review_state.value,
        # A change over time reviews no one's claim: it gets no ClaimReview.
        "claimreview": None
        if is_change(lead)
        else json.dumps(claim_review(lead), indent=2, ensure_ascii=False),
    }


def render_html(briefing: Briefing) -> str:
    env = Environment(
        loader=PackageLoader("checker", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    template = env.get_template("report.html")
    return template.render(
        header=briefing.header,
        summary=briefing.summary(by_source=False),  # the sources follow as a list
        review_line=briefing.review_line(),
        index_name=index_name(briefing.header.index),
        new_by_source=briefing.new_by_source(),
        findings=briefing.findings,
        cards=[_card(card) for card in briefing.cards],
        changes=[_card(card) for card in briefing.changes],
        resolved=[
            {**_pair(r.finding), "resolved": r, "document": resolved_document(r)}
            for r in briefing.resolved
        ],
        chart=Markup(briefing.chart_svg()),  # built from escaped pieces in chart.py
        runs=briefing.runs,
        days=briefing.days,
        describe=describe_document,
        outlet=outlet_label,
        web_link=web_link,
        day=day,
    )
