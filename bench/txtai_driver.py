"""Runs inside the separate bench virtualenv that has txtai (never the project's own).

    /tmp/bench-venv/bin/python bench/txtai_driver.py IN.json OUT.json

IN.json: {"model": model directory, "texts": [...], "claims": [...], "k": 20}. Builds a txtai
Embeddings index of the texts with that model (content stored, as ours stores text), then
searches each claim once, timed one at a time. Imports nothing from the checker.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path


def main(source: str, target: str) -> None:
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import torch
    from txtai import Embeddings

    job = json.loads(Path(source).read_text(encoding="utf-8"))
    torch.set_num_threads(2)
    embeddings = Embeddings(path=job["model"], content=True, backend="faiss")
    started = time.perf_counter()
    embeddings.index([(str(n), text, None) for n, text in enumerate(job["texts"])])
    build = time.perf_counter() - started
    for claim in job["claims"][:3]:  # warm-up, as for ours
        embeddings.search(claim, job["k"])
    times, found = [], 0
    for claim in job["claims"]:
        started = time.perf_counter()
        found += len(embeddings.search(claim, job["k"]))
        times.append((time.perf_counter() - started) * 1000)
    result = {
        "txtai_config": {k: str(v) for k, v in (embeddings.config or {}).items()},
        "build_seconds": build,
        "search_ms": times,
        "results_per_search": found / max(1, len(job["claims"])),
    }
    Path(target).write_text(json.dumps(result), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
