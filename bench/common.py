"""What every benchmark needs: where the data is, the run's provenance, metrics, output."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from checker.openvino_runtime import cpu_fields

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CHECKER_SHARED", REPO.parent / "shared"))
RESULTS = REPO / "bench" / "results"


class MissingData(RuntimeError):
    """The shared data a benchmark needs is not on this machine."""


def shared(relative: str) -> Path:
    path = SHARED / relative
    if not path.exists():
        raise MissingData(f"{path} is missing (set CHECKER_SHARED to the shared data folder)")
    return path


def provenance() -> dict[str, Any]:
    """Enough to reproduce a run: commit, machine, time."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
        ).stdout.strip()
        dirty = bool(
            subprocess.run(
                ["git", "status", "--porcelain", "--untracked-files=no"],
                cwd=REPO,
                capture_output=True,
                text=True,
            ).stdout.strip()
        )
    except OSError:
        commit, dirty = "unknown", False
    return {
        "commit": commit + ("+dirty" if dirty else ""),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "python": platform.python_version(),
        "cpu": cpu_description(),
    }


# The instruction sets that decide which runtime is fastest here (docs/performance-history.md).
VECTOR_FLAGS = ("avx512f", "avx512_vnni", "avx512_bf16", "amx_bf16", "amx_int8")


def cpu_description() -> str:
    """The CPU's model name and which of VECTOR_FLAGS it has, from /proc/cpuinfo (Linux);
    "unknown" where that cannot be read. Speed figures are only comparable on one CPU."""
    fields = cpu_fields()
    if not fields:
        return "unknown"
    flags = set(fields.get("flags", "").split())
    present = [flag for flag in VECTOR_FLAGS if flag in flags]
    return f"{fields.get('model name', 'unknown')} ({', '.join(present) or 'no AVX-512'})"


def per_class_f1(
    gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str]
) -> dict[str, Any]:
    """Accuracy, macro-F1 and precision/recall/F1 per label."""
    scores: dict[str, Any] = {}
    for label in labels:
        tp = sum(g == p == label for g, p in zip(gold, predicted, strict=True))
        fp = sum(p == label != g for g, p in zip(gold, predicted, strict=True))
        fn = sum(g == label != p for g, p in zip(gold, predicted, strict=True))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores[label] = {"precision": precision, "recall": recall, "f1": f1, "support": tp + fn}
    accuracy = sum(g == p for g, p in zip(gold, predicted, strict=True)) / max(1, len(gold))
    macro = sum(s["f1"] for s in scores.values()) / len(labels)
    return {"n": len(gold), "accuracy": accuracy, "macro_f1": macro, "per_class": scores}


def write_result(name: str, payload: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def percent(value: float) -> str:
    return f"{100 * value:.1f} %"
