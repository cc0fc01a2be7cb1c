"""The weight soup (`checker.train.soup`) and the sweep's `--soup`, on tiny real models (CPU).

The models are real torch modules and tiny BERT cross-encoders written by transformers, so the
averaging, the folder it writes and the measuring all run as they do on the GPU machine.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import pytest

from checker.train.device import pack_base, read_pieces
from checker.train.soup import average, make_soup, measure_soup
from checker.train.sweep import BASE, SOUP, chosen, sweep, train_config
from tests.test_train import TINY_PAIRS as PAIRS  # labels as the shared files spell them

LABELS = {0: "contradiction", 1: "entailment", 2: "neutral"}


def _network(seed: int, hidden: int = 8) -> Any:
    import torch

    torch.manual_seed(seed)
    network = torch.nn.Sequential(
        torch.nn.Linear(4, hidden), torch.nn.ReLU(), torch.nn.Linear(hidden, 3)
    )
    network.register_buffer("position_ids", torch.arange(5))
    return network


def test_a_soup_is_the_uniform_mean_of_the_runs_weights() -> None:
    import torch

    states = [_network(seed).state_dict() for seed in (13, 14, 15)]
    soup = average(states)

    assert soup.keys() == states[0].keys()
    for name in ("0.weight", "0.bias", "2.weight", "2.bias"):
        mean = (states[0][name] + states[1][name] + states[2][name]) / 3
        assert torch.allclose(soup[name], mean, atol=1e-7), name
        assert not torch.equal(soup[name], states[0][name])
    assert torch.equal(soup["position_ids"], torch.arange(5))  # an integer buffer, kept
    _network(99).load_state_dict(soup)  # strict: the same architecture takes it
    assert all(torch.equal(states[0][k], v) for k, v in average(states[:1]).items())
    halves = [{k: v.half() if v.is_floating_point() else v for k, v in s.items()} for s in states]
    half_soup = average(halves)  # summed in fp32, returned in the weights' own dtype
    assert half_soup["2.weight"].dtype == torch.float16
    assert torch.allclose(half_soup["2.weight"].float(), soup["2.weight"], atol=2e-3)


def test_weights_of_different_models_are_refused() -> None:
    import torch

    first = _network(13).state_dict()
    with pytest.raises(ValueError, match="architecture"):
        average([first, _network(14, hidden=9).state_dict()])
    with pytest.raises(ValueError, match="architecture"):
        average([first, {k: v for k, v in _network(14).state_dict().items() if k != "2.bias"}])
    other = dict(_network(14).state_dict(), position_ids=torch.arange(1, 6))
    with pytest.raises(ValueError, match="position_ids"):
        average([first, other])
    with pytest.raises(ValueError, match="no weights"):
        average([])


def _tiny_cross_encoder(folder: Path, seed: int) -> Path:
    """A BERT cross-encoder small enough to train in a second, with its own tokenizer."""
    import torch
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizer

    words = {w.strip(".").lower() for p, h, _ in PAIRS for w in f"{p} {h}".split()}
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", ".", *sorted(words)]
    torch.manual_seed(seed)
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        max_position_embeddings=64,
        hidden_dropout_prob=0.0,
        attention_probs_dropout_prob=0.0,
        num_labels=3,
        id2label=LABELS,
        label2id={name: index for index, name in LABELS.items()},
    )
    BertForSequenceClassification(config).save_pretrained(folder)
    BertTokenizer(vocab={word: index for index, word in enumerate(vocab)}).save_pretrained(folder)
    return folder


def test_a_soup_folder_is_a_model_with_the_runs_mean_weights(tmp_path: Path) -> None:
    import torch
    from transformers import BertForSequenceClassification

    runs = [_tiny_cross_encoder(tmp_path / f"run{seed}", seed) for seed in (13, 14, 15)]
    folder = make_soup(runs, tmp_path / "soup")

    loaded = BertForSequenceClassification.from_pretrained(folder).state_dict()
    states = [BertForSequenceClassification.from_pretrained(run).state_dict() for run in runs]
    for name, value in loaded.items():
        if value.is_floating_point():
            assert torch.allclose(value, sum(s[name] for s in states) / 3, atol=1e-6), name
    assert loaded["classifier.weight"].shape == (3, 16)
    assert json.loads((folder / "config.json").read_text())["id2label"]["0"] == "contradiction"
    assert (folder / "tokenizer.json").read_text() == (runs[0] / "tokenizer.json").read_text()


def test_the_soup_is_chosen_only_where_it_beats_every_run() -> None:
    scored = {"s13": 0.70, "s14": 0.72}
    assert chosen(scored, None) == "s14"
    assert chosen(scored, {"beats_every_run": False, "score": 0.71}) == "s14"
    assert chosen(scored, {"beats_every_run": True, "score": 0.73}) == SOUP


def _write_jsonl(path: Path, rows: list[tuple[str, str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps({"premise": p, "hypothesis": h, "label": label}) for p, h, label in rows]
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")


@pytest.mark.slow
def test_a_sweep_with_soup_records_the_soup_beside_each_run(tmp_path: Path) -> None:
    pack_base(_tiny_cross_encoder(tmp_path / "tiny", 7), tmp_path / "packed")
    _write_jsonl(tmp_path / "data" / "train.jsonl", PAIRS)
    _write_jsonl(tmp_path / "data" / "snli" / "dev.jsonl", PAIRS[::-1])
    config = {
        "data": str(tmp_path / "data"),
        "corpus": None,
        "synthetic_pairs": 0,
        "files": ["train.jsonl"],
        "dev_files": ["snli/dev.jsonl"],
        "batch_size": 2,
        "max_length": 32,
        "epochs": 12,  # enough for the tiny model to tell the labels apart
        "evals_per_epoch": 1,
        "learning_rate": 1e-2,
        "threads": 1,
        "log_every": 1,
        "checkpoint_every": 1000,
    }
    (tmp_path / "config.json").write_text(json.dumps(config))
    (tmp_path / "variants.json").write_text(json.dumps({"s13": {}, "s14": {"seed": 14}}))
    work, results = tmp_path / "work", tmp_path / "results"
    args = argparse.Namespace(
        config=str(tmp_path / "config.json"),
        base=str(tmp_path / "packed"),
        work=str(work),
        results=str(results),
        learning_rates=[],
        variants=tmp_path / "variants.json",
        soup=True,
        measure_base=True,
    )
    assert sweep(args) == 0

    record = json.loads((results / "sweep.json").read_text())
    runs = record["runs"]
    assert [runs[name]["exit"] for name in ("s13", "s14")] == [0, 0]
    soup = record[SOUP]
    # The starting weights were measured on the same sets before any run began.
    assert record[BASE]["sets"].keys() == runs["s13"]["best"]["sets"].keys()
    assert (
        soup["of"] == ["s13", "s14"] and soup["sets"].keys() == runs["s13"]["best"]["sets"].keys()
    )
    best = max(runs[name]["best"]["score"] for name in runs)
    assert soup["beats_every_run"] == (soup["score"] > best)
    assert record["chosen"] == chosen({n: r["best"]["score"] for n, r in runs.items()}, soup)
    _same_weights(read_pieces(results, "best"), work / record["chosen"])
    # Measured as a run measures itself: a run's own best weights score what it recorded.
    for name, seed in (("s13", 13), ("s14", 14)):
        run_config = train_config(dict(config, out=str(work / name), seed=seed))
        assert measure_soup(work / name, run_config) == {
            key: runs[name]["best"][key] for key in ("score", "sets")
        }
    assert max(runs[name]["best"]["score"] for name in runs) > 0.5  # the runs learned something


def _same_weights(pieces: dict[str, Any], folder: Path) -> None:
    import torch
    from safetensors.torch import load_file

    weights = load_file(str(folder / "model.safetensors"))
    assert pieces.keys() == weights.keys()
    assert all(torch.allclose(pieces[k].float(), v.float(), atol=1e-2) for k, v in weights.items())
