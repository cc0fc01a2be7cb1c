"""Ingest and the nightly scan on a local two-node Ray cluster against the single-process path,
in the same session: `python -m bench.ray_speed [--quick] [--sentences N]` (or
`python -m bench.speed --ray ...`).

Both paths run in this process on the same ABC stories (rural and science, as bench/speed.py
takes them): first the single-process path (`Checker.ingest`, `Checker.scan`), then the same
through `checker.cluster` on a `LocalCluster` of a head and a worker node on loopback, one
CPU each, so two model workers. Each figure is wall time from the call to its return, model
loading included (the single path loads its models on first use, each Ray worker once per
window). Both run without the NLI reading cache (CHECKER_NLI_CACHE_PAIRS=0): then each scan
search batch's pairs are read together on either path and the findings can be compared
exactly; they are, and so are the sentences, analyses and vectors (the largest difference is
reported). On a 2-core machine the cluster has no more cores than the single process: expect
overhead, not speed-up. Writes bench/results/ray_speed.json (or ray_speed_quick.json).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import provenance, write_result
from bench.speed import abc_records
from checker.errors import CheckerError
from checker.ingest import document_from_record
from checker.service import Checker
from checker.settings import Settings
from checker.types import Document


def cpu_model() -> str:
    """`lscpu`'s model name, as the README's figures name their CPU."""
    try:
        lines = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    for line in lines.splitlines():
        name, _, value = line.partition(":")
        if name.strip() == "Model name":
            return value.strip()
    return "unknown"


def documents(records: list[dict[str, str]], settings: Settings) -> list[Document]:
    """The records as documents; the few that are not one (bench/speed.py skips them too)."""
    found = []
    for record in records:
        try:
            found.append(document_from_record(record, settings.max_document_chars))
        except CheckerError:
            continue
    return found


def run(checker: Checker, docs: list[Document]) -> dict[str, Any]:
    """Ingest then scan, each timed; what they did."""
    started = time.perf_counter()
    ingested = checker.ingest(docs)
    ingest_s = time.perf_counter() - started
    reads = checker.model_reads
    started = time.perf_counter()
    scanned = checker.scan()
    scan_s = time.perf_counter() - started
    return {
        "documents": len(ingested.added),
        "sentences": ingested.sentences,
        "ingest_seconds": round(ingest_s, 1),
        "ingest_sentences_per_s": round(ingested.sentences / ingest_s, 1),
        "pairs_judged": scanned.pairs,
        "pairs_read_by_model": reads.model,
        "new_findings": scanned.new_findings,
        "new_changes": scanned.new_changes,
        "scan_seconds": round(scan_s, 1),
        "scan_pairs_per_s": round(scanned.pairs / scan_s, 1),
    }


def index_contents(checker: Checker) -> dict[str, Any]:
    store = checker.store
    ids = [row[0] for row in store.conn.execute("SELECT id FROM documents ORDER BY id")]
    sentences: dict[str, Any] = {}
    for document_id in ids:
        hits, vectors = store.document_vectors(document_id)
        for hit, vector in zip(hits, vectors, strict=True):
            sentences[hit.sentence.id] = (hit.sentence.text, hit.analysis, vector)
    found, _ = store.findings(limit=10_000_000)
    findings = sorted(
        (f.a.sentence.id, f.b.sentence.id, f.judgement.verdict.value, f.judgement.confidence)
        for f in found
    )
    return {"sentences": sentences, "findings": findings}


def compare(single: dict[str, Any], distributed: dict[str, Any]) -> dict[str, Any]:
    a, b = single["sentences"], distributed["sentences"]
    same_sentences = a.keys() == b.keys() and all(a[k][:2] == b[k][:2] for k in a)
    worst = max((float(np.abs(a[k][2] - b[k][2]).max()) for k in a if k in b), default=0.0)
    pairs_a = [f[:3] for f in single["findings"]]
    pairs_b = [f[:3] for f in distributed["findings"]]
    matched = zip(single["findings"], distributed["findings"], strict=False)
    confidence = max((abs(x[3] - y[3]) for x, y in matched), default=0.0)
    return {
        "same_sentences_and_analyses": same_sentences,
        "max_abs_vector_difference": worst,
        "same_findings": pairs_a == pairs_b,
        "findings": [len(pairs_a), len(pairs_b)],
        "max_confidence_difference": confidence,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ray_speed", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="about 2,000 sentences")
    parser.add_argument("--sentences", type=int, help="about this many ABC sentences")
    args = parser.parse_args(argv)
    limit = 2_000 if args.quick else args.sentences
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    settings = dataclasses.replace(Settings.from_env(), nli_cache_pairs=0, ray_actor_cpus=1)
    records = abc_records(limit)
    docs = documents(records, settings)
    results: dict[str, Any] = {
        "provenance": provenance(),
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "corpus": f"ABC rural + science, {len(docs)} stories"
        + (f" (about {limit} sentences)" if limit else " (all)"),
        "settings": {"nli_cache_pairs": 0, "embedding_runtime": settings.embedding_runtime},
        "cluster": "LocalCluster: head 127.0.0.2 + worker 127.0.0.3, 1 CPU each, 1 CPU per "
        "model worker (2 model workers)",
        "load_average_at_start": os.getloadavg(),
    }
    from checker.cluster import connect
    from checker.cluster.local import LocalCluster

    with tempfile.TemporaryDirectory(prefix="bench-ray-") as tmp:
        single = Checker.from_settings(dataclasses.replace(settings, index=Path(tmp) / "single"))
        try:
            results["single_process"] = run(single, docs)
            print("single process:", json.dumps(results["single_process"]), file=sys.stderr)
            single_contents = index_contents(single)
        finally:
            single.close()
        started = time.perf_counter()
        with LocalCluster(workers=1, cpus=1) as cluster:
            results["cluster_start_seconds"] = round(time.perf_counter() - started, 1)
            os.environ.update(cluster.env)  # what a node's processes run with
            on_ray = dataclasses.replace(
                settings, index=Path(tmp) / "ray", ray_address=cluster.address
            )
            joined = connect(on_ray)
            checker = Checker.from_settings(on_ray, cluster=joined)
            try:
                results["ray_2_nodes"] = run(checker, docs)
                print("ray, 2 nodes:", json.dumps(results["ray_2_nodes"]), file=sys.stderr)
                results["equal"] = compare(single_contents, index_contents(checker))
            finally:
                checker.close()
                joined.close()
    one, two = results["single_process"], results["ray_2_nodes"]
    results["ray_over_single"] = {
        "ingest": round(two["ingest_seconds"] / one["ingest_seconds"], 2),
        "scan": round(two["scan_seconds"] / one["scan_seconds"], 2),
    }
    results["load_average_at_end"] = os.getloadavg()
    path = write_result("ray_speed_quick" if args.quick else "ray_speed", results)
    print(table(results))
    print(f"written to {path}")
    return 0


def table(r: dict[str, Any]) -> str:
    one, two, same = r["single_process"], r["ray_2_nodes"], r["equal"]
    lines = [
        f"{r['corpus']}; {one['sentences']} sentences, {one['pairs_judged']} pairs; "
        f"CPU {r['cpu']}, {r['cores']} cores",
        "path              ingest s  sentences/s  scan s  pairs/s",
        f"single process    {one['ingest_seconds']:>8}  {one['ingest_sentences_per_s']:>11}"
        f"  {one['scan_seconds']:>6}  {one['scan_pairs_per_s']:>7}",
        f"Ray, 2 nodes      {two['ingest_seconds']:>8}  {two['ingest_sentences_per_s']:>11}"
        f"  {two['scan_seconds']:>6}  {two['scan_pairs_per_s']:>7}",
        f"same findings: {same['same_findings']} ({same['findings'][0]}); same sentences and "
        f"analyses: {same['same_sentences_and_analyses']}; largest vector difference "
        f"{same['max_abs_vector_difference']:.2e}",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
