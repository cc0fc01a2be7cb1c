"""Confidence that means something: a flag's confidence is how often flags like it were right.

`calibration.json` beside this module is fitted by `python -m bench.calibrate` from flags of
real multi-source news judged by hand (bench/results/*_flags_*.jsonl): for each verdict
(`contradicts`, `changed`) and each kind of deciding reason (negation, number, date, entity,
nli, ...), the share of its flags a person judged right — `real` for a contradiction,
`update` for a change over time — smoothed as (right + 1) / (flags + 2), so a kind seen on
few flags stays near one half. A kind never judged takes its verdict's pooled figure. Without
the file (or for supports), a judgement keeps the confidence of its deciding reason.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass, field
from pathlib import Path

from checker.types import Verdict

CALIBRATION_FILE = Path(__file__).with_name("calibration.json")


@dataclass(frozen=True)
class Calibration:
    """verdict -> deciding reason kind -> calibrated confidence; "*" is the verdict's pool."""

    table: dict[str, dict[str, float]] = field(default_factory=dict)

    def confidence(self, verdict: Verdict, kind: str, raw: float) -> float:
        by_kind = self.table.get(verdict.value)
        if not by_kind:
            return raw
        return by_kind.get(kind, by_kind.get("*", raw))


def smoothed(right: int, flags: int) -> float:
    return round((right + 1) / (flags + 2), 3)


def fit(labelled: list[tuple[str, str, str]]) -> dict[str, dict[str, dict[str, float]]]:
    """(verdict, deciding kind, label) triples -> the table with counts, as saved."""
    wanted = {"contradicts": "real", "changed": "update"}
    table: dict[str, dict[str, dict[str, float]]] = {}
    for verdict, right_label in wanted.items():
        rows = [(kind, label) for v, kind, label in labelled if v == verdict]
        if not rows:
            continue
        kinds = [*sorted({kind for kind, _ in rows}), "*"]
        table[verdict] = {}
        for kind in kinds:
            chosen = [label for k, label in rows if kind in ("*", k)]
            right = sum(label == right_label for label in chosen)
            table[verdict][kind] = {
                "flags": len(chosen),
                "right": right,
                "confidence": smoothed(right, len(chosen)),
            }
    return table


@functools.cache
def load_calibration(path: Path = CALIBRATION_FILE) -> Calibration:
    if not path.exists():
        return Calibration()
    saved = json.loads(path.read_text(encoding="utf-8"))["table"]
    return Calibration(
        {
            verdict: {kind: float(row["confidence"]) for kind, row in kinds.items()}
            for verdict, kinds in saved.items()
        }
    )
