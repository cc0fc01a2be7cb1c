"""The sizing table of docs/scaling.md, from measured figures: `python -m bench.sizing`.

Reads bench/results/speed.json (disk per sentence, the SQ8 index at 1M), ray_speed.json
(ingest and scan rates, one process and per Ray model worker) and ivfpq.json (the IVF-PQ index
at 10M: bytes a vector, search + re-scoring per query) and prints the Markdown table for
1M / 10M / 100M / 1B sentences. Only the 1M and 10M vector figures are measured at their
size; the rest is those rates multiplied out, and says so.
"""

from __future__ import annotations

import json
import math
from typing import Any

from bench.common import RESULTS
from bench.ivfpq import chosen_nprobe

SIZES = (1_000_000, 10_000_000, 100_000_000, 1_000_000_000)
NIGHTLY = 1_500_000  # new sentences a day: 50,000 articles
HOUR = 3600.0


def load(name: str) -> dict[str, Any]:
    return dict(json.loads((RESULTS / f"{name}.json").read_text(encoding="utf-8")))


def rates() -> dict[str, float]:
    """Per-node and per-worker rates, and sizes per sentence, from the measured runs."""
    speed, ray, ivf = load("speed"), load("ray_speed"), load("ivfpq")
    million = next(g for g in speed["check_grown"] if g["sentences"] == 1_000_000)
    single, cluster = ray["single_process"], ray["ray_2_nodes"]
    workers = 2  # the local cluster's model workers (ray_speed.json "cluster")
    nprobe = chosen_nprobe(ivf["searches"])
    search = next(s for s in ivf["searches"] if s["nprobe"] == nprobe)
    return {
        "sqlite_bytes": (million["disk_mib"] - million["faiss_file_mib"]) * 2**20 / 1e6,
        "sq8_bytes": million["faiss_file_mib"] * 2**20 / 1e6,
        "pq_bytes": ivf["memory_mib"]["bytes_per_vector"],
        "ingest_per_s": single["ingest_sentences_per_s"],
        "ingest_per_worker_s": cluster["ingest_sentences_per_s"] / workers,
        "pairs_per_sentence": single["pairs_judged"] / single["sentences"],
        "pairs_per_s": single["scan_pairs_per_s"],
        "pairs_per_worker_s": cluster["scan_pairs_per_s"] / workers,
        "search_ms_10m": search["p50_ms"],
        "nprobe": nprobe,
    }


def human_bytes(value: float) -> str:
    for unit, size in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6)):
        if value >= size:
            return f"{value / size:,.1f} {unit}"
    return f"{value:,.0f} B"


def human_time(seconds: float) -> str:
    if seconds >= 2 * 86400:
        return f"{seconds / 86400:,.1f} days"
    if seconds >= 2 * HOUR:
        return f"{seconds / HOUR:,.1f} h"
    return f"{seconds / 60:,.0f} min"


def table(r: dict[str, float]) -> str:
    rows = [
        "| sentences | FAISS vectors in memory | SQLite on disk | ingest all, one 2-core node "
        "| scan all, one 2-core node |",
        "| --- | --- | --- | --- | --- |",
    ]
    for size in SIZES:
        if size < 2_000_000:
            kind, memory = "IVF-SQ8", size * r["sq8_bytes"]
        else:
            kind, memory = "IVF-PQ64", size * r["pq_bytes"]
        measured = ", measured" if size in (1_000_000, 10_000_000) else ""
        rows.append(
            f"| {size:,} | {human_bytes(memory)} ({kind}{measured}) | "
            f"{human_bytes(size * r['sqlite_bytes'])} | "
            f"{human_time(size / r['ingest_per_s'])} | "
            f"{human_time(size * r['pairs_per_sentence'] / r['pairs_per_s'])} |"
        )
    return "\n".join(rows)


def nightly(r: dict[str, float]) -> dict[str, float]:
    """What 1.5M new sentences a night cost, and the Ray model workers to do it in an hour."""
    pairs = NIGHTLY * r["pairs_per_sentence"]
    return {
        "pairs": round(pairs),
        "ingest_one_node_h": round(NIGHTLY / r["ingest_per_s"] / HOUR, 2),
        "scan_one_node_h": round(pairs / r["pairs_per_s"] / HOUR, 2),
        "ingest_workers_for_1h": math.ceil(NIGHTLY / HOUR / r["ingest_per_worker_s"]),
        "scan_workers_for_1h": math.ceil(pairs / HOUR / r["pairs_per_worker_s"]),
        "driver_search_h_at_10m_one_thread": round(NIGHTLY * r["search_ms_10m"] / 1000 / HOUR, 2),
    }


def main() -> int:
    r = rates()
    print(table(r))
    print()
    for key, value in {**r, **nightly(r)}.items():
        print(f"{key}: {value:,.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
