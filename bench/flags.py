"""The nightly scan on a real corpus, and its top flags written out for a person to judge.

`scan_corpus` ingests a corpus, scans it as the nightly job does, counts the flags per 1,000
sentences by the deciding reason's kind and by verdict, and writes the top flags (the store's
most-confident-first order, the order the report lists them in) as JSON Lines (one flag a line,
as the API shows a finding, with `label` and `note` to fill) and a Markdown sheet made from it.
A sheet that already holds a person's labels is never overwritten.

`python -m bench.flags SHEET.jsonl` writes the Markdown sheet again from a judged JSON Lines
file, with the counts by label.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.common import REPO, provenance
from bench.indexes import indexed
from checker import serialize
from checker.embed import Embedder
from checker.settings import Settings
from checker.types import Finding, Verdict

# What each label means; the top of every sheet says it, so two judges apply the same test.
LABELS = {
    "real": "incompatible claims about the same fact: the same thing at the same moment, with "
    "a number, date, place, name or polarity that cannot both be true",
    "update": "the same fact at a different moment: a figure revised, a count that grew, a "
    "status that moved on (both can be true, each at its time)",
    "minor": "a copy, a rewording or an attribution difference: the same statement with an "
    "outlet credit, reporting verb, typo, descriptor or formatting changed",
    "false": "different things (another person, case, company, event, or a number or sentence "
    "template shared by different facts), or statements that are compatible",
}
_JUDGED_MARKDOWN = re.compile(r"^- (?:verdict|label): *\S", re.MULTILINE)


def scan_corpus(
    name: str,
    records: list[dict[str, str]],
    embedder: Embedder,
    settings: Settings,
    workdir: Path,
    sheet: Path | None = None,
    top: int = 50,
    cache: Path | None = None,
) -> tuple[dict[str, Any], list[Finding]]:
    """Ingest and scan `records`; the figures, and every finding most confident first.

    `sheet` (a path without suffix) receives the top `top` flags as .jsonl and .md.
    """
    checker, info = indexed(name, records, embedder, settings, workdir / f"{name}-scan", cache)
    try:
        started = time.perf_counter()
        scan = checker.scan()
        scan_seconds = time.perf_counter() - started
        findings, total = checker.findings(limit=10_000_000, order="confident")
        sentences = checker.store.counts()["sentences"]
    finally:
        checker.close()
    by_kind = Counter(f.judgement.reasons[0].kind if f.judgement.reasons else "" for f in findings)
    by_verdict = Counter(f.judgement.verdict.value for f in findings)
    for verdict in (Verdict.CONTRADICTS, getattr(Verdict, "CHANGED", None)):
        if verdict is not None:  # CHANGED exists once the "change over time" verdict does
            by_verdict.setdefault(verdict.value, 0)
    summary = {
        **info,
        "sentences": sentences,
        "pairs_judged": scan.pairs,
        "scan_seconds": round(scan_seconds, 1),
        "flagged": total,
        "flagged_per_1000_sentences": _per_1000(total, sentences),
        "by_kind": dict(by_kind.most_common()),
        "by_verdict": dict(by_verdict.most_common()),
        "per_1000_sentences_by_kind": {k: _per_1000(n, sentences) for k, n in by_kind.items()},
        "per_1000_sentences_by_verdict": {
            k: _per_1000(n, sentences) for k, n in by_verdict.items()
        },
    }
    if sheet is not None:
        written = write_sheet(name, findings[:top], sheet, flagged=total, sentences=sentences)
        summary["sheet"] = str(
            written.relative_to(REPO) if written.is_relative_to(REPO) else written
        )
    return summary, findings


def _per_1000(count: int, sentences: int) -> float:
    return round(1000 * count / max(1, sentences), 3)


def flag_record(rank: int, corpus: str, run: dict[str, Any], finding: Finding) -> dict[str, Any]:
    """One flag as the API shows a finding (attribution and anchors where the checker has
    them), plus its rank, the deciding reason's kind, and the `label` and `note` to fill."""
    shown = serialize.finding(finding)
    reasons = finding.judgement.reasons
    return {
        "rank": rank,
        "corpus": corpus,
        "run": run,
        "kind": reasons[0].kind if reasons else "",
        **shown,
        "label": None,
        "note": "",
    }


def write_sheet(
    corpus: str, findings: Sequence[Finding], stem: Path, flagged: int, sentences: int
) -> Path:
    """`stem`.jsonl and `stem`.md; beside them (`-unjudged`) when `stem` already holds labels."""
    stem = unjudged(stem)
    run = {"commit": provenance()["commit"], "flagged": flagged, "sentences": sentences}
    records = [flag_record(n, corpus, run, f) for n, f in enumerate(findings, 1)]
    stem.parent.mkdir(parents=True, exist_ok=True)
    with stem.with_suffix(".jsonl").open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    stem.with_suffix(".md").write_text(sheet_markdown(records), encoding="utf-8")
    return stem.with_suffix(".md")


def unjudged(stem: Path) -> Path:
    """`stem`, or `stem`-unjudged when a sheet there already carries a person's labels: a
    rerun must never wipe out hand judgements."""
    if _is_judged(stem.with_suffix(".jsonl")) or _is_judged(stem.with_suffix(".md")):
        other = stem.with_name(stem.name + "-unjudged")
        print(f"{stem} holds judgements; writing {other} instead", file=sys.stderr)
        return other
    return stem


def _is_judged(path: Path) -> bool:
    if not path.exists():
        return False
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".jsonl":
        return any(json.loads(line).get("label") for line in text.splitlines() if line.strip())
    return bool(_JUDGED_MARKDOWN.search(text))


def sheet_markdown(records: Sequence[dict[str, Any]], intro: str = "") -> str:
    """The judging sheet: criteria, counts by label, then each pair with a `label` line."""
    corpus = records[0]["corpus"] if records else "?"
    run: dict[str, Any] = records[0]["run"] if records else {}
    flagged, sentences = run.get("flagged", 0), run.get("sentences", 0)
    counts = Counter(r.get("label") or "unjudged" for r in records)
    lines = [
        f"# Top {len(records)} flags of the nightly scan on {corpus}, for a person to judge",
        "",
        f"Run at commit {run.get('commit', '?')}: {flagged} flags in all on "
        f"{sentences:,} sentences ({_per_1000(flagged, sentences)} per "
        f"1,000); these are the first {len(records)}, most confident first, as the report "
        "lists them.",
        "",
        "Label each pair (read both sentences in full):",
        "",
        *(f"- **{label}**: {meaning}." for label, meaning in LABELS.items()),
        "",
    ]
    if intro:
        lines += [intro, ""]
    order = (*LABELS, "unjudged")
    lines += ["Counts by label: " + " · ".join(f"{x} {counts[x]}" for x in order), ""]
    if len(counts) > 1 or "unjudged" not in counts:  # labelled: also by the deciding kind
        kinds = Counter((r["kind"], r.get("label") or "unjudged") for r in records)
        for kind in dict.fromkeys(r["kind"] for r in records):
            shown = " · ".join(f"{x} {kinds[(kind, x)]}" for x in order if kinds[(kind, x)])
            lines.append(f"- {kind}: {shown}")
        lines.append("")
    for r in records:
        lines += [
            f"## {r['rank']}. {r['verdict']} · {r['kind']} · confidence {r['confidence']:.2f} "
            f"· similarity {r['similarity']:.2f}",
            _side("a", r["a"]),
            _side("b", r["b"]),
            *(
                f"- reason: {x['kind']} ({x['verdict']} {x['confidence']:.2f}): {x['detail']}"
                for x in r["reasons"]
            ),
            f"- label: {r.get('label') or ''}".rstrip(),
            f"- note: {r.get('note') or ''}".rstrip(),
            "",
        ]
    return "\n".join(lines)


def _side(name: str, sentence: dict[str, Any]) -> str:
    document = sentence["document"]
    where = f"`{sentence['sentence_id']}`" + (
        f" ({document['source']})" if document.get("source") else ""
    )
    said = sentence.get("attribution")
    by = f" [{said['text']}]" if isinstance(said, dict) and said.get("text") else ""
    return f"- {name} {where}{by}: {sentence['text']}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.flags", description=__doc__)
    parser.add_argument("sheet", type=Path, help="a .jsonl sheet; its .md is written beside it")
    parser.add_argument("--intro", default="", help="a paragraph under the criteria")
    args = parser.parse_args(argv)
    records = [json.loads(line) for line in args.sheet.read_text("utf-8").splitlines() if line]
    args.sheet.with_suffix(".md").write_text(
        sheet_markdown(records, intro=args.intro), encoding="utf-8"
    )
    print(args.sheet.with_suffix(".md"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
