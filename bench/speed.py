"""Speed and memory on this machine: `python -m bench.speed [--quick] [--sizes 100000,...]`.

Prints a table and writes bench/results/speed.json (commit, machine, settings, every figure):
- ingest of the ABC corpus (rural + science), end to end and by stage (extract, segment,
  embed, store and bookkeeping), with the process's peak memory;
- the nightly scan of that index (`Checker.scan()`): pairs judged a second, total time;
- `/v1/check` latency (p50/p95/p99) through a real gunicorn at the ABC index and at indexes
  grown to `--sizes` sentences (see bench/grow.py for how), with the worker's peak memory,
  and the index's size on disk per million sentences;
- the compute floor: this CPU's matmul GFLOP/s against the embedding model's FLOPs a sentence.
Timings are medians or single passes on whatever else the machine is doing: say so with them.
Temporary indexes live under one temporary directory, removed at the end.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import random
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bench import data, floor
from bench.common import provenance, write_result
from bench.grow import disk_mib, grow
from bench.serving import latency, peak_mib, reset_peak, serve, worker_peak_mib
from bench.speed_table import summary_table
from checker.embed import Embedder, SentenceTransformerEmbedder, resolve_model_dir
from checker.errors import CheckerError
from checker.ingest import document_from_record
from checker.segment import segment
from checker.service import Checker
from checker.settings import Settings
from checker.store import Store
from checker.store.manifest import read_manifest
from checker.types import Document


@dataclasses.dataclass(frozen=True)
class Plan:
    sentences: int | None  # about this many ABC sentences; None: the whole corpus
    claims: int
    sizes: tuple[int, ...]  # grown index sizes, in sentences


FULL = Plan(sentences=None, claims=200, sizes=(100_000, 300_000, 1_000_000))
QUICK = Plan(sentences=2_000, claims=50, sizes=(50_000,))


class TimedEmbedder:
    """A real Embedder that times every call and keeps what it encoded (to grow indexes)."""

    def __init__(self, inner: Embedder) -> None:
        self.inner, self.name, self.dimension = inner, inner.name, inner.dimension
        self.seconds = 0.0
        self.texts: list[str] = []
        self.vectors: list[np.ndarray] = []

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        started = time.perf_counter()
        vectors = self.inner.encode(texts)
        self.seconds += time.perf_counter() - started
        self.texts += texts
        self.vectors.append(vectors)
        return vectors


def abc_records(sentence_limit: int | None) -> list[dict[str, str]]:
    """Rural and science stories, alternating, up to about `sentence_limit` lines of text."""
    rural, science = data.abc_stories("rural"), data.abc_stories("science")
    mixed = [r for pair in zip(rural, science, strict=False) for r in pair]
    mixed += rural[len(science) :] + science[len(rural) :]
    if sentence_limit is None:
        return mixed
    chosen, lines = [], 0
    for record in mixed:
        if lines >= sentence_limit:
            break
        chosen.append(record)
        lines += record["text"].count("\n") + 1
    return chosen


def ingest(
    records: list[dict[str, str]], timed: TimedEmbedder, settings: Settings, index: Path
) -> tuple[dict[str, Any], Checker]:
    """Ingest end to end; the stages timed inside it (extract, embed) or beside it (segment)."""
    checker = Checker.from_settings(dataclasses.replace(settings, index=index), embedder=timed)
    documents: list[Document] = []
    extract = [0.0]

    def extracted() -> Iterator[Document]:
        for record in records:
            started = time.perf_counter()
            try:
                document = document_from_record(record, settings.max_document_chars)
            except CheckerError:
                continue
            extract[0] += time.perf_counter() - started
            documents.append(document)
            yield document

    reset_peak()
    started = time.perf_counter()
    summary = checker.ingest(extracted())
    total = time.perf_counter() - started
    peak = peak_mib()
    started = time.perf_counter()
    segmented = sum(len(segment(d)) for d in documents)  # again, on its own, to time it
    segment_seconds = time.perf_counter() - started
    n = summary.sentences
    stages = {
        "extract": extract[0],
        "segment": segment_seconds,
        "embed": timed.seconds,
        "store_and_bookkeeping": max(0.0, total - extract[0] - segment_seconds - timed.seconds),
    }
    return {
        "documents": len(summary.added),
        "sentences": n,
        "segmented_again": segmented,
        "seconds": round(total, 1),
        "sentences_per_s": round(n / total, 1),
        "stage_seconds": {k: round(v, 2) for k, v in stages.items()},
        "stage_sentences_per_s": {k: round(n / v, 1) if v else None for k, v in stages.items()},
        "peak_rss_mib": round(peak, 1),
    }, checker


def scan(checker: Checker) -> dict[str, Any]:
    reset_peak()
    started = time.perf_counter()
    summary = checker.scan()
    seconds = time.perf_counter() - started
    return {
        "documents": summary.documents,
        "pairs_judged": summary.pairs,
        "new_findings": summary.new_findings,
        "seconds": round(seconds, 1),
        "pairs_per_s": round(summary.pairs / seconds, 1),
        "judge": checker.settings.nli_model or "rules only (no NLI model configured)",
        "peak_rss_mib": round(peak_mib(), 1),
    }


def claims(texts: Sequence[str], count: int, seed: int = 4) -> list[str]:
    """Real corpus sentences, lightly edited: a number changed, a 'not' added or a word gone."""
    rng = random.Random(seed)
    pool = sorted({t for t in texts if 6 <= len(t.split()) <= 60})
    chosen = rng.sample(pool, min(count, len(pool)))
    edited = []
    for text in chosen:
        if re.search(r"\d", text):
            text = re.sub(r"\d+", lambda m: str(int(m.group()) + rng.randint(1, 9)), text, count=1)
        elif re.search(r"\b(is|was|are|were|will)\b", text):
            text = re.sub(r"\b(is|was|are|were|will)\b", r"\1 not", text, count=1)
        else:
            words = text.split()
            del words[rng.randrange(1, len(words))]
            text = " ".join(words)
        edited.append(text)
    return edited


def check_latency(index: Path, log: Path, claim_texts: Sequence[str]) -> dict[str, Any]:
    started = time.perf_counter()
    with serve(index, log) as (base, master):
        ready = time.perf_counter() - started
        result = latency(base, claim_texts)
        result["worker_peak_rss_mib"] = round(worker_peak_mib(master), 1)
    manifest = read_manifest(index)
    sentences = manifest.sentences if manifest else 0
    result.update(
        sentences=sentences,
        startup_s=round(ready, 1),
        disk_mib=round(disk_mib(index), 1),
        disk_gib_per_million_sentences=round(disk_mib(index) / 1024 / sentences * 1e6, 2),
    )
    return result


def grown(
    base_index: Path,
    workdir: Path,
    timed: TimedEmbedder,
    sizes: Sequence[int],
    claim_texts: Sequence[str],
) -> list[dict[str, Any]]:
    """The ABC index copied, then grown to each size in turn, measured at each."""
    directory = workdir / "grown"
    shutil.copytree(base_index, directory)
    store = Store.open(directory, timed.name, timed.dimension)
    vectors = np.concatenate(timed.vectors)
    results = []
    try:
        for size in sizes:
            reset_peak()
            growth = grow(store, timed.texts, vectors, size)
            growth["peak_rss_mib"] = round(peak_mib(), 1)
            measured = check_latency(directory, workdir / f"gunicorn-{size}.log", claim_texts)
            results.append({"target": size, "growth": growth, **measured})
            print(f"grown to {size}: p95 {measured['p95_ms']} ms", file=sys.stderr)
    finally:
        store.close()
        shutil.rmtree(directory, ignore_errors=True)
    return results


def compute_floor(timed: TimedEmbedder, settings: Settings, embed_rate: float) -> dict[str, Any]:
    matmul = floor.matmul_gflops()
    model_dir = resolve_model_dir(settings.embedding_model)
    sample = timed.texts[:: max(1, len(timed.texts) // 5000)]
    embed = floor.embed_floor(model_dir, sample, embed_rate, matmul["torch"]["median_gflops"])
    return {"matmul": matmul, "embedding_model": embed}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.speed", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a deterministic subset, minutes")
    parser.add_argument("--sizes", help="grown index sizes, comma-separated sentence counts")
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    if args.sizes:
        sizes = tuple(int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip())
        plan = dataclasses.replace(plan, sizes=sizes)
    settings = Settings.from_env()
    timed = TimedEmbedder(SentenceTransformerEmbedder(settings.embedding_model))
    results: dict[str, Any] = {
        "provenance": provenance(),
        "quick": args.quick,
        "plan": dataclasses.asdict(plan),
        "settings": {k: str(v) for k, v in dataclasses.asdict(settings).items()},
        "note": "2-core machine shared with other running work: figures are noisy",
        "load_average_at_start": os.getloadavg(),
    }
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-speed-") as tmp:
        workdir = Path(tmp)
        index = workdir / "abc"
        records = abc_records(plan.sentences)
        results["ingest"], checker = ingest(records, timed, settings, index)
        _progress("ingest", results["ingest"]["seconds"])
        results["scan"] = scan(checker)
        _progress("scan", results["scan"]["seconds"])
        checker.close()
        claim_texts = claims(timed.texts, plan.claims)
        results["check_abc"] = check_latency(index, workdir / "gunicorn-abc.log", claim_texts)
        _progress("check at the ABC index", results["check_abc"]["p95_ms"])
        results["check_grown"] = grown(index, workdir, timed, plan.sizes, claim_texts)
        embed_rate = results["ingest"]["stage_sentences_per_s"]["embed"] or 0.0
        results["floor"] = compute_floor(timed, settings, embed_rate)
    results["txtai"] = {"skipped": "not run in this version of the bench (see README)"}
    results["load_average_at_end"] = os.getloadavg()
    results["seconds"] = round(time.perf_counter() - started, 1)
    path = write_result("speed", results)
    print(summary_table(results))
    print(f"\nwritten to {path}")
    return 0


def _progress(name: str, figure: float) -> None:
    print(f"{name}: {figure}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
