"""Rendering findings: marking, escaping, the three formats."""

from __future__ import annotations

import json
from dataclasses import replace

from checker.report import ReportHeader, build, chart, grouping, marked, render
from checker.types import (
    Analysis,
    Attribution,
    DocumentInfo,
    Finding,
    Hit,
    Judgement,
    Reason,
    ResolvedFinding,
    ScanRecord,
    Sentence,
    Value,
    Verdict,
)
from tests.conftest import NO_FORCES_SENTENCE, WITHDRAWAL, WITHDRAWAL_SENTENCE

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


# -- the briefing: new, by source, grouped, resolved, chart ----------------------------------

NEW = "2026-11-22T00:00:00+00:00"
OLD = "2026-11-01T00:00:00+00:00"
WIRE = "Officials said 12 homes were destroyed by the fire on Tuesday, the agency reported."
LOCAL = "The fire destroyed 40 homes, the mayor told reporters."


def side(doc: str, text: str, source: str | None = None, url: str | None = None) -> Hit:
    info = DocumentInfo(doc, f"Title {doc}", source, url, "2026-11-21")
    return Hit(Sentence(f"{doc}#0", doc, 0, 0, len(text), text), info, 0.6)


def contradiction(
    number: int, a: Hit, b: Hit, created_at: str = NEW, confidence: float = 0.8
) -> Finding:
    """A number contradiction resting on the first number of each sentence."""
    a_at, b_at = (next(n for n, c in enumerate(h.sentence.text) if c.isdigit()) for h in (a, b))
    reason = Reason(
        "number",
        Verdict.CONTRADICTS,
        confidence,
        "numbers differ",
        ((a_at, a_at + 2),),
        ((b_at, b_at + 2),),
    )
    judgement = Judgement(Verdict.CONTRADICTS, confidence, (reason,))
    return Finding(number, a, b, 0.6, judgement, created_at)


def wire_copies() -> list[Finding]:
    """One contradiction found against the wire story and two copies of it, plus another."""
    local = side("local", LOCAL, "Daily Local")
    return [
        contradiction(1, side("ap", WIRE, "AP"), local, confidence=0.9),
        # a copy with other spacing and no source but a URL; one in capitals, sides swapped
        contradiction(
            2, side("copy1", WIRE.replace(" on ", "  on "), url="https://www.msn.com/x"), local
        ),
        contradiction(3, local, side("copy2", WIRE.upper(), "Yahoo News"), OLD, 0.85),  # swapped
        contradiction(4, side("other", "Police said 30 homes burned.", "AP"), local, OLD, 0.7),
    ]


def test_near_duplicates_become_one_card_with_a_count() -> None:
    findings = wire_copies()
    briefing = build(findings, HEADER)
    assert [[f.id for f in card.findings] for card in briefing.cards] == [[1, 2, 3], [4]]
    first = briefing.cards[0]
    assert first.count == 3 and first.new
    assert [d.id for d in first.documents] == ["ap", "local", "copy1", "copy2"]
    # deterministic: the partition does not depend on the order of the input
    reordered = build(list(reversed(findings)), HEADER)
    assert sorted(sorted(f.id for f in c.findings) for c in reordered.cards) == [[1, 2, 3], [4]]

    html = render(findings, HEADER, "html")
    assert html.count('<section class="card') == 2
    assert "repeated ×3 · 4 documents" in html
    md = render(findings, HEADER, "md")
    assert "— repeated 3×" in md and "Also in 2 more documents" in md
    payload = json.loads(render(findings, HEADER, "json"))
    assert [g["finding_ids"] for g in payload["groups"]] == [[1, 2, 3], [4]]
    assert [f["group"] for f in payload["findings"]] == [1, 1, 1, 2]


def test_near_but_not_the_same_numbers_stay_apart() -> None:
    local = side("local", LOCAL)
    near = WIRE.replace("on Tuesday, ", "on Tuesday ")  # one word's punctuation: grouped
    changed = WIRE.replace("12 homes", "15 homes")  # the number in dispute changed: not
    reworded = WIRE.replace(", the agency reported", " at dawn")  # words differ too much
    findings = [
        contradiction(n, side(f"d{n}", text), local)
        for n, text in enumerate([WIRE, near, changed, reworded], 1)
    ]
    assert [[f.id for f in group] for group in grouping.group(findings)] == [[1, 2], [3], [4]]
    long = WIRE + " " + " ".join(f"word{n}" for n in range(30))
    slightly = long.replace("word29", "word30")  # Jaccard > 0.9, same spans: near-duplicate
    pair = [contradiction(n, side(f"e{n}", t), local) for n, t in enumerate([long, slightly], 5)]
    assert len(grouping.group(pair)) == 1


def test_new_contradictions_are_marked_and_summed_up_by_source() -> None:
    findings = wire_copies()
    briefing = build(findings, HEADER)
    # card 1 is new (two of its findings are), card 2 is not; sources of card 1's documents
    assert briefing.new_by_source() == [
        ("AP", 1),
        ("Daily Local", 1),
        ("Yahoo News", 1),
        ("msn.com", 1),
    ]
    summary = briefing.summary()
    assert summary.startswith("1 new contradiction (3 findings, counting repeats) since the last")
    assert "(AP 1, Daily Local 1, Yahoo News 1, msn.com 1)" in summary

    html = render(findings, HEADER, "html")
    assert html.count('<span class="badge new">new</span>') == 1
    assert "<li>msn.com: 1</li>" in html
    md = render(findings, HEADER, "md")
    assert (
        md.count(" — new") == 1
        and "## 2. Different figures for the same fact · confidence 70%\n" in md
    )
    payload = json.loads(render(findings, HEADER, "json"))
    assert payload["summary"]["new"] == 1
    assert payload["summary"]["new_by_source"]["msn.com"] == 1
    assert [f["new"] for f in payload["findings"]] == [True, True, True, False]

    quiet = build([findings[3]], HEADER)
    assert quiet.summary() == "No new contradictions since the last report."


def test_resolved_findings_are_listed_at_the_end() -> None:
    gone = ResolvedFinding(
        contradiction(7, side("r1", "The bridge has 14 lanes."), side("r2", "It has 16 lanes.")),
        "2026-11-21T13:00:00+00:00",
        "document corrected",
        "r2",
    )
    header = replace(HEADER, resolved_since="2026-11-21T00:00:00+00:00")
    live = wire_copies()[:1]
    html = render(live, header, "html", resolved=[gone])
    assert html.index("Resolved since 2026-11-21") > html.index("Officials said")
    assert "Document corrected: Title r2" in html and "<mark>14</mark>" in html
    md = render(live, header, "md", resolved=[gone])
    assert "## Resolved since 2026-11-21" in md
    assert "document corrected: Title r2 (2026-11-21) (`r2`)" in md
    assert md.index("## Resolved") > md.index("## 1.")
    payload = json.loads(render(live, header, "json", resolved=[gone]))
    assert payload["resolved"][0]["resolution"] == "document corrected"
    assert payload["resolved"][0]["b"]["text"] == "It has 16 lanes."
    assert payload["summary"]["resolved"] == 1
    assert "; 1 resolved." in render(live, header, "md", resolved=[gone])


def scans(*per_run: tuple[str, int, dict[str, int]]) -> list[ScanRecord]:
    return [
        ScanRecord(n, f"{day}T02:00:00+00:00", f"{day}T02:01:00+00:00", 1, 10, found, outlets)
        for n, (day, found, outlets) in enumerate(per_run, 1)
    ]


def test_the_chart_counts_per_day_and_source() -> None:
    history = scans(
        ("2026-11-20", 2, {"AP": 2, "Daily Local": 1}),
        ("2026-11-21", 1, {"": 1}),
        ("2026-11-21", 3, {"AP": 3}),  # a second run the same day adds up
        ("2026-11-22", 0, {}),
    )
    days = chart.per_day(history)
    assert [(d.day, d.runs, d.findings) for d in days] == [
        ("2026-11-20", 1, 2),
        ("2026-11-21", 2, 4),
        ("2026-11-22", 1, 0),
    ]
    assert days[1].by_source == {"unknown source": 1, "AP": 3}
    assert chart.rows(days, most=1) == [
        ("all sources", [2, 4, 0]),
        ("AP", [2, 3, 0]),
        ("other sources", [1, 1, 0]),
    ]
    drawn = chart.svg(days, runs=4)
    assert drawn.startswith("<svg") and drawn.endswith("</svg>")
    assert drawn.count("<rect") == 2 + 2 + 2  # three rows; no bar for a day without findings
    assert "2026-11-21 · AP: 3 contradictions (2 runs)" in drawn
    assert chart.svg([], runs=0) == ""

    html = render([], HEADER, "html", history=history)
    assert '<figure class="chart-figure">' in html and "last 4 runs" in html and "<svg" in html
    # The same figures as a table, which a phone shows instead of the chart.
    assert (
        '<tr><th scope="row">2026-11-21</th><td>4</td><td>AP 3, unknown source 1</td></tr>' in html
    )
    assert "<figure" not in render([], HEADER, "html")
    # One or two runs make no chart worth reading: a sentence says what they found.
    two = render([], HEADER, "html", history=history[:2])
    assert (
        "<svg" not in two
        and "2026-11-20: 2 contradictions found in 1 run (AP 2, Daily Local 1)." in two
    )
    md = render([], HEADER, "md", history=history)
    assert "| 2026-11-21 | 2 | 4 | AP 3, unknown source 1 |" in md


def test_the_chart_escapes_source_names() -> None:
    history = scans(("2026-11-22", 1, {"<script>alert(1)</script>": 1}))
    html = render(wire_copies(), HEADER, "html", history=history)
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# -- who asserts each side, and changes over time ----------------------------------------------


def analysed(
    hit: Hit, who: Attribution | None, anchor: str | None, source: str = "sentence"
) -> Hit:
    """`hit` with the analysis the ingest stage stores (only what the report shows)."""
    values = tuple(
        Value("number", "CARDINAL", word, (at, at + len(word)), word)
        for word in hit.sentence.text.split()
        if word.isdigit()
        for at in [hit.sentence.text.index(word)]
    )
    return replace(
        hit,
        analysis=Analysis(
            1,
            values=values,
            attribution=who,
            anchor=anchor,
            anchor_source=source if anchor else None,
        ),
    )


def seeds_finding() -> Finding:
    """The seeds' canonical pair as the scan stores it once the sentences are analysed."""
    accord = analysed(
        side("000", WITHDRAWAL_SENTENCE, "Wire A"),
        Attribution("The accord", "called for", (0, 10)),
        "2023-09-20",
        "published",
    )
    pm = analysed(
        side("001", NO_FORCES_SENTENCE, "Wire B"),
        Attribution("Armenian PM Nikol Pashinyan", "claiming", (0, 27)),
        "2023-09-20",
        "published",
    )
    a_at, b_at = WITHDRAWAL_SENTENCE.index(WITHDRAWAL), NO_FORCES_SENTENCE.index("no Armenian")
    reason = Reason(
        "negation",
        Verdict.CONTRADICTS,
        0.73,
        "denied",
        ((a_at, a_at + len(WITHDRAWAL)),),
        ((b_at, b_at + 24),),
    )
    return Finding(9, accord, pm, 0.7, Judgement(Verdict.CONTRADICTS, 0.73, (reason,)), NEW)


WOOL_MONDAY = "The wool indicator closed at 1120 cents a kilo on Monday."
WOOL_TUESDAY = "The wool indicator closed at 1150 cents a kilo on Tuesday."


def wool_change(number: int = 11, created_at: str = NEW) -> Finding:
    """One figure on two days: a change over time, as the scan stores it (verdict CHANGED)."""
    monday = analysed(side("mon", WOOL_MONDAY, "AAP"), None, "2026-11-16")
    tuesday = analysed(
        side("tue", WOOL_TUESDAY, "Rural News"),
        Attribution("the wool exchange", "said", (60, 77)),
        "2026-11-17",
    )
    reason = Reason(
        "number",
        Verdict.CHANGED,
        0.8,
        "1120 on 2026-11-16, 1150 on 2026-11-17",
        ((29, 33),),
        ((29, 33),),
    )
    judgement = Judgement(Verdict.CHANGED, 0.8, (reason,))
    return Finding(number, monday, tuesday, 0.9, judgement, created_at)


def test_each_side_says_who_asserts_it_and_when() -> None:
    item = seeds_finding()
    md = render([item], HEADER, "md")
    assert "**no Armenian armed forces**" in md
    assert "  _The accord — called for · as of 2023-09-20 (publication date)_\n  > The accord" in md
    assert "  _Armenian PM Nikol Pashinyan — claiming · as of 2023-09-20 (publication date)_" in md
    html = render([item], HEADER, "html")
    assert '<span class="attribution" title="who asserts it">The accord — called for</span>' in html
    assert "Armenian PM Nikol Pashinyan — claiming</span>" in html
    assert '<time datetime="2023-09-20">as of 2023-09-20 (publication date)</time>' in html
    payload = json.loads(render([item], HEADER, "json"))
    b = payload["findings"][0]["b"]
    assert b["attribution"] == {
        "speaker": "Armenian PM Nikol Pashinyan",
        "verb": "claiming",
        "text": "Armenian PM Nikol Pashinyan — claiming",
        "span": {"start": 0, "end": 27},
    }
    assert b["text"][:27] == b["attribution"]["speaker"]
    assert b["anchor"] == {"date": "2023-09-20", "source": "published"}
    # Sentences stored before analysis existed: no attribution, no date, no empty line.
    plain = render(wire_copies()[:1], HEADER, "md")
    assert "\n  _" not in plain
    assert (
        json.loads(render(wire_copies()[:1], HEADER, "json"))["findings"][0]["a"]["attribution"]
        is None
    )


def test_changes_over_time_have_their_own_section_and_are_no_contradictions() -> None:
    findings = [wool_change(), *wire_copies()]
    briefing = build(findings, HEADER)
    assert [[f.id for f in c.findings] for c in briefing.cards] == [[1, 2, 3], [4]]
    assert [[f.id for f in c.findings] for c in briefing.changes] == [[11]]
    assert briefing.findings == 4  # the change is not counted as a contradiction
    assert briefing.summary().startswith("1 new contradiction (3 findings")
    assert "; 1 new change over time." in briefing.summary()
    assert "Rural News" not in dict(briefing.new_by_source())

    md = render(findings, HEADER, "md")
    section = md.index("## Changed over time")
    assert (
        md.index("## 2. Different figures")
        < section
        < md.index("### 1. Changed between reports 1 day apart · 2026-11-16 → 2026-11-17")
    )
    assert "The wool indicator closed at **1150** cents" in md[section:]
    assert WOOL_MONDAY[:20] not in md[:section]
    assert "  _the wool exchange — said · as of 2026-11-17_" in md
    assert "  _as of 2026-11-16_" in md  # asserted by the text itself: only its date
    assert "2 contradictions (4 findings, near-duplicates grouped)" in md

    html = render(findings, HEADER, "html")
    changed = html.index('<h2 class="section">Changed over time</h2>')
    assert html.index('<h2 class="section">Contradictions</h2>') < changed
    assert html.index("The wool indicator") > changed
    assert '<span class="badge changed">changed over time</span>' in html
    assert html.count("ClaimReview JSON-LD") == 2  # the two contradiction cards only
    assert "2 contradictions (4 findings" in html

    payload = json.loads(render(findings, HEADER, "json"))
    assert [f["id"] for f in payload["findings"]] == [1, 2, 3, 4]
    assert [(f["id"], f["verdict"], f["group"]) for f in payload["changed"]] == [(11, "changed", 1)]
    assert payload["changed_groups"][0]["finding_ids"] == [11]
    assert payload["summary"]["changed"] == payload["summary"]["new_changed"] == 1
    assert payload["summary"]["new"] == 1
    # ClaimReview is for contradictions: an update reviews no one's claim.
    reviews = json.loads(render(findings, HEADER, "claimreview"))
    assert len(reviews) == 4 and "wool" not in json.dumps(reviews)


def test_a_report_of_changes_alone_lists_no_contradiction() -> None:
    old = replace(HEADER, new_since=None)
    briefing = build([wool_change()], old)
    assert briefing.cards == [] and briefing.findings == 0
    assert briefing.summary() == "0 contradictions listed; 1 change over time."
    html = render([wool_change()], old, "html")
    assert "No contradictions found." in html and "Changed over time" in html
    assert render([wool_change()], old, "claimreview") == "[]\n"
    quiet = build([wool_change(created_at=OLD)], HEADER)  # not new: the line says nothing
    assert quiet.summary() == "No new contradictions since the last report."
    gone = ResolvedFinding(wool_change(), NEW, "document deleted", "tue")
    md = render([], HEADER, "md", resolved=[gone])
    assert "changed over time: number, confidence 80%" in md
    assert "Was: changed over time, number" in render([], HEADER, "html", resolved=[gone])
