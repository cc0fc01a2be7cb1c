"""How far words of refutation alone could take FNC-1's `disagree` stance (issue 11).

Issue 11 asks for disagree F1 >= 0.20 through /v1/check. Before building a rule that flags a
body sentence calling something false ("hoax", "fake", "untrue", "denied"), this measures the
most such a rule could give: over the headline-body pairs that are related (agree, disagree,
discuss; the unrelated ones are left out, as if the checker already told them apart
perfectly), a body "disagrees" when one of its sentences holds a refutation word and shares at
least `--overlap` of the headline's content words. No model, no index: an upper bound for a
lexical rule, not a measure of the checker.

With `--nli`, the same related pairs are read by the shipped NLI model instead: a body
"disagrees" when one of its sentences sharing at least `--overlap` of the headline's content
words is, for the model, a contradiction of the headline with probability at least t (each
t of `--thresholds`; premise the body sentence, hypothesis the headline). The model's own
upper bound, under the same perfect relatedness.

    python -m bench.refutation_probe            # -> bench/results/refutation_probe.json
    python -m bench.refutation_probe --nli      # -> bench/results/refutation_probe_nli.json
    python -m bench.refutation_probe --nli --model runs/nli-cont-onnx --out NAME  # another model
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pysbd
from spacy.lang.en.stop_words import STOP_WORDS

from bench.common import MissingData, provenance, shared, write_result

REFUTATION = re.compile(
    r"\b(?:hoax(?:es)?|fake|false|untrue|bogus|fabricated|debunk(?:ed|s)?|myth|satir(?:e|ical)|"
    r"not true|made[- ]up|no truth|baseless|unfounded|denied|denies|refuted|dismissed)\b",
    re.IGNORECASE,
)


def content_words(text: str) -> set[str]:
    return {
        w for w in re.findall(r"[a-z0-9']+", text.lower()) if w not in STOP_WORDS and len(w) > 2
    }


def related_bodies(limit: int | None = None) -> tuple[list[dict[str, str]], dict[str, list[str]]]:
    """FNC-1's related (headline, body) rows and, for the bodies they name, their sentences."""
    folder = shared("corpora/fnc1_train")
    splitter = pysbd.Segmenter(language="en", clean=False)
    with (folder / "stances.csv").open(encoding="utf-8") as handle:
        related = [r for r in csv.DictReader(handle) if r["Stance"] != "unrelated"][:limit]
    wanted = {row["Body ID"] for row in related}
    bodies: dict[str, list[str]] = {}
    with (folder / "bodies.jsonl").open(encoding="utf-8") as rows:
        for line in rows:
            row = json.loads(line)
            body_id = row["id"].rsplit("-", 1)[1]
            if body_id in wanted:  # splitting is the slow part: only the bodies asked about
                bodies[body_id] = splitter.segment(row["text"])
    return related, bodies


def shared_share(headline: set[str], sentence: str) -> float:
    """The share of the headline's content words the sentence has too."""
    return len(headline & content_words(sentence)) / max(1, len(headline))


def scored(setting: dict[str, float], counts: Counter[str]) -> dict[str, Any]:
    precision = counts["tp"] / max(1, counts["tp"] + counts["fp"])
    recall = counts["tp"] / max(1, counts["tp"] + counts["fn"])
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        **setting,
        **{key: counts[key] for key in ("tp", "fp", "fn", "tn")},
        "precision": precision,
        "recall": recall,
        "f1": f1,
    }


def count(related: list[dict[str, str]], hits: list[bool]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for row, hit in zip(related, hits, strict=True):
        gold = row["Stance"] == "disagree"
        counts["tp" if hit and gold else "fp" if hit else "fn" if gold else "tn"] += 1
    return counts


def probe(overlaps: list[float], limit: int | None = None) -> dict[str, Any]:
    related, bodies = related_bodies(limit)
    results = []
    for threshold in overlaps:
        hits = []
        for row in related:
            headline = content_words(row["Headline"])
            hits.append(
                any(
                    REFUTATION.search(s) and shared_share(headline, s) >= threshold
                    for s in bodies.get(row["Body ID"], [])
                )
            )
        results.append(scored({"overlap": threshold}, count(related, hits)))
    return {"pairs": len(related), "results": results, "provenance": provenance()}


def probe_nli(
    overlaps: list[float],
    thresholds: list[float],
    limit: int | None = None,
    model: Path | None = None,
) -> dict[str, Any]:
    import numpy as np

    from checker.judge.nli import BUILTIN_MODEL, LABELS, NLIJudge

    related, bodies = related_bodies(limit)
    model = model or BUILTIN_MODEL
    judge = NLIJudge(model, runtime="auto")
    # Each related row's candidate sentences (overlap >= the loosest setting), read once each.
    candidates: list[list[tuple[float, str]]] = []
    for row in related:
        headline = content_words(row["Headline"])
        shares = ((shared_share(headline, s), s) for s in bodies.get(row["Body ID"], []))
        candidates.append([(share, s) for share, s in shares if share >= min(overlaps)])
    pairs = sorted(
        {(s, row["Headline"]) for row, c in zip(related, candidates, strict=True) for _, s in c}
    )
    started = time.perf_counter()
    contradiction = judge.probabilities(pairs)[:, LABELS.index("contradiction")]
    seconds = time.perf_counter() - started
    read = dict(zip(pairs, contradiction.tolist(), strict=True))
    results = []
    for overlap in overlaps:
        best = np.array(
            [
                max((read[(s, row["Headline"])] for share, s in c if share >= overlap), default=0)
                for row, c in zip(related, candidates, strict=True)
            ]
        )
        for t in thresholds:
            hits = (best >= t).tolist()
            results.append(scored({"overlap": overlap, "threshold": t}, count(related, hits)))
    return {
        "pairs": len(related),
        "sentence_pairs_read": len(pairs),
        "model": str(model),
        "runtime": judge.runtime,
        "nli_seconds": round(seconds, 1),
        "results": results,
        "provenance": provenance(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.refutation_probe", description=__doc__)
    parser.add_argument("--overlap", type=float, nargs="+", default=[0.2, 0.3, 0.4])
    parser.add_argument("--nli", action="store_true", help="the NLI model instead of words")
    parser.add_argument(
        "--thresholds", type=float, nargs="+", default=[0.3, 0.5, 0.7, 0.8, 0.9, 0.95]
    )
    parser.add_argument(
        "--model", type=Path, help="with --nli: an NLI model folder (default: the shipped one)"
    )
    parser.add_argument("--out", help="results name under bench/results/")
    args = parser.parse_args(argv)
    try:
        result = (
            probe_nli(args.overlap, args.thresholds, model=args.model)
            if args.nli
            else probe(args.overlap)
        )
    except MissingData as exc:
        print(f"skipped: {exc}")
        return 0
    for row in result["results"]:
        at = f" contradiction >= {row['threshold']}" if "threshold" in row else ""
        print(
            f"overlap >= {row['overlap']}{at}: precision {row['precision']:.3f} "
            f"recall {row['recall']:.3f} F1 {row['f1']:.3f}"
        )
    name = args.out or ("refutation_probe_nli" if args.nli else "refutation_probe")
    print(write_result(name, result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
