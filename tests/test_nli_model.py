"""The shipped NLI model (checker/models/nli): its files, its answers, the bench that measures it.

The golden values were read from the committed model once; an accidental change of weights,
tokenizer, export or label order moves them. The file hashes catch any byte change; the
probabilities catch a change that keeps the bytes but not the meaning (a different tokenizer
setting, a label order read by position). int8 kernels differ a little between CPUs, and
dynamic quantisation scales activations per batch (so a pair's probabilities move by a few
hundredths with its batch-mates): the pairs are always scored as one batch, within a tolerance.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from bench import nli as bench_nli
from bench.common import REPO, SHARED
from checker.errors import ModelError
from checker.judge.cache import ReadingCache
from checker.judge.nli import (
    BUILTIN_MODEL,
    LABELS,
    THRESHOLDS_FILE,
    NLIJudge,
    OnnxCrossEncoder,
    read_thresholds,
    resolve_nli_runtime,
)
from checker.openvino_runtime import computes_bf16_natively, has_amx
from checker.service import build_judge
from checker.settings import Settings
from checker.types import Verdict
from tests.conftest import NO_FORCES_SENTENCE as NO_FORCES
from tests.conftest import WITHDRAWAL_SENTENCE as WITHDRAWAL

pytestmark = pytest.mark.slow


FILE_SHA256 = {
    "model.onnx": "768a3e874f7d682076ed7d42a2d1e8d0ff6380eaa7636e5592e6a54f444accf5",
    "tokenizer.json": "d241a60d5e8f04cc1b2b3e9ef7a4921b27bf526d9f6050ab90f9267a1f9e5c66",
    "config.json": "123faa427dc65afb13e363f3b8c90f280c15d25e80c2dc8bde244b675f66171f",
}

# (first, second): (entailment, neutral, contradiction) of that one reading, from the model.
GOLDEN = {
    (WITHDRAWAL, NO_FORCES): (0.0006, 0.9986, 0.0008),
    (
        "A man is playing a guitar on stage.",
        "A person is playing an instrument.",
    ): (0.9598, 0.0338, 0.0064),
    (
        "The council meeting was held on Monday.",
        "The council meeting was held on Friday.",
    ): (0.0022, 0.0071, 0.9907),
    (
        "The farmer sold 300 cattle at the market.",
        "The farmer is planning to retire next year.",
    ): (0.003, 0.986, 0.011),
}
TOLERANCE = 0.02


@pytest.fixture(scope="module")
def judge() -> NLIJudge:
    return NLIJudge(BUILTIN_MODEL)


def test_shipped_files_are_the_committed_ones() -> None:
    for name, digest in FILE_SHA256.items():
        assert hashlib.sha256((BUILTIN_MODEL / name).read_bytes()).hexdigest() == digest, name


def test_shipped_model_is_small_and_names_its_labels() -> None:
    size = sum(p.stat().st_size for p in BUILTIN_MODEL.iterdir() if p.is_file())
    assert size <= 30 * 2**20
    config = json.loads((BUILTIN_MODEL / "config.json").read_text())
    assert sorted(config["id2label"].values()) == sorted(LABELS)


def test_golden_probabilities(judge: NLIJudge) -> None:
    pairs = list(GOLDEN)
    got = judge.probabilities(pairs)
    for pair, row in zip(pairs, got, strict=True):
        assert row.tolist() == pytest.approx(GOLDEN[pair], abs=TOLERANCE), pair[0]


class CountingJudge(NLIJudge):
    """The shipped judge, counting the readings it runs through the model."""

    readings = 0

    def probabilities(self, inputs: Sequence[tuple[str, str]]) -> np.ndarray:
        self.readings += len(inputs)
        return super().probabilities(inputs)


def test_the_second_reading_runs_only_where_a_contradiction_is_possible() -> None:
    pairs = [(second, first) for first, second in GOLDEN]  # (claim, passage)
    pairs += [("The meeting was on Friday.", "The meeting was on Monday.")]
    lazy = CountingJudge(BUILTIN_MODEL)
    merged = lazy.pair_probabilities(pairs)
    second_readings = lazy.readings - len(pairs)
    first_reading = lazy.probabilities([(passage, claim) for claim, passage in pairs])
    possible = int((first_reading[:, 2] >= lazy.contradiction_threshold - TOLERANCE).sum())
    assert 0 < possible < len(pairs)  # the set has both kinds, so the test can tell
    assert 0 < second_readings <= possible
    # Exactly the verdicts of reading every pair both ways.
    eager = CountingJudge(BUILTIN_MODEL).pair_probabilities(pairs, confirm_from=0.0)
    verdicts = [lazy.verdict(row) for row in merged]
    assert verdicts == [lazy.verdict(row) for row in eager]
    assert Verdict.CONTRADICTS in verdicts
    # Both sides are int8 readings made in different batches, each within TOLERANCE.
    assert (merged[:, 2] >= eager[:, 2] - 2 * TOLERANCE).all()


def test_thresholds_were_chosen_on_dev_splits() -> None:
    saved = json.loads((BUILTIN_MODEL / THRESHOLDS_FILE).read_text())
    named = set(saved["chosen_on"])
    # The dev splits of ../shared/nli-train, and the mined dev split's news stories (issue 12).
    assert set(bench_nli.DEV_SPLITS) <= named
    assert all(n in bench_nli.DEV_SPLITS or n.startswith("runs/mined/dev.") for n in named)
    assert not any("test" in split or "eval" in split for split in named)
    chosen = read_thresholds(BUILTIN_MODEL)
    assert 0.5 <= chosen["contradiction"] < 1 and 0.5 <= chosen["entailment"] < 1


def test_seeds_armenian_pair_is_a_contradiction_for_rules_and_model_together() -> None:
    # The model alone reads this pair as neutral (GOLDEN: 0.9986); the negation rule catches it,
    # and the verdict carries both reasons.
    [judgement] = build_judge(Settings()).judge([(WITHDRAWAL, NO_FORCES)])
    assert judgement.verdict is Verdict.CONTRADICTS
    assert judgement.reasons[0].kind == "negation"
    assert {reason.kind for reason in judgement.reasons} == {"negation", "nli"}


def test_the_default_judge_is_rules_and_the_shipped_model() -> None:
    judge = build_judge(Settings())
    assert judge.name == "rules+nli"
    assert build_judge(Settings(nli_model="none")).name == "rules"


@pytest.mark.skipif(
    not (SHARED / "nli-train").is_dir(), reason=f"shared NLI data not found at {SHARED}"
)
def test_bench_nli_runs_on_a_few_rows(judge: NLIJudge) -> None:
    measured = bench_nli.measure(BUILTIN_MODEL, limit=12, full=True)
    assert measured["mnli_dev_matched"]["n"] == 12
    assert 0 <= measured["mnli_dev_matched"]["accuracy"] <= 1
    assert set(measured["held_apart"]) == set(bench_nli.HELD_APART)
    assert all(0 <= s["accuracy_2way"] <= 1 for s in measured["fever_symmetric"].values())
    assert [p["ok_with_rules"] for p in measured["seeds"]] == [True, True, True]
    assert measured["pairs_per_second"] > 0
    chosen = bench_nli.choose_thresholds(judge, limit=12)
    assert chosen["contradiction"] in bench_nli.GRID and chosen["pairs"] == 36
    assert "contradiction" in bench_nli.summary_table({"int8": measured, "thresholds": chosen})


def test_bench_nli_reads_the_mined_dev_split(judge: NLIJudge, tmp_path: Path) -> None:
    rows = [
        ("Wool rose 5 cents.", "Wool rose 9 cents.", "contradiction", "edit:number", "abc:1"),
        ("Wool rose 5 cents.", "Wool rose 5 cents, AAP said.", "entailment", "copy:verb", "abc:1"),
        ("Rain fell in Perth.", "The mine closed after a fire.", "neutral", "neighbour", "abc:2"),
        ("Paris is in France.", "Lyon is in France.", "neutral", "neighbour", "vitaminc:Paris"),
        ("The dam is full after the rain.", "Reports that the dam is full after the rain are "
         "false.", "contradiction", "debunk:false", "abc:3"),
        ("The dam is full after the rain.", "It is true that the dam is full after the rain.",
         "entailment", "debunk:true", "abc:3"),
    ]  # fmt: skip
    path = tmp_path / "dev.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as out:
        for premise, hypothesis, label, kind, story in rows:
            line = {"premise": premise, "hypothesis": hypothesis, "label": label}
            out.write(json.dumps(line | {"kind": kind, "story": story}) + "\n")

    news = bench_nli.mined_rows(path, None, news_only=True)
    assert len(news) == 5 and len(bench_nli.mined_rows(path, None, news_only=False)) == 6
    scores = bench_nli.mined_scores(judge, news)
    assert set(scores["as_contradiction"]) == {"edit", "copy", "neighbour", "debunk"}
    assert scores["as_contradiction"]["copy"]["n"] == 1  # kinds are grouped by their prefix
    assert "by_label" not in scores["as_contradiction"]["copy"]  # one label: no breakdown
    debunk = scores["as_contradiction"]["debunk"]
    assert debunk["n"] == 2 and set(debunk["by_label"]) == {"contradiction", "entailment"}
    assert debunk["by_label"]["entailment"]["n"] == 1
    chosen = bench_nli.choose_thresholds(judge, limit=12, mined=path)
    assert chosen["pairs"] == 36 + 5 and any("ABC news" in name for name in chosen["chosen_on"])


class ScoringJudge(NLIJudge):
    """The shipped judge, counting the readings that reach the model past its cache."""

    scored = 0

    def _scored(self, inputs: list[tuple[str, str]]) -> np.ndarray:
        self.scored += len(inputs)
        return super()._scored(inputs)


def test_a_reading_is_scored_once_and_the_cache_stays_bounded() -> None:
    judge = ScoringJudge(BUILTIN_MODEL, cache_size=3)
    r0, r1, r2 = list(GOLDEN)[:3]
    r3 = ("The meeting was on Friday.", "The meeting was on Monday.")
    first = judge.probabilities([r0, r1, r2, r0])  # a repeat in one batch is scored once
    assert judge.scored == 3 and np.array_equal(first[0], first[3])
    fresh = NLIJudge(BUILTIN_MODEL).probabilities([r0, r1, r2])
    assert np.allclose(first[:3], fresh, atol=TOLERANCE)  # the cache returns what it scored
    again = judge.probabilities([r2, r1, r0])  # all kept: nothing reaches the model
    assert judge.scored == 3 and np.array_equal(again, first[[2, 1, 0]])
    assert (judge.cache.hits, judge.cache.misses) == (4, 3)
    judge.probabilities([r3])  # a fourth pushes out the least recently used (r2)
    assert len(judge.cache) == 3 and judge.scored == 4
    judge.probabilities([r0, r2])
    assert judge.scored == 5  # r0 was kept, r2 scored again
    with pytest.raises(ValueError, match="at least 0"):
        ReadingCache(-1)


def test_openvino_runs_the_same_weights_to_the_same_verdicts() -> None:
    """CHECKER_NLI_RUNTIME=openvino: the int8 model's products made float over the same
    weights, computed in bf16 where the CPU does so natively: the golden pairs keep their
    verdicts and their probabilities within a few hundredths."""
    onnx_runtime = NLIJudge(BUILTIN_MODEL)
    openvino = NLIJudge(BUILTIN_MODEL, runtime="openvino")
    assert openvino._model.runtime in ("openvino-bf16", "openvino-fp32")  # type: ignore[union-attr]
    pairs = list(GOLDEN)
    ours, theirs = openvino.probabilities(pairs), onnx_runtime.probabilities(pairs)
    assert np.abs(ours - theirs).max() <= 0.05
    assert [openvino.verdict(r) for r in ours] == [onnx_runtime.verdict(r) for r in theirs]
    with pytest.raises(ModelError, match="is not one of auto, onnxruntime, openvino"):
        NLIJudge(BUILTIN_MODEL, runtime="tensorrt")


def test_the_default_runtime_is_openvino_where_the_cpu_has_amx() -> None:
    """`auto` (the default setting): OpenVINO's bf16 where the CPU has AMX, onnxruntime's int8
    products elsewhere. Which branch runs depends on the machine; each asserts what it loaded,
    and the golden pairs keep their verdicts either way."""
    assert Settings().nli_runtime == "auto"
    chosen = NLIJudge(BUILTIN_MODEL, runtime="auto")
    if has_amx() and computes_bf16_natively():
        assert resolve_nli_runtime("auto") == "openvino"
        assert chosen.runtime == "openvino-bf16"
    else:
        assert resolve_nli_runtime("auto") == "onnxruntime"
        assert chosen.runtime == "onnxruntime"
    assert resolve_nli_runtime("onnxruntime") == "onnxruntime"
    plain = NLIJudge(BUILTIN_MODEL)
    assert plain.runtime == "onnxruntime"  # the judge's own default: what the golden test reads
    pairs = list(GOLDEN)
    assert [chosen.verdict(r) for r in chosen.probabilities(pairs)] == [
        plain.verdict(r) for r in plain.probabilities(pairs)
    ]


def test_dequantised_products_hold_the_int8_weights(tmp_path: Path) -> None:
    import onnx

    from checker.onnx_export import dequantize_matmuls

    plain = dequantize_matmuls(onnx.load(str(BUILTIN_MODEL / "model.onnx")))
    kinds = {node.op_type for node in plain.graph.node}
    assert "MatMulInteger" not in kinds and "DynamicQuantizeLinear" not in kinds
    assert sum(node.op_type == "MatMul" for node in plain.graph.node) >= 38
    onnx.checker.check_model(plain)


def test_pairs_are_tokenised_as_transformers_tokenises_them() -> None:
    """The exported model reads its tokenizer.json with the `tokenizers` library; the inputs
    are those transformers' tokenizer gives, truncation of a pair past 512 tokens included."""
    from transformers import AutoTokenizer

    encoder = OnnxCrossEncoder(BUILTIN_MODEL / "model.onnx")
    reference = AutoTokenizer.from_pretrained(str(BUILTIN_MODEL), local_files_only=True)
    sentences = [s for pair in GOLDEN for s in pair]
    long = " ".join(sentences * 12)  # about 700 tokens
    pairs = [*GOLDEN, (long, "A short claim."), ("A short claim.", long), (long, long[::-1])]
    pairs += [("Café résumé — “quoted” 😀 中文", ""), ("", "Only the second side.")]
    ours = encoder.encode(pairs)
    theirs = reference(
        [a for a, _ in pairs],
        [b for _, b in pairs],
        padding=True,
        truncation=True,
        max_length=512,
        return_tensors="np",
    )
    assert encoder.max_length == 512
    assert set(ours) == {"input_ids", "attention_mask", "token_type_ids"}
    for name, array in ours.items():
        assert array.dtype == np.int64
        assert np.array_equal(array, theirs[name]), name
    assert ours["input_ids"].shape[1] == 512  # the long pairs were truncated, not refused


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        ("tokenizer.json", "has no tokenizer.json"),
        ("tokenizer.json:garbage", "could not read the NLI model's tokenizer"),
        ("config.json:garbage", "could not read the NLI model's config"),
        ("config.json:{}", "no id2label"),
    ],
)
def test_a_broken_exported_model_is_one_clear_error(
    tmp_path: Path, broken: str, message: str
) -> None:
    folder = tmp_path / "nli"
    folder.mkdir()
    for source in BUILTIN_MODEL.iterdir():
        (folder / source.name).symlink_to(source)
    name, _, content = broken.partition(":")
    (folder / name).unlink()
    if content:
        (folder / name).write_text(content)
    with pytest.raises(ModelError, match=message):
        NLIJudge(folder)


def test_judging_imports_neither_torch_nor_transformers(tmp_path: Path) -> None:
    """A process that analyses and judges (a server worker, `checker check`) never imports
    torch or transformers (about 2 s and 200 MiB a process); torch stays importable after, for
    training, and spaCy's thinc was told it is absent."""
    script = """
import sys
from checker.analyse.pipeline import load_analyser
from checker.judge.nli import BUILTIN_MODEL, NLIJudge
analysis = load_analyser().analyse(["The army did not withdraw from the town on Monday."])
assert analysis[0].negated, analysis
for runtime in ("onnxruntime", "auto"):
    NLIJudge(BUILTIN_MODEL, runtime=runtime).judge([("A man sings.", "A man is singing.")])
print(sorted(m for m in ("torch", "transformers", "sentence_transformers") if m in sys.modules))
import thinc.compat
import torch
print(thinc.compat.has_torch, torch.__version__.startswith("2."))
"""
    done = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.splitlines()[-2:] == ["[]", "False True"]


def test_openvino_pads_a_checks_few_pairs_and_keeps_their_readings() -> None:
    """A partial batch of pairs (a check's) reaches OpenVINO padded to a multiple of 16
    tokens, so that a worker soon has every shape compiled; a full batch keeps its length.
    The readings stay those of the unpadded pairs."""
    judge = NLIJudge(BUILTIN_MODEL, runtime="openvino")
    encoder = judge._model
    assert isinstance(encoder, OnnxCrossEncoder)
    widths: list[tuple[int, int]] = []
    session = encoder.session
    run = session.run

    def recording(outputs: list[str], feeds: dict[str, np.ndarray]) -> list[np.ndarray]:
        widths.append(feeds["input_ids"].shape)
        return run(outputs, feeds)  # type: ignore[no-any-return]

    session.run = recording
    pairs = [*GOLDEN, ("A short claim.", "A passage of a few more words than the claim.")]
    padded = encoder.logits(pairs, 32)
    assert len(widths) == 1 and widths[0][0] == len(pairs) and widths[0][1] % 16 == 0
    widths.clear()
    alone = np.concatenate([encoder.logits([pair], 1) for pair in pairs])  # full batches of 1
    assert widths == [(1, encoder.encode([pair])["input_ids"].shape[1]) for pair in pairs]
    np.testing.assert_allclose(padded, alone, atol=0.05)
    assert padded.argmax(axis=1).tolist() == alone.argmax(axis=1).tolist()
