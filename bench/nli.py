"""The NLI model on its own: accuracy on labelled pairs, speed, the seeds, and its thresholds.

    python -m bench.nli [--model PATH] [--fp32 PATH] [--torch PATH] [--quick | --rows N]
                        [--choose-thresholds] [--mined-dev PATH]

`--model` is the model measured (default: the one shipped in checker/models/nli). `--fp32` and
`--torch` name the unquantised exports of the same run (an fp32 ONNX folder, the PyTorch
CrossEncoder folder) to compare accuracy and speed against. Writes bench/results/nli.json.

Accuracy is the plain 3-way argmax of the (premise, hypothesis) reading, as published NLI
figures are. "Judge" rows use what the checker does: both readings merged, then the
contradiction / entailment thresholds. `--choose-thresholds` picks those two thresholds on dev
splits only (DEV_SPLITS, never a test set or ../shared/eval; with `--mined-dev`, also the news
pairs of the mined dev split, whose stories were never trained on) and writes them to the
measured model's thresholds.json, where the judge reads them. `--mined-dev` (the dev split
written by `python -m checker.train.mined`, default runs/mined/dev.jsonl.gz where present) adds
per-class F1 on it and how often near-copies and other-story neighbours are called
contradictions, by the model alone and as the checker judges.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bench import data
from bench.common import MissingData, per_class_f1, percent, provenance, shared, write_result
from checker.ingest import read_file
from checker.judge.nli import BUILTIN_MODEL, LABELS, THRESHOLDS_FILE, NLIJudge, leading_labels
from checker.segment import segment
from checker.service import build_judge
from checker.settings import Settings
from checker.train.data import open_text
from checker.train.evaluate import read_mined
from checker.types import Document, Verdict

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
# Held apart from training (checker/train/data.py refuses them): thresholds are chosen here.
DEV_SPLITS = ("snli/dev.jsonl", "cad_snli/dev.jsonl", "conjnli/dev.jsonl")
HELD_APART = (
    "snli/dev.jsonl",
    "snli/test.jsonl",
    "cad_snli/dev.jsonl",
    "cad_snli/test.jsonl",
    "conjnli/dev.jsonl",
    "vania_wiki/base_wiki_test.jsonl",
    "vania_wiki/sim_wiki_test.jsonl",
    "vania_wiki/translate_wiki_test.jsonl",
)
MINED_DEV = Path("runs/mined/dev.jsonl.gz")
QUICK_ROWS = 300
GRID = [round(0.5 + 0.05 * i, 2) for i in range(10)]  # 0.50 … 0.95: never under min_confidence
MIN_CONTRADICTION_PRECISION = 0.95
# (text in seed 000, text in seed 001, what the checker should say)
SEED_PAIRS = (
    ("withdrawal of remaining Armenian forces", "there are no Armenian armed forces", True),
    ("hostilities would halt at 13:00", "ceasefire agreement was reached at 13:00", False),
    ("set for September 21 in Yevlakh", "Yevlakh", False),
)


def nli_rows(relative: str, limit: int | None) -> list[dict[str, str]]:
    rows = [r for r in data.jsonl(shared(f"nli-train/{relative}")) if r.get("label") in LABELS]
    return _sample(rows, limit)


def _sample(rows: list[dict[str, str]], limit: int | None) -> list[dict[str, str]]:
    """A seeded, order-keeping subset, so that --quick is the same every time."""
    if limit is None or limit >= len(rows):
        return rows
    keep = sorted(random.Random(13).sample(range(len(rows)), limit))
    return [rows[i] for i in keep]


def three_way(judge: NLIJudge, rows: Sequence[dict[str, str]]) -> dict[str, Any]:
    """Plain argmax accuracy and per-class F1 of the (premise, hypothesis) reading."""
    probabilities = judge.probabilities([(r["premise"], r["hypothesis"]) for r in rows])
    predicted = [LABELS[i] for i in probabilities.argmax(axis=1)]
    return per_class_f1([r["label"] for r in rows], list(predicted), list(LABELS))


def as_judged(judge: NLIJudge, rows: Sequence[dict[str, str]]) -> dict[str, Any]:
    """The checker's verdicts (both readings, thresholds) scored as 3-way labels."""
    merged = judge.pair_probabilities([(r["hypothesis"], r["premise"]) for r in rows])
    predicted = leading_labels(merged, judge.contradiction_threshold, judge.entailment_threshold)
    return per_class_f1([r["label"] for r in rows], list(predicted), list(LABELS))


def fever(judge: NLIJudge, split: str, limit: int | None) -> dict[str, Any]:
    """FEVER-Symmetric: evidence as premise, claim as hypothesis; SUPPORTS/REFUTES accuracy.

    "3-way" counts a neutral answer as wrong; "2-way" asks only whether entailment or
    contradiction is the likelier (the task's own framing: every pair is one of the two).
    """
    rows = _sample(data.fever_symmetric(split), limit)
    probabilities = judge.probabilities([(r["evidence"], r["claim"]) for r in rows])
    gold = [r["label"] for r in rows]
    mapped = {"entailment": "SUPPORTS", "contradiction": "REFUTES", "neutral": "NOT_ENOUGH_INFO"}
    three = [mapped[LABELS[i]] for i in probabilities.argmax(axis=1)]
    entail, contra = LABELS.index("entailment"), LABELS.index("contradiction")
    two = ["SUPPORTS" if p[entail] >= p[contra] else "REFUTES" for p in probabilities]
    return {
        "n": len(rows),
        "accuracy_3way": float(np.mean([g == p for g, p in zip(gold, three, strict=True)])),
        "accuracy_2way": float(np.mean([g == p for g, p in zip(gold, two, strict=True)])),
    }


def mined_rows(path: Path | None, limit: int | None, news_only: bool) -> list[dict[str, str]]:
    """The mined dev split's rows (premise, hypothesis, label, kind); news: ABC stories only."""
    if path is None or not path.is_file():
        return []
    pairs, kinds = read_mined(path)
    stories = [json.loads(line)["story"] for line in _lines(path)]
    rows = [
        {"premise": p.premise, "hypothesis": p.hypothesis, "label": p.label, "kind": kind}
        for p, kind, story in zip(pairs, kinds, stories, strict=True)
        if not news_only or story.startswith("abc:")
    ]
    return _sample(rows, limit)


def _lines(path: Path) -> list[str]:
    with open_text(path) as rows:
        return [line for line in rows if line.strip()]


def mined_scores(judge: NLIJudge, rows: Sequence[dict[str, str]]) -> dict[str, Any]:
    """Per-class F1 of the model alone (argmax), and the share of each kind of pair called a
    contradiction by the model alone and as the checker judges (both readings, thresholds)."""
    pairs = [(r["premise"], r["hypothesis"]) for r in rows]
    alone = [LABELS[i] for i in judge.probabilities(pairs).argmax(axis=1)]
    merged = judge.pair_probabilities([(r["hypothesis"], r["premise"]) for r in rows])
    judged = list(leading_labels(merged, judge.contradiction_threshold, judge.entailment_threshold))
    result = per_class_f1([r["label"] for r in rows], alone, list(LABELS))
    rates: dict[str, dict[str, float]] = {}

    def called(index: Sequence[int]) -> dict[str, Any]:
        return {
            "n": len(index),
            "model_alone": sum(alone[i] == "contradiction" for i in index) / len(index),
            "as_judged": sum(judged[i] == "contradiction" for i in index) / len(index),
        }

    for kind in sorted({r["kind"].split(":")[0] for r in rows}):
        index = [i for i, r in enumerate(rows) if r["kind"].split(":")[0] == kind]
        rates[kind] = called(index)
        labels = sorted({rows[i]["label"] for i in index})
        if len(labels) > 1:  # a kind of every label (debunkings): each label's share apart
            rates[kind]["by_label"] = {
                label: called([i for i in index if rows[i]["label"] == label]) for label in labels
            }
    result["as_contradiction"] = rates
    return result


def choose_thresholds(
    judge: NLIJudge, limit: int | None, mined: Path | None = None
) -> dict[str, Any]:
    """Thresholds from the judge's verdicts over DEV_SPLITS pooled (both readings merged).

    Contradiction: the lowest threshold on GRID whose contradiction precision reaches
    MIN_CONTRADICTION_PRECISION (the top of the grid if none does): a false alarm in the
    nightly report costs an editor's trust, a missed pair only a weaker report. Entailment:
    the best macro-F1 given that contradiction threshold.
    """
    rows = [row for split in DEV_SPLITS for row in nli_rows(split, limit)]
    news = mined_rows(mined, limit, news_only=True)
    rows += news
    # Every threshold on the grid must see the merged contradiction, not a one-reading bound.
    pairs = [(r["hypothesis"], r["premise"]) for r in rows]
    merged = judge.pair_probabilities(pairs, confirm_from=min(GRID))
    gold = [r["label"] for r in rows]

    def scores(t_contra: float, t_entail: float) -> dict[str, Any]:
        predicted = leading_labels(merged, t_contra, t_entail)
        return per_class_f1(gold, list(predicted), list(LABELS))

    t_contra = next(
        (
            t
            for t in GRID
            if scores(t, 1.0)["per_class"]["contradiction"]["precision"]
            >= MIN_CONTRADICTION_PRECISION
        ),
        GRID[-1],
    )
    t_entail = max(GRID, key=lambda t: scores(t_contra, t)["macro_f1"])
    chosen = scores(t_contra, t_entail)
    contradiction = chosen["per_class"]["contradiction"]
    return {
        "contradiction": t_contra,
        "entailment": t_entail,
        "chosen_on": list(DEV_SPLITS) + ([f"{mined} (ABC news stories)"] if news else []),
        "pairs": len(rows),
        "dev_macro_f1": round(chosen["macro_f1"], 4),
        "dev_contradiction_precision": round(contradiction["precision"], 4),
        "dev_contradiction_recall": round(contradiction["recall"], 4),
        "rule": "contradiction: the lowest threshold on the grid "
        f"{GRID[0]}..{GRID[-1]} step 0.05 with dev precision >= {MIN_CONTRADICTION_PRECISION}; "
        "entailment: best macro-F1 given it",
    }


def seed_pairs(judge: NLIJudge) -> list[dict[str, Any]]:
    """The seeds' disputed pair and two consistent ones, judged by the model alone and by the
    checker's judge (the rules and this model together)."""
    checker_judge = build_judge(Settings(nli_model=str(judge.model_path)))
    documents = [
        item
        for path in sorted(SEEDS.glob("*.txt"))
        for item in read_file(path, 2_000_000)
        if isinstance(item, Document)
    ]
    first, second = (segment(document) for document in documents)
    results = []
    for in_first, in_second, disputed in SEED_PAIRS:
        a = next(s.text for s in first if in_first in s.text)
        b = next(s.text for s in second if in_second in s.text)
        row = judge.pair_probabilities([(a, b)])[0]
        verdict = judge.verdict(row)
        [both] = checker_judge.judge([(a, b)])
        results.append(
            {
                "a": a,
                "b": b,
                "expected": "contradiction" if disputed else "not a contradiction",
                "verdict": str(verdict),
                "verdict_with_rules": str(both.verdict),
                "ok_with_rules": (both.verdict is Verdict.CONTRADICTS) == disputed,
                "probabilities": dict(zip(LABELS, (round(float(p), 4) for p in row), strict=True)),
                "ok": (verdict is Verdict.CONTRADICTS) == disputed,
            }
        )
    return results


def news_pairs(count: int) -> list[tuple[str, str]]:
    """Neighbouring sentences of ABC rural stories: the length of what a scan judges."""
    pairs: list[tuple[str, str]] = []
    for story in data.abc_stories("rural"):
        lines = story["text"].split("\n")
        pairs += list(itertools.pairwise(lines))
        if len(pairs) >= count:
            break
    return pairs[:count]


def pairs_per_second(judge: NLIJudge, pairs: list[tuple[str, str]]) -> float:
    judge.probabilities(pairs[:64])  # warm-up: first-call allocations, lazy init
    started = time.perf_counter()
    judge.probabilities(pairs)
    return len(pairs) / (time.perf_counter() - started)


def measure(
    path: Path,
    limit: int | None,
    full: bool,
    mined: Path | None = None,
    runtime: str = "onnxruntime",
) -> dict[str, Any]:
    """Everything for one model file (`limit` rows a set) run by `runtime`; `full` adds the
    held-apart files, FEVER and the seeds."""
    judge = NLIJudge(path, batch_size=32, runtime=runtime)
    result: dict[str, Any] = {"path": str(path), "size_mb": _size_mb(path), "runtime": runtime}
    result["mnli_dev_matched"] = three_way(judge, _sample(data.mnli(), limit))
    result["mnli_dev_matched_judged"] = as_judged(judge, _sample(data.mnli(), limit))
    result["pairs_per_second"] = pairs_per_second(judge, news_pairs(min(1024, limit or 1024)))
    if full:
        result["held_apart"] = {f: three_way(judge, nli_rows(f, limit)) for f in HELD_APART}
        result["fever_symmetric"] = {s: fever(judge, s, limit) for s in ("dev", "test")}
        result["seeds"] = seed_pairs(judge)
        for name, news_only in (("mined_dev_news", True), ("mined_dev_all", False)):
            rows = mined_rows(mined, limit, news_only)
            if rows:
                result[name] = mined_scores(judge, rows)
    return result


def _size_mb(path: Path) -> float:
    files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    return round(sum(p.stat().st_size for p in files) / 2**20, 1)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", type=Path, default=BUILTIN_MODEL)
    parser.add_argument("--fp32", type=Path, help="the same run's fp32 ONNX export")
    parser.add_argument("--torch", type=Path, help="the same run's PyTorch CrossEncoder")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_ROWS} rows per set")
    parser.add_argument("--rows", type=int, help="at most this many rows per set (seeded)")
    parser.add_argument(
        "--choose-thresholds",
        action="store_true",
        help=f"choose the judge's thresholds on {', '.join(DEV_SPLITS)} and write "
        f"{THRESHOLDS_FILE} beside --model",
    )
    parser.add_argument(
        "--mined-dev",
        type=Path,
        default=MINED_DEV if MINED_DEV.is_file() else None,
        help="the mined dev split (python -m checker.train.mined); default: "
        f"{MINED_DEV} where present",
    )
    parser.add_argument(
        "--openvino",
        action="store_true",
        help="also measure --model run by OpenVINO (CHECKER_NLI_RUNTIME=openvino)",
    )
    parser.add_argument(
        "--ensemble",
        type=Path,
        nargs="+",
        metavar="MODEL",
        help="only measure the mean probabilities of these NLI model folders on MultiNLI "
        "matched dev (a distillation teacher, checker.train.teacher)",
    )
    parser.add_argument("--out", default="nli", help="results name under bench/results/")
    args = parser.parse_args(argv)
    limit = args.rows or (QUICK_ROWS if args.quick else None)
    if args.ensemble:
        return _ensemble(args.ensemble, limit, args.out)
    try:
        result: dict[str, Any] = {"provenance": provenance(), "rows_per_set": limit}
        if args.choose_thresholds:
            chosen = choose_thresholds(NLIJudge(args.model), limit, args.mined_dev)
            folder = args.model if args.model.is_dir() else args.model.parent
            (folder / THRESHOLDS_FILE).write_text(json.dumps(chosen, indent=2) + "\n")
            result["thresholds"] = chosen
        result["int8"] = measure(args.model, limit, full=True, mined=args.mined_dev)
        for name, path in (("fp32_onnx", args.fp32), ("fp32_torch", args.torch)):
            if path is not None:
                result[name] = measure(path, limit, full=False)
        if args.openvino:
            result["openvino"] = measure(args.model, limit, full=False, runtime="openvino")
    except MissingData as exc:
        print(f"bench.nli: {exc}", file=sys.stderr)
        return 2
    written = write_result(args.out, result)
    print(summary_table(result))
    print(f"written to {written}")
    return 0


def _ensemble(models: Sequence[Path], limit: int | None, out: str) -> int:
    """MultiNLI matched dev read by each model and by their mean (the teacher's reading)."""
    from checker.train.teacher import TEACHER_LABELS, ensemble_probabilities

    try:
        rows = _sample(data.mnli(), limit)
    except MissingData as exc:
        print(f"bench.nli: {exc}", file=sys.stderr)
        return 2
    pairs = [(r["premise"], r["hypothesis"]) for r in rows]
    gold = [r["label"] for r in rows]
    result: dict[str, Any] = {"provenance": provenance(), "rows": len(rows)}
    readings = {model: ensemble_probabilities([model], pairs, log=False) for model in models}

    def scored(probabilities: np.ndarray) -> dict[str, Any]:
        predicted = [TEACHER_LABELS[i] for i in probabilities.argmax(axis=1)]
        return per_class_f1(gold, predicted, list(LABELS))

    result["models"] = {str(model): scored(reading) for model, reading in readings.items()}
    result["ensemble"] = scored(sum(readings.values()) / len(readings))
    written = write_result(out, result)
    for name, scores in [*result["models"].items(), ("mean of all", result["ensemble"])]:
        print(f"| {name}: MNLI matched dev 3-way accuracy | {percent(scores['accuracy'])} |")
    print(f"written to {written}")
    return 0


def summary_table(result: dict[str, Any]) -> str:
    rows = ["| measure | value |", "| --- | --- |"]
    for name in ("int8", "fp32_onnx", "fp32_torch", "openvino"):
        model = result.get(name)
        if not model:
            continue
        mnli = model["mnli_dev_matched"]
        f1 = "/".join(f"{mnli['per_class'][label]['f1']:.2f}" for label in LABELS)
        rows.append(f"| {name}: MNLI matched dev 3-way accuracy | {percent(mnli['accuracy'])} |")
        rows.append(f"| {name}: MNLI F1 entailment/neutral/contradiction | {f1} |")
        rows.append(f"| {name}: pairs/s (news pairs, batch 32) | {model['pairs_per_second']:.0f} |")
        rows.append(f"| {name}: size on disk | {model['size_mb']} MB |")
    int8 = result["int8"]
    for file, scores in int8.get("held_apart", {}).items():
        rows.append(f"| {file} accuracy | {percent(scores['accuracy'])} |")
    for split, scores in int8.get("fever_symmetric", {}).items():
        rows.append(
            f"| FEVER-Symmetric {split}: 2-way / 3-way accuracy | "
            f"{percent(scores['accuracy_2way'])} / {percent(scores['accuracy_3way'])} |"
        )
    for name in ("mined_dev_news", "mined_dev_all"):
        if name in int8:
            mined = int8[name]
            f1 = "/".join(f"{mined['per_class'][label]['f1']:.2f}" for label in LABELS)
            rates = ", ".join(
                f"{kind} {percent(r['model_alone'])} / {percent(r['as_judged'])}"
                for kind, r in mined["as_contradiction"].items()
            )
            rows.append(
                f"| {name}: accuracy, F1 entailment/neutral/contradiction | "
                f"{percent(mined['accuracy'])}, {f1} |"
            )
            rows.append(f"| {name}: called contradiction (model alone / judged) | {rates} |")
    for pair in int8.get("seeds", []):
        rows.append(
            f"| seeds: {pair['a'][:40]}… vs {pair['b'][:40]}… | model {pair['verdict']}, "
            f"with the rules {pair['verdict_with_rules']} (expected {pair['expected']}) |"
        )
    if "thresholds" in result:
        t = result["thresholds"]
        rows.append(
            f"| thresholds (chosen on {', '.join(t['chosen_on'])}) | contradiction "
            f"{t['contradiction']}, entailment {t['entailment']} |"
        )
    return "\n".join(rows)


if __name__ == "__main__":
    sys.exit(main())
