"""Ours against txtai on the same build and search work: `python -m bench.txtai_compare`.

txtai is not a dependency of the project: it lives in a separate virtualenv (`--venv`, made
with `python3 -m venv /tmp/bench-venv`, then `pip install torch==2.13.0` (the local CPU
wheel) and `pip install txtai==9.14.0`) and is driven by bench/txtai_driver.py in a
subprocess, with the same model directory, the same sentences and the same claims.

Build: our ingest of the ABC stories (extract, segment, embed, store) and, excluding extract
and segment (txtai is handed the sentences ready-split), embed + store alone; txtai's
`Embeddings.index()` of those sentences with content stored. Search: our claim embedding plus
`Store.search` (k nearest, with document rows from SQLite), in process, against txtai's
`Embeddings.search(claim, k)`. The judge and HTTP are left out of both. Ratios are ours /
theirs: below 1 means we are faster. Writes bench/results/txtai.json (`--out NAME`: NAME.json).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import REPO, provenance, write_result
from bench.speed import TimedEmbedder, abc_records, claims, ingest
from checker.embed import load_embedder, resolve_model_dir
from checker.service import Checker
from checker.settings import Settings

DRIVER = REPO / "bench" / "txtai_driver.py"


def our_search_ms(checker: Checker, claim_texts: Sequence[str], k: int) -> list[float]:
    for claim in claim_texts[:3]:  # warm-up, as for txtai
        checker.store.search(checker.embedder.encode([claim]), k)
    times = []
    for claim in claim_texts:
        started = time.perf_counter()
        checker.store.search(checker.embedder.encode([claim]), k)
        times.append((time.perf_counter() - started) * 1000)
    return times


def percentiles(times: Sequence[float]) -> dict[str, float]:
    p50, p95, p99 = (round(float(v), 1) for v in np.percentile(times, [50, 95, 99]))
    return {"p50_ms": p50, "p95_ms": p95, "p99_ms": p99}


def compare(
    records: list[dict[str, str]], claim_count: int, venv: Path, workdir: Path
) -> dict[str, Any]:
    settings = Settings.from_env()
    timed = TimedEmbedder(load_embedder(settings))
    ours, checker = ingest(records, timed, settings, workdir / "abc")
    indexed = list(timed.texts)  # before our searches add the claims they encode
    stages = ours["stage_seconds"]
    claim_texts = claims(indexed, claim_count)
    searched = percentiles(our_search_ms(checker, claim_texts, settings.k))
    checker.close()
    job = {
        "model": str(resolve_model_dir(settings.embedding_model)),
        "texts": indexed,
        "claims": claim_texts,
        "k": settings.k,
    }
    (workdir / "job.json").write_text(json.dumps(job), encoding="utf-8")
    files = [str(workdir / "job.json"), str(workdir / "out.json")]
    subprocess.run(
        [str(venv / "bin" / "python"), str(DRIVER), *files],
        check=True,
        cwd=workdir,  # txtai may write caches beside it; keep them in the temporary folder
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    theirs = json.loads((workdir / "out.json").read_text(encoding="utf-8"))
    their_search = percentiles(theirs["search_ms"])
    embed_store = stages["embed"] + stages["store_and_bookkeeping"]
    return {
        "sentences": ours["sentences"],
        "claims": len(claim_texts),
        "k": settings.k,
        "ours": {"ingest_seconds": ours["seconds"], "embed_store_seconds": embed_store, **searched},
        "txtai": {
            "build_seconds": round(theirs["build_seconds"], 1),
            **their_search,
            "config": theirs["txtai_config"],
        },
        "ratios_ours_over_txtai": {
            "build_end_to_end": round(ours["seconds"] / theirs["build_seconds"], 2),
            "build_embed_store": round(embed_store / theirs["build_seconds"], 2),
            "search_p50": round(searched["p50_ms"] / their_search["p50_ms"], 2),
            "search_p95": round(searched["p95_ms"] / their_search["p95_ms"], 2),
        },
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.txtai_compare", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="2,000 sentences, 50 claims")
    parser.add_argument("--venv", type=Path, default=Path("/tmp/bench-venv"))
    parser.add_argument("--out", default="txtai", help="results name under bench/results/")
    args = parser.parse_args(argv)
    if not (args.venv / "bin" / "python").exists():
        print(f"no bench virtualenv at {args.venv}: see this module's docstring", file=sys.stderr)
        return 2
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-txtai-") as tmp:
        records = abc_records(2_000 if args.quick else None)
        result = compare(records, 50 if args.quick else 200, args.venv, Path(tmp))
    payload = {
        "provenance": provenance(),
        "quick": args.quick,
        "note": "2-core machine; single runs or medians: read them with the load averages",
        "load_average_at_end": os.getloadavg(),
        **result,
        "seconds": round(time.perf_counter() - started, 1),
    }
    path = write_result(args.out, payload)
    print(json.dumps({k: payload[k] for k in ("ours", "ratios_ours_over_txtai")}, indent=2))
    print(json.dumps({k: v for k, v in payload["txtai"].items() if k != "config"}, indent=2))
    print(f"written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
