"""Readers for the shared evaluation sets and corpora, as the checker's own record format."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench.common import shared


def jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                yield json.loads(line)


def mnli(limit: int | None = None) -> list[dict[str, str]]:
    rows = list(jsonl(shared("eval/mnli_dev_matched/mnli_dev_matched.jsonl")))
    return rows[:limit] if limit else rows


def fever_symmetric(split: str) -> list[dict[str, str]]:
    return list(jsonl(shared(f"eval/fever_symmetric/fever_symmetric_{split}.jsonl")))


def abc_stories(name: str, limit: int | None = None) -> list[dict[str, str]]:
    """ABC news: blocks separated by blank lines, a headline then one sentence per line.

    science.txt is Latin-1 with CRLF line ends, rural.txt UTF-8 with LF: decode each as it is.
    """
    raw = shared(f"corpora/abc/{name}.txt").read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    text = text.replace("\r\n", "\n")
    records = []
    for n, block in enumerate(text.split("\n\n")):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        if len(lines) >= 2:
            records.append(
                {
                    "id": f"abc-{name}-{n:05d}",
                    "title": lines[0],
                    "source": f"ABC {name}",
                    "text": "\n".join(lines[1:]),
                }
            )
    return records[:limit] if limit else records


def climate_fever() -> tuple[list[dict[str, Any]], list[dict[str, str]], list[dict[str, str]]]:
    """(evidence sentences, claims, gold claim-evidence pairs)."""
    base = "eval/climate_fever/derived/"
    sentences = list(jsonl(shared(base + "sentences.jsonl")))
    claims = list(jsonl(shared(base + "claims.jsonl")))
    with shared(base + "claim_evidence_pairs.tsv").open(encoding="utf-8") as handle:
        pairs = list(csv.DictReader(handle, delimiter="\t"))
    return sentences, claims, pairs


def fnc1_bodies() -> list[dict[str, str]]:
    """The FNC-1 training articles as ingest records ({"id": "fnc1-train-<Body ID>", ...})."""
    return list(jsonl(shared("corpora/fnc1_train/bodies.jsonl")))


def fnc1_stances() -> list[dict[str, str]]:
    """Every (headline, body, stance) row of stances.csv, duplicates kept as FNC-1 scores them;
    `document_id` is the body's record id."""
    with shared("corpora/fnc1_train/stances.csv").open(encoding="utf-8", newline="") as handle:
        return [
            {
                "headline": row["Headline"],
                "document_id": f"fnc1-train-{row['Body ID']}",
                "stance": row["Stance"],
            }
            for row in csv.DictReader(handle)
        ]
