"""Which contradicting passages a candidate NLI model adds on FNC-1's headlines, for judging.

The nightly scans judge pairs of stored sentences; a headline checked against the bodies meets
other pairs (a short claim against a long report). This runs every headline of FNC-1's
`stances.csv` through POST /v1/check (k = CHECKER_MAX_K) against an index of the bodies, as
`python -m bench.quality --only fnc1-stances` does, once with the shipped NLI model and once
with the candidate, and writes each (headline, body) whose passage only one of them puts under
"contradicting", with the passage, its reasons and FNC-1's stance of that body (context: it
labels the whole body, not the passage). A person then labels the added passages as the flag
sheets are labelled (real / update / minor / false); `bench/results/fnc1_stances_nli_debunk.md`
holds such labels.

    python -m bench.stance_diff --model runs/nli-cont-onnx --out stance_diff_cont
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from bench import data
from bench.common import MissingData, provenance, write_result
from bench.fnc1 import checked_headlines
from bench.indexes import CACHE, api_client, indexed
from checker.embed import Embedder, load_embedder
from checker.settings import Settings

SEPARATOR = "\t"  # between the headline and the body id in a row's key


def contradicting(
    settings: Settings,
    embedder: Embedder,
    bodies: list[dict[str, str]],
    rows: list[dict[str, str]],
) -> dict[str, dict[str, Any]]:
    """(headline TAB body id) -> the first passage /v1/check puts under "contradicting"."""
    workdir = Path(tempfile.mkdtemp(prefix="stance-diff-"))
    checker, _ = indexed("fnc1", bodies, embedder, settings, workdir / "i", CACHE)
    found: dict[str, dict[str, Any]] = {}
    try:
        client = api_client(checker, settings)
        for headline, answer in checked_headlines(client, rows, settings.max_k):
            for passage in answer.get("contradicting", []):
                found.setdefault(headline + SEPARATOR + passage["document"]["id"], passage)
    finally:
        checker.close()
    return found


def key(row: dict[str, str]) -> str:
    """A stances.csv row's key: its headline and body id."""
    return row["headline"] + SEPARATOR + row["document_id"]


def differences(
    shipped: Mapping[str, dict[str, Any]],
    candidate: Mapping[str, dict[str, Any]],
    gold: Mapping[str, str],
) -> dict[str, list[dict[str, Any]]]:
    """The rows only the candidate, or only the shipped model, contradicts (sorted by key)."""

    def rows(keys: set[str], passages: Mapping[str, dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            {
                "headline": key.split(SEPARATOR)[0],
                "document": key.split(SEPARATOR)[1],
                "fnc1_stance": gold.get(key, "unrelated"),
                "passage": passages[key],
            }
            for key in sorted(keys)
        ]

    return {
        "added": rows(set(candidate) - set(shipped), candidate),
        "removed": rows(set(shipped) - set(candidate), shipped),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.stance_diff", description=__doc__)
    parser.add_argument("--model", type=Path, required=True, help="the candidate NLI model")
    parser.add_argument("--out", default="stance_diff", help="results name under bench/results/")
    args = parser.parse_args(argv)
    base = Settings.from_env()
    try:
        bodies, rows = data.fnc1_bodies(), data.fnc1_stances()
        embedder = load_embedder(base)  # the NLI model differs between the runs, not this
        shipped, candidate = (
            contradicting(dataclasses.replace(base, nli_model=model), embedder, bodies, rows)
            for model in ("builtin", str(args.model))
        )
    except MissingData as exc:
        print(f"skipped: {exc}")
        return 0
    result = {
        "model": str(args.model),
        "contradicted_rows": {"shipped": len(shipped), "candidate": len(candidate)},
        **differences(shipped, candidate, {key(r): r["stance"] for r in rows}),
        "provenance": provenance(),
    }
    print(
        f"{len(result['added'])} rows added, {len(result['removed'])} removed",
        file=sys.stderr,
    )
    print(write_result(args.out, result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
