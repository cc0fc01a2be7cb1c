"""Judge again, with the code as it is now, every pair a person has already judged.

A precision change is tried on the flags people have labelled before a corpus is scanned
again: `python -m bench.rejudge bench/results/fnc1_flags_s3c.jsonl ...` reads the judged
sheets, judges each distinct pair (both sentences analysed with their documents' dates, the
rules and the shipped NLI model, then the alignment gate) and prints which pairs would still be
flagged, with their labels, and the counts by label of the flags that remain.

It only says what happens to pairs already judged: a change can also flag pairs no sheet holds,
so a full scan (`python -m bench.quality --only fnc1-scan,abc-scan`) and judging its new flags
stay the measure.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from checker.service import judge_analysed
from checker.settings import Settings
from checker.types import Verdict

FLAGGED = (Verdict.CONTRADICTS, Verdict.CHANGED)


def judged_pairs(sheets: list[Path]) -> list[dict[str, Any]]:
    """Each labelled pair once (by its two texts, in either order), first sheet first."""
    seen: set[frozenset[str]] = set()
    pairs = []
    for sheet in sheets:
        for line in sheet.read_text("utf-8").splitlines():
            record = json.loads(line) if line.strip() else None
            if not record or not record.get("label"):
                continue
            key = frozenset((record["a"]["text"], record["b"]["text"]))
            if key not in seen:
                seen.add(key)
                pairs.append(record)
    return pairs


def rejudge(records: list[dict[str, Any]], settings: Settings) -> list[tuple[str, Any]]:
    """(label, judgement) for each record, judged by the code as it is now."""
    from checker.analyse.pipeline import load_analyser
    from checker.judge.gate import Gate
    from checker.service import build_judge

    analyser = load_analyser()
    texts = [r[side]["text"] for r in records for side in ("a", "b")]
    dates = [r[side]["document"].get("published") for r in records for side in ("a", "b")]
    analyses = analyser.analyse(texts, dates)
    judge = build_judge(settings)
    gate = Gate(settings.min_confidence)
    pairs = [
        (texts[2 * i], analyses[2 * i], texts[2 * i + 1], analyses[2 * i + 1])
        for i in range(len(records))
    ]
    judgements = judge_analysed(judge, gate, pairs)
    return [(r["label"], j) for r, j in zip(records, judgements, strict=True)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.rejudge", description=__doc__)
    parser.add_argument("sheets", nargs="+", type=Path, help="judged .jsonl sheets")
    parser.add_argument("--all", action="store_true", help="print pairs no longer flagged too")
    args = parser.parse_args(argv)
    records = judged_pairs(args.sheets)
    results = rejudge(records, Settings.from_env())
    before, after = Counter(), Counter()
    for record, (label, judgement) in zip(records, results, strict=True):
        before[label] += 1
        flagged = judgement.verdict in FLAGGED
        after[label] += flagged
        if flagged or args.all:
            mark = judgement.verdict.value if flagged else "gone"
            kind = judgement.reasons[0].kind if judgement.reasons else ""
            print(f"[{label}] {mark} {kind} {judgement.confidence:.2f}")
            print(f"   A: {record['a']['text'][:160]}")
            print(f"   B: {record['b']['text'][:160]}")
    print("judged pairs by label:", dict(before))
    print("still flagged by label:", dict(after))
    return 0


if __name__ == "__main__":
    sys.exit(main())
