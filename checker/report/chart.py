"""The report's chart: contradictions found per day and per source over the last runs, as SVG.

Pure: scan records in, SVG text out, every label escaped. It is drawn here rather than by a
charting library or a script from a CDN so that the report is one self-contained file that
opens offline and runs no JavaScript.

Small multiples: one row for all sources, then one row per source (the busiest few; the rest
folded into "other sources"), one column per day, all on one scale so rows compare. A
contradiction between two sources counts in both their rows, so the source rows may add up to
more than the first row, which counts each contradiction once.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

from checker.report.text import UNKNOWN_OUTLET, day, plural
from checker.types import ScanRecord

SLOTS = 30  # the report charts at most 30 runs, so at most 30 days
ALL_SOURCES = "all sources"
OTHER_SOURCES = "other sources"
_WIDTH, _LABEL, _RIGHT, _ROW, _BAR, _TOP, _AXIS = 720, 150, 44, 30, 22, 6, 18
_COLOURS = ("#1d3557", "#d9480f", "#2b8a3e", "#5f3dc4", "#c2255c", "#1971c2", "#868e96")


@dataclass(frozen=True)
class Day:
    """What the runs of one (UTC) day found."""

    day: str
    runs: int
    findings: int
    by_source: dict[str, int] = field(default_factory=dict)


def per_day(history: Sequence[ScanRecord]) -> list[Day]:
    """Scans grouped by the day they started, oldest first; "" outlets become a label."""
    days: dict[str, tuple[int, int, Counter[str]]] = {}
    for scan in history:
        runs, findings, sources = days.get(day(scan.started_at), (0, 0, Counter()))
        sources.update({outlet or UNKNOWN_OUTLET: n for outlet, n in scan.by_outlet.items()})
        days[day(scan.started_at)] = (runs + 1, findings + scan.findings, sources)
    return [Day(d, runs, n, dict(sources)) for d, (runs, n, sources) in sorted(days.items())]


def rows(days: Sequence[Day], most: int = 5) -> list[tuple[str, list[int]]]:
    """(label, count per day) for all sources, the `most` busiest sources, and the rest."""
    totals: Counter[str] = Counter()
    for d in days:
        totals.update(d.by_source)
    ranked = sorted(totals, key=lambda source: (-totals[source], source))
    shown, rest = ranked[:most], set(ranked[most:])
    table = [(ALL_SOURCES, [d.findings for d in days])]
    table += [(source, [d.by_source.get(source, 0) for d in days]) for source in shown]
    if rest:
        table.append(
            (OTHER_SOURCES, [sum(n for s, n in d.by_source.items() if s in rest) for d in days])
        )
    return table


def svg(days: Sequence[Day], runs: int, most: int = 5) -> str:
    """The chart as an inline <svg> element; "" when there is nothing to draw."""
    if not days:
        return ""
    table = rows(days, most)
    top = max(1, *(n for _, counts in table for n in counts))
    # One slot per possible day, the latest next to the totals: history grows leftwards and
    # a young index does not stretch two days across the page.
    step = (_WIDTH - _LABEL - _RIGHT) / max(len(days), SLOTS)
    left = _WIDTH - _RIGHT - step * len(days)
    height = _TOP + len(table) * _ROW + _AXIS
    title = f"Contradictions found per day and source, last {plural(runs, 'run')}"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_WIDTH} {height}" '
        f'width="{_WIDTH}" height="{height}" role="img" class="chart" '
        f'font-family="system-ui, sans-serif" font-size="12">',
        f"<title>{escape(title)}</title>",
    ]
    for n, (label, counts) in enumerate(table):
        base = _TOP + n * _ROW + _BAR  # the row's baseline
        colour = _COLOURS[min(n, len(_COLOURS) - 1)]
        weight = ' font-weight="600"' if n == 0 else ""
        parts.append(
            f'<text x="0" y="{base - 6}"{weight}>{escape(_short(label))}'
            f"<title>{escape(label)}</title></text>"
        )
        parts.append(
            f'<line x1="{_LABEL}" y1="{base}" x2="{_WIDTH - _RIGHT}" y2="{base}" stroke="#ced4da"/>'
        )
        for column, (d, count) in enumerate(zip(days, counts, strict=True)):
            if not count:
                continue
            bar = max(2.0, _BAR * count / top)  # a single finding stays visible
            x = left + column * step + step * 0.15
            tip = f"{d.day} · {label}: {plural(count, 'contradiction')} ({plural(d.runs, 'run')})"
            parts.append(
                f'<rect x="{x:.1f}" y="{base - bar:.1f}" width="{step * 0.7:.1f}" '
                f'height="{bar:.1f}" fill="{colour}"><title>{escape(tip)}</title></rect>'
            )
        parts.append(
            f'<text x="{_WIDTH - 4}" y="{base - 6}" text-anchor="end" fill="#495057">'
            f"{sum(counts)}</text>"
        )
    axis_y = _TOP + len(table) * _ROW + 12
    ends = [(len(days) - 1, "end")]  # the latest day, ending at its bar: it never clips
    if (len(days) - 1) * step >= 150:  # the first day too, where the two labels cannot touch
        ends.append((0, "start"))
    for column, anchor in ends:
        x = left + column * step + (step if anchor == "end" else 0)
        parts.append(
            f'<text x="{x:.1f}" y="{axis_y}" text-anchor="{anchor}" fill="#495057">'
            f"{escape(days[column].day)}</text>"
        )
    parts.append("</svg>")
    return "".join(parts)


def _short(label: str, limit: int = 22) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"
