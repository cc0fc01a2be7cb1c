"""Smoke test of the benchmarks: each entry point runs on a tiny input and yields sane numbers.

Speed is never asserted here; this only keeps the bench code from rotting.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import quality
from bench.common import SHARED
from checker.embed import Embedder
from checker.settings import Settings

pytestmark = pytest.mark.skipif(
    not (SHARED / "eval").is_dir(), reason=f"shared evaluation data not found at {SHARED}"
)


def test_quality_sections_run_on_tiny_inputs(embedder: Embedder, tmp_path: Path) -> None:
    settings = Settings(index=tmp_path / "unused")
    results = {
        "seeds": quality.seeds(embedder, settings, tmp_path),
        "mnli_matched_dev": quality.pair_judge_mnli(settings, limit=30),
        "fever_symmetric": quality.pair_judge_fever(settings),
        "climate_fever": quality.climate_fever(
            embedder, settings, tmp_path, claim_limit=3, gold_corpus_only=True
        ),
        "abc_false_alarms": quality.abc_false_alarms(
            embedder, settings, tmp_path, story_limit=5, sample_path=tmp_path / "sample.md"
        ),
    }
    assert results["seeds"]["top_is_armenian_forces_pair"] is True
    assert results["mnli_matched_dev"]["n"] == 30
    for section in (results["mnli_matched_dev"], *results["fever_symmetric"].values()):
        assert 0.0 <= section["accuracy"] <= 1.0
        assert 0.0 <= section["macro_f1"] <= 1.0
    climate = results["climate_fever"]
    assert climate["claims"] == 3 and climate["n"] == 15  # five annotated sentences a claim
    assert 0.0 <= climate["recall_at_5"] <= climate["recall_at_20"] <= 1.0
    abc = results["abc_false_alarms"]
    assert abc["documents"] == 10 and abc["sentences"] > 10 and abc["flagged"] >= 0
    assert (tmp_path / "sample.md").read_text().startswith("# 50 contradictions")
    table = quality.summary_table(results)
    assert "MNLI matched dev" in table and "Climate-FEVER" in table and "ABC news" in table
