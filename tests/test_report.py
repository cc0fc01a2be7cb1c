"""Rendering findings: marking, escaping, the three formats."""

from __future__ import annotations

import json

from checker.report import ReportHeader, marked, render
from checker.types import DocumentInfo, Finding, Hit, Judgement, Reason, Sentence, Verdict

HEADER = ReportHeader(
    "2026-11-22T00:00:00+00:00",
    "idx",
    2,
    10,
    "scanned 2 documents",
    None,
    "2026-11-21T00:00:00+00:00",
)


def finding(a_text: str, b_text: str, url: str | None = None) -> Finding:
    a = Hit(Sentence("a#0", "a", 0, 0, len(a_text), a_text), DocumentInfo("a", "Doc A"), 0.5)
    b = Hit(
        Sentence("b#0", "b", 0, 0, len(b_text), b_text),
        DocumentInfo("b", "Doc <B>", "Wire", url, "2023-09-20"),
        0.5,
    )
    reason = Reason(
        "number", Verdict.CONTRADICTS, 0.8, "claim says 12, passage says 40", ((4, 6),), ((4, 6),)
    )
    judgement = Judgement(Verdict.CONTRADICTS, 0.8, (reason,))
    return Finding(1, a, b, 0.5, judgement, "2026-11-22T00:00:00+00:00")


def test_marked_wraps_and_merges_spans() -> None:
    assert marked("the 12 homes", [(4, 6)], "[", "]") == "the [12] homes"
    assert marked("abcdef", [(0, 2), (1, 4)], "[", "]") == "[abcd]ef"


def test_html_escapes_scraped_markup() -> None:
    evil = finding(
        "The 12 <script>alert(1)</script> homes.", "The 40 homes burned.", url="javascript:alert(2)"
    )
    html = render([evil], HEADER, "html")
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Doc &lt;B&gt;" in html
    assert "javascript:" not in html  # only http(s) URLs become links
    assert "<mark>12</mark>" in html and "<mark>40</mark>" in html
    assert "new" in html  # created after new_since


def test_markdown_and_json_carry_both_sides() -> None:
    item = finding("The 12 homes burned.", "The 40 homes burned.", url="https://example.org/b")
    md = render([item], HEADER, "md")
    assert "The **12** homes burned." in md and "The **40** homes burned." in md
    assert "Doc \\<B\\> (Wire, 2023-09-20)" in md
    payload = json.loads(render([item], HEADER, "json"))
    assert payload["findings"][0]["b"]["document"]["url"] == "https://example.org/b"
    assert payload["findings"][0]["new"] is True
    assert payload["findings"][0]["reasons"][0]["passage_spans"][0]["text"] == "40"
