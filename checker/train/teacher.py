"""Soft labels from an ensemble of trained NLI models, for distillation (issue 12).

The mean of several runs' probabilities is a better reader than any one of them (on MultiNLI
matched dev, five of this project's runs average 63.7 % where the best alone has 62.3 %); a
student trained towards that mean (`TrainConfig.teacher`, `distill`) can keep part of the gain
at the size and speed of one model.

    python -m checker.train.teacher --config .devdata/gpu5.json --out runs/teacher.npz \
        checker/models/nli runs/nli-gpu3-onnx ...

reads the pairs that config's run trains on (`loop.build_examples`), has each model read every
pair as stored (premise first), and writes their mean probabilities, one row per distinct pair
(`distinct_pairs`), with the fingerprint of those pairs. A run refuses a file made for other
pairs; a symmetric pair read the other way round keeps its stored reading's soft label, as it
keeps its gold label.

`--gold-for SOURCE` (a training file, or "mined") gives that source's pairs their gold label as
the soft label instead of the models' reading: for data the teacher was never taught (the
mined debunkings, which the shipped model reads as neutral or even entailed), distilling its
reading would pull the student back towards the mistake the new data is there to correct.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from checker.train.data import Pair

# Columns of a teacher file: the training model's label ids (checker.train.model.ID2LABEL).
TEACHER_LABELS = ("contradiction", "entailment", "neutral")


def distinct_pairs(examples: Iterable[Pair]) -> list[tuple[str, str]]:
    """The (premise, hypothesis) texts of `examples`, each once, sorted: a teacher file's rows."""
    return sorted({(pair.premise, pair.hypothesis) for pair in examples})


def pairs_fingerprint(pairs: Sequence[tuple[str, str]]) -> bytes:
    digest = hashlib.sha256()
    for premise, hypothesis in pairs:
        digest.update(f"{premise}\t{hypothesis}\n".encode())
    return digest.digest()


def write_soft_labels(
    pairs: Sequence[tuple[str, str]], probabilities: np.ndarray, out: Path
) -> None:
    """One row of probabilities per pair of `distinct_pairs`, and those pairs' fingerprint.

    No per-pair keys: the file travels to a lent GPU machine beside the data and the base
    weights within 64 MiB, and the fingerprint ties it to its pairs as firmly."""
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        out,
        fingerprint=np.frombuffer(pairs_fingerprint(pairs), dtype=np.uint8),
        probabilities=probabilities.astype(np.float16),
    )


def soft_labels_for(path: Path, examples: Sequence[Pair]) -> np.ndarray:
    """The teacher file's probabilities for each of `examples` (rows in their order); refused
    where the file was made for other pairs."""
    pairs = distinct_pairs(examples)
    with np.load(path) as stored:
        fingerprint, probabilities = stored["fingerprint"], stored["probabilities"]
    if fingerprint.tobytes() != pairs_fingerprint(pairs) or len(probabilities) != len(pairs):
        raise ValueError(
            f"{path} holds soft labels for other pairs than this run's {len(pairs)}: make it "
            f"for this run's data (python -m checker.train.teacher --config ...)"
        )
    row = {pair: index for index, pair in enumerate(pairs)}
    return probabilities[[row[(p.premise, p.hypothesis)] for p in examples]].astype(np.float32)


def gold_rows(
    examples: Iterable[Pair], pairs: Sequence[tuple[str, str]], sources: Iterable[str]
) -> dict[int, str]:
    """Row of `pairs` -> gold label, for the pairs of `sources` (taught by their gold label).
    A pair that also occurs under another source with another label is refused: its one row
    cannot hold both."""
    wanted, row = set(sources), {pair: index for index, pair in enumerate(pairs)}
    gold: dict[int, str] = {}
    others: dict[int, str] = {}
    for example in examples:
        index = row[(example.premise, example.hypothesis)]
        (gold if example.source in wanted else others)[index] = example.label
    clash = [i for i, label in gold.items() if others.get(i, label) != label]
    if clash:
        raise ValueError(f"{len(clash)} pairs of {sorted(wanted)} carry another label elsewhere")
    return gold


def with_gold(probabilities: np.ndarray, gold: dict[int, str]) -> np.ndarray:
    """`probabilities` with each row of `gold` replaced by its label's one-hot."""
    out = probabilities.copy()
    for index, label in gold.items():
        out[index] = [float(name == label) for name in TEACHER_LABELS]
    return out


def ensemble_probabilities(
    models: Sequence[Path],
    pairs: Sequence[tuple[str, str]],
    log: bool = True,
    runtime: str = "onnxruntime",
) -> np.ndarray:
    """The mean softmax of `models` (NLI model folders) over `pairs`, `TEACHER_LABELS` order."""
    from checker.judge.nli import LABELS, NLIJudge

    columns = [LABELS.index(label) for label in TEACHER_LABELS]
    total = np.zeros((len(pairs), len(TEACHER_LABELS)))
    for number, folder in enumerate(models, 1):
        began = time.monotonic()
        judge = NLIJudge(folder, batch_size=32, runtime=runtime)
        for start in range(0, len(pairs), 20000):
            chunk = pairs[start : start + 20000]
            total[start : start + len(chunk)] += judge.probabilities(chunk)[:, columns]
            if log:
                rate = (start + len(chunk)) / max(time.monotonic() - began, 1e-9)
                print(
                    f"model {number}/{len(models)} {folder}: {start + len(chunk)}/{len(pairs)} "
                    f"pairs, {rate:.0f}/s",
                    file=sys.stderr,
                    flush=True,
                )
    return total / len(models)


def main(argv: list[str] | None = None) -> int:
    from checker.train.loop import build_examples
    from checker.train.sweep import train_config

    parser = argparse.ArgumentParser(prog="python -m checker.train.teacher", description=__doc__)
    parser.add_argument("models", nargs="+", type=Path, help="NLI model folders (the ensemble)")
    parser.add_argument("--config", type=Path, required=True, help="a run's TrainConfig JSON")
    parser.add_argument("--out", type=Path, required=True, help="the teacher file (.npz)")
    parser.add_argument(
        "--gold-for",
        action="append",
        default=[],
        metavar="SOURCE",
        help="a training file (or 'mined') whose pairs keep their gold label as the soft label",
    )
    parser.add_argument(
        "--runtime",
        default="onnxruntime",
        choices=("onnxruntime", "openvino", "auto"),
        help="what runs the models (checker.judge.nli.NLIJudge)",
    )
    args = parser.parse_args(argv)
    values = json.loads(args.config.read_text(encoding="utf-8"))
    values.update(out=str(args.out.parent), teacher=None, distill=0.0)
    examples, _ = build_examples(train_config(values))
    unique = distinct_pairs(examples)
    gold = gold_rows(examples, unique, args.gold_for)
    print(
        f"{len(unique)} distinct pairs of {len(examples)}, {len(gold)} taught by their gold label",
        file=sys.stderr,
    )
    rows = [index for index in range(len(unique)) if index not in gold]  # the models read
    probabilities = np.zeros((len(unique), len(TEACHER_LABELS)))
    if rows:
        read = [unique[index] for index in rows]
        probabilities[rows] = ensemble_probabilities(args.models, read, runtime=args.runtime)
    write_soft_labels(unique, with_gold(probabilities, gold), args.out)
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
