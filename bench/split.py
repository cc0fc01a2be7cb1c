"""What splitting an index by time costs a check: `python -m bench.split [--quick]`.

The same sentences (ABC vectors with noise, grown as bench/grow.py grows them) stored once as
one index and once as `--parts` sibling indexes (an index a month), then the store's search
for held-out ABC sentences: the top 20 of the one index, against the top 20 of each part
merged into one top 20 (`merge_nearest`, what `/v1/check` with `indexes` does). Reports p50 and
p95 per query of both, the merge alone, and whether the merged top 20 equals the one index's
(both are exact below CHECKER_ANN_MIN_SENTENCES, so it should). Judging the k passages found
costs the same either way and is left out. Writes bench/results/split.json.
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import provenance, write_result
from bench.grow import grow
from bench.ivfpq import abc_vectors, cpu
from checker.settings import Settings
from checker.store import Store
from checker.store.nearest import merge_nearest
from checker.store.vectors import IndexConfig
from checker.types import Hit

K = 20


@dataclasses.dataclass(frozen=True)
class Plan:
    sentences: int
    parts: int
    queries: int


FULL = Plan(sentences=180_000, parts=12, queries=200)
QUICK = Plan(sentences=12_000, parts=4, queries=30)


def percentiles(seconds: list[float]) -> dict[str, float]:
    ms = np.array(seconds) * 1000
    return {
        "p50_ms": round(float(np.percentile(ms, 50)), 3),
        "p95_ms": round(float(np.percentile(ms, 95)), 3),
    }


def run(plan: Plan, workdir: Path) -> dict[str, Any]:
    texts, vectors = abc_vectors()
    rng = np.random.default_rng(4)
    held_out = rng.choice(len(vectors), plan.queries, replace=False)
    queries = vectors[held_out]
    bases = np.delete(vectors, held_out, axis=0)
    base_texts = [t for i, t in enumerate(texts) if i not in set(held_out.tolist())]
    config = IndexConfig.from_settings(Settings())
    model, dimension = Settings().embedding_model, vectors.shape[1]

    def store(name: str, target: int, seed: int) -> Store:
        opened = Store.open(workdir / name, model, dimension, config=config)
        grow(opened, base_texts, bases, target, seed=seed)
        return opened

    per_part = plan.sentences // plan.parts
    parts = [store(f"part-{n:02d}", per_part, seed=100 + n) for n in range(plan.parts)]
    whole = Store.open(workdir / "whole", model, dimension, config=config)
    for part in parts:  # the same vectors, by copying each part's documents in
        with whole.writing() as writer:
            for document_id in [r[0] for r in part.conn.execute("SELECT id FROM documents")]:
                hits, stored = part.document_vectors(document_id)
                document = part.document(document_id)
                whole_id = f"{part.directory.name}/{document_id}"
                sentences = [
                    dataclasses.replace(
                        hit.sentence, id=f"{whole_id}#{hit.sentence.ordinal}", document_id=whole_id
                    )
                    for hit in hits
                ]
                writer.put_document(dataclasses.replace(document, id=whole_id), sentences, stored)
    whole.flush()
    single, split, merge, same = [], [], [], []
    for query in queries:
        started = time.perf_counter()
        [one] = whole.search(query[None, :], K)
        single.append(time.perf_counter() - started)
        started = time.perf_counter()
        rows = [part.search(query[None, :], K)[0] for part in parts]
        merging = time.perf_counter()
        merged = merge_nearest(rows, K)
        done = time.perf_counter()
        split.append(done - started)
        merge.append(done - merging)
        where = {
            id(hit): part.directory.name
            for part, row in zip(parts, rows, strict=True)
            for hit in row
        }
        same.append(
            _ids(one) == [f"{where[id(h)]}/{h.document.id}#{h.sentence.ordinal}" for h in merged]
        )
    return {
        "sentences": whole.counts()["sentences"],
        "parts": plan.parts,
        "sentences_per_part": per_part,
        "queries": plan.queries,
        "k": K,
        "factory_whole": whole._vectors.factory,
        "one_index": percentiles(single),
        "split_search_and_merge": percentiles(split),
        "merge_only": percentiles(merge),
        "split_over_one_p50": round(float(np.median(split) / np.median(single)), 2),
        "merged_top_k_equals_one_index": float(np.mean(same)),
    }


def _ids(hits: list[Hit]) -> list[str]:
    return [f"{h.document.id}#{h.sentence.ordinal}" for h in hits]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL
    with tempfile.TemporaryDirectory() as workdir:
        result = run(plan, Path(workdir))
    payload = {"provenance": provenance(), "cpu": cpu(), "quick": args.quick, **result}
    path = write_result("split-quick" if args.quick else "split", payload)
    for key, value in result.items():
        print(f"{key}: {value}")
    print(f"written to {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
