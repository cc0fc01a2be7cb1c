"""The FAISS side of the store: normalised vectors keyed by sentence key (an int64).

An `IDMap2` over a flat inner-product index: exact search, and ids that survive deletes, so
retracting a document removes exactly its vectors. The factory string is recorded in the
manifest so a future index type can be told apart.
"""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np

from checker.errors import IndexUnavailable
from checker.store.files import write_atomic

FACTORY = "IDMap2,Flat"


class VectorIndex:
    def __init__(self, dimension: int, index: faiss.Index | None = None) -> None:
        self.dimension = dimension
        self._index = index or faiss.index_factory(dimension, FACTORY, faiss.METRIC_INNER_PRODUCT)

    @classmethod
    def load(cls, path: Path, dimension: int) -> VectorIndex:
        try:
            index = faiss.read_index(str(path))
        except RuntimeError as exc:
            raise IndexUnavailable(f"cannot read vectors from {path}: {exc}") from None
        if index.d != dimension:
            raise IndexUnavailable(f"{path} holds {index.d}-d vectors, expected {dimension}-d")
        return cls(dimension, index)

    @property
    def size(self) -> int:
        return int(self._index.ntotal)

    def add(self, keys: np.ndarray, vectors: np.ndarray) -> None:
        if len(keys):
            self._index.add_with_ids(
                np.ascontiguousarray(vectors, dtype=np.float32),
                np.ascontiguousarray(keys, dtype=np.int64),
            )

    def remove(self, keys: np.ndarray) -> None:
        if len(keys):
            self._index.remove_ids(np.ascontiguousarray(keys, dtype=np.int64))  # type: ignore[arg-type]

    def search(self, vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(similarities, keys), each (len(vectors), k); missing results have key -1."""
        k = max(1, min(k, self.size))
        sims, keys = self._index.search(np.ascontiguousarray(vectors, dtype=np.float32), k)
        return sims, keys

    def save(self, path: Path) -> None:
        write_atomic(path, lambda tmp: faiss.write_index(self._index, str(tmp)))
