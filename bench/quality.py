"""Detection quality on labelled data nobody on the team wrote: `python -m bench.quality [--quick]`.

Prints a table and writes bench/results/quality.json (commit, models, settings, every figure).
Sections: the seeds; MultiNLI matched dev and FEVER-Symmetric through the pair judge;
Climate-FEVER as a retrieval task through POST /v1/check; the nightly scan on ABC news and on
the FNC-1 training articles (flags per 1,000 sentences by kind and verdict; the top 50 of each
written to bench/results/<corpus>_flags.{jsonl,md} for a person to judge, and for ABC a random
sample in abc_sample.md: bench/flags.py); FNC-1's headline stances through /v1/check
(bench/fnc1.py).
`--quick` runs a deterministic subset of each in minutes, into quality-quick.json and
*-quick sheets (the full results stay). `--only abc-scan,fnc1-scan` runs some parts and merges
them into the results file; `--tag NAME` writes quality_NAME.json and *_flags_NAME sheets.
A sheet that already holds a person's labels is never overwritten (`-unjudged` beside it).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import data, flags, fnc1
from bench.common import RESULTS, MissingData, per_class_f1, percent, provenance, write_result
from bench.indexes import CACHE, api_client, as_items, open_checker
from checker.analyse import load_analyser
from checker.embed import Embedder, load_embedder
from checker.ingest import discover, read_file
from checker.judge.gate import Gate
from checker.report import describe_document
from checker.service import build_judge, judge_texts
from checker.settings import Settings
from checker.types import Verdict

# A change over time is a disagreement of values: a contradiction for these labels.
MNLI_LABEL = {
    Verdict.SUPPORTS: "entailment",
    Verdict.CONTRADICTS: "contradiction",
    Verdict.CHANGED: "contradiction",
    Verdict.RELATED: "neutral",
}
FEVER_LABEL = {
    Verdict.SUPPORTS: "SUPPORTS",
    Verdict.CONTRADICTS: "REFUTES",
    Verdict.CHANGED: "REFUTES",
    Verdict.RELATED: "NOT_ENOUGH_INFO",
}
SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def seeds(embedder: Embedder, settings: Settings, workdir: Path) -> dict[str, Any]:
    checker = open_checker(workdir / "seeds", embedder, settings)
    files = discover([SEEDS])
    checker.ingest(item for path in files for item in read_file(path, settings.max_document_chars))
    checker.scan()
    findings, total = checker.findings(limit=100, order="confident")
    top = findings[0] if findings else None
    top_is_canonical = bool(
        top
        and "withdrawal of remaining Armenian forces" in top.a.sentence.text
        and "there are no Armenian armed forces" in top.b.sentence.text
    )
    return {"top_is_armenian_forces_pair": top_is_canonical, "flagged_pairs": total}


def pair_judges(settings: Settings) -> dict[str, Callable[[list[tuple[str, str]]], list[Any]]]:
    """The pair judge two ways: the text judges alone (rules + NLI model, as before the
    alignment gate) and as the checker judges (both sentences analysed, then the gate)."""
    judge = build_judge(settings)
    gate, analyser = Gate(settings.min_confidence), load_analyser()
    return {
        "text_judges": judge.judge,
        "with_gate": lambda pairs: judge_texts(judge, gate, analyser, pairs),
    }


def pair_judge_mnli(settings: Settings, limit: int | None) -> dict[str, Any]:
    rows = data.mnli(limit)
    pairs = [(row["hypothesis"], row["premise"]) for row in rows]
    results: dict[str, Any] = {}
    for name, judge in pair_judges(settings).items():
        started = time.perf_counter()
        judgements = judge(pairs)
        seconds = time.perf_counter() - started
        predicted = [MNLI_LABEL[j.verdict] for j in judgements]
        scores = per_class_f1(
            [r["label"] for r in rows], predicted, ["entailment", "neutral", "contradiction"]
        )
        results[name] = {**scores, "pairs_per_second": len(rows) / seconds}
    return results


def pair_judge_fever(settings: Settings, limit: int | None = None) -> dict[str, Any]:
    """FEVER-Symmetric's dev and test splits (each whole, or its first `limit` pairs)."""
    judges = pair_judges(settings)
    results: dict[str, Any] = {name: {} for name in judges}
    for split in ("dev", "test"):
        rows = data.fever_symmetric(split)[:limit]
        pairs = [(row["claim"], row["evidence"]) for row in rows]
        for name, judge in judges.items():
            predicted = [FEVER_LABEL[j.verdict] for j in judge(pairs)]
            scores = per_class_f1([r["label"] for r in rows], predicted, ["SUPPORTS", "REFUTES"])
            scores["abstained"] = predicted.count("NOT_ENOUGH_INFO") / len(rows)
            results[name][split] = scores
    return results


def climate_fever(
    embedder: Embedder,
    settings: Settings,
    workdir: Path,
    claim_limit: int | None,
    gold_corpus_only: bool = False,
) -> dict[str, Any]:
    """Ingest the evidence sentences (one document per article), POST each claim, score buckets.

    `gold_corpus_only` shrinks the corpus to the evidence of the chosen claims (smoke tests).
    """
    sentences, claims, pairs = data.climate_fever()
    if gold_corpus_only and claim_limit:
        chosen = {c["claim_id"] for c in claims[:claim_limit]}
        evidence = {p["evidence_id"] for p in pairs if p["claim_id"] in chosen}
        sentences = [s for s in sentences if s["evidence_id"] in evidence]
    checker = open_checker(workdir / "climate", embedder, settings)
    records, spans = _climate_documents(sentences)
    ingested = checker.ingest(as_items(records, settings))
    client = api_client(checker, settings)
    if claim_limit:
        claims = claims[:claim_limit]
    wanted = {c["claim_id"] for c in claims}
    pairs = [p for p in pairs if p["claim_id"] in wanted]
    buckets: dict[str, dict[str, str]] = {}
    ranked: dict[str, list[str]] = {}
    for claim in claims:
        answer = client.post("/v1/check", json={"claim": claim["claim"], "k": 20})
        body = answer.get_json()
        if answer.status_code != 200:  # a problem+json body holds no passages to score
            raise RuntimeError(f"claim {claim['claim_id']}: HTTP {answer.status_code}: {body}")
        buckets[claim["claim_id"]], ranked[claim["claim_id"]] = _evidence_buckets(body, spans)
    gold = [p["evidence_label"] for p in pairs]
    predicted = [buckets[p["claim_id"]].get(p["evidence_id"], "NOT_ENOUGH_INFO") for p in pairs]
    scores = per_class_f1(gold, predicted, ["SUPPORTS", "REFUTES", "NOT_ENOUGH_INFO"])
    evidential = [p for p in pairs if p["evidence_label"] != "NOT_ENOUGH_INFO"]
    for k in (5, 20):
        hits = sum(p["evidence_id"] in ranked[p["claim_id"]][:k] for p in evidential)
        scores[f"recall_at_{k}"] = hits / max(1, len(evidential))
    scores["claims"] = len(claims)
    scores["documents_not_ingested"] = len(ingested.problems)
    return scores


def _climate_documents(
    sentences: list[dict[str, Any]],
) -> tuple[list[dict[str, str]], dict[tuple[str, int], str]]:
    """One record per article; each evidence sentence its own paragraph, located by offsets."""
    by_article: dict[str, list[dict[str, Any]]] = {}
    for row in sentences:
        by_article.setdefault(row["article"], []).append(row)
    records, spans = [], {}
    for n, (article, rows) in enumerate(sorted(by_article.items())):
        doc_id, parts, cursor = f"wiki-{n:05d}", [], 0
        for row in rows:
            spans[(doc_id, cursor)] = row["evidence_id"]
            parts.append(row["sentence"])
            cursor += len(row["sentence"]) + 2
        records.append(
            {"id": doc_id, "title": article, "source": "Wikipedia", "text": "\n\n".join(parts)}
        )
    return records, spans


def _evidence_buckets(
    body: dict[str, Any], spans: dict[tuple[str, int], str]
) -> tuple[dict[str, str], list[str]]:
    """Map returned passages back to evidence ids (a passage starts inside one evidence)."""
    starts: dict[str, list[tuple[int, str]]] = {}
    for (doc_id, start), evidence in spans.items():
        starts.setdefault(doc_id, []).append((start, evidence))

    def evidence_of(passage: dict[str, Any]) -> str:
        candidates = sorted(starts[passage["document"]["id"]])
        begin = passage["span"]["start"]
        return [e for s, e in candidates if s <= begin][-1]

    buckets: dict[str, str] = {}
    for key, label in (("contradicting", "REFUTES"), ("supporting", "SUPPORTS")):
        for passage in body[key]:
            buckets.setdefault(evidence_of(passage), label)
    every = body["supporting"] + body["contradicting"] + body["related"]
    every.sort(key=lambda p: -p["similarity"])
    ranked = list(dict.fromkeys(evidence_of(p) for p in every))
    return buckets, ranked


def abc_false_alarms(
    embedder: Embedder,
    settings: Settings,
    workdir: Path,
    story_limit: int | None,
    sample_path: Path = RESULTS / "abc_sample.md",
    sheet: Path | None = None,
    top: int = 50,
    cache: Path | None = None,
) -> dict[str, Any]:
    """The nightly scan on ABC news: figures, the top 50 flags in `sheet` (.jsonl and .md), and
    a random sample of 50 flags in `sample_path`."""
    records = data.abc_stories("rural", story_limit) + data.abc_stories("science", story_limit)
    summary, findings = flags.scan_corpus(
        "abc", records, embedder, settings, workdir, sheet, top, cache
    )
    sample = random.Random(20261122).sample(findings, min(50, len(findings)))
    _write_sample(sample, flags.unjudged(sample_path.with_suffix("")).with_suffix(".md"))
    return {**summary, "by_rule": summary["by_kind"]}


def fnc1_scan(
    embedder: Embedder,
    settings: Settings,
    workdir: Path,
    body_limit: int | None,
    sheet: Path | None = None,
    top: int = 50,
    cache: Path | None = None,
) -> dict[str, Any]:
    """The nightly scan on the FNC-1 training articles; the top 50 flags in `sheet`."""
    records = data.fnc1_bodies()[:body_limit] if body_limit else data.fnc1_bodies()
    summary, _ = flags.scan_corpus("fnc1", records, embedder, settings, workdir, sheet, top, cache)
    return summary


def _write_sample(findings: list[Any], path: Path) -> None:
    lines = [
        "# 50 contradictions flagged on ABC news, for a person to judge",
        "",
        "Mark each: real discrepancy / same thing, different time / false alarm.",
        "",
    ]
    for n, f in enumerate(findings, 1):
        reason = f.judgement.reasons[0]
        lines += [
            f"## {n}. {reason.kind} · {f.judgement.confidence:.2f}",
            f"- {describe_document(f.a.document)}: {f.a.sentence.text}",
            f"- {describe_document(f.b.document)}: {f.b.sentence.text}",
            f"- why: {reason.detail}",
            "- verdict: ",
            "",
        ]
    path.write_text("\n".join(lines), encoding="utf-8")


# --only names -> the key each part's figures have in the results file.
PARTS = {
    "seeds": "seeds",
    "mnli": "mnli_matched_dev",
    "fever": "fever_symmetric",
    "climate-fever": "climate_fever",
    "abc-scan": "abc_false_alarms",
    "fnc1-scan": "fnc1_scan",
    "fnc1-stances": "fnc1_stances",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.quality", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a deterministic subset, minutes")
    parser.add_argument(
        "--only",
        type=_parts,
        default=list(PARTS),
        help=f"comma-separated parts to run (default all): {', '.join(PARTS)}; their figures "
        "replace those parts in the results file and the rest are kept",
    )
    parser.add_argument(
        "--tag",
        help="a name for this run: results in quality_TAG.json, sheets <corpus>_flags_TAG",
    )
    parser.add_argument(
        "--top", type=int, default=50, help="flags per corpus written out for judging (50)"
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help=f"ingest every corpus afresh instead of reusing indexes cached in {CACHE}",
    )
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    embedder = load_embedder(settings)
    suffix = "-quick" if args.quick else ""  # a quick run never overwrites the full results
    tag = f"_{args.tag}" if args.tag else ""
    name = f"quality{suffix}{tag}"
    previous = RESULTS / f"{name}.json"
    results: dict[str, Any] = {}
    if set(args.only) != set(PARTS) and previous.exists():  # some parts: keep the others
        results = json.loads(previous.read_text(encoding="utf-8"))
    run_provenance = provenance()
    results |= {
        "provenance": run_provenance,
        "quick": args.quick,
        "settings": {k: str(v) for k, v in dataclasses.asdict(settings).items()},
    }
    with tempfile.TemporaryDirectory(prefix="bench-quality-") as tmp:
        workdir = Path(tmp)
        cache = workdir / "cache" if args.no_cache else CACHE
        runs: dict[str, Callable[[], dict[str, Any]]] = {
            "seeds": lambda: seeds(embedder, settings, workdir),
            "mnli": lambda: pair_judge_mnli(settings, 1000 if args.quick else None),
            "fever": lambda: pair_judge_fever(settings),
            "climate-fever": lambda: climate_fever(
                embedder, settings, workdir, 200 if args.quick else None
            ),
            "abc-scan": lambda: abc_false_alarms(
                embedder,
                settings,
                workdir,
                300 if args.quick else None,
                RESULTS / f"abc_sample{suffix}.md",
                sheet=RESULTS / f"abc_flags{suffix}{tag}",
                top=args.top,
                cache=cache,
            ),
            "fnc1-scan": lambda: fnc1_scan(
                embedder,
                settings,
                workdir,
                300 if args.quick else None,
                sheet=RESULTS / f"fnc1_flags{suffix}{tag}",
                top=args.top,
                cache=cache,
            ),
            "fnc1-stances": lambda: fnc1.fnc1_stances(
                embedder, settings, workdir, 100 if args.quick else None, cache=cache
            ),
        }
        for part in args.only:
            key = PARTS[part]
            started = time.perf_counter()
            try:
                results[key] = runs[part]()
            except MissingData as exc:
                results[key] = {"skipped": str(exc)}
                print(f"{part}: skipped: {exc}", file=sys.stderr)
            results[key]["seconds"] = round(time.perf_counter() - started, 1)
            results[key]["commit"] = run_provenance["commit"]
            print(f"{part}: done in {results[key]['seconds']} s", file=sys.stderr)
    path = write_result(name, results)
    print(summary_table(results))
    print(f"\nwritten to {path}")
    return 0


def _parts(value: str) -> list[str]:
    parts = [p.strip() for p in value.split(",") if p.strip()]
    unknown = [p for p in parts if p not in PARTS]
    if unknown or not parts:
        raise argparse.ArgumentTypeError(
            f"unknown part(s) {', '.join(unknown) or '(none given)'}; "
            f"choose from {', '.join(PARTS)}"
        )
    return list(dict.fromkeys(parts))


def summary_table(r: dict[str, Any]) -> str:
    rows = [("benchmark", "ours", "published reference")]
    if "top_is_armenian_forces_pair" in r.get("seeds", {}):
        rows.append(
            (
                "seeds: Armenian-forces pair ranked first",
                str(r["seeds"]["top_is_armenian_forces_pair"]),
                "must be True",
            )
        )
        rows.append(("seeds: pairs flagged", str(r["seeds"]["flagged_pairs"]), ""))
    for how, mnli in r.get("mnli_matched_dev", {}).items():
        if not isinstance(mnli, dict) or "accuracy" not in mnli:
            continue
        c = mnli["per_class"]["contradiction"]
        rows += [
            (
                f"MNLI matched dev 3-way accuracy, {how} (n={mnli['n']})",
                percent(mnli["accuracy"]),
                "BERT-base 84.4, MiniLM cross-encoders 86-88; majority 35.4",
            ),
            (
                f"MNLI contradiction precision / recall / F1, {how}",
                f"{percent(c['precision'])} / {percent(c['recall'])} / {percent(c['f1'])}",
                "",
            ),
        ]
    for how, fever in r.get("fever_symmetric", {}).items():
        for split in ("dev", "test") if isinstance(fever, dict) and "dev" in fever else ():
            s = fever[split]
            rows.append(
                (
                    f"FEVER-Symmetric {split} accuracy, {how} "
                    f"(abstained {percent(s['abstained'])})",
                    percent(s["accuracy"]),
                    "BERT 57.5 (v0.1); chance 50",
                )
            )
    cf = r.get("climate_fever", {})
    if "macro_f1" in cf:
        rows += [
            (
                f"Climate-FEVER pairs macro-F1 ({cf['claims']} claims)",
                f"{cf['macro_f1']:.3f}",
                "FEVER-trained model 38.8 % acc.; ~0.72 F1 (indicative)",
            ),
            (
                "Climate-FEVER recall@5 / @20 of gold evidence",
                f"{percent(cf['recall_at_5'])} / {percent(cf['recall_at_20'])}",
                "",
            ),
        ]
    for key, corpus in (("abc_false_alarms", "ABC news"), ("fnc1_scan", "FNC-1 bodies")):
        scan = r.get(key, {})
        if "flagged" in scan:
            kinds = ", ".join(f"{k} {n}" for k, n in scan.get("by_kind", {}).items())
            rows.append(
                (
                    f"{corpus}: flagged per 1,000 sentences ({scan['sentences']} sentences)",
                    f"{scan['flagged_per_1000_sentences']:.2f}",
                    f"{scan['flagged']} flags: {kinds}" if kinds else "lower is better",
                )
            )
    stances = r.get("fnc1_stances", {})
    if "fnc" in stances:
        f1 = {label: stances["per_class"][label]["f1"] for label in fnc1.FNC_LABELS}
        rows += [
            (
                f"FNC-1 stances via /v1/check, k={stances['k']}: FNC score (relative)",
                percent(stances["fnc"]["relative"]),
                "FNC-1 winners 82.0 on test; all unrelated "
                + percent(stances["fnc"]["null_relative"]),
            ),
            (
                "FNC-1 F1 agree / disagree / discuss / unrelated",
                " / ".join(f"{v:.2f}" for v in f1.values()),
                "disagree: winners 0.03-0.13 on test",
            ),
        ]
    width = max(len(row[0]) for row in rows)
    return "\n".join(f"{a:<{width}}  {b:>18}  {c}" for a, b, c in rows)


if __name__ == "__main__":
    sys.exit(main())
