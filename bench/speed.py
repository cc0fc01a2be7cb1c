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
from bench.grow import disk_mib, grow, stored_analyses
from bench.serving import latency, peak_mib, reset_peak, serve, worker_peak_mib
from bench.speed_table import summary_table
from checker.analyse import Analyser, load_analyser
from checker.embed import Embedder, load_embedder, resolve_model_dir, resolve_runtime
from checker.errors import CheckerError
from checker.ingest import document_from_record
from checker.judge.nli import NLIJudge, resolve_nli_model
from checker.segment import segment
from checker.service import Checker
from checker.settings import Settings
from checker.store import VECTORS_NAME, Store
from checker.store import database as db
from checker.store.manifest import read_manifest
from checker.store.vectors import IndexConfig
from checker.types import Analysis, Document


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


class TimedAnalyser(Analyser):
    """The real Analyser, timing every call: the per-sentence analysis cost at ingest."""

    def __init__(self, inner: Analyser) -> None:
        super().__init__(inner.nlp)
        self.seconds = 0.0
        self.sentences = 0  # analysed here: the analysis processes' shares are not

    def analyse(
        self, texts: Sequence[str], published: Sequence[str | None] | None = None
    ) -> list[Analysis]:
        started = time.perf_counter()
        analyses = super().analyse(texts, published)
        self.seconds += time.perf_counter() - started
        self.sentences += len(texts)
        return analyses


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
    analyser = TimedAnalyser(load_analyser())
    checker = Checker.from_settings(
        dataclasses.replace(settings, index=index), embedder=timed, analyser=analyser
    )
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
        "analyse": analyser.seconds,
        "store_and_bookkeeping": max(
            0.0, total - extract[0] - segment_seconds - timed.seconds - analyser.seconds
        ),
    }
    rates = {k: round(n / v, 1) if v else None for k, v in stages.items()}
    # With analysis processes (CHECKER_ANALYSIS_PROCESSES) the ingesting process analyses only
    # its share: its stage rate is of the sentences it analysed, in its own thread.
    rates["analyse"] = round(analyser.sentences / analyser.seconds, 1) if analyser.seconds else None
    return {
        "documents": len(summary.added),
        "sentences": n,
        "analysed_in_process": analyser.sentences,
        "analysis_processes": settings.analysis_processes,
        "segmented_again": segmented,
        "seconds": round(total, 1),
        "sentences_per_s": round(n / total, 1),
        "stage_seconds": {k: round(v, 2) for k, v in stages.items()},
        "stage_sentences_per_s": rates,
        "peak_rss_mib": round(peak, 1),
    }, checker


def scan(checker: Checker) -> dict[str, Any]:
    reset_peak()
    reads = checker.model_reads
    before = (reads.model, reads.judged)
    started = time.perf_counter()
    summary = checker.scan()
    seconds = time.perf_counter() - started
    judged = reads.judged - before[1]
    return {
        # The cascade: the share of judged pairs the NLI model had to read.
        "pairs_read_by_model": reads.model - before[0],
        "model_fraction": round((reads.model - before[0]) / judged, 4) if judged else 0.0,
        "documents": summary.documents,
        "pairs_judged": summary.pairs,
        "new_findings": summary.new_findings,
        "seconds": round(seconds, 1),
        "pairs_per_s": round(summary.pairs / seconds, 1),
        "judge": f"{checker.judge.name}, NLI model {checker.settings.nli_model or 'none'}",
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
        result["worker_rss_mib"] = worker_rss_mib(master)
    manifest = read_manifest(index)
    sentences = manifest.sentences if manifest else 0
    result.update(
        sentences=sentences,
        faiss_factory=manifest.faiss_factory if manifest else None,
        startup_s=round(ready, 1),
        disk_mib=round(disk_mib(index), 1),
        disk_gib_per_million_sentences=round(disk_mib(index) / 1024 / sentences * 1e6, 2),
        faiss_file_mib=round((index / VECTORS_NAME).stat().st_size / 2**20, 1),
    )
    return result


def worker_rss_mib(master_pid: int) -> dict[str, float]:
    """The worker's resident memory now, split: anonymous (its own) and file-backed (the
    memory-mapped FAISS file and libraries: page cache, shared with other workers)."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    found: dict[str, float] = {}
    for line in Path(f"/proc/{children[0]}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "RssAnon", "RssFile", "RssShmem"):
            found[name] = round(int(value.split()[0]) / 1024, 1)
    return found


def recall_at(store: Store, queries: np.ndarray, k: int = 20) -> dict[str, Any]:
    """How many of the exact k nearest (brute force over every vector in SQLite) the store's
    own search returns, on average: 1.0 for a flat index, less where IVF misses some."""
    best_sims = np.full((len(queries), k), -np.inf, dtype=np.float32)
    best_keys = np.full((len(queries), k), -1, dtype=np.int64)
    started = time.perf_counter()
    for keys, vectors in db.iter_vectors(store.conn, store.dimension, batch=50_000):
        sims = np.concatenate([best_sims, queries @ vectors.T], axis=1)
        both = np.concatenate([best_keys, np.broadcast_to(keys, (len(queries), len(keys)))], 1)
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        best_sims = np.take_along_axis(sims, top, 1)
        best_keys = np.take_along_axis(both, top, 1)
    exact_seconds = time.perf_counter() - started
    exact_hits = db.hits_by_key(store.conn, best_keys.ravel())
    ids = {key: hit.sentence.id for key, hit in exact_hits.items()}
    started = time.perf_counter()
    found = store.search(queries, k)
    search_seconds = time.perf_counter() - started
    recalls = [
        len({ids[int(key)] for key in row} & {hit.sentence.id for hit in hits}) / k
        for row, hits in zip(best_keys, found, strict=True)
    ]
    return {
        "k": k,
        "queries": len(queries),
        "recall": round(float(np.mean(recalls)), 4),
        "min_recall": round(float(np.min(recalls)), 4),
        "queries_with_all_k": round(float(np.mean([r == 1.0 for r in recalls])), 4),
        "exact_seconds": round(exact_seconds, 1),
        "batched_search_seconds": round(search_seconds, 2),
    }


def grown(
    base_index: Path,
    workdir: Path,
    timed: TimedEmbedder,
    sizes: Sequence[int],
    claim_texts: Sequence[str],
    settings: Settings | None = None,
) -> list[dict[str, Any]]:
    """The ABC index copied, then grown to each size in turn, measured at each: latency and
    memory behind gunicorn, and recall@20 of the store's search against brute force for the
    claims and for as many stored sentences."""
    directory = workdir / "grown"
    shutil.copytree(base_index, directory)
    config = IndexConfig.from_settings(settings or Settings())
    store = Store.open(directory, timed.name, timed.dimension, config=config)
    vectors = np.concatenate(timed.vectors)
    claim_vectors = timed.inner.encode(list(claim_texts))  # not kept for growing
    results = []
    analyses = stored_analyses(store, timed.texts)
    try:
        for size in sizes:
            reset_peak()
            growth = grow(store, timed.texts, vectors, size, analyses=analyses)
            growth["peak_rss_mib"] = round(peak_mib(), 1)
            measured = check_latency(directory, workdir / f"gunicorn-{size}.log", claim_texts)
            stored = db.iter_vectors(store.conn, store.dimension, batch=len(claim_texts))
            recall = {
                "claims": recall_at(store, claim_vectors),
                "stored_sentences": recall_at(store, next(stored)[1]),
            }
            results.append({"target": size, "growth": growth, **measured, "recall_at_20": recall})
            print(
                f"grown to {size}: p95 {measured['p95_ms']} ms, {measured['faiss_factory']}, "
                f"recall@20 {recall['claims']['recall']}",
                file=sys.stderr,
            )
    finally:
        store.close()
        shutil.rmtree(directory, ignore_errors=True)
    return results


def compute_floor(
    timed: TimedEmbedder,
    settings: Settings,
    embed_rate: float,
    pair_count: int = 1024,
    matmul_size: int = 2048,
) -> dict[str, Any]:
    matmul = floor.matmul_gflops(size=matmul_size)
    model_dir = resolve_model_dir(settings.embedding_model)
    sample = timed.texts[:: max(1, len(timed.texts) // 5000)]
    fp32 = matmul["torch"]["median_gflops"]
    result = {
        "matmul": matmul,
        "embedding_model": floor.embed_floor(model_dir, sample, embed_rate, fp32),
    }
    nli_dir = resolve_nli_model(settings.nli_model)
    if nli_dir is None:
        result["nli_model"] = {"skipped": "no NLI model configured (CHECKER_NLI_MODEL=none)"}
        return result
    int8 = floor.int8_matmul_gops(size=matmul_size)
    result["int8_matmul"] = int8
    # Sentence pairs as the scan makes them: two sentences of different stories.
    texts = timed.texts
    pairs = [
        (texts[i], texts[(i * 7 + 101) % len(texts)]) for i in range(min(pair_count, len(texts)))
    ]
    judge = NLIJudge(nli_dir, batch_size=settings.nli_batch_size, runtime=settings.nli_runtime)
    judge.probabilities(pairs[:64])  # warm-up
    started = time.perf_counter()
    judge.probabilities(pairs)
    rate = len(pairs) / (time.perf_counter() - started)
    result["nli_model"] = floor.pair_floor(nli_dir, pairs, rate, int8["median_gops"], fp32)
    result["nli_model"]["runtime"] = judge.runtime
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.speed", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a deterministic subset, minutes")
    parser.add_argument("--sizes", help="grown index sizes, comma-separated sentence counts")
    parser.add_argument(
        "--name",
        default="speed",
        help="results file name under bench/results (default speed: speed.json); e.g. "
        "speed-rules-only for a run with CHECKER_NLI_MODEL=none",
    )
    parser.add_argument(
        "--ingest-only",
        action="store_true",
        help="ingest and the floor only (CHECKER_EMBEDDING_RUNTIME picks the embedder); "
        "written to bench/results/speed_ingest_<runtime>.json, or --name",
    )
    parser.add_argument(
        "--ray",
        action="store_true",
        help="ingest and scan on a local two-node Ray cluster against the single-process "
        "run instead (bench/ray_speed.py; needs checker[cluster])",
    )
    args = parser.parse_args(argv)
    if args.ray:
        from bench import ray_speed

        return ray_speed.main(["--quick"] if args.quick else [])
    plan = QUICK if args.quick else FULL
    if args.sizes:
        sizes = tuple(int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip())
        plan = dataclasses.replace(plan, sizes=sizes)
    settings = Settings.from_env()
    timed = TimedEmbedder(load_embedder(settings))
    results: dict[str, Any] = {
        "provenance": provenance(),
        "quick": args.quick,
        "plan": dataclasses.asdict(plan),
        "settings": {k: str(v) for k, v in dataclasses.asdict(settings).items()},
        "note": "2-core machine; single runs or medians: read them with the load averages",
        "load_average_at_start": os.getloadavg(),
    }
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="bench-speed-") as tmp:
        workdir = Path(tmp)
        index = workdir / "abc"
        records = abc_records(plan.sentences)
        results["ingest"], checker = ingest(records, timed, settings, index)
        results["ingest"]["embedding_runtime"] = resolve_runtime(settings.embedding_runtime)
        _progress("ingest", results["ingest"]["seconds"])
        if args.ingest_only:
            checker.close()
            return _ingest_only(results, timed, settings, started, args.name)
        results["scan"] = scan(checker)
        _progress("scan", results["scan"]["seconds"])
        checker.close()
        claim_texts = claims(timed.texts, plan.claims)
        results["check_abc"] = check_latency(index, workdir / "gunicorn-abc.log", claim_texts)
        _progress("check at the ABC index", results["check_abc"]["p95_ms"])
        results["check_grown"] = grown(index, workdir, timed, plan.sizes, claim_texts, settings)
        embed_rate = results["ingest"]["stage_sentences_per_s"]["embed"] or 0.0
        results["floor"] = compute_floor(timed, settings, embed_rate)
    results["txtai"] = {"skipped": "not run in this version of the bench (see README)"}
    results["load_average_at_end"] = os.getloadavg()
    results["seconds"] = round(time.perf_counter() - started, 1)
    path = write_result(args.name, results)
    print(summary_table(results))
    print(vector_table(results))
    print(f"\nwritten to {path}")
    return 0


def vector_table(r: dict[str, Any]) -> str:
    """The vector index at each grown size: its type, recall@20 and where its memory is."""
    lines = ["sentences  index  recall@20 claims/stored  worker RSS anon/file MiB  FAISS file MiB"]
    for g in r["check_grown"]:
        recall, rss = g["recall_at_20"], g["worker_rss_mib"]
        lines.append(
            f"{g['sentences']:>9,}  {g['faiss_factory']}  "
            f"{recall['claims']['recall']:.3f}/{recall['stored_sentences']['recall']:.3f}  "
            f"{rss.get('RssAnon', 0):.0f}/{rss.get('RssFile', 0):.0f}  {g['faiss_file_mib']:.0f}"
        )
    return "\n".join(lines)


def _ingest_only(
    results: dict[str, Any], timed: TimedEmbedder, settings: Settings, started: float, name: str
) -> int:
    embed_rate = results["ingest"]["stage_sentences_per_s"]["embed"] or 0.0
    results["floor"] = compute_floor(timed, settings, embed_rate)
    results["load_average_at_end"] = os.getloadavg()
    results["seconds"] = round(time.perf_counter() - started, 1)
    runtime = resolve_runtime(settings.embedding_runtime)
    path = write_result(f"speed_ingest_{runtime}" if name == "speed" else name, results)
    ingest, model = results["ingest"], results["floor"]["embedding_model"]
    print(
        f"ingest ({runtime}): {ingest['sentences']} sentences in "
        f"{ingest['seconds']} s = {ingest['sentences_per_s']} sent/s; by stage "
        f"{ingest['stage_sentences_per_s']}; embed {model['measured_sentences_per_s']} sent/s "
        f"= {model['fraction_of_floor']} of the float32 floor {model['floor_sentences_per_s']}"
        f"\nwritten to {path}"
    )
    return 0


def _progress(name: str, figure: float) -> None:
    print(f"{name}: {figure}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
