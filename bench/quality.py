"""Detection quality on labelled data nobody on the team wrote: `python -m bench.quality [--quick]`.

Prints a table and writes bench/results/quality.json (commit, models, settings, every figure).
Sections: the seeds; MultiNLI matched dev and FEVER-Symmetric through the pair judge;
Climate-FEVER as a retrieval task through POST /v1/check; false alarms of the nightly scan on
ABC news (with a sample of flagged pairs in bench/results/abc_sample.md for a person to judge).
`--quick` runs a deterministic subset of each in minutes, into quality-quick.json and
abc_sample-quick.md (the full results stay).
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from bench import data
from bench.common import RESULTS, MissingData, per_class_f1, percent, provenance, write_result
from checker.embed import Embedder, load_embedder
from checker.errors import CheckerError
from checker.ingest import Problem, discover, document_from_record, read_file
from checker.report import describe_document
from checker.service import Checker, build_judge
from checker.settings import Settings
from checker.types import Document, Verdict

MNLI_LABEL = {
    Verdict.SUPPORTS: "entailment",
    Verdict.CONTRADICTS: "contradiction",
    Verdict.RELATED: "neutral",
}
FEVER_LABEL = {
    Verdict.SUPPORTS: "SUPPORTS",
    Verdict.CONTRADICTS: "REFUTES",
    Verdict.RELATED: "NOT_ENOUGH_INFO",
}
SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def open_checker(directory: Path, embedder: Embedder, settings: Settings) -> Checker:
    return Checker.from_settings(dataclasses.replace(settings, index=directory), embedder=embedder)


def as_items(records: list[dict[str, str]], settings: Settings) -> Iterator[Document | Problem]:
    """Records as the ingest stage sees them: a Problem for each the checker refuses."""
    for record in records:
        try:
            yield document_from_record(record, settings.max_document_chars)
        except CheckerError as exc:
            yield Problem(record["id"], exc.detail)


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


def pair_judge_mnli(settings: Settings, limit: int | None) -> dict[str, Any]:
    rows = data.mnli(limit)
    judge = build_judge(settings)
    started = time.perf_counter()
    judgements = judge.judge([(row["hypothesis"], row["premise"]) for row in rows])
    seconds = time.perf_counter() - started
    predicted = [MNLI_LABEL[j.verdict] for j in judgements]
    scores = per_class_f1(
        [r["label"] for r in rows], predicted, ["entailment", "neutral", "contradiction"]
    )
    return {**scores, "pairs_per_second": len(rows) / seconds}


def pair_judge_fever(settings: Settings) -> dict[str, Any]:
    judge = build_judge(settings)
    results = {}
    for split in ("dev", "test"):
        rows = data.fever_symmetric(split)
        judgements = judge.judge([(row["claim"], row["evidence"]) for row in rows])
        predicted = [FEVER_LABEL[j.verdict] for j in judgements]
        scores = per_class_f1([r["label"] for r in rows], predicted, ["SUPPORTS", "REFUTES"])
        scores["abstained"] = predicted.count("NOT_ENOUGH_INFO") / len(rows)
        results[split] = scores
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
    from checker.web import create_app

    sentences, claims, pairs = data.climate_fever()
    if gold_corpus_only and claim_limit:
        chosen = {c["claim_id"] for c in claims[:claim_limit]}
        evidence = {p["evidence_id"] for p in pairs if p["claim_id"] in chosen}
        sentences = [s for s in sentences if s["evidence_id"] in evidence]
    checker = open_checker(workdir / "climate", embedder, settings)
    records, spans = _climate_documents(sentences)
    ingested = checker.ingest(as_items(records, settings))
    client = create_app(checker=checker).test_client()
    if claim_limit:
        claims = claims[:claim_limit]
    wanted = {c["claim_id"] for c in claims}
    pairs = [p for p in pairs if p["claim_id"] in wanted]
    buckets: dict[str, dict[str, str]] = {}
    ranked: dict[str, list[str]] = {}
    for claim in claims:
        body = client.post("/v1/check", json={"claim": claim["claim"], "k": 20}).get_json()
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
) -> dict[str, Any]:
    checker = open_checker(workdir / "abc", embedder, settings)
    records = data.abc_stories("rural", story_limit) + data.abc_stories("science", story_limit)
    summary = checker.ingest(as_items(records, settings))
    scan = checker.scan()
    findings, total = checker.findings(limit=100_000, order="confident")
    sample = random.Random(20261122).sample(findings, min(50, len(findings)))
    _write_sample(sample, sample_path)
    sentences = checker.store.counts()["sentences"]
    return {
        "documents": len(records),
        "sentences": sentences,
        "problems": len(summary.problems),
        "pairs_judged": scan.pairs,
        "flagged": total,
        "flagged_per_1000_sentences": 1000 * total / max(1, sentences),
        "by_rule": _count_by_rule(findings),
    }


def _count_by_rule(findings: list[Any]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for finding in findings:
        kind = finding.judgement.reasons[0].kind
        counts[kind] = counts.get(kind, 0) + 1
    return counts


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.quality", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="a deterministic subset, minutes")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    embedder = load_embedder(settings)
    suffix = "-quick" if args.quick else ""  # a quick run never overwrites the full results
    results: dict[str, Any] = {
        "provenance": provenance(),
        "quick": args.quick,
        "settings": {k: str(v) for k, v in dataclasses.asdict(settings).items()},
    }
    with tempfile.TemporaryDirectory(prefix="bench-quality-") as tmp:
        workdir = Path(tmp)
        runs: dict[str, Callable[[], dict[str, Any]]] = {
            "seeds": lambda: seeds(embedder, settings, workdir),
            "mnli_matched_dev": lambda: pair_judge_mnli(settings, 1000 if args.quick else None),
            "fever_symmetric": lambda: pair_judge_fever(settings),
            "climate_fever": lambda: climate_fever(
                embedder, settings, workdir, 200 if args.quick else None
            ),
            "abc_false_alarms": lambda: abc_false_alarms(
                embedder,
                settings,
                workdir,
                300 if args.quick else None,
                RESULTS / f"abc_sample{suffix}.md",
            ),
        }
        for name, run in runs.items():
            started = time.perf_counter()
            try:
                results[name] = run()
            except MissingData as exc:
                results[name] = {"skipped": str(exc)}
            results[name]["seconds"] = round(time.perf_counter() - started, 1)
            print(f"{name}: done in {results[name]['seconds']} s", file=sys.stderr)
    path = write_result(f"quality{suffix}", results)
    print(summary_table(results))
    print(f"\nwritten to {path}")
    return 0


def summary_table(r: dict[str, Any]) -> str:
    rows = [("benchmark", "ours", "published reference")]
    if "top_is_armenian_forces_pair" in r["seeds"]:
        rows.append(
            (
                "seeds: Armenian-forces pair ranked first",
                str(r["seeds"]["top_is_armenian_forces_pair"]),
                "must be True",
            )
        )
        rows.append(("seeds: pairs flagged", str(r["seeds"]["flagged_pairs"]), ""))
    mnli = r["mnli_matched_dev"]
    if "accuracy" in mnli:
        c = mnli["per_class"]["contradiction"]
        rows += [
            (
                f"MNLI matched dev 3-way accuracy (n={mnli['n']})",
                percent(mnli["accuracy"]),
                "BERT-base 84.4, MiniLM cross-encoders 86-88; majority 35.4",
            ),
            (
                "MNLI contradiction precision / recall / F1",
                f"{percent(c['precision'])} / {percent(c['recall'])} / {percent(c['f1'])}",
                "",
            ),
        ]
    for split in ("dev", "test") if "dev" in r["fever_symmetric"] else ():
        s = r["fever_symmetric"][split]
        rows.append(
            (
                f"FEVER-Symmetric {split} accuracy (abstained {percent(s['abstained'])})",
                percent(s["accuracy"]),
                "BERT 57.5 (v0.1); chance 50",
            )
        )
    cf = r["climate_fever"]
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
    abc = r["abc_false_alarms"]
    if "flagged" in abc:
        rows.append(
            (
                f"ABC news: flagged per 1,000 sentences ({abc['sentences']} sentences)",
                f"{abc['flagged_per_1000_sentences']:.2f}",
                "lower is better",
            )
        )
    width = max(len(row[0]) for row in rows)
    return "\n".join(f"{a:<{width}}  {b:>18}  {c}" for a, b, c in rows)


if __name__ == "__main__":
    sys.exit(main())
