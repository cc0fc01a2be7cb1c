"""Judge again, with the code as it is now, every pair a person has already judged.

A precision change is tried on the flags people have labelled before a corpus is scanned
again: `python -m bench.rejudge bench/results/fnc1_flags_s3c.jsonl ...` reads the judged
sheets, judges each distinct pair (both sentences analysed with their documents' dates, the
rules and the shipped NLI model, then the alignment gate) and prints which pairs would still be
flagged, with their labels, and the counts by label of the flags that remain.

`bench/results/abc_sample.md` (the 2026-11-22 sample, judged in markdown) can be given too.
It only says what happens to pairs already judged: a change can also flag pairs no sheet holds,
so a full scan (`python -m bench.quality --only fnc1-scan,abc-scan`) and judging its new flags
stay the measure.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from checker.service import judge_analysed
from checker.settings import Settings
from checker.types import Verdict

FLAGGED = (Verdict.CONTRADICTS, Verdict.CHANGED)


def judged_pairs(sheets: list[Path]) -> list[dict[str, Any]]:
    """Each labelled pair once (by its two texts, in either order), first sheet first. A
    sheet is a judged .jsonl sheet, or a judged sample in the markdown of `abc_sample.md`."""
    seen: set[frozenset[str]] = set()
    pairs = []
    for sheet in sheets:
        records = sample_pairs(sheet) if sheet.suffix == ".md" else _jsonl_pairs(sheet)
        for record in records:
            key = frozenset((record["a"]["text"], record["b"]["text"]))
            if key not in seen:
                seen.add(key)
                pairs.append(record)
    return pairs


def _jsonl_pairs(sheet: Path) -> list[dict[str, Any]]:
    lines = sheet.read_text("utf-8").splitlines()
    return [r for r in (json.loads(line) for line in lines if line.strip()) if r.get("label")]


# The 2026-11-22 sample's verdict words, as the labels of the later sheets.
_SAMPLE_LABELS = {
    "real discrepancy": "real",
    "same thing, different time": "update",
    "false alarm": "false",
}
# "- Title (ABC rural): sentence" and "- verdict: same thing, different time (note)".
_SAMPLE_SIDE = re.compile(r"^- .*? \(ABC \w+\): (?P<text>.+)$")
_SAMPLE_VERDICT = re.compile(r"^- verdict: (?P<verdict>[^(]+?)\s*(?:\((?P<note>.*)\))?$")


def sample_pairs(sheet: Path) -> list[dict[str, Any]]:
    """The judged pairs of a markdown sample (`bench/results/abc_sample.md`): each "## "
    block's two sentences (the documents carry no dates) and its verdict as a label."""
    records = []
    for block in sheet.read_text("utf-8").split("\n## ")[1:]:
        sides = [m["text"] for line in block.splitlines() if (m := _SAMPLE_SIDE.match(line))]
        verdicts = [m for line in block.splitlines() if (m := _SAMPLE_VERDICT.match(line))]
        if len(sides) != 2 or not verdicts:
            continue
        label = _SAMPLE_LABELS.get(verdicts[0]["verdict"].strip())
        if label is None:
            continue
        a, b = ({"text": text, "document": {"published": None}} for text in sides)
        records.append({"a": a, "b": b, "label": label, "note": verdicts[0]["note"] or ""})
    return records


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
    parser.add_argument(
        "sheets", nargs="+", type=Path, help="judged .jsonl sheets, or a judged .md sample"
    )
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
