"""The discrepancy report: stored findings rendered for people (HTML, Markdown) and programs.

Pure: findings, resolved findings and scan history in, text out; no flask, faiss or torch.

    text.py         shared helpers: plural, span marking, escaping, document names
    grouping.py     near-duplicate findings (copies of one wire story) grouped into one card
    briefing.py     what every format says: cards (contradictions; changes over time apart),
                    what is new, the summary by source
    chart.py        contradictions per day and source over the last runs, as inline SVG
    formats.py      Markdown and JSON
    html.py         HTML through the Jinja template (autoescaped) in checker/templates/
    claimreview.py  schema.org ClaimReview JSON-LD, one object per contradiction
"""

from __future__ import annotations

from collections.abc import Sequence

from checker.report.briefing import Briefing, Card, ReportHeader, build
from checker.report.claimreview import claim_review, render_claimreview
from checker.report.formats import render_json, render_markdown
from checker.report.html import render_html
from checker.report.text import (
    describe_document,
    is_change,
    markdown_escape,
    marked,
    plural,
    side_note,
    web_link,
)
from checker.types import Finding, ResolvedFinding, ScanRecord

FORMATS = ("md", "json", "html", "claimreview")
CHART_RUNS = 30  # the chart covers at most this many of the latest scans

__all__ = [
    "CHART_RUNS",
    "FORMATS",
    "Briefing",
    "Card",
    "ReportHeader",
    "build",
    "claim_review",
    "describe_document",
    "is_change",
    "markdown_escape",
    "marked",
    "plural",
    "render",
    "side_note",
    "web_link",
]


def render(
    findings: Sequence[Finding],
    header: ReportHeader,
    fmt: str,
    *,
    resolved: Sequence[ResolvedFinding] = (),
    history: Sequence[ScanRecord] = (),
) -> str:
    """The report in one of FORMATS. `findings` in the order to list them (most confident
    first); `resolved` are listed at the end; `history` (oldest scan first) feeds the chart.

    "claimreview" is one ClaimReview per contradiction, ungrouped: each is a claim of its own
    (changes over time have none).
    """
    if fmt == "claimreview":
        return render_claimreview(findings)
    briefing = build(findings, header, resolved, history)
    renderers = {"md": render_markdown, "json": render_json, "html": render_html}
    return renderers[fmt](briefing)
