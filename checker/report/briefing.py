"""What every report format says, worked out once: cards, what is new, what was resolved.

Pure: the formats (Markdown, JSON, HTML) only lay a `Briefing` out, so they cannot disagree
about which contradictions are new, how near-duplicates were grouped, or what was resolved.

Findings whose verdict is CHANGED (the same fact with another value at another moment) are
changes over time, not contradictions: they go on cards of their own (`changes`, the report's
"Changed over time" section) and count in no contradiction total.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from checker.report import chart
from checker.report.grouping import group
from checker.report.text import is_change, outlet_label, plural
from checker.types import DocumentInfo, Finding, ResolvedFinding, ScanRecord


@dataclass(frozen=True)
class ReportHeader:
    generated_at: str
    index: str
    documents: int
    sentences: int
    scan: str  # the scan summary line of this run
    since: str | None = None
    new_since: str | None = None  # findings created at or after this are marked "new"
    resolved_since: str | None = None  # resolved findings listed are those resolved since
    # Live findings by editors' decision (open, confirmed, dismissed), and which states the
    # report lists (empty: all). Empty counts: the report says nothing about decisions.
    reviews: dict[str, int] = field(default_factory=dict)
    shown: tuple[str, ...] = ()


@dataclass(frozen=True)
class Card:
    """One contradiction (or one change over time): a finding and its near-duplicates, the
    most confident first."""

    findings: tuple[Finding, ...]
    new: bool

    @property
    def lead(self) -> Finding:
        return self.findings[0]

    @property
    def count(self) -> int:
        return len(self.findings)

    @property
    def documents(self) -> list[DocumentInfo]:
        """Every document on either side, each once, in the order the findings name them."""
        seen: dict[str, DocumentInfo] = {}
        for f in self.findings:
            seen.setdefault(f.a.document.id, f.a.document)
            seen.setdefault(f.b.document.id, f.b.document)
        return list(seen.values())

    @property
    def sources(self) -> list[str]:
        return sorted({outlet_label(d) for d in self.documents})


@dataclass(frozen=True)
class Briefing:
    header: ReportHeader
    cards: list[Card]  # contradictions
    resolved: list[ResolvedFinding] = field(default_factory=list)
    days: list[chart.Day] = field(default_factory=list)
    runs: int = 0
    changes: list[Card] = field(default_factory=list)  # changes over time

    @property
    def findings(self) -> int:
        """Contradiction findings, repeats included (changes over time are not counted)."""
        return sum(card.count for card in self.cards)

    @property
    def new_cards(self) -> list[Card]:
        return [card for card in self.cards if card.new]

    @property
    def new_changes(self) -> list[Card]:
        return [card for card in self.changes if card.new]

    def new_by_source(self) -> list[tuple[str, int]]:
        """New contradictions per source, busiest first; one between two sources counts twice."""
        counts: Counter[str] = Counter()
        for card in self.new_cards:
            counts.update(card.sources)
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))

    def summary(self, by_source: bool = True) -> str:
        """The briefing's first line: what is new since the last report (by source)."""
        new = self.new_cards
        if self.header.new_since is None:
            line = f"{plural(len(self.cards), 'contradiction')} listed"
        elif new:
            line = plural(len(new), "new contradiction")
            repeats = sum(card.count for card in new)
            if repeats != len(new):  # else the scan line's finding count would seem to clash
                line += f" ({plural(repeats, 'finding')}, counting repeats)"
            line += " since the last report"
            if by_source:
                line += " (" + ", ".join(f"{s} {n}" for s, n in self.new_by_source()) + ")"
        else:
            line = "No new contradictions since the last report"
        changes = self.changes if self.header.new_since is None else self.new_changes
        if changes:
            noun = "change" if self.header.new_since is None else "new change"
            line += f"; {plural(len(changes), noun)} over time"
        if self.resolved:
            line += f"; {len(self.resolved)} resolved"
        return line + "."

    def review_line(self) -> str:
        """What editors decided, and what this report leaves out ("" when not known)."""
        counts, shown = self.header.reviews, self.header.shown
        if not counts:
            return ""
        line = "Editors' decisions: " + ", ".join(f"{n} {state}" for state, n in counts.items())
        hidden = [s for s in counts if shown and s not in shown and counts[s]]
        if hidden:
            line += f"; {' and '.join(hidden)} not listed here"
        return line + "."

    def chart_svg(self) -> str:
        return chart.svg(self.days, self.runs)


def resolved_document(item: ResolvedFinding) -> DocumentInfo:
    """The document whose deletion or correction resolved the finding."""
    f = item.finding
    return f.a.document if f.a.document.id == item.document_id else f.b.document


def is_new(finding: Finding, header: ReportHeader) -> bool:
    return header.new_since is not None and finding.created_at >= header.new_since


def build(
    findings: Sequence[Finding],
    header: ReportHeader,
    resolved: Sequence[ResolvedFinding] = (),
    history: Sequence[ScanRecord] = (),
) -> Briefing:
    """Group near-duplicates into cards (in the order given) and mark what is new; changes
    over time go on cards of their own."""
    contradictions = [f for f in findings if not is_change(f)]
    changes = [f for f in findings if is_change(f)]
    return Briefing(
        header,
        _cards(contradictions, header),
        list(resolved),
        chart.per_day(history),
        len(history),
        _cards(changes, header),
    )


def _cards(findings: Sequence[Finding], header: ReportHeader) -> list[Card]:
    return [
        Card(tuple(members), any(is_new(f, header) for f in members)) for members in group(findings)
    ]
