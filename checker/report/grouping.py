"""Near-duplicate findings: the same contradiction repeated across copies of a wire story.

Two findings are one contradiction when, side for side (in either order), their sentences
are the same words after case, punctuation and spacing are set aside, or nearly so: the
word sets overlap by at least `NEAR` (Jaccard) *and* the words the reasons rest on are the
same. That second condition keeps a copy that changed the very number or negation in
dispute ("12 homes" in one copy, "40 homes" in another) on a card of its own.

Grouping is greedy in the order given (the report passes most confident first) and compares
with each group's first finding only, so it is deterministic, never drifts by chaining, and
the first finding of a group, the most confident, stands for it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from checker.report.text import spans
from checker.types import Finding

NEAR = 0.9
_WORD = re.compile(r"\w+")


def normalised(text: str) -> str:
    """Lower-case words only: curly or straight quotes, dashes and spacing do not count."""
    return " ".join(_WORD.findall(text.casefold()))


@dataclass(frozen=True)
class _Side:
    text: str  # normalised
    words: frozenset[str]
    marked: str  # normalised words the reasons rest on


def _side(finding: Finding, side: str) -> _Side:
    hit = finding.a if side == "a" else finding.b
    text = hit.sentence.text
    rest_on = " | ".join(normalised(text[s:e]) for s, e in sorted(spans(finding, side)))
    norm = normalised(text)
    return _Side(norm, frozenset(norm.split()), rest_on)


def _near(x: _Side, y: _Side) -> bool:
    if x.marked != y.marked:
        return False
    if x.text == y.text:
        return True
    small, large = sorted((len(x.words), len(y.words)))
    if not small or small < NEAR * large:  # cheap bound: Jaccard <= small / large
        return False
    return len(x.words & y.words) / len(x.words | y.words) >= NEAR


def _same(p: tuple[_Side, _Side], q: tuple[_Side, _Side]) -> bool:
    return (_near(p[0], q[0]) and _near(p[1], q[1])) or (_near(p[0], q[1]) and _near(p[1], q[0]))


def group(findings: Sequence[Finding]) -> list[list[Finding]]:
    """Findings in groups of near-duplicates, groups in order of their first finding."""
    groups: list[list[Finding]] = []
    exact: dict[tuple[str, str], int] = {}  # most repeats are exact: skip the pairwise check
    # Near-duplicates rest on the same words, so only heads with the same marked words are
    # candidates: that keeps the pairwise check from growing with the whole report.
    heads: dict[tuple[str, str], list[tuple[int, tuple[_Side, _Side]]]] = {}
    for finding in findings:
        sides = (_side(finding, "a"), _side(finding, "b"))
        key = _ordered(sides[0].text, sides[1].text)
        bucket = heads.setdefault(_ordered(sides[0].marked, sides[1].marked), [])
        index = exact.get(key)
        if index is None:
            index = next((n for n, head in bucket if _same(head, sides)), None)
        if index is None:
            index = len(groups)
            groups.append([])
            bucket.append((index, sides))
        exact.setdefault(key, index)
        groups[index].append(finding)
    return groups


def _ordered(x: str, y: str) -> tuple[str, str]:
    return (x, y) if x <= y else (y, x)
