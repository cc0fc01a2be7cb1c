"""Nearest stored sentences: batched FAISS searches turned into `Hit`s, and index (re)builds.

`nearest()` sends many query vectors to FAISS in one call (the nightly scan asks for every new
sentence's neighbours at once), looks the hits up in SQLite in one pass, and re-searches,
further, only the rows whose filters left fewer than k. When the index is approximate
(`IVF,SQ8` or `IVF,PQ`) FAISS returns `index.rerank` candidates per hit wanted, which are
re-scored against their exact vectors in SQLite, so every similarity returned is the exact
cosine and the order is exact among what FAISS found; the best of them are then read as hits
(PQ asks for ten candidates a hit: reading all of them as hits would cost more than the
search).

`build_index()` makes a FAISS index of the type the store's size calls for from the vectors in
SQLite (the source of truth), training it on a seeded sample when it needs training.
"""

from __future__ import annotations

import heapq
import itertools
import sqlite3
import threading
from collections.abc import Callable, Iterable, Sequence

import numpy as np

from checker.lru import LeastRecentlyUsed
from checker.store import database as db
from checker.store.vectors import TRAIN_SEED, IndexConfig, VectorIndex
from checker.types import Hit

SEARCH_CHUNK = 1024  # query vectors per FAISS call: bounds the hits held at once
# Re-scored candidates read as hits per hit fetched: SQ8's two candidates a hit are all read,
# as before PQ; of PQ's ten, the best two are.
HITS_PER_FETCH = 2
_SQL_VARIABLES = 500  # keys per IN (...) query, under SQLite's variable limit


def nearest(
    conn: sqlite3.Connection,
    index: VectorIndex,
    lock: threading.RLock,
    vectors: np.ndarray,
    k: int,
    accept: Callable[[Hit], bool] | None = None,
    exclude_documents: Sequence[str | None] | None = None,
    cache: LeastRecentlyUsed[int, Hit] | None = None,
) -> list[list[Hit]]:
    """The k nearest stored sentences to each vector, most similar first.

    `index` is searched holding `lock` (FAISS must not change during a search). A hit is kept
    when `accept` lets it through and it is not in the row's `exclude_documents` entry. Hits
    are read from SQLite unless `cache` holds them (see `database.hits_by_key`).
    """
    excluded = list(exclude_documents) if exclude_documents is not None else [None] * len(vectors)
    if len(excluded) != len(vectors):
        raise ValueError("exclude_documents needs one entry per vector")
    results: list[list[Hit]] = []
    for start in range(0, len(vectors), SEARCH_CHUNK):
        end = start + SEARCH_CHUNK
        results += _nearest_chunk(
            conn, index, lock, vectors[start:end], k, accept, excluded[start:end], cache
        )
    return results


def _nearest_chunk(
    conn: sqlite3.Connection,
    index: VectorIndex,
    lock: threading.RLock,
    vectors: np.ndarray,
    k: int,
    accept: Callable[[Hit], bool] | None,
    excluded: Sequence[str | None],
    cache: LeastRecentlyUsed[int, Hit] | None,
) -> list[list[Hit]]:
    size = index.size
    filtered = accept is not None or any(e is not None for e in excluded)
    fetch = min(size, 4 * k) if filtered else k
    results: list[list[Hit]] = [[] for _ in range(len(vectors))]
    todo = list(range(len(vectors)))
    while todo:
        candidates = _candidates(conn, index, lock, vectors[todo], fetch, cache)
        again = []
        for row, hits in zip(todo, candidates, strict=True):
            kept = [
                hit
                for hit in hits
                if hit.document.id != excluded[row] and (accept is None or accept(hit))
            ]
            if len(kept) >= k or fetch >= size:
                results[row] = kept[:k]
            else:
                again.append(row)  # filters (or deletions since) dropped too many: look further
        todo, fetch = again, min(size, fetch * 4)
    return results


def _candidates(
    conn: sqlite3.Connection,
    index: VectorIndex,
    lock: threading.RLock,
    vectors: np.ndarray,
    fetch: int,
    cache: LeastRecentlyUsed[int, Hit] | None,
) -> list[list[Hit]]:
    """Up to `fetch` hits a row, most similar first."""
    with lock:
        sims, keys = index.search(vectors, fetch * index.rerank)
    if not index.exact:
        sims, keys = _rescored(conn, vectors, keys, fetch)
    found = db.hits_by_key(conn, keys.ravel(), cache)
    rows = []
    for row_sims, row_keys in zip(sims, keys, strict=True):
        hits = []
        for sim, key in zip(row_sims, row_keys, strict=True):
            hit = found.get(int(key))
            if hit is None:  # no result (-1), or deleted since this worker loaded its vectors
                continue
            hits.append(hit.at(float(sim)))
        rows.append(hits)
    return rows


def _rescored(
    conn: sqlite3.Connection, vectors: np.ndarray, keys: np.ndarray, fetch: int
) -> tuple[np.ndarray, np.ndarray]:
    """Each row's candidate `keys` by exact cosine with their stored float32 vectors, most
    similar first, the best HITS_PER_FETCH * `fetch` of them; a key SQLite no longer holds
    is dropped (key -1)."""
    stored = vectors_by_key(conn, keys.ravel())
    known = sorted(stored)
    if not known:
        return np.full(keys.shape, -np.inf, dtype=np.float32), np.full_like(keys, -1)
    matrix = np.stack([stored[key] for key in known])
    position = np.searchsorted(known, keys)  # where each candidate's vector is, if it is
    held = (position < len(known)) & (
        np.asarray(known)[np.minimum(position, len(known) - 1)] == keys
    )
    position = np.where(held, position, 0)
    sims = np.einsum("rcd,rd->rc", matrix[position], vectors).astype(np.float32)
    sims[~held] = -np.inf
    order = np.argsort(-sims, axis=1, kind="stable")[:, : HITS_PER_FETCH * fetch]
    best_sims = np.take_along_axis(sims, order, axis=1)
    best_keys = np.where(np.isfinite(best_sims), np.take_along_axis(keys, order, axis=1), -1)
    return best_sims, best_keys


def merge_nearest(rows: Sequence[Sequence[Hit]], k: int) -> list[Hit]:
    """The k most similar of several searches' hits (each most similar first), most similar
    first; equal similarities keep the order of `rows`."""
    merged = heapq.merge(*rows, key=lambda hit: -hit.similarity)
    return list(itertools.islice(merged, k))


def vectors_by_key(conn: sqlite3.Connection, keys: Iterable[int]) -> dict[int, np.ndarray]:
    """The stored float32 vectors of these sentence keys (absent keys are left out)."""
    wanted = sorted({int(k) for k in keys if k >= 0})
    found: dict[int, np.ndarray] = {}
    for start in range(0, len(wanted), _SQL_VARIABLES):
        chunk = wanted[start : start + _SQL_VARIABLES]
        marks = ",".join("?" * len(chunk))
        query = f"SELECT key, vector FROM sentences WHERE key IN ({marks})"
        for key, blob in conn.execute(query, chunk):
            found[int(key)] = np.frombuffer(blob, dtype=np.float32)
    return found


def build_index(
    conn: sqlite3.Connection, dimension: int, factory: str, config: IndexConfig
) -> VectorIndex:
    """A `factory` index of every vector in SQLite, trained first on a seeded sample."""
    keys = np.array([r[0] for r in conn.execute("SELECT key FROM sentences")], dtype=np.int64)
    size = VectorIndex.training_sample_size(factory, len(keys))
    chosen = np.random.default_rng(TRAIN_SEED).choice(keys, size, replace=False)
    stored = vectors_by_key(conn, chosen)
    sample = np.stack([stored[k] for k in sorted(stored)]) if stored else np.empty((0, dimension))
    del stored
    return VectorIndex.build(
        dimension, factory, sample, db.iter_vectors(conn, dimension), config=config
    )
