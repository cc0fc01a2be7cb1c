"""Ingest and the nightly scan on a local two-node Ray cluster against the single-process path,
in the same session, and whether they store the same: `python -m bench.ray_speed [--quick]
[--sentences N]` (or `python -m bench.speed --ray ...`).

Both paths run in this process on the same ABC stories (rural and science, as bench/speed.py
takes them; the whole corpus unless limited): first the single-process path (`Checker.ingest`,
`Checker.scan`), then the same through `checker.cluster` on a `LocalCluster` of a head and a
worker node on loopback, one CPU each, so two model workers. Each figure is wall time from the
call to its return, model loading included (the single path loads its embedder on first use,
each Ray worker its models once per window).

The timed scans run without the NLI reading cache (CHECKER_NLI_CACHE_PAIRS=0): then each scan
search batch's pairs are read together on either path, and the two indexes are compared
exactly: the sentence ids in order with their texts and analyses, the stored vectors (largest
absolute difference, how many bit-identical, and a tolerance of VECTOR_TOLERANCE), the FAISS
file, the findings (the same pairs, each with the same verdict, confidence, similarity and
reasons), and every pair the scan judged, found or not (the same verdict and confidence; a
`RecordingChecker` keeps them); what differs is listed. Each ingested index is then copied
and scanned once more with the default settings (the reading cache on), on both paths, and
those findings and judgements are compared the same way: with the cache, which pairs the
shipped int8 NLI model reads together depends on what each process read before (see the
README's "Same results"), so a reading may move in the third decimal there. On a 2-core
machine the cluster has no more cores than the single process: expect overhead, not
speed-up. Writes bench/results/ray_speed.json (or ray_speed_quick.json).
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import provenance, write_result
from bench.speed import abc_records
from checker.cluster import RayCluster
from checker.errors import CheckerError
from checker.ingest import document_from_record
from checker.service import Checker
from checker.settings import Settings
from checker.store import VECTORS_NAME
from checker.types import Document, Hit, Judgement

# Largest absolute difference of one component of two unit vectors that counts as equal:
# float32 sums taken in another order differ in the last bits (about 1e-7 a component);
# the same batches through the same ONNX graph are expected to give identical bits.
VECTOR_TOLERANCE = 1e-6
# Differing sentences or findings listed by name in the result (all are counted).
LISTED = 20


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


class RecordingChecker(Checker):
    """A Checker that keeps every judged pair's verdict and confidence, where the scan stores
    only the disagreeing ones: the paths are compared on each of the scan's pairs. It wraps
    the one method that hands each search batch's judgements, from either path, to the scan."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.judgements: dict[tuple[str, str], tuple[str, float]] = {}

    def _judged(
        self, found: Iterable[tuple[int, list[tuple[Hit, Hit]]]]
    ) -> Iterator[tuple[int, list[tuple[Hit, Hit]], list[Judgement]]]:
        for documents, pairs, judgements in super()._judged(found):
            for (a, b), judgement in zip(pairs, judgements, strict=True):
                key = (a.sentence.id, b.sentence.id)
                self.judgements[key] = (judgement.verdict.value, judgement.confidence)
            yield documents, pairs, judgements


def ingest(settings: Settings, docs: list[Document], cluster: RayCluster | None) -> dict[str, Any]:
    """Ingest into `settings.index`, timed; what it stored."""
    checker = Checker.from_settings(settings, cluster=cluster)
    try:
        started = time.perf_counter()
        ingested = checker.ingest(docs)
        seconds = time.perf_counter() - started
    finally:
        checker.close()
    return {
        "documents": len(ingested.added),
        "sentences": ingested.sentences,
        "ingest_seconds": round(seconds, 1),
        "ingest_sentences_per_s": round(ingested.sentences / seconds, 1),
    }


def scan(settings: Settings, cluster: RayCluster | None) -> tuple[dict[str, Any], dict[str, Any]]:
    """The nightly scan of `settings.index`, timed: what it did, and the index's contents."""
    checker = RecordingChecker.from_settings(settings, cluster=cluster)
    assert isinstance(checker, RecordingChecker)
    try:
        reads = checker.model_reads
        started = time.perf_counter()
        scanned = checker.scan()
        seconds = time.perf_counter() - started
        contents = index_contents(checker)
        contents["judgements"] = checker.judgements
    finally:
        checker.close()
    return {
        "pairs_judged": scanned.pairs,
        "pairs_read_by_model": reads.model,
        "new_findings": scanned.new_findings,
        "new_changes": scanned.new_changes,
        "scan_seconds": round(seconds, 1),
        "scan_pairs_per_s": round(scanned.pairs / seconds, 1),
    }, contents


def both_ways(
    settings: Settings, docs: list[Document], cluster: RayCluster | None
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Ingest, then the exact scan (no reading cache) timed; the ingested index copied first
    and scanned with the default cache too. (figures, contents, default-cache figures,
    default-cache contents)."""
    exact = dataclasses.replace(settings, nli_cache_pairs=0)
    figures = ingest(exact, docs, cluster)
    copy = settings.index.with_name(settings.index.name + "-default-cache")
    shutil.copytree(settings.index, copy)
    scanned, contents = scan(exact, cluster)
    figures.update(scanned)
    default, default_contents = scan(dataclasses.replace(settings, index=copy), cluster)
    return figures, contents, default, default_contents


def index_contents(checker: Checker) -> dict[str, Any]:
    """Sentences (id -> text, analysis, vector) in document and sentence order, the FAISS
    file's digest, and the findings keyed by their pair."""
    store = checker.store
    ids = [row[0] for row in store.conn.execute("SELECT id FROM documents ORDER BY id")]
    sentences: dict[str, Any] = {}
    for document_id in ids:
        hits, vectors = store.document_vectors(document_id)
        for hit, vector in zip(hits, vectors, strict=True):
            sentences[hit.sentence.id] = (hit.sentence.text, hit.analysis, vector)
    found, _ = store.findings(limit=10_000_000)
    findings = {
        (f.a.sentence.id, f.b.sentence.id): (
            f.judgement.verdict.value,
            f.judgement.confidence,
            f.similarity,
            tuple(r.kind for r in f.judgement.reasons),
        )
        for f in found
    }
    vectors_file = store.directory / VECTORS_NAME
    digest = hashlib.sha256(vectors_file.read_bytes()).hexdigest() if vectors_file.exists() else ""
    return {"sentences": sentences, "findings": findings, "faiss_sha256": digest}


def compare_sentences(single: dict[str, Any], distributed: dict[str, Any]) -> dict[str, Any]:
    """Sentence ids (in order), texts, analyses and vectors of the two indexes."""
    a, b = single["sentences"], distributed["sentences"]
    shared_ids = [k for k in a if k in b]
    texts = [k for k in shared_ids if a[k][0] != b[k][0]]
    analyses = [k for k in shared_ids if a[k][1] != b[k][1]]
    gaps = {k: float(np.abs(a[k][2] - b[k][2]).max()) for k in shared_ids}
    worst = max(gaps.values(), default=0.0)
    return {
        "sentences": [len(a), len(b)],
        "same_ids_in_order": list(a) == list(b),
        "ids_only_single": sorted(a.keys() - b.keys())[:LISTED],
        "ids_only_ray": sorted(b.keys() - a.keys())[:LISTED],
        "texts_differing": len(texts),
        "analyses_differing": len(analyses),
        "analyses_differing_ids": analyses[:LISTED],
        "max_abs_vector_difference": worst,
        "vectors_bit_identical": sum(bool(np.array_equal(a[k][2], b[k][2])) for k in shared_ids),
        "vector_tolerance": VECTOR_TOLERANCE,
        "vectors_beyond_tolerance": sum(gap > VECTOR_TOLERANCE for gap in gaps.values()),
        "same_faiss_file": single["faiss_sha256"] == distributed["faiss_sha256"],
        "equal": list(a) == list(b) and not texts and not analyses and worst <= VECTOR_TOLERANCE,
    }


def compare_findings(single: dict[str, Any], distributed: dict[str, Any]) -> dict[str, Any]:
    """Findings keyed by their pair: the same pairs, verdicts, reasons; confidences and
    similarities to the largest difference. Each differing finding is listed (up to LISTED)."""
    a, b = single["findings"], distributed["findings"]
    both = sorted(a.keys() & b.keys())
    verdicts = [k for k in both if a[k][0] != b[k][0]]
    reasons = [k for k in both if a[k][3] != b[k][3]]
    differing = [
        {"pair": list(k), "single": list(a.get(k, ())), "ray": list(b.get(k, ()))}
        for k in sorted(a.keys() ^ b.keys()) + [k for k in both if a[k] != b[k]]
    ]
    return {
        "findings": [len(a), len(b)],
        "same_pairs": a.keys() == b.keys(),
        "same_verdicts": not verdicts and a.keys() == b.keys(),
        "same_reasons": not reasons,
        "max_confidence_difference": max((abs(a[k][1] - b[k][1]) for k in both), default=0.0),
        "max_similarity_difference": max((abs(a[k][2] - b[k][2]) for k in both), default=0.0),
        "differing": differing[:LISTED],
        "equal": a == b,
    }


def compare_judgements(single: dict[str, Any], distributed: dict[str, Any]) -> dict[str, Any]:
    """Every pair the scans judged, found or not: the same pairs, each with the same verdict
    and confidence (the largest difference and the pairs that differ, up to LISTED)."""
    a, b = single["judgements"], distributed["judgements"]
    both = a.keys() & b.keys()
    verdicts = sorted(k for k in both if a[k][0] != b[k][0])
    confidences = sorted(k for k in both if a[k][1] != b[k][1])
    return {
        "pairs": [len(a), len(b)],
        "same_pairs": a.keys() == b.keys(),
        "verdicts_differing": len(verdicts),
        "confidences_differing": len(confidences),
        "max_confidence_difference": max((abs(a[k][1] - b[k][1]) for k in both), default=0.0),
        "differing": [
            {"pair": list(k), "single": list(a[k]), "ray": list(b[k])}
            for k in (verdicts + [k for k in confidences if k not in set(verdicts)])[:LISTED]
        ],
        "equal": a == b,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ray_speed", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="about 2,000 sentences")
    parser.add_argument("--sentences", type=int, help="about this many ABC sentences")
    args = parser.parse_args(argv)
    limit = 2_000 if args.quick else args.sentences
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    settings = dataclasses.replace(Settings.from_env(), ray_actor_cpus=1)
    records = abc_records(limit)
    docs = documents(records, settings)
    results: dict[str, Any] = {
        "provenance": provenance(),
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "corpus": f"ABC rural + science, {len(docs)} stories"
        + (f" (about {limit} sentences)" if limit else " (all)"),
        "settings": {
            "nli_cache_pairs": f"0 (timed scans); {settings.nli_cache_pairs} (default-cache scans)",
            "embedding_runtime": settings.embedding_runtime,
            "nli_runtime": settings.nli_runtime,
        },
        "cluster": "LocalCluster: head 127.0.0.2 + worker 127.0.0.3, 1 CPU each, 1 CPU per "
        "model worker (2 model workers)",
        "load_average_at_start": os.getloadavg(),
    }
    from checker.cluster import connect
    from checker.cluster.local import LocalCluster

    with tempfile.TemporaryDirectory(prefix="bench-ray-") as tmp:
        single = dataclasses.replace(settings, index=Path(tmp) / "single")
        results["single_process"], one, default_single, one_default = both_ways(single, docs, None)
        print("single process:", json.dumps(results["single_process"]), file=sys.stderr)
        started = time.perf_counter()
        with LocalCluster(workers=1, cpus=1) as cluster:
            results["cluster_start_seconds"] = round(time.perf_counter() - started, 1)
            os.environ.update(cluster.env)  # what a node's processes run with
            on_ray = dataclasses.replace(
                settings, index=Path(tmp) / "ray", ray_address=cluster.address
            )
            joined = connect(on_ray)
            try:
                results["ray_2_nodes"], two, default_ray, two_default = both_ways(
                    on_ray, docs, joined
                )
            finally:
                joined.close()
        print("ray, 2 nodes:", json.dumps(results["ray_2_nodes"]), file=sys.stderr)
    results["equal"] = {
        "sentences_and_vectors": compare_sentences(one, two),
        "findings": compare_findings(one, two),
        "judgements": compare_judgements(one, two),
    }
    results["default_cache"] = {
        "single_process": default_single,
        "ray_2_nodes": default_ray,
        "findings": compare_findings(one_default, two_default),
        "judgements": compare_judgements(one_default, two_default),
        "single_exact_vs_single_default": compare_findings(one, one_default),
        "single_exact_vs_single_default_judgements": compare_judgements(one, one_default),
    }
    one, two = results["single_process"], results["ray_2_nodes"]
    results["ray_over_single"] = {
        "ingest": round(two["ingest_seconds"] / one["ingest_seconds"], 2),
        "scan": round(two["scan_seconds"] / one["scan_seconds"], 2),
    }
    results["load_average_at_end"] = os.getloadavg()
    path = write_result("ray_speed_quick" if args.quick else "ray_speed", results)
    print(table(results))
    print(f"written to {path}")
    equal = results["equal"]
    return 0 if all(part["equal"] for part in equal.values()) else 1


def table(r: dict[str, Any]) -> str:
    one, two = r["single_process"], r["ray_2_nodes"]
    same, found = r["equal"]["sentences_and_vectors"], r["equal"]["findings"]
    cached = r["default_cache"]["findings"]
    every, every_cached = r["equal"]["judgements"], r["default_cache"]["judgements"]
    lines = [
        f"{r['corpus']}; {one['sentences']} sentences, {one['pairs_judged']} pairs; "
        f"CPU {r['cpu']}, {r['cores']} cores",
        "path              ingest s  sentences/s  scan s  pairs/s",
        f"single process    {one['ingest_seconds']:>8}  {one['ingest_sentences_per_s']:>11}"
        f"  {one['scan_seconds']:>6}  {one['scan_pairs_per_s']:>7}",
        f"Ray, 2 nodes      {two['ingest_seconds']:>8}  {two['ingest_sentences_per_s']:>11}"
        f"  {two['scan_seconds']:>6}  {two['scan_pairs_per_s']:>7}",
        f"sentences equal: {same['equal']} ({same['sentences'][0]} / {same['sentences'][1]}; "
        f"ids in order {same['same_ids_in_order']}, texts differing {same['texts_differing']}, "
        f"analyses differing {same['analyses_differing']}); vectors: largest difference "
        f"{same['max_abs_vector_difference']:.2e}, {same['vectors_bit_identical']} "
        f"bit-identical, same FAISS file {same['same_faiss_file']}",
        f"findings equal (no reading cache): {found['equal']} ({found['findings'][0]} / "
        f"{found['findings'][1]}; same pairs {found['same_pairs']}, same verdicts "
        f"{found['same_verdicts']}, largest confidence difference "
        f"{found['max_confidence_difference']:.2g})",
        f"findings equal (default reading cache): {cached['equal']} ({cached['findings'][0]} / "
        f"{cached['findings'][1]}; same pairs {cached['same_pairs']}, same verdicts "
        f"{cached['same_verdicts']}, largest confidence difference "
        f"{cached['max_confidence_difference']:.2g})",
        f"every judged pair equal (no cache / default cache): {every['equal']} / "
        f"{every_cached['equal']} ({every['pairs'][0]} pairs; verdicts differing "
        f"{every['verdicts_differing']} / {every_cached['verdicts_differing']}, confidences "
        f"differing {every['confidences_differing']} / {every_cached['confidences_differing']})",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
