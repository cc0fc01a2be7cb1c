"""The embedding runtimes side by side on the same ABC news sentences, on this CPU.

    python -m bench.embedders [--sentences N] [--runtimes auto,onnx-fp32,openvino,onnx-int8]

For each runtime (`CHECKER_EMBEDDING_RUNTIME`): one sentence at a time (a check's claim: p50
and p95 of 200), the whole set in bulk (sentences/s; the best of two passes), and how far its
vectors are from `onnx-fp32`'s (the torch vectors to 1e-4): cosine (least and mean) and the
share of each of 200 sentences' 20 nearest neighbours among the set that stays the same
(recall@20, as a search would see it). Writes bench/results/embedders.json. Name the CPU
(`lscpu`) beside the figures: which runtime wins depends on its instruction sets.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import time
from typing import Any

import numpy as np

from bench import data
from bench.common import MissingData, provenance, write_result
from checker.embed import Embedder, load_embedder, resolve_runtime
from checker.settings import Settings

RUNTIMES = ("auto", "onnx-fp32", "openvino", "onnx-int8")
QUERIES = 200
TOP = 20


def sentences(count: int) -> list[str]:
    """The first `count` sentences of the ABC rural stories (one a line there)."""
    found: list[str] = []
    for story in data.abc_stories("rural"):
        found += story["text"].split("\n")
        if len(found) >= count:
            break
    return found[:count]


def timings(embedder: Embedder, texts: list[str]) -> dict[str, float]:
    embedder.encode(texts[:64])  # first-run allocations and kernel choice, not timed
    singles = []
    for text in texts[:QUERIES]:
        started = time.perf_counter()
        embedder.encode([text])
        singles.append((time.perf_counter() - started) * 1000)
    bulk = []
    for _ in range(2):
        started = time.perf_counter()
        embedder.encode(texts)
        bulk.append(len(texts) / (time.perf_counter() - started))
    return {
        "one_p50_ms": round(statistics.median(singles), 2),
        "one_p95_ms": round(float(np.percentile(singles, 95)), 2),
        "bulk_sentences_per_s": round(max(bulk), 1),
    }


def agreement(vectors: np.ndarray, reference: np.ndarray) -> dict[str, float]:
    cosine = (vectors * reference).sum(axis=1)
    ours = np.argsort(-(vectors[:QUERIES] @ vectors.T), axis=1)[:, 1 : TOP + 1]
    theirs = np.argsort(-(reference[:QUERIES] @ reference.T), axis=1)[:, 1 : TOP + 1]
    recall = np.mean([len(set(a) & set(b)) / TOP for a, b in zip(ours, theirs, strict=True)])
    return {
        "cosine_min": round(float(cosine.min()), 5),
        "cosine_mean": round(float(cosine.mean()), 5),
        f"recall_at_{TOP}": round(float(recall), 4),
    }


def run(runtimes: list[str], count: int) -> dict[str, Any]:
    texts = sentences(count)
    base = Settings.from_env()
    reference = load_embedder(dataclasses.replace(base, embedding_runtime="onnx-fp32"))
    expected = reference.encode(texts)
    rows = {}
    for runtime in runtimes:
        embedder = load_embedder(dataclasses.replace(base, embedding_runtime=runtime))
        rows[runtime] = {
            "resolved": resolve_runtime(runtime),
            "engine": getattr(embedder, "runtime", runtime),
            **timings(embedder, texts),
            **agreement(embedder.encode(texts), expected),
        }
        print(runtime, rows[runtime], flush=True)
    return {
        "provenance": provenance(),
        "sentences": len(texts),
        "threads": len(os.sched_getaffinity(0)),
        "batch_size": base.embed_batch_size,
        "load_average": os.getloadavg(),
        "runtimes": rows,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.embedders", description=__doc__)
    parser.add_argument("--sentences", type=int, default=2000)
    parser.add_argument("--runtimes", default=",".join(RUNTIMES))
    parser.add_argument("--out", default="embedders", help="results name under bench/results/")
    args = parser.parse_args(argv)
    if args.sentences < QUERIES + TOP + 1:
        parser.error(f"--sentences must be at least {QUERIES + TOP + 1}")
    try:
        result = run(args.runtimes.split(","), args.sentences)
    except MissingData as exc:
        print(f"skipped: {exc}")
        return 0
    print(write_result(args.out, result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
