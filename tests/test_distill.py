"""Distillation (issue 12): an ensemble's soft labels, found by pair text, and a loss that
learns them instead of (or beside) the gold labels. Real models at tiny scale: the shipped NLI
model as the teacher, the packaged MiniLM weights as the student."""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from checker.cli import main
from checker.judge.nli import BUILTIN_MODEL, LABELS, NLIJudge
from checker.train import teacher
from checker.train.data import FIRST_FILES
from checker.train.loop import CONFIG_NAME, TrainConfig, build_examples, soft_targets, train
from checker.train.model import Example, make_optimizer, make_scheduler, new_model, train_step
from tests.test_train import TINY_PAIRS, _tiny_config

CONTRADICTION, ENTAILMENT, NEUTRAL = range(3)  # checker.train.model.ID2LABEL


def test_soft_labels_come_back_in_the_order_of_the_run_pairs(tmp_path: Path) -> None:
    config = _tiny_config(tmp_path, "order", synthetic_pairs=0)
    examples, _ = build_examples(config)
    pairs = teacher.distinct_pairs(examples)
    assert pairs == sorted(pairs) and len(pairs) == len(examples)  # the tiny pairs are distinct
    probabilities = np.random.default_rng(1).dirichlet(np.ones(3), size=len(pairs))
    teacher.write_soft_labels(pairs, probabilities, tmp_path / "t.npz")

    rows = teacher.soft_labels_for(tmp_path / "t.npz", examples)

    for pair, row in zip(examples, rows, strict=True):
        expected = probabilities[pairs.index((pair.premise, pair.hypothesis))]
        assert np.allclose(row, expected, atol=1e-3)


def test_a_teacher_made_for_other_pairs_or_a_bad_share_is_refused(tmp_path: Path) -> None:
    config = _tiny_config(tmp_path, "refused", synthetic_pairs=0)
    examples, _ = build_examples(config)
    others = teacher.distinct_pairs(examples[1:])  # one pair fewer than the run reads
    teacher.write_soft_labels(others, np.ones((len(others), 3)) / 3, tmp_path / "t.npz")

    assert soft_targets(config, examples) is None  # no distillation asked: no teacher read
    with pytest.raises(ValueError, match="needs a teacher file"):
        soft_targets(dataclasses.replace(config, distill=0.5), examples)
    with pytest.raises(ValueError, match="between 0 and 1"):
        soft_targets(dataclasses.replace(config, distill=1.5, teacher=tmp_path / "t.npz"), examples)
    other = dataclasses.replace(config, distill=0.5, teacher=tmp_path / "t.npz")
    with pytest.raises(ValueError, match=f"other pairs than this run's {len(examples)}"):
        soft_targets(other, examples)


def _first_loss(config: TrainConfig, batch: list[Example]) -> float:
    """The loss of one step from the same fresh model (the step's loss is taken before it
    updates the weights)."""
    import torch

    torch.manual_seed(13)  # the same fresh head every time
    model = new_model(config.base_model)
    network = model.model
    assert network is not None
    optimizer = make_optimizer(network, config)
    scheduler = make_scheduler(optimizer, config, total=1)
    return train_step(network, model, batch, optimizer, scheduler, config)


@pytest.mark.slow
def test_the_distilled_share_of_the_loss_learns_the_teacher_not_the_gold_label(
    tmp_path: Path,
) -> None:
    config = _tiny_config(tmp_path, "loss")
    texts = [(p, h) for p, h, label in TINY_PAIRS if label != "-"]
    said = [NEUTRAL, CONTRADICTION, ENTAILMENT, ENTAILMENT, NEUTRAL, CONTRADICTION][: len(texts)]
    soft = [np.eye(3, dtype=np.float32)[label] for label in said]
    gold = [ENTAILMENT] * len(texts)  # what the teacher does not say

    def batch(labels: list[int]) -> list[Example]:
        return [(p, h, label, 1.0, s) for (p, h), label, s in zip(texts, labels, soft, strict=True)]

    taught = dataclasses.replace(config, distill=1.0)
    learned = _first_loss(taught, batch(gold))

    # All of the loss learning the teacher: the gold labels change nothing, and a one-hot
    # teacher is the cross-entropy of the labels it says.
    assert _first_loss(taught, batch(said)) == pytest.approx(learned, rel=1e-5)
    assert _first_loss(config, batch(said)) == pytest.approx(learned, rel=1e-5)
    against_gold = _first_loss(config, batch(gold))
    assert against_gold != pytest.approx(learned, rel=1e-3)
    # Half and half: the mean of the two.
    half = _first_loss(dataclasses.replace(config, distill=0.5), batch(gold))
    assert half == pytest.approx((learned + against_gold) / 2, rel=1e-4)


@pytest.mark.slow
def test_the_teacher_command_averages_its_models_over_the_run_pairs_and_a_run_learns_them(
    tmp_path: Path,
) -> None:
    config = _tiny_config(tmp_path, "student", synthetic_pairs=0, max_steps=2)
    (tmp_path / "run.json").write_text(
        json.dumps({**config.hyper_parameters(), "out": str(config.out)}), encoding="utf-8"
    )
    out = tmp_path / "soft.npz"
    # The same model twice: the mean of two equal readings is that reading.
    assert teacher.main(["--config", str(tmp_path / "run.json"), "--out", str(out)]
                        + [str(BUILTIN_MODEL)] * 2) == 0  # fmt: skip

    examples, _ = build_examples(config)
    rows = teacher.soft_labels_for(out, examples)
    reading = NLIJudge(BUILTIN_MODEL).probabilities([(p.premise, p.hypothesis) for p in examples])
    columns = [LABELS.index(name) for name in teacher.TEACHER_LABELS]
    assert np.allclose(rows, reading[:, columns], atol=2e-3)

    student = dataclasses.replace(config, teacher=out, distill=0.5, checkpoint_every=1000)
    result = train(student, log=lambda _: None)
    record = json.loads((student.out / CONFIG_NAME).read_text())
    assert result.steps == 2 and record["hyper_parameters"]["distill"] == 0.5
    assert record["data"]["teacher"] == hashlib.sha256(out.read_bytes()).hexdigest()


def test_the_command_refuses_a_distillation_without_its_teacher_in_one_line(
    tmp_path: Path,
) -> None:
    _tiny_config(tmp_path, "cli")  # writes the tiny training file
    tiny = (tmp_path / "train.jsonl").read_text(encoding="utf-8")
    for name in FIRST_FILES:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(tiny, encoding="utf-8")
    command = ["train-nli", "--out", str(tmp_path / "m"), "--data", str(tmp_path)]
    command += ["--first-files", "--synthetic-pairs", "0", "--distill", "0.5"]

    result = CliRunner().invoke(main, command)

    assert result.exit_code == 1 and "needs a teacher file" in result.output
    assert not (tmp_path / "m" / "model.safetensors").exists()
    assert "--teacher" in CliRunner().invoke(main, ["train-nli", "--help"]).output
