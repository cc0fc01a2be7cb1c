"""Smoke test of the benchmarks: each entry point runs on a tiny input and yields sane numbers.

Speed is never asserted here; this only keeps the bench code from rotting.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from bench import (
    common,
    cost,
    data,
    embedders,
    flags,
    floor,
    fnc1,
    indexes,
    nli_static_int8,
    quality,
    speed,
)
from bench import grow as grow_module
from bench.common import SHARED
from checker.analyse import load_analyser
from checker.embed import Embedder, resolve_model_dir
from checker.ingest import discover, read_file
from checker.judge.nli import BUILTIN_MODEL, NLIJudge, OnnxCrossEncoder
from checker.segment import segment
from checker.service import Checker
from checker.settings import Settings
from checker.types import Document
from tests.conftest import SEED_001, SEEDS

needs_shared = pytest.mark.skipif(
    not (SHARED / "eval").is_dir(), reason=f"shared evaluation data not found at {SHARED}"
)


def test_fnc_score_weighs_rows_as_the_fnc1_scorer() -> None:
    gold = ["agree", "disagree", "discuss", "unrelated", "agree", "unrelated"]
    predicted = ["agree", "discuss", "unrelated", "unrelated", "unrelated", "disagree"]
    # exact related stance 1.0; related with the wrong stance 0.25; unrelated right 0.25;
    # related called unrelated, or unrelated called related, 0
    score = fnc1.fnc_score(gold, predicted)
    assert score["score"] == 1.0 + 0.25 + 0 + 0.25 + 0 + 0
    assert score["max_score"] == 4 * 1.0 + 2 * 0.25
    assert score["relative"] == pytest.approx(1.5 / 4.5)
    assert score["null_relative"] == pytest.approx(0.5 / 4.5)
    assert fnc1.fnc_score(gold, gold)["relative"] == 1.0
    assert fnc1.fnc_score(gold, ["unrelated"] * 6)["relative"] == score["null_relative"]
    scores = fnc1.stance_scores(gold, predicted)
    assert scores["per_class"]["agree"] == pytest.approx(
        {"precision": 1.0, "recall": 0.5, "f1": 2 / 3, "support": 2}
    )
    assert scores["per_class"]["disagree"]["f1"] == 0.0
    assert scores["confusion"]["disagree"]["discuss"] == 1


def test_a_bodys_stance_is_read_from_its_passages_in_a_check_answer() -> None:
    def passages(*ids: str) -> list[dict[str, object]]:
        return [{"document": {"id": i}, "similarity": 0.5} for i in ids]

    answer = {
        "claim": "A claim",
        "supporting": passages("b1", "b5"),
        "contradicting": passages("b1", "b2"),
        "related": passages("b3", "b5"),
        "changed": passages("b4"),  # any other bucket of passages: about the claim
        "took_ms": 3.0,
    }
    assert fnc1.stances_from_check(answer) == {
        "b1": "disagree",
        "b2": "disagree",
        "b5": "agree",
        "b3": "discuss",
        "b4": "discuss",
    }


def test_a_judged_sheet_is_rendered_with_counts_and_never_overwritten(tmp_path: Path) -> None:
    def flag(rank: int, label: str | None) -> dict[str, object]:
        side = {"sentence_id": f"d{rank}#0", "text": "Text.", "document": {"source": "X"}}
        return {
            "rank": rank,
            "corpus": "fnc1",
            "run": {"commit": "abc1234", "flagged": 7, "sentences": 1000},
            "kind": "nli",
            "verdict": "contradicts",
            "confidence": 0.9,
            "similarity": 0.8,
            "a": side,
            "b": side,
            "reasons": [
                {"kind": "nli", "verdict": "contradicts", "confidence": 0.9, "detail": "d"}
            ],
            "label": label,
        }

    stem = tmp_path / "fnc1_flags"
    assert flags.unjudged(stem) == stem
    stem.with_suffix(".md").write_text(flags.sheet_markdown([flag(1, None), flag(2, None)]))
    assert flags.unjudged(stem) == stem  # written, not yet judged
    sheet = flags.sheet_markdown([flag(1, "minor"), flag(2, "false")])
    assert "7 flags in all on 1,000 sentences (7.0 per 1,000)" in sheet
    assert "Counts by label: real 0 · update 0 · minor 1 · false 1 · unjudged 0" in sheet
    assert "- nli: minor 1 · false 1" in sheet and "- label: minor" in sheet
    stem.with_suffix(".md").write_text(sheet)
    assert flags.unjudged(stem) == tmp_path / "fnc1_flags-unjudged"


@needs_shared
def test_quality_sections_run_on_tiny_inputs(embedder: Embedder, tmp_path: Path) -> None:
    settings = Settings(index=tmp_path / "unused")
    results = {
        "seeds": quality.seeds(embedder, settings, tmp_path),
        "mnli_matched_dev": quality.pair_judge_mnli(settings, limit=30),
        "fever_symmetric": quality.pair_judge_fever(settings, limit=30),
        "climate_fever": quality.climate_fever(
            embedder, settings, tmp_path, claim_limit=3, gold_corpus_only=True
        ),
        "abc_false_alarms": quality.abc_false_alarms(
            embedder, settings, tmp_path, story_limit=5, sample_path=tmp_path / "sample.md"
        ),
    }
    assert results["seeds"]["top_is_armenian_forces_pair"] is True
    # each pair-judge section has one entry per way of judging (the text judges, the gate)
    mnli, fever = results["mnli_matched_dev"], results["fever_symmetric"]
    assert mnli and set(mnli) == set(fever)
    assert all(scores["n"] == 30 for scores in mnli.values())
    assert all(split["n"] == 30 for splits in fever.values() for split in splits.values())
    for section in (*mnli.values(), *(s for splits in fever.values() for s in splits.values())):
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


@pytest.mark.skipif(
    not (SHARED / "corpora" / "fnc1_train").is_dir(), reason="shared FNC-1 corpus not found"
)
def test_fnc1_parts_run_on_tiny_inputs_and_reuse_the_cached_index(
    embedder: Embedder, tmp_path: Path
) -> None:
    settings = Settings(index=tmp_path / "unused")
    scan = quality.fnc1_scan(embedder, settings, tmp_path, body_limit=4, sheet=tmp_path / "f")
    assert scan["documents"] == 4 and scan["sentences"] > 20 and scan["flagged"] >= 0
    assert sum(scan["by_kind"].values()) == sum(scan["by_verdict"].values()) == scan["flagged"]
    assert "contradicts" in scan["by_verdict"]
    assert (tmp_path / "f.md").read_text().startswith("# Top ")
    cache = tmp_path / "cache"
    runs = [
        fnc1.fnc1_stances(embedder, settings, tmp_path, 1, rows_per_headline=4, cache=cache)
        for _ in range(2)
    ]
    first, again = runs
    assert first["n"] == 4 and first["headlines"] == 1 and first["k"] == settings.max_k
    assert 0.0 <= first["fnc"]["relative"] <= 1.0
    assert not first["index_from_cache"] and again["index_from_cache"]
    assert again["sentences"] == first["sentences"] and again["fnc"] == first["fnc"]
    table = quality.summary_table({"fnc1_scan": scan, "fnc1_stances": first})
    assert "FNC-1 bodies" in table and "FNC score" in table


def test_the_index_cache_key_follows_ingest_code_not_the_rules(tmp_path: Path) -> None:
    """A change to a judging rule reuses a cached index; one to the analysis makes a new key."""
    package = tmp_path / "checker"
    for part in ("analyse", "judge/rules"):
        (package / part).mkdir(parents=True)
    (package / "analyse" / "parse.py").write_text("A = 1\n")
    (package / "judge" / "rules" / "negation.py").write_text("B = 1\n")
    first = indexes.code_version(package)
    (package / "judge" / "rules" / "negation.py").write_text("B = 2\n")
    assert indexes.code_version(package) == first
    (package / "analyse" / "parse.py").write_text("A = 2\n")
    assert indexes.code_version(package) != first


@needs_shared
def test_cost_pieces_run_on_tiny_inputs(embedder: Embedder, tmp_path: Path) -> None:
    """30-odd ABC sentences analysed, their scan's pairs judged, and the scan itself."""
    settings = Settings(index=tmp_path / "unused", nli_model="none")
    texts = cost.sentences(30, settings)
    pairs = cost.scan_pairs(30, settings, tmp_path / "abc", embedder)
    assert len(texts) >= 30 and pairs
    analysis = cost.time_analysis(texts)
    assert analysis["analysis_sentences_per_s"] > 0 and analysis["spacy_alone_seconds"] > 0
    assert analysis["beyond_spacy_ms_per_sentence"] > 0
    components = analysis["spacy_components_cpu_ms_per_sentence"]
    assert set(components) == {"tokenizer", *load_analyser().nlp.pipe_names}
    assert all(ms > 0 for ms in components.values())
    judged = cost.time_judging(pairs, settings, "none")
    assert judged["pairs_per_s"] > 0 and "model_fraction" not in judged
    scanned = cost.time_scan(tmp_path / "abc", settings, embedder)
    assert scanned["pairs"] == len(pairs)  # the pairs the scan judges, found as it finds them
    # the kept index is never scanned itself, so a second run finds the same pairs
    assert cost.scan_pairs(30, settings, tmp_path / "abc", embedder) == pairs


@needs_shared
def test_static_int8_calibrates_on_training_and_news_pairs_only(tmp_path: Path) -> None:
    """The calibration batches: BERT's inputs for ABC science and SNLI training pairs, none
    from the evaluation sets the bench then reads."""
    pairs = nli_static_int8.calibration_pairs()
    evaluated = {(r["premise"], r["hypothesis"]) for r in data.mnli()}
    assert 0 < len(pairs) <= nli_static_int8.CALIBRATION_BATCHES * nli_static_int8.BATCH
    assert not evaluated & set(pairs)
    encoder = OnnxCrossEncoder(BUILTIN_MODEL / "model.onnx")
    assert nli_static_int8.write_calibration(encoder, tmp_path) == len(pairs)
    batches = [np.load(path) for path in sorted(tmp_path.glob("*.npz"))]
    assert sum(len(b["input_ids"]) for b in batches) == len(pairs)
    assert all(set(b.files) == {"input_ids", "attention_mask", "token_type_ids"} for b in batches)


@needs_shared
def test_speed_pieces_run_on_tiny_inputs(embedder: Embedder, tmp_path: Path) -> None:
    """30-odd ABC sentences, 5 claims, an index grown to 1,000 behind a real gunicorn."""
    settings = Settings(index=tmp_path / "unused")
    timed = speed.TimedEmbedder(embedder)
    ingested, checker = speed.ingest(speed.abc_records(30), timed, settings, tmp_path / "abc")
    scanned = speed.scan(checker)
    checker.close()
    assert ingested["sentences"] >= 30 and ingested["sentences_per_s"] > 0
    assert ingested["segmented_again"] == ingested["sentences"]
    assert all(s > 0 for s in ingested["stage_sentences_per_s"].values() if s is not None)
    assert ingested["peak_rss_mib"] > 0 and scanned["peak_rss_mib"] > 0
    assert scanned["pairs_judged"] >= 0 and scanned["seconds"] >= 0
    claims = speed.claims(timed.texts, 5)
    assert len(claims) == 5 and not set(claims) & set(timed.texts)  # each one edited
    [grown] = speed.grown(tmp_path / "abc", tmp_path, timed, (1_000,), claims)
    assert grown["sentences"] == 1_000 and grown["claims"] == 5
    assert 0 < grown["p50_ms"] <= grown["p95_ms"] <= grown["p99_ms"]
    assert grown["worker_peak_rss_mib"] > 0 and grown["disk_gib_per_million_sentences"] > 0
    assert not (tmp_path / "grown").exists()  # temporary indexes are cleaned up
    matmul = floor.matmul_gflops(size=128, repeats=2)
    assert matmul["numpy"]["median_gflops"] > 0 and matmul["torch"]["best_gflops"] > 0
    model_dir = resolve_model_dir(settings.embedding_model)
    embed = floor.embed_floor(model_dir, timed.texts, 100.0, matmul["torch"]["median_gflops"])
    assert 0.1 < embed["gflop_per_sentence"] < 10 and embed["mean_tokens"] > 5
    # the docstring's worked example: MiniLM-L6 at 32 tokens is about 0.69 GFLOP
    config = floor.model_config(model_dir)
    assert abs(floor.encoder_flops(config, 32) / 1e9 - 0.69) < 0.01
    int8 = floor.int8_matmul_gops(size=128, repeats=2)
    assert int8["median_gops"] > 0 and int8["best_gops"] >= int8["median_gops"]
    pairs = list(zip(timed.texts, reversed(timed.texts), strict=True))
    nli = floor.pair_floor(BUILTIN_MODEL, pairs, 100.0, int8["median_gops"], 50.0)
    assert nli["mean_tokens"] > embed["mean_tokens"]  # a pair is two sentences
    assert 0.1 < nli["gflop_per_pair"] < 20 and nli["floor_pairs_per_s_int8"] > 0
    assert nli["fraction_of_int8_floor"] == pytest.approx(
        100.0 / nli["floor_pairs_per_s_int8"], rel=0.01
    )
    # and as bench.speed puts them together, with the configured (shipped) NLI model
    floors = speed.compute_floor(timed, settings, 100.0, pair_count=16, matmul_size=128)
    assert floors["nli_model"]["measured_pairs_per_s"] > 0
    # the runtime CHECKER_NLI_RUNTIME picks on this CPU (`auto`: openvino where it has AMX)
    assert floors["nli_model"]["runtime"] in ("onnxruntime", "openvino-bf16", "openvino-fp32")
    assert floors["embedding_model"]["measured_sentences_per_s"] == 100.0


@needs_shared
def test_load_drives_a_real_gunicorn_and_reports_a_soak(tmp_path: Path) -> None:
    """bench.load end to end at tiny scale, in its own process: locust patches the standard
    library with gevent when imported, which must not happen inside pytest."""
    import json
    import subprocess
    import sys

    from bench.common import REPO

    out = tmp_path / "load.json"
    command = [sys.executable, "-m", "bench.load", "--quick", "--users", "2", "--duration", "5"]
    command += ["--abc-stories", "5", "--soak", "4", "--sample-every", "1", "--out", str(out)]
    done = subprocess.run(command, capture_output=True, text=True, cwd=REPO, timeout=1800)
    assert done.returncode == 0, done.stderr[-3000:]
    results = json.loads(out.read_text())
    for name in ("seeds", "abc"):
        section = results[name]
        assert section["sentences"] > 0 and section["errors"] == 0
        [step] = section["steps"]
        assert step["users"] == 2 and step["requests"] > 0 and step["failures"] == 0
        assert 0 < step["p50_ms"] <= step["p95_ms"] <= step["p99_ms"]
        assert section["sustained_requests_per_s"] == step["requests_per_s"] > 0
        by_worker = step["requests_by_worker"]  # every request is one worker's
        assert len(by_worker) == 2 and sum(by_worker.values()) >= step["requests"] > 0
        assert len(section["worker_rss_mib"]) == 2
        assert all(rss > 50 for rss in section["worker_rss_mib"].values())  # a model is loaded
    soak = results["soak"]
    assert soak["index"] == "abc" and soak["failures"] == 0 and soak["requests"] > 0
    assert len(soak["workers"]) == 2 and soak["workers_replaced"] == []
    for worker in soak["workers"]:
        assert worker["start_rss_mib"] > 50 and 50 < worker["end_rss_mib"] <= worker["peak_rss_mib"]
    assert soak["rss_samples"] and results["runs"][-1]["sections"] == ["seeds", "abc", "soak"]
    assert "| seeds |" in done.stdout and "soak on abc" in done.stdout


def test_a_grown_index_carries_stored_analyses(seeded: Checker) -> None:
    """Grown sentences reuse their texts' stored analyses: a check on a grown index reads
    them as on a real one, and nothing is left to analyse."""
    store = seeded.store
    hits, vectors = store.document_vectors(SEED_001)
    texts = [hit.sentence.text for hit in hits]
    analyses = grow_module.stored_analyses(store, texts)
    assert all(a is not None for a in analyses)
    before = store.counts()["sentences"]
    grow_module.grow(store, texts, vectors, before + 200, analyses=analyses)
    assert store.counts()["sentences"] >= before + 200
    assert store.unanalysed_count() == 0


def test_every_result_names_the_cpu_and_its_vector_units() -> None:
    """Speed figures compare only on one CPU: provenance carries its model name and which of
    the instruction sets that pick a runtime it has, read from /proc/cpuinfo."""
    described = common.provenance()["cpu"]
    cpuinfo = Path("/proc/cpuinfo")
    if not cpuinfo.is_file():
        assert described == "unknown"
        return
    flags = {
        w
        for line in cpuinfo.read_text().splitlines()
        if line.startswith("flags")
        for w in line.split()
    }
    for flag in common.VECTOR_FLAGS:
        assert (flag in described) == (flag in flags), flag


def test_rejudge_reads_each_judged_pair_once(tmp_path: Path) -> None:
    from bench.rejudge import judged_pairs

    def flag(a: str, b: str, label: str) -> str:
        side = {"document": {"published": None}}
        return json.dumps({"a": {**side, "text": a}, "b": {**side, "text": b}, "label": label})

    first, second = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    first.write_text(flag("x", "y", "real") + "\n" + flag("p", "q", "") + "\n", "utf-8")
    second.write_text(flag("y", "x", "false") + "\n" + flag("m", "n", "minor") + "\n", "utf-8")
    pairs = judged_pairs([first, second])
    assert [(p["a"]["text"], p["label"]) for p in pairs] == [("x", "real"), ("m", "minor")]


def test_rejudge_reads_the_markdown_sample_as_judged() -> None:
    """bench/results/abc_sample.md: 50 pairs judged on 2026-11-22 as 1 real discrepancy, 8
    the same thing at different times and 41 false alarms (its own header says so)."""
    from collections import Counter

    from bench.rejudge import judged_pairs

    sample = Path(__file__).resolve().parents[1] / "bench" / "results" / "abc_sample.md"
    pairs = judged_pairs([sample])
    assert Counter(p["label"] for p in pairs) == {"real": 1, "update": 8, "false": 41}
    wool = pairs[3]
    assert wool["a"]["text"].startswith("The eastern market indicator fell seven cents")
    assert wool["b"]["text"].startswith("The eastern market indicator fell 19 cents")
    assert (wool["label"], wool["note"]) == ("update", "wool indicator on two days")


@pytest.mark.skipif(
    not (SHARED / "corpora" / "fnc1_train").is_dir(),
    reason=f"FNC-1 development set not found at {SHARED}/corpora/fnc1_train",
)
def test_the_refutation_probe_counts_every_related_pair_once() -> None:
    from bench.refutation_probe import REFUTATION, probe

    assert REFUTATION.search("Police said the video was a hoax.")
    assert not REFUTATION.search("Police said the video was genuine.")
    result = probe([0.2, 0.9], limit=300)
    loose, strict = result["results"]
    for row in (loose, strict):
        assert row["tp"] + row["fp"] + row["fn"] + row["tn"] == result["pairs"]
    # A stricter overlap flags a subset: never more bodies than the looser one.
    assert strict["tp"] + strict["fp"] <= loose["tp"] + loose["fp"]
    assert strict["tp"] + strict["fn"] == loose["tp"] + loose["fn"]  # the disagree pairs


@pytest.mark.skipif(
    not (SHARED / "corpora" / "fnc1_train").is_dir(),
    reason=f"FNC-1 development set not found at {SHARED}/corpora/fnc1_train",
)
def test_the_nli_refutation_probe_reads_each_sentence_pair_once_for_every_setting() -> None:
    from bench.refutation_probe import probe, probe_nli

    result = probe_nli([0.2, 0.4], [0.5, 0.9], limit=150)
    assert result["sentence_pairs_read"] > 0
    rows = {(r["overlap"], r["threshold"]): r for r in result["results"]}
    assert len(rows) == 4
    disagree = probe([0.2], limit=150)["results"][0]
    for row in rows.values():
        assert row["tp"] + row["fp"] + row["fn"] + row["tn"] == result["pairs"]
        assert row["tp"] + row["fn"] == disagree["tp"] + disagree["fn"]
    # A stricter overlap or a higher threshold flags a subset of the bodies.
    flagged = {key: row["tp"] + row["fp"] for key, row in rows.items()}
    assert flagged[(0.2, 0.9)] <= flagged[(0.2, 0.5)] and flagged[(0.4, 0.5)] <= flagged[(0.2, 0.5)]


def test_embedders_compares_a_runtime_with_the_reference(embedder: Embedder) -> None:
    """The same vectors agree fully; another model's (here: the claims' vectors shuffled
    between sentences) does not, on cosine or on the neighbours a search would see."""
    texts = [
        sentence.text
        for path in discover([SEEDS])
        for document in read_file(path, 2_000_000)
        if isinstance(document, Document)
        for sentence in segment(document)
    ]
    assert len(texts) > embedders.TOP + 1
    vectors = embedder.encode(texts)
    same = embedders.agreement(vectors, vectors)
    assert same["cosine_min"] == pytest.approx(1.0, abs=1e-5) and same["recall_at_20"] == 1.0
    shuffled = embedders.agreement(vectors[::-1].copy(), vectors)
    assert shuffled["cosine_min"] < 0.99 and shuffled["recall_at_20"] < 1.0
    timed = embedders.timings(embedder, texts)
    assert timed["bulk_sentences_per_s"] > 0 and timed["one_p50_ms"] <= timed["one_p95_ms"]


@needs_shared
def test_an_ensemble_reads_multinli_as_the_mean_of_its_models(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bench import common
    from bench import nli as bench_nli

    monkeypatch.setattr(common, "RESULTS", tmp_path)
    copy = tmp_path / "copy"  # the shipped model twice: their mean is its own reading
    copy.mkdir()
    for file in BUILTIN_MODEL.iterdir():
        if file.is_file():
            (copy / file.name).write_bytes(file.read_bytes())
    args = ["--ensemble", str(BUILTIN_MODEL), str(copy), "--rows", "60", "--out", "ens"]
    assert bench_nli.main(args) == 0

    result = json.loads((tmp_path / "ens.json").read_text())
    alone = bench_nli.three_way(NLIJudge(BUILTIN_MODEL), bench_nli._sample(data.mnli(), 60))
    assert result["rows"] == 60 and len(result["models"]) == 2
    for scores in (*result["models"].values(), result["ensemble"]):
        assert scores["accuracy"] == pytest.approx(alone["accuracy"])


def test_the_stance_diff_lists_what_each_model_alone_contradicts() -> None:
    from bench.stance_diff import SEPARATOR, differences

    def key(headline: str, document: str) -> str:
        return headline + SEPARATOR + document

    shipped = {key("h1", "d1"): {"text": "both"}, key("h2", "d2"): {"text": "shipped only"}}
    candidate = {key("h1", "d1"): {"text": "both"}, key("h3", "d3"): {"text": "candidate only"}}
    found = differences(shipped, candidate, {key("h3", "d3"): "agree"})
    assert [(r["headline"], r["document"], r["fnc1_stance"]) for r in found["added"]] == [
        ("h3", "d3", "agree")
    ]
    assert found["added"][0]["passage"]["text"] == "candidate only"
    # A row FNC-1 does not list is an unrelated pair.
    assert [(r["document"], r["fnc1_stance"]) for r in found["removed"]] == [("d2", "unrelated")]
