"""Measuring a run while it trains: dev splits only, and the best checkpoint kept.

Dev sets are the held-apart dev files of ../shared/nli-train (`data.DEV_FILES`), the share of a
train file kept apart by `TrainConfig.holdout` (premises never trained on) and, where the run
trains on mined pairs, the mined dev split (stories never trained on). The run's score is
the mean 3-way accuracy over those sets; the weights with the best score are kept in
`<out>/best/` and become the run's model at the end (issue 12: MultiNLI peaked mid-epoch and
fell back, so the last step is not the model to ship). No test set and nothing from
../shared/eval is read here.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checker.train import data
from checker.train.model import ID2LABEL

if TYPE_CHECKING:
    import torch
    from sentence_transformers import CrossEncoder

    from checker.train.loop import TrainConfig

BEST = "best"
DEV_METRICS = "dev_metrics.jsonl"
DEV_SEED = 13  # the seed of every shipped run so far, so their dev samples stay the same


@dataclass(frozen=True)
class DevSet:
    name: str
    pairs: list[data.Pair]
    kinds: list[str]  # a mined pair's kind ("neighbour", "copy:credit", ...); else ""


def dev_sets(config: TrainConfig) -> list[DevSet]:
    """The dev sets `config` names, each cut to `config.dev_limit` pairs (seeded)."""
    sets = []
    for name in config.dev_files:
        pairs = data.read_jsonl(
            data.stored(config.data / name), name, Counter(), for_training=False
        )
        sets.append(DevSet(name, *_cut(pairs, [""] * len(pairs), config)))
    for name, fraction in config.holdout:
        pairs = data.read_jsonl(data.stored(config.data / name), name, Counter())
        kept = data.split_held_out(pairs, [(name, fraction)])[1][name]
        sets.append(DevSet(f"holdout:{name}", *_cut(kept, [""] * len(kept), config)))
    if config.mined_dev is not None:
        pairs, kinds = read_mined(config.mined_dev)
        sets.append(DevSet("mined_dev", *_cut(pairs, kinds, config)))
    return sets


def read_mined(path: Path) -> tuple[list[data.Pair], list[str]]:
    """A mined split's pairs and their kinds (see `checker.train.mined`)."""
    pairs = data.read_jsonl(data.stored(path), "mined", Counter(), for_training=False)
    with data.open_text(data.stored(path)) as rows:
        kinds = [json.loads(line).get("kind", "") for line in rows if line.strip()]
    return pairs, kinds


def _cut(
    pairs: list[data.Pair], kinds: list[str], config: TrainConfig
) -> tuple[list[data.Pair], list[str]]:
    if config.dev_limit is None or config.dev_limit >= len(pairs):
        return pairs, kinds
    # One sample for every run, whatever its seed: runs of a sweep are compared on it.
    keep = sorted(random.Random(DEV_SEED).sample(range(len(pairs)), config.dev_limit))
    return [pairs[i] for i in keep], [kinds[i] for i in keep]


def predict(
    network: torch.nn.Module,
    model: CrossEncoder,
    pairs: Sequence[tuple[str, str]],
    config: TrainConfig,
    batch_size: int = 128,
) -> list[str]:
    """The argmax label of each (premise, hypothesis), batched by length."""
    import torch

    order = sorted(range(len(pairs)), key=lambda i: len(pairs[i][0]) + len(pairs[i][1]))
    labels: list[str] = [""] * len(pairs)
    was_training = network.training
    network.eval()
    with torch.inference_mode(), _autocast(config):
        for start in range(0, len(order), batch_size):
            chosen = order[start : start + batch_size]
            features = model.tokenizer(
                [pairs[i][0] for i in chosen],
                [pairs[i][1] for i in chosen],
                padding=True,
                truncation=True,
                max_length=config.max_length,
                return_tensors="pt",
            ).to(config.device)
            best = network(**features).logits.argmax(dim=1).tolist()
            for i, label in zip(chosen, best, strict=True):
                labels[i] = ID2LABEL[int(label)]
    network.train(was_training)
    return labels


def _autocast(config: TrainConfig) -> Any:
    import torch

    device_type = "cuda" if config.device.startswith("cuda") else "cpu"
    return torch.autocast(device_type, dtype=torch.bfloat16, enabled=config.bf16)


def score(gold: Sequence[str], predicted: Sequence[str], kinds: Sequence[str]) -> dict[str, Any]:
    """Accuracy, per-class F1 and, for mined pairs, how often each kind is called a
    contradiction (near-copies and other-story neighbours should almost never be)."""
    n = len(gold)
    result: dict[str, Any] = {
        "n": n,
        "accuracy": sum(g == p for g, p in zip(gold, predicted, strict=True)) / max(1, n),
    }
    f1 = {}
    for label in data.LABELS:
        tp = sum(g == p == label for g, p in zip(gold, predicted, strict=True))
        said, truth = predicted.count(label), list(gold).count(label)
        precision, recall = tp / max(1, said), tp / max(1, truth)
        f1[label] = 2 * precision * recall / max(1e-9, precision + recall)
    result["f1"] = f1
    groups: dict[str, list[str]] = {}
    for kind, p in zip(kinds, predicted, strict=True):
        if kind:
            groups.setdefault(kind.split(":")[0], []).append(p)
    if groups:
        result["as_contradiction"] = {
            kind: sum(p == "contradiction" for p in said) / len(said)
            for kind, said in sorted(groups.items())
        }
    return result


def measure(
    network: torch.nn.Module, model: CrossEncoder, sets: Sequence[DevSet], config: TrainConfig
) -> dict[str, Any]:
    """Every dev set's scores and the run's score (mean accuracy over the sets)."""
    scores = {}
    for dev in sets:
        predicted = predict(network, model, [(p.premise, p.hypothesis) for p in dev.pairs], config)
        scores[dev.name] = score([p.label for p in dev.pairs], predicted, dev.kinds)
    mean = sum(s["accuracy"] for s in scores.values()) / max(1, len(scores))
    return {"score": round(mean, 5), "sets": scores}


def best_score(out: Path) -> float | None:
    """The score of the weights kept in `out/best`, if any (a resumed run keeps beating it)."""
    found = out / BEST / "score.json"
    return float(json.loads(found.read_text())["score"]) if found.is_file() else None


def keep_best(model: CrossEncoder, out: Path, step: int, measured: dict[str, Any]) -> None:
    folder = out / BEST
    model.save_pretrained(str(folder), create_model_card=False)
    (folder / "score.json").write_text(json.dumps({"step": step, **measured}) + "\n")


def append_dev_metrics(out: Path, step: int, epoch: float, measured: dict[str, Any]) -> None:
    line = {"step": step, "epoch": round(epoch, 3), **measured}
    with (out / DEV_METRICS).open("a", encoding="utf-8") as metrics:
        metrics.write(json.dumps(line) + "\n")


def restore_best(network: torch.nn.Module, out: Path) -> dict[str, Any] | None:
    """Loads the best weights into `network`; their record, or None where none were kept."""
    found = out / BEST / "model.safetensors"
    if not found.is_file():
        return None
    from safetensors.torch import load_file

    network.load_state_dict(load_file(str(found), device=str(next(network.parameters()).device)))
    record: dict[str, Any] = json.loads((out / BEST / "score.json").read_text())
    return record
