"""How far words of refutation alone could take FNC-1's `disagree` stance (issue 11).

Issue 11 asks for disagree F1 >= 0.20 through /v1/check. Before building a rule that flags a
body sentence calling something false ("hoax", "fake", "untrue", "denied"), this measures the
most such a rule could give: over the headline-body pairs that are related (agree, disagree,
discuss; the unrelated ones are left out, as if the checker already told them apart
perfectly), a body "disagrees" when one of its sentences holds a refutation word and shares at
least `--overlap` of the headline's content words. No model, no index: an upper bound for a
lexical rule, not a measure of the checker.

    python -m bench.refutation_probe            # -> bench/results/refutation_probe.json
"""

from __future__ import annotations

import argparse
import csv
import json
import re
from collections import Counter
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


def probe(overlaps: list[float], limit: int | None = None) -> dict[str, Any]:
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
    results = []
    for threshold in overlaps:
        counts: Counter[str] = Counter()
        for row in related:
            headline = content_words(row["Headline"])
            hit = any(
                REFUTATION.search(s)
                and len(headline & content_words(s)) / max(1, len(headline)) >= threshold
                for s in bodies.get(row["Body ID"], [])
            )
            gold = row["Stance"] == "disagree"
            counts["tp" if hit and gold else "fp" if hit else "fn" if gold else "tn"] += 1
        precision = counts["tp"] / max(1, counts["tp"] + counts["fp"])
        recall = counts["tp"] / max(1, counts["tp"] + counts["fn"])
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        results.append(
            {
                "overlap": threshold,
                **{key: counts[key] for key in ("tp", "fp", "fn", "tn")},
                "precision": precision,
                "recall": recall,
                "f1": f1,
            }
        )
    return {"pairs": len(related), "results": results, "provenance": provenance()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.refutation_probe", description=__doc__)
    parser.add_argument("--overlap", type=float, nargs="+", default=[0.2, 0.3, 0.4])
    args = parser.parse_args(argv)
    try:
        result = probe(args.overlap)
    except MissingData as exc:
        print(f"skipped: {exc}")
        return 0
    for row in result["results"]:
        print(
            f"overlap >= {row['overlap']}: precision {row['precision']:.3f} "
            f"recall {row['recall']:.3f} F1 {row['f1']:.3f}"
        )
    print(write_result("refutation_probe", result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
