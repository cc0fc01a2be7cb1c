"""The product-quantised index at 10M sentences: `python -m bench.ivfpq [--size N] [--quick]`.

Builds the store's own IVF-PQ index (`VectorIndex.build`, the factory `factory_for` picks for
that size) from ABC vectors with noise, as bench/grow.py makes them (each added sentence is a
real ABC sentence's vector plus Gaussian noise of sigma `NOISE` a component, renormalised),
and reports:
- build time: training on the seeded sample, and adding every vector (generation apart);
- memory: the process's RSS after the build and at its peak, and the index's own size;
- recall@20 against exact search, for unseen ABC sentences (held out of the bases), at each
  nprobe value, with the candidates re-scored exactly as the store does (`rerank`), and at
  other depths of re-scoring for comparison; "text recall" counts the exact top 20's distinct
  corpus sentences found (a grown index holds each one hundreds of times, nearly tied);
- p50/p95 latency of one query's search + exact re-scoring, one thread, as a serving worker.

Ten million 384-d vectors are 15 GB as float32, more than is kept in memory here: they are made
in seeded chunks, twice (once to write them to a scratch file of float32 vectors, standing in
for the vectors SQLite keeps, and to search them exactly for the ground truth; once to add them
to the index), and the re-scoring reads the candidates from that file, memory-mapped. SQLite
itself is not grown to 10M (38 GB); bench.speed measures the store's search through SQLite.
The scratch file is removed at the end. The ABC vectors are embedded once and kept in the bench
cache (CHECKER_BENCH_CACHE).
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import os
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from bench.common import provenance, write_result
from bench.grow import NOISE
from bench.indexes import CACHE
from bench.speed import abc_records
from checker.embed import load_embedder
from checker.ingest import document_from_record
from checker.segment import segment
from checker.settings import Settings
from checker.store.vectors import IndexConfig, VectorIndex, factory_for

SEED = 4
CHUNK = 250_000  # vectors made at once: 384 MB as float32
K = 20
RERANK_DEPTHS = (2, 5, 10, 20, 40)  # candidates a hit whose recall is also reported
MIN_GAIN = 0.025  # text recall@20 a doubling of nprobe must add to be worth its time


@dataclasses.dataclass(frozen=True)
class Plan:
    size: int
    queries: int
    nprobes: tuple[int, ...]


FULL = Plan(10_000_000, 300, (8, 16, 32, 64, 128, 256))
QUICK = Plan(200_000, 100, (16, 64))


def cpu() -> dict[str, Any]:
    """The CPU's model name and the vector instruction sets FAISS and numpy can use."""
    flags: set[str] = set()
    name = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "model name":
            name = value.strip()
        elif key.strip() == "flags":
            flags = set(value.split())
    wanted = sorted(f for f in flags if f.startswith(("avx512", "amx")) or f in {"avx2", "fma"})
    return {"model": name, "flags": wanted, "amx": any(f.startswith("amx") for f in flags)}


def abc_vectors() -> tuple[list[str], np.ndarray]:
    """Every ABC sentence and its embedding (cached: embedding takes minutes on 2 cores)."""
    settings = Settings()
    texts = [
        s.text
        for record in abc_records(None)
        for s in segment(document_from_record(record, settings.max_document_chars))
    ]
    digest = hashlib.sha256("\n".join(texts).encode())
    digest.update(f"{settings.embedding_model}/{settings.embedding_runtime}".encode())
    # not "abc-*": bench.indexes drops every "abc-*" entry when it caches a new ABC index
    path = CACHE / f"vectors-abc-{digest.hexdigest()[:16]}.npy"
    if path.exists():
        return texts, np.load(path)
    vectors = load_embedder(settings).encode(texts)
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return texts, vectors


def chunk(bases: np.ndarray, number: int, size: int) -> tuple[np.ndarray, np.ndarray]:
    """(base sentence of each vector, vectors) of chunk `number`: the same on every call."""
    rng = np.random.default_rng([SEED, number])
    count = min(CHUNK, size - number * CHUNK)
    picks = rng.integers(0, len(bases), size=count)
    noisy = bases[picks] + rng.standard_normal((count, bases.shape[1]), dtype=np.float32) * NOISE
    noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
    return picks, noisy


def rss_mib() -> tuple[float, float]:
    """(current, peak) resident memory of this process, MiB."""
    current = 0.0
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            current = int(line.split()[1]) / 1024
    return round(current, 1), round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def first_pass(
    bases: np.ndarray, queries: np.ndarray, size: int, sample_size: int, scratch: Path
) -> dict[str, Any]:
    """Write every vector to `scratch`, take the training sample, find the exact top K."""
    chunks = -(-size // CHUNK)
    rng = np.random.default_rng(SEED)
    per_chunk = -(-sample_size // chunks)
    sample, best_sims, best_ids = [], None, None
    picks_all = np.empty(size, dtype=np.int32)
    started = time.perf_counter()
    with scratch.open("wb") as out:
        for number in range(chunks):
            picks, vectors = chunk(bases, number, size)
            first = number * CHUNK
            picks_all[first : first + len(picks)] = picks
            out.write(vectors.tobytes())
            sample.append(vectors[rng.choice(len(vectors), min(per_chunk, len(vectors)), False)])
            sims = queries @ vectors.T
            ids = np.broadcast_to(np.arange(first, first + len(vectors)), sims.shape)
            if best_sims is not None and best_ids is not None:
                sims = np.concatenate([best_sims, sims], axis=1)
                ids = np.concatenate([best_ids, ids], axis=1)
            top = np.argpartition(-sims, K - 1, axis=1)[:, :K]
            best_sims, best_ids = np.take_along_axis(sims, top, 1), np.take_along_axis(ids, top, 1)
            _progress(f"pass 1: {first + len(vectors):,} vectors", started)
    return {
        "sample": np.concatenate(sample)[:sample_size],
        "truth": best_ids,
        "picks": picks_all,
        "seconds": round(time.perf_counter() - started, 1),
    }


def build(
    bases: np.ndarray, size: int, factory: str, sample: np.ndarray, config: IndexConfig
) -> tuple[VectorIndex, dict[str, Any]]:
    """The store's index of `factory`, trained on `sample`, every vector added in chunks."""
    timing = {"add": 0.0, "generate": 0.0}
    started = time.perf_counter()

    def batches() -> Iterator[tuple[np.ndarray, np.ndarray]]:
        made = time.perf_counter()
        for number in range(-(-size // CHUNK)):
            _, vectors = chunk(bases, number, size)
            first = number * CHUNK
            keys = np.arange(first, first + len(vectors), dtype=np.int64)
            timing["generate"] += time.perf_counter() - made
            yield keys, vectors
            made = time.perf_counter()
            _progress(f"pass 2: {first + len(vectors):,} vectors added", started)

    index = VectorIndex.build(bases.shape[1], factory, sample, [], config)
    trained = time.perf_counter()
    timing["train"] = trained - started
    for keys, vectors in batches():
        adding = time.perf_counter()
        index.add(keys, vectors)
        timing["add"] += time.perf_counter() - adding
    return index, {name: round(value, 1) for name, value in timing.items()}


def measure(
    index: VectorIndex,
    queries: np.ndarray,
    truth: np.ndarray,
    picks: np.ndarray,
    stored: np.ndarray,
    nprobe: int,
) -> dict[str, Any]:
    """Recall@K and one-query latency at `nprobe`, re-scored exactly as the store does (its
    `rerank` candidates a hit), and the recall other depths of re-scoring would give (the
    first `K * depth` of one deeper search: FAISS returns them best first)."""
    index.config = dataclasses.replace(index.config, nprobe=nprobe, pq_nprobe=nprobe, threads=1)
    latencies, recall, text_recall = [], [], []
    deeper: dict[int, list[float]] = {depth: [] for depth in RERANK_DEPTHS}
    for query, exact in zip(queries, truth, strict=True):
        started = time.perf_counter()
        _, keys = index.search(query[None, :], K * index.rerank)
        best = _rescore(keys[0], query, stored)
        latencies.append(time.perf_counter() - started)
        wanted = set(exact.tolist())
        recall.append(len(wanted & set(best.tolist())) / K)
        texts = set(picks[exact].tolist())
        text_recall.append(len(texts & set(picks[best].tolist())) / len(texts))
        _, keys = index.search(query[None, :], K * max(RERANK_DEPTHS))
        for depth, found in deeper.items():
            found.append(len(wanted & set(_rescore(keys[0][: K * depth], query, stored))) / K)
    ms = np.array(latencies) * 1000
    return {
        "nprobe": nprobe,
        "rerank": index.rerank,
        "recall_at_20": round(float(np.mean(recall)), 4),
        "min_recall_at_20": round(float(np.min(recall)), 4),
        "text_recall_at_20": round(float(np.mean(text_recall)), 4),
        "recall_at_20_by_rerank": {d: round(float(np.mean(f)), 4) for d, f in deeper.items()},
        "p50_ms": round(float(np.percentile(ms, 50)), 2),
        "p95_ms": round(float(np.percentile(ms, 95)), 2),
    }


def _rescore(keys: np.ndarray, query: np.ndarray, stored: np.ndarray) -> np.ndarray:
    """The K best of `keys` by exact cosine with their stored vectors."""
    candidates = np.sort(keys[keys >= 0])  # sorted: the file is read in order
    sims = stored[candidates] @ query
    return candidates[np.argsort(-sims, kind="stable")[:K]]


def chosen_nprobe(searches: list[dict[str, Any]]) -> int:
    """How CHECKER_PQ_NPROBE's default was chosen: the smallest measured nprobe whose next
    doubling adds less than MIN_GAIN text recall@20 (distinct sentences of the exact top 20
    found), so each doubling kept pays for its doubled scan time."""
    by_nprobe = {s["nprobe"]: s["text_recall_at_20"] for s in searches}
    for nprobe in sorted(by_nprobe):
        if by_nprobe.get(nprobe * 2, 0.0) - by_nprobe[nprobe] < MIN_GAIN:
            return int(nprobe)
    return int(max(by_nprobe))


def run(plan: Plan, scratch_dir: Path) -> dict[str, Any]:
    texts, vectors = abc_vectors()
    rng = np.random.default_rng(SEED)
    held_out = rng.choice(len(vectors), plan.queries, replace=False)
    queries = vectors[held_out]
    bases = np.delete(vectors, held_out, axis=0)
    config = IndexConfig.from_settings(Settings())
    # the product-quantised kind whatever the size (a quick run is under the threshold)
    low = min(plan.size, config.pq_min_sentences)
    config = dataclasses.replace(config, ann_min_sentences=low, pq_min_sentences=low)
    factory = factory_for(plan.size, config, dimension=vectors.shape[1])
    sample_size = VectorIndex.training_sample_size(factory, plan.size)
    scratch = scratch_dir / "vectors.f32"
    try:
        truth = first_pass(bases, queries, plan.size, sample_size, scratch)
        index, timing = build(bases, plan.size, factory, truth.pop("sample"), config)
        rss, peak = rss_mib()
        saved = scratch_dir / "vectors.faiss"
        index.save(saved)
        stored = np.memmap(scratch, dtype=np.float32, mode="r", shape=(plan.size, bases.shape[1]))
        # once unrecorded, so that no row pays for the first reads of the file from disk
        measure(index, queries, truth["truth"], truth["picks"], stored, max(plan.nprobes))
        searches = [
            measure(index, queries, truth["truth"], truth["picks"], stored, nprobe)
            for nprobe in plan.nprobes
        ]
        return {
            "corpus": f"ABC rural + science: {len(texts)} sentences, {plan.queries} held out",
            "sentences": plan.size,
            "noise_sigma": NOISE,
            "factory": factory,
            "training_vectors": sample_size,
            "build_seconds": {
                **timing,
                "train_and_add": round(timing["train"] + timing["add"], 1),
                "exact_pass_and_scratch_write": truth["seconds"],
            },
            "memory_mib": {
                "rss_after_build": rss,
                "peak_rss": peak,
                "index_file": round(saved.stat().st_size / 2**20, 1),
                "bytes_per_vector": round(saved.stat().st_size / plan.size, 1),
            },
            "searches": searches,
            "chosen_nprobe": chosen_nprobe(searches),
        }
    finally:
        scratch.unlink(missing_ok=True)
        (scratch_dir / "vectors.faiss").unlink(missing_ok=True)


def _progress(message: str, started: float) -> None:
    print(f"  {message} ({time.perf_counter() - started:.0f} s)", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="200k vectors, 100 queries")
    parser.add_argument("--size", type=int, help="vectors in the index (default 10M)")
    parser.add_argument("--scratch", type=Path, help="folder for the 4 x size x 384 B file")
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    if args.size:
        plan = dataclasses.replace(plan, size=args.size)
    faiss.omp_set_num_threads(len(os.sched_getaffinity(0)))
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(dir=args.scratch) as scratch:
        result = run(plan, Path(scratch))
    payload = {
        "provenance": provenance(),
        "cpu": cpu(),
        "quick": args.quick,
        **result,
        "total_seconds": round(time.perf_counter() - started, 1),
    }
    path = write_result("ivfpq-quick" if args.quick else "ivfpq", payload)
    print(f"{result['factory']} at {plan.size:,}: build {result['build_seconds']}")
    print(f"memory {result['memory_mib']}")
    for row in result["searches"]:
        print(row)
    print(f"written to {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
