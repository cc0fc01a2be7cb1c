"""The shipped NLI model (checker/models/nli): its files, its answers, the bench that measures it.

The golden values were read from the committed model once; an accidental change of weights,
tokenizer, export or label order moves them. The file hashes catch any byte change; the
probabilities catch a change that keeps the bytes but not the meaning (a different tokenizer
setting, a label order read by position). int8 kernels differ a little between CPUs, and
dynamic quantisation scales activations per batch (so a pair's probabilities move by a few
hundredths with its batch-mates): the pairs are always scored as one batch, within a tolerance.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence

import numpy as np
import pytest

from bench import nli as bench_nli
from bench.common import SHARED
from checker.judge.nli import BUILTIN_MODEL, LABELS, THRESHOLDS_FILE, NLIJudge, read_thresholds
from checker.service import build_judge
from checker.settings import Settings
from checker.types import Verdict
from tests.conftest import NO_FORCES_SENTENCE as NO_FORCES
from tests.conftest import WITHDRAWAL_SENTENCE as WITHDRAWAL

pytestmark = pytest.mark.slow


FILE_SHA256 = {
    "model.onnx": "246180abacb34c05cfb0ae7543b0c47dea724ca35a53d97f324c8c71873a5f55",
    "tokenizer.json": "d241a60d5e8f04cc1b2b3e9ef7a4921b27bf526d9f6050ab90f9267a1f9e5c66",
    "config.json": "21bd18e11579fc11024579514efc0d6297246ca61cee3b96a1fff6bcef95c52c",
}

# (first, second): (entailment, neutral, contradiction) of that one reading, from the model.
GOLDEN = {
    (WITHDRAWAL, NO_FORCES): (0.0072, 0.8813, 0.1116),
    (
        "A man is playing a guitar on stage.",
        "A person is playing an instrument.",
    ): (0.9476, 0.0454, 0.0069),
    (
        "The council meeting was held on Monday.",
        "The council meeting was held on Friday.",
    ): (0.0373, 0.2558, 0.707),
    (
        "The farmer sold 300 cattle at the market.",
        "The farmer is planning to retire next year.",
    ): (0.0076, 0.9817, 0.0107),
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
    assert (merged[:, 2] >= eager[:, 2] - TOLERANCE).all()


def test_thresholds_were_chosen_on_dev_splits() -> None:
    saved = json.loads((BUILTIN_MODEL / THRESHOLDS_FILE).read_text())
    assert set(saved["chosen_on"]) == set(bench_nli.DEV_SPLITS)
    assert not any("test" in split for split in saved["chosen_on"])
    chosen = read_thresholds(BUILTIN_MODEL)
    assert 0.5 <= chosen["contradiction"] < 1 and 0.5 <= chosen["entailment"] < 1


def test_seeds_armenian_pair_is_a_contradiction_for_rules_and_model_together() -> None:
    # The model alone reads this pair as neutral (GOLDEN: 0.88); the negation rule catches it,
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
