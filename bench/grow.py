"""Grow an index to a given number of sentences, honestly enough that search does real work.

Re-embedding a million sentences would take hours on two cores, so the added sentences reuse
precomputed vectors: each is the real vector of a real corpus sentence plus small Gaussian
noise (sigma `NOISE` a component, about 0.98 cosine to the original), renormalised. They are
stored as synthetic documents of `SENTENCES_PER_DOCUMENT` real corpus sentences each, through
the real `Store.writing()` API, so SQLite rows, FAISS vectors and the manifest are exactly
what ingest would have written; only the embedding model and the sentence analysis are skipped
(each added sentence reuses its text's stored analysis, `stored_analyses`).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import cast

import numpy as np

from checker.store import Store
from checker.store import database as db
from checker.types import Analysis, Document, Sentence

NOISE = 0.01
SENTENCES_PER_DOCUMENT = 20
DOCUMENTS_PER_TRANSACTION = 500  # 10,000 sentences a commit, as a bulk loader would batch


def synthetic_document(number: int, texts: Sequence[str]) -> tuple[Document, list[Sentence]]:
    doc_id = f"grown-{number:07d}"
    sentences, parts, position = [], [], 0
    for ordinal, text in enumerate(texts):
        sentences.append(
            Sentence(f"{doc_id}#{ordinal}", doc_id, ordinal, position, position + len(text), text)
        )
        parts.append(text)
        position += len(text) + 1
    document = Document(
        id=doc_id,
        text=" ".join(parts),
        title=f"Synthetic document {number}",
        source=f"grown {number % 50}",
        published=f"20{10 + number % 15}-{1 + number % 12:02d}-{1 + number % 28:02d}",
    )
    return document, sentences


def grow(
    store: Store,
    texts: Sequence[str],
    vectors: np.ndarray,
    target: int,
    seed: int = 4,
    analyses: Sequence[Analysis | None] | None = None,
) -> dict[str, float]:
    """Add synthetic documents until the store holds at least `target` sentences. With
    `analyses` (one per text, as ingest stored them), each added sentence carries its text's
    analysis, so a check on the grown index reads stored analyses as on a real one instead of
    parsing on the fly."""
    rng = np.random.default_rng(seed + store.counts()["sentences"])
    have = store.counts()["sentences"]
    first = store.counts()["documents"]
    per_commit = SENTENCES_PER_DOCUMENT * DOCUMENTS_PER_TRANSACTION
    started = time.perf_counter()
    added = 0
    while have + added < target:
        count = min(per_commit, target - have - added)
        picks = rng.integers(0, len(texts), size=count)
        noisy = vectors[picks] + rng.normal(0.0, NOISE, size=(count, vectors.shape[1]))
        noisy = (noisy / np.linalg.norm(noisy, axis=1, keepdims=True)).astype(np.float32)
        with store.writing() as writer:
            for start in range(0, count, SENTENCES_PER_DOCUMENT):
                chunk = picks[start : start + SENTENCES_PER_DOCUMENT]
                number = first + (added + start) // SENTENCES_PER_DOCUMENT
                document, sentences = synthetic_document(number, [texts[i] for i in chunk])
                found = [analyses[i] for i in chunk] if analyses is not None else []
                stored = found if found and all(a is not None for a in found) else None
                writer.put_document(
                    document,
                    sentences,
                    noisy[start : start + len(chunk)],
                    cast("list[Analysis] | None", stored),
                )
        added += count
    flush_started = time.perf_counter()
    store.flush()
    done = time.perf_counter()
    return {
        "sentences_added": added,
        "seconds": round(done - started, 1),
        "flush_seconds": round(done - flush_started, 1),
        "store_sentences_per_s": round(added / max(1e-9, done - started), 1),
    }


def disk_mib(directory: Path) -> float:
    return sum(p.stat().st_size for p in directory.rglob("*") if p.is_file()) / 2**20


def stored_analyses(store: Store, texts: Sequence[str]) -> list[Analysis | None]:
    """Each text's analysis as the store holds it (None for a text it does not hold)."""
    keys = [row[0] for row in store.conn.execute("SELECT key FROM sentences")]
    by_text: dict[str, Analysis | None] = {}
    for start in range(0, len(keys), 1000):
        for hit in db.hits_by_key(store.conn, keys[start : start + 1000]).values():
            by_text.setdefault(hit.sentence.text, hit.analysis)
    return [by_text.get(text) for text in texts]
