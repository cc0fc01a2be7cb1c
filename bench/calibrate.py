"""Fit the confidence calibration from flags judged by hand: `python -m bench.calibrate`.

Reads every judged sheet `bench/results/*_flags_*.jsonl` whose `label` is filled (or the
sheets given), counts per verdict and deciding reason kind how many flags were right
(`real` for contradicts, `update` for changed), and writes checker/judge/calibration.json
(see checker/judge/calibration.py for how it is used). Sheets of the code before the gate
(`*_baseline*`) are left out: they judge another judge.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from checker.judge.calibration import CALIBRATION_FILE, fit

RESULTS = Path(__file__).resolve().parent / "results"


def deciding_kind(flag: dict[str, Any]) -> str:
    kinds = [r["kind"] for r in flag.get("reasons", []) if r["kind"] not in ("time", "alignment")]
    return kinds[0] if kinds else "alignment"


def labelled(sheets: list[Path]) -> list[tuple[str, str, str]]:
    rows = []
    for sheet in sheets:
        for line in sheet.read_text(encoding="utf-8").splitlines():
            flag = json.loads(line) if line.strip() else None
            if flag and flag.get("label"):
                rows.append((flag["verdict"], deciding_kind(flag), flag["label"]))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.calibrate", description=__doc__)
    parser.add_argument("sheets", nargs="*", type=Path)
    parser.add_argument("--out", type=Path, default=CALIBRATION_FILE)
    args = parser.parse_args(argv)
    sheets = args.sheets or sorted(
        p for p in RESULTS.glob("*_flags_*.jsonl") if "baseline" not in p.name
    )
    rows = labelled(sheets)
    if not rows:
        print("no judged flags found", file=sys.stderr)
        return 1
    saved = {
        "fitted_on": [p.name for p in sheets],
        "method": "per verdict and deciding reason kind: (right + 1) / (flags + 2); right is "
        "'real' for contradicts, 'update' for changed; '*' pools a verdict's kinds",
        "table": fit(rows),
    }
    args.out.write_text(json.dumps(saved, indent=2) + "\n", encoding="utf-8")
    print(f"{len(rows)} judged flags from {len(sheets)} sheets -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
