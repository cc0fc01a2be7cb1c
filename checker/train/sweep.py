"""The sweep on a lent GPU machine: runs side by side, their records, and their soup.

`python -m checker.train.device sweep` (see `checker.train.device` for what travels to the
machine and back) trains one run per learning rate or named variant (`--variants`), each in a
process of its own side by side on the one GPU (a MiniLM step is too small to fill it); each
run keeps its best dev weights (`checker.train.evaluate`). With `--soup`, after every run has
ended, the sweep also averages the runs' best weights uniformly (`checker.train.soup`: same
base, same architecture, e.g. runs that differ only by seed), measures that soup on the dev
sets the runs were measured on, with the same code and samples, and records its scores beside
theirs in `sweep.json`. What comes back as fp16 pieces under 16 MiB (`best.N.pt`) is the
soup's weights where its dev score beats every run's, else the best run's; every run's logs
and records travel as one archive.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checker.train.device import unpack_base, write_pieces
from checker.train.model import WEIGHTS

if TYPE_CHECKING:
    from checker.train.loop import TrainConfig

SOUP = "soup"  # the sweep record's key, and the folder, for the mean of the runs' weights
BASE = "base"  # the sweep record's key for the starting weights' own dev scores


def train_config(values: dict[str, Any]) -> TrainConfig:
    """A `TrainConfig` from a JSON object of its fields (paths as strings, pairs as lists)."""
    from checker.train.loop import TrainConfig

    values = dict(values)
    for key in ("out", "data", "corpus", "mined", "mined_dev", "teacher"):
        if values.get(key) is not None:
            values[key] = Path(values[key])
    for key in ("files", "dev_files"):
        if key in values:
            values[key] = tuple(values[key])
    # (file, value) pairs arrive as JSON lists.
    for key, kind in (("weights", float), ("repeats", int), ("holdout", float)):
        if key in values:
            values[key] = tuple((name, kind(value)) for name, value in values[key])
    return TrainConfig(**values)


def run_one(config_json: str) -> None:
    """One training run from a JSON object of `TrainConfig` fields."""
    from checker.train.loop import train

    train(train_config(json.loads(config_json)))


def sweep_runs(args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    """The sweep's runs: one per learning rate ("lr1e-4") and one per named variant."""
    runs: dict[str, dict[str, Any]] = {
        f"lr{rate:g}": {"learning_rate": rate} for rate in args.learning_rates
    }
    if args.variants is not None:
        runs.update(json.loads(Path(args.variants).read_text()))
    if not runs:
        raise SystemExit("sweep: give --learning-rates or --variants")
    if SOUP in runs:
        raise SystemExit(f"sweep: {SOUP!r} names the runs' soup, not a run")
    common = json.loads(Path(args.config).read_text()) if args.config else {}
    unset = [name for name, run in runs.items() if "learning_rate" not in {**common, **run}]
    if unset:  # TrainConfig's default (3e-5) is a CPU fine-tuning rate, not a sweep's
        raise SystemExit(f"sweep: no learning_rate in --config or variants {unset}")
    return runs


def sweep(args: argparse.Namespace) -> int:
    """Runs the sweep's trainings side by side; brings back the best by dev score (with
    `--soup`, the mean of every run's weights where it scores above each run)."""
    began = time.monotonic()
    work, out = Path(args.work), Path(args.results)
    out.mkdir(parents=True, exist_ok=True)
    common = json.loads(Path(args.config).read_text())
    common["base_model"] = str(unpack_base(Path(args.base), work / "base"))
    configs = {
        name: dict(common, **changes, out=str(work / name))
        for name, changes in sweep_runs(args).items()
    }
    summary: dict[str, Any] = {}
    if getattr(args, "measure_base", False):  # where every run starts: what each must beat
        summary[BASE] = measure_base(Path(common["base_model"]), common, work)
    summary["runs"] = train_side_by_side(configs, out)
    archive_records(configs, work, out)
    scored = {
        n: r["best"]["score"] for n, r in summary["runs"].items() if r["exit"] == 0 and r["best"]
    }
    summary["seconds"] = round(time.monotonic() - began, 1)
    bring_back(summary, scored, work, out)  # first without the soup: a failure there loses none
    if args.soup and len(scored) > 1:
        summary[SOUP] = soup_of(configs, scored, work)
        summary["seconds"] = round(time.monotonic() - began, 1)
        bring_back(summary, scored, work, out)
    print(json.dumps(summary, indent=2))
    return 0 if scored else 1


def bring_back(summary: dict[str, Any], scored: dict[str, float], work: Path, out: Path) -> None:
    """Writes `sweep.json`, and the chosen weights as pieces where the choice is new."""
    choice = chosen(scored, summary.get(SOUP)) if scored else None
    if choice is not None and choice != summary.get("chosen"):
        from safetensors.torch import load_file

        weights = load_file(str(work / choice / WEIGHTS))
        summary["chosen"] = choice
        summary["pieces"] = [p.name for p in write_pieces(weights, out, "best")]
    (out / "sweep.json").write_text(json.dumps(summary, indent=2) + "\n")


def train_side_by_side(configs: dict[str, dict[str, Any]], out: Path) -> dict[str, Any]:
    """Each run in a process of its own, all at once; each one's exit, best and rate."""
    children = []
    for name, run in configs.items():
        command = [sys.executable, "-m", "checker.train.device", "one", json.dumps(run)]
        with (out / f"train-{name}.log").open("w") as log:  # the child has its own copy
            children.append((name, subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)))
    results: dict[str, Any] = {}
    for name, child in children:
        code = child.wait()
        record_path = Path(configs[name]["out"]) / "train_config.json"
        record = json.loads(record_path.read_text()) if record_path.is_file() else {}
        results[name] = {"exit": code, "best": record.get("best"), "run": record.get("run")}
    return results


def archive_records(configs: dict[str, dict[str, Any]], work: Path, out: Path) -> None:
    """Every run's records and log in one archive (few files come back: 8 at most)."""
    bundle = work / "records"
    bundle.mkdir(parents=True, exist_ok=True)
    for name, run in configs.items():
        for kept in ("train_config.json", "metrics.jsonl", "dev_metrics.jsonl", "config.json"):
            if (Path(run["out"]) / kept).is_file():
                shutil.copy2(Path(run["out"]) / kept, bundle / f"{name}-{kept}")
    for log_file in out.glob("train-*.log"):
        shutil.move(str(log_file), bundle / log_file.name)
    shutil.make_archive(str(out / "records"), "gztar", root_dir=bundle)


def measure_base(folder: Path, common: dict[str, Any], work: Path) -> dict[str, Any]:
    """The starting weights' scores on the runs' dev sets (same code and samples): for a
    sweep that continues a trained NLI model, the score its runs must beat to be worth it."""
    from checker.train.soup import measure_soup

    return measure_soup(folder, train_config(dict(common, out=str(work / "base-measured"))))


def soup_of(
    configs: dict[str, dict[str, Any]], scored: dict[str, float], work: Path
) -> dict[str, Any]:
    """The mean of the scored runs' best weights, measured on the dev sets of the best run."""
    from checker.train.soup import make_soup, measure_soup

    folder = make_soup([work / name for name in sorted(scored)], work / SOUP)
    best = max(scored, key=scored.__getitem__)
    measured = measure_soup(folder, train_config(dict(configs[best], out=str(folder))))
    return {"of": sorted(scored), "beats_every_run": measured["score"] > scored[best], **measured}


def chosen(scored: dict[str, float], soup: dict[str, Any] | None) -> str:
    """The soup where it beats every run, else the run with the best dev score."""
    return SOUP if soup and soup["beats_every_run"] else max(scored, key=scored.__getitem__)
