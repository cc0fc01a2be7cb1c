"""FNC-1's headline stances through POST /v1/check, scored as FNC-1 is (issue 11, section 5).

Each headline of `stances.csv` is POSTed once, with k = CHECKER_MAX_K, against an index of all
the training bodies; each (headline, body) row is predicted from that body's passages in the
answer: one contradicting passage makes it `disagree`, else one supporting `agree`, else any
passage `discuss`, and none `unrelated`. Scored with per-class F1 and FNC-1's weighted score.
"""

from __future__ import annotations

import statistics
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from bench import data
from bench.common import per_class_f1
from bench.indexes import api_client, indexed
from checker.embed import Embedder
from checker.settings import Settings

FNC_LABELS = ("agree", "disagree", "discuss", "unrelated")
FNC_RELATED = frozenset({"agree", "disagree", "discuss"})
# /v1/check's buckets in the order a body's stance is read from them: one contradicting passage
# makes the body disagree, whatever else it holds. Any other bucket of passages (a "changed"
# one, for instance) only says the body is about the claim: discuss.
_STANCE_OF_BUCKET = (("contradicting", "disagree"), ("supporting", "agree"), ("related", "discuss"))

# -- FNC-1 scoring (pure) -------------------------------------------------------------------


def fnc_score(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, float]:
    """FNC-1's weighted score, as its official scorer computes it: 0.25 for each row whose
    related/unrelated call is right, 0.75 more for a related row whose exact stance is right.

    `relative` is the score over the best possible (what FNC-1 published: the winners reached
    0.82 on their test set); `null_relative` is what answering "unrelated" everywhere gets.
    """
    score = 0.0
    for g, p in zip(gold, predicted, strict=True):
        if g == p:
            score += 0.25
            if g != "unrelated":
                score += 0.50
        if g in FNC_RELATED and p in FNC_RELATED:
            score += 0.25
    best = sum(1.0 if g in FNC_RELATED else 0.25 for g in gold)
    null = 0.25 * sum(g == "unrelated" for g in gold)
    return {
        "score": score,
        "max_score": best,
        "relative": score / best if best else 0.0,
        "null_relative": null / best if best else 0.0,
    }


def stances_from_check(body: dict[str, Any]) -> dict[str, str]:
    """Each document's FNC-1 stance towards the claim, from one /v1/check answer."""
    stances: dict[str, str] = {}
    known = {bucket for bucket, _ in _STANCE_OF_BUCKET}
    others = [k for k, v in body.items() if k not in known and _is_passages(v)]
    for bucket, stance in (*_STANCE_OF_BUCKET, *((k, "discuss") for k in others)):
        for passage in body.get(bucket, []):
            stances.setdefault(passage["document"]["id"], stance)
    return stances


def _is_passages(value: object) -> bool:
    return isinstance(value, list) and all(
        isinstance(p, dict) and isinstance(p.get("document"), dict) for p in value
    )


def confusion(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, dict[str, int]]:
    """gold label -> predicted label -> rows."""
    counts = Counter(zip(gold, predicted, strict=True))
    return {g: {p: counts[(g, p)] for p in FNC_LABELS} for g in FNC_LABELS}


def checked_headlines(
    client: Any, rows: Sequence[dict[str, str]], k: int
) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each distinct headline of `rows` and its POST /v1/check answer (k passages), in order."""
    for headline in dict.fromkeys(r["headline"] for r in rows):
        response = client.post("/v1/check", json={"claim": headline, "k": k})
        if response.status_code != 200:
            raise RuntimeError(f"/v1/check answered {response.status_code}: {response.data!r}")
        yield headline, response.get_json()


def fnc1_stances(
    embedder: Embedder,
    settings: Settings,
    workdir: Path,
    headline_limit: int | None = None,
    rows_per_headline: int | None = None,
    cache: Path | None = None,
) -> dict[str, Any]:
    """Every headline through POST /v1/check (k = CHECKER_MAX_K), scored against stances.csv.

    With a limit, only the chosen rows' bodies are indexed (fewer distractors than the full
    run: the figures are for smoke tests, not for comparison).
    """
    bodies, rows = data.fnc1_bodies(), data.fnc1_stances()
    if headline_limit or rows_per_headline:
        rows = _subset(rows, headline_limit, rows_per_headline)
        wanted = {r["document_id"] for r in rows}
        bodies = [b for b in bodies if b["id"] in wanted]
    checker, info = indexed("fnc1", bodies, embedder, settings, workdir / "fnc1-stances", cache)
    k = settings.max_k
    try:
        client = api_client(checker, settings)
        stances: dict[str, dict[str, str]] = {}
        took = []
        started = time.perf_counter()
        for headline, body in checked_headlines(client, rows, k):
            stances[headline] = stances_from_check(body)
            took.append(body["took_ms"])
        seconds = time.perf_counter() - started
        sentences = checker.store.counts()["sentences"]
    finally:
        checker.close()
    gold = [r["stance"] for r in rows]
    predicted = [stances[r["headline"]].get(r["document_id"], "unrelated") for r in rows]
    scores = stance_scores(gold, predicted)
    return {
        **scores,
        "k": k,
        "headlines": len(stances),
        **info,
        "sentences": sentences,
        "check_seconds": round(seconds, 1),
        "check_p50_ms": statistics.median(took) if took else None,
    }


def stance_scores(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, Any]:
    """Per-class F1, FNC-1's weighted score and the confusion matrix of one set of rows."""
    scores = per_class_f1(gold, predicted, FNC_LABELS)
    scores["fnc"] = fnc_score(gold, predicted)
    scores["confusion"] = confusion(gold, predicted)
    return scores


def _subset(
    rows: list[dict[str, str]], headline_limit: int | None, rows_per_headline: int | None
) -> list[dict[str, str]]:
    """The first headlines' rows (each headline's first rows), deterministic."""
    chosen = set(list(dict.fromkeys(r["headline"] for r in rows))[:headline_limit])
    taken: Counter[str] = Counter()
    kept = []
    for row in rows:
        if row["headline"] in chosen and (
            rows_per_headline is None or taken[row["headline"]] < rows_per_headline
        ):
            taken[row["headline"]] += 1
            kept.append(row)
    return kept
