"""The discrepancy report: stored findings rendered as Markdown, JSON or HTML.

Pure: takes findings and a header, returns text. HTML goes through a Jinja template with
autoescaping on, so a `<script>` scraped into an article shows as text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from checker import serialize
from checker.types import DocumentInfo, Finding, Span

FORMATS = ("md", "json", "html")


@dataclass(frozen=True)
class ReportHeader:
    generated_at: str
    index: str
    documents: int
    sentences: int
    scan: str  # the scan summary line of this run
    since: str | None = None
    new_since: str | None = None  # findings created at or after this are marked "new"


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def render(findings: Sequence[Finding], header: ReportHeader, fmt: str) -> str:
    renderers: dict[str, Callable[[Sequence[Finding], ReportHeader], str]] = {
        "md": render_markdown,
        "json": render_json,
        "html": render_html,
    }
    return renderers[fmt](findings, header)


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


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|])")


def markdown_escape(text: str) -> str:
    """Backslash-escape what Markdown would read as markup or raw HTML."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def _merged(spans: Sequence[Span], limit: int) -> list[Span]:
    merged: list[list[int]] = []
    for start, end in sorted((max(0, s), min(limit, e)) for s, e in spans if s < e):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def _spans(finding: Finding, side: str) -> list[Span]:
    attr = "claim_spans" if side == "a" else "passage_spans"
    return [span for reason in finding.judgement.reasons for span in getattr(reason, attr)]


def _is_new(finding: Finding, header: ReportHeader) -> bool:
    return header.new_since is not None and finding.created_at >= header.new_since


def describe_document(info: DocumentInfo) -> str:
    parts = [info.source, info.published]
    extra = ", ".join(p for p in parts if p)
    title = info.title or info.id
    return f"{title} ({extra})" if extra else title


def render_markdown(findings: Sequence[Finding], header: ReportHeader) -> str:
    lines = [
        "# Discrepancy report",
        "",
        f"Generated {header.generated_at} from `{header.index}` "
        f"({header.documents} documents, {header.sentences} sentences).",
        f"This run: {header.scan}.",
        plural(len(findings), "contradiction")
        + (f" found since {header.since}" if header.since else "")
        + ", most confident first.",
    ]
    for number, finding in enumerate(findings, 1):
        new = " — new" if _is_new(finding, header) else ""
        kinds = ", ".join(dict.fromkeys(r.kind for r in finding.judgement.reasons))
        lines += [
            "",
            f"## {number}. {kinds} · confidence {finding.judgement.confidence:.2f}{new}",
            "",
        ]
        for side, hit in (("a", finding.a), ("b", finding.b)):
            text = marked(hit.sentence.text, _spans(finding, side), "**", "**", markdown_escape)
            lines += [
                f"- **{markdown_escape(describe_document(hit.document))}** `{hit.sentence.id}`",
                f"  > {text}",
            ]
        lines += [
            f"- Why: {r.kind}: {markdown_escape(r.detail)}" for r in finding.judgement.reasons
        ]
    return "\n".join(lines) + "\n"


def render_json(findings: Sequence[Finding], header: ReportHeader) -> str:
    payload: dict[str, Any] = {
        "generated_at": header.generated_at,
        "index": header.index,
        "documents": header.documents,
        "sentences": header.sentences,
        "scan": header.scan,
        "since": header.since,
        "findings": [{**serialize.finding(f), "new": _is_new(f, header)} for f in findings],
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def _html_marked(text: str, spans: Sequence[Span]) -> Markup:
    """Escape every piece of text, then add <mark> around the spans."""
    return Markup(marked(text, spans, "<mark>", "</mark>", lambda piece: str(escape(piece))))


def render_html(findings: Sequence[Finding], header: ReportHeader) -> str:
    env = Environment(
        loader=PackageLoader("checker", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    cards = [
        {
            "finding": f,
            "new": _is_new(f, header),
            "a": _html_marked(f.a.sentence.text, _spans(f, "a")),
            "b": _html_marked(f.b.sentence.text, _spans(f, "b")),
        }
        for f in findings
    ]
    template = env.get_template("report.html")
    return template.render(
        header=header, cards=cards, describe=describe_document, web_link=web_link
    )


def web_link(url: str | None) -> str | None:
    """Only http(s) URLs become links: a `javascript:` URL in a record must not run."""
    return url if url and url.lower().startswith(("http://", "https://")) else None
