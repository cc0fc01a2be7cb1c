"""What understanding a sentence and judging a pair cost, apart from search, storage and the
embedder: `python -m bench.cost [--sentences 2000] [--rounds 3] [--name cost]`.

- analysis: ABC sentences (rural and science alternating, as `bench.speed` takes them) through
  `Analyser.analyse`, the per-sentence cost at ingest, beside spaCy's own `nlp.pipe` over the
  same texts (what the analysis cannot go below while spaCy parses every sentence) and the
  project's own part alone, timed on those parses (values, clause, denials, speaker, anchor);
- judging: the pairs a nightly scan of those sentences judges (each sentence's nearest
  sentences of other documents, found by the scan's own search over an index built first)
  through `judge_analysed` (the text judges, then the alignment gate), with the rules alone
  and with the default judge (rules and the NLI model; the share of pairs the model reads).

Each round times every measure once, in wall-clock seconds and in the process's CPU seconds
(all its threads: what a shared machine's load sways least); rounds repeat them so that a
busy machine shows as spread. Writes bench/results/<name>.json. Timings depend on what else
the machine runs: read them with the load averages recorded beside them, and compare two
versions of the code only in runs made back to back.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import RESULTS, provenance, write_result
from bench.speed import abc_records
from checker.analyse import load_analyser
from checker.analyse.pipeline import _STRAIGHT as STRAIGHT_QUOTES
from checker.analyse.pipeline import PIPE_BATCH
from checker.analyse.pipeline import _analysis as analysis_of
from checker.embed import Embedder
from checker.ingest import document_from_record
from checker.judge.gate import Gate
from checker.segment import segment
from checker.service import Checker, ModelReads, build_judge, judge_analysed
from checker.settings import Settings
from checker.store.manifest import read_manifest
from checker.types import Analysis

Pair = tuple[str, Analysis, str, Analysis]


def sentences(limit: int | None, settings: Settings) -> list[tuple[str, str | None]]:
    """(text, the document's published date) of about `limit` ABC sentences."""
    found = []
    for record in abc_records(limit):
        document = document_from_record(record, settings.max_document_chars)
        found += [(s.text, document.published) for s in segment(document)]
    return found


def scan_pairs(
    limit: int | None, settings: Settings, index: Path, embedder: Embedder | None = None
) -> list[Pair]:
    """The pairs `Checker.scan()` would judge on an index of those stories, analysed; the
    index is built first unless `index` holds one already (never scanned: scans run on copies)."""
    manifest = read_manifest(index)  # written as a store opens: count what it holds
    built = manifest is not None and manifest.sentences > 0
    checker = Checker.from_settings(
        dataclasses.replace(settings, index=index, nli_model="none"), embedder=embedder
    )
    try:
        if not built:
            checker.ingest(
                document_from_record(r, settings.max_document_chars) for r in abc_records(limit)
            )
        checker.store.refresh()
        pairs: list[Pair] = []
        # The scan's own steps, without judging: its search batches and their fresh pairs.
        for _, found in checker._fresh_pairs(checker.store.pending_documents(), set()):
            pairs += checker._analysed_pairs(found)
        return pairs
    finally:
        checker.close()


def time_analysis(texts: list[tuple[str, str | None]]) -> dict[str, Any]:
    analyser = load_analyser()
    words = [t for t, _ in texts]
    started, cpu = time.perf_counter(), time.process_time()
    analyser.analyse(words, [day for _, day in texts])
    analysed, analysed_cpu = time.perf_counter() - started, time.process_time() - cpu
    straight = [t.translate(STRAIGHT_QUOTES) for t in words]  # what the analysis parses
    started, cpu = time.perf_counter(), time.process_time()
    docs = list(analyser.nlp.pipe(straight, batch_size=PIPE_BATCH))
    parsed, parsed_cpu = time.perf_counter() - started, time.process_time() - cpu
    # The project's own part, on the parses just made: values, clause, denials, speaker, anchor.
    started, cpu = time.perf_counter(), time.process_time()
    for doc, (_, day) in zip(docs, texts, strict=True):
        analysis_of(doc, day)
    own, own_cpu = time.perf_counter() - started, time.process_time() - cpu
    return {
        "spacy_components_cpu_ms_per_sentence": spacy_components(analyser.nlp, straight),
        "analysis_seconds": round(analysed, 2),
        "analysis_sentences_per_s": round(len(texts) / analysed, 1),
        "analysis_cpu_ms_per_sentence": round(1000 * analysed_cpu / len(texts), 4),
        "spacy_alone_seconds": round(parsed, 2),
        "spacy_alone_sentences_per_s": round(len(texts) / parsed, 1),
        "spacy_alone_cpu_ms_per_sentence": round(1000 * parsed_cpu / len(texts), 4),
        "beyond_spacy_seconds": round(own, 3),
        "beyond_spacy_ms_per_sentence": round(1000 * own / len(texts), 4),
        "beyond_spacy_cpu_ms_per_sentence": round(1000 * own_cpu / len(texts), 4),
        "load_average": os.getloadavg(),
    }


def spacy_components(nlp: Any, texts: list[str]) -> dict[str, float]:
    """CPU milliseconds a sentence in each of spaCy's pipeline components, run one after the
    other over the same batches as `nlp.pipe` (tokenising first): where the parse's cost
    lies, and so what a cheaper analysis would have to replace."""
    cpu = time.process_time()
    docs = [nlp.make_doc(text) for text in texts]
    costs = {"tokenizer": time.process_time() - cpu}
    for name, component in nlp.pipeline:
        cpu = time.process_time()
        docs = list(component.pipe(docs, batch_size=PIPE_BATCH))
        costs[name] = time.process_time() - cpu
    return {name: round(1000 * seconds / len(texts), 4) for name, seconds in costs.items()}


def time_scan(index: Path, settings: Settings, embedder: Embedder | None = None) -> dict[str, Any]:
    """`Checker.scan()` with the default judge on a fresh copy of the index: search, judging
    and writing the findings, as the nightly report runs it."""
    with tempfile.TemporaryDirectory(prefix="bench-cost-scan-") as tmp:
        copy = Path(tmp) / "index"
        shutil.copytree(index, copy)
        checker = Checker.from_settings(
            dataclasses.replace(settings, index=copy), embedder=embedder
        )
        try:
            started, cpu = time.perf_counter(), time.process_time()
            summary = checker.scan()
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
            fraction = checker.model_reads.fraction
        finally:
            checker.close()
    return {
        "seconds": round(seconds, 1),
        "cpu_seconds": round(cpu, 1),  # every thread's: less swayed by a busy machine
        "pairs": summary.pairs,
        "pairs_per_s": round(summary.pairs / seconds, 1),
        "new_findings": summary.new_findings,
        "model_fraction": round(fraction, 4),
        "load_average": os.getloadavg(),
    }


def time_judging(pairs: list[Pair], settings: Settings, nli_model: str) -> dict[str, Any]:
    judge = build_judge(dataclasses.replace(settings, nli_model=nli_model))
    gate = Gate(settings.min_confidence)
    reads = ModelReads()
    started, cpu = time.perf_counter(), time.process_time()
    judge_analysed(judge, gate, pairs, reads)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    measured: dict[str, Any] = {
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu, 2),
        "pairs_per_s": round(len(pairs) / seconds, 1),
    }
    if nli_model not in ("", "none"):
        measured["model_fraction"] = round(reads.fraction, 4)  # the share the model read
    return {**measured, "load_average": os.getloadavg()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cost", description=__doc__)
    parser.add_argument(
        "--sentences", type=int, default=2000, help="about this many ABC sentences; 0: all"
    )
    parser.add_argument(
        "--parts",
        default="analysis,judging",
        help="what to time, of analysis, judging and scan (the whole `Checker.scan()`)",
    )
    parser.add_argument(
        "--index",
        type=Path,
        help="where the ABC index is built and kept, or is already (default: a temporary one)",
    )
    parser.add_argument("--rounds", type=int, default=3, help="times each measure is repeated")
    parser.add_argument("--name", default="cost", help="results file name under bench/results")
    parser.add_argument("--label", default="", help="what code this is, recorded in the file")
    parser.add_argument(
        "--append",
        action="store_true",
        help="add this run's rounds to bench/results/<name>.json rather than replace it: runs "
        "of two versions of the code made in turn, each in a fresh process, build one file each",
    )
    args = parser.parse_args(argv)
    parts = {p.strip() for p in args.parts.split(",") if p.strip()}
    if parts - {"analysis", "judging", "scan"}:
        parser.error(f"unknown parts: {', '.join(sorted(parts - {'analysis', 'judging', 'scan'}))}")
    settings = Settings.from_env()
    limit = args.sentences or None
    texts = sentences(limit, settings)
    with tempfile.TemporaryDirectory(prefix="bench-cost-") as tmp:
        index = args.index or Path(tmp) / "abc"
        pairs = scan_pairs(limit, settings, index)
        if "analysis" in parts:
            # Warm-up: every word of the texts in spaCy's vocabulary (as in a long ingest), so
            # neither the analysis nor spaCy alone pays for adding them, whichever runs first.
            load_analyser().analyse([t for t, _ in texts])
        judges = {"rules": "none", "default": settings.nli_model}
        for nli_model in judges.values():  # warm-up: the rules' caches, the model's session
            time_judging(pairs[:200], settings, nli_model)
        rounds = []
        for n in range(args.rounds):
            measured: dict[str, Any] = {}
            if "analysis" in parts:
                measured["analysis"] = time_analysis(texts)
            if "judging" in parts:
                for name, nli_model in judges.items():
                    measured[f"judging_{name}"] = time_judging(pairs, settings, nli_model)
            if "scan" in parts:
                measured["scan"] = time_scan(index, settings)
            measured["provenance"] = provenance()
            rounds.append(measured)
            print(f"round {n + 1}: {measured}", file=sys.stderr)
    earlier = RESULTS / f"{args.name}.json"
    if args.append and earlier.exists():
        rounds = json.loads(earlier.read_text("utf-8"))["rounds"] + rounds
    results = {
        "label": args.label,
        "command": "python -m bench.cost " + " ".join(argv if argv is not None else sys.argv[1:]),
        "sentences": len(texts),
        "pairs": len(pairs),
        "rounds": rounds,
        "median": {
            (key if part == "analysis" else f"{part}_{key}"): _median(rounds, part, key)
            for part, key in (
                ("analysis", "analysis_sentences_per_s"),
                ("analysis", "spacy_alone_sentences_per_s"),
                ("analysis", "beyond_spacy_ms_per_sentence"),
                ("analysis", "analysis_cpu_ms_per_sentence"),
                ("analysis", "spacy_alone_cpu_ms_per_sentence"),
                ("analysis", "beyond_spacy_cpu_ms_per_sentence"),
                *((f"judging_{name}", "pairs_per_s") for name in judges),
                *((f"judging_{name}", "cpu_seconds") for name in judges),
                ("scan", "seconds"),
                ("scan", "cpu_seconds"),
            )
            if all(part in r for r in rounds)
        },
    }
    path = write_result(args.name, results)
    print(results["median"])
    print(f"written to {path}")
    return 0


def _median(rounds: list[dict[str, Any]], part: str, key: str) -> float:
    return round(statistics.median(r[part][key] for r in rounds), 4)


if __name__ == "__main__":
    sys.exit(main())
