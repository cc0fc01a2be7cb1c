"""The FAISS side of the store: normalised vectors keyed by sentence key (an int64).

Three kinds of index, chosen by size whenever the index is built or saved (`factory_for`):

- below `ann_min_sentences`: `IDMap2,Flat`, exact inner-product search over every vector;
- from there on: `IVF{nlist},SQ8`, an inverted file over `nlist` k-means cells of the stored
  vectors (trained on a seeded sample) holding 8-bit scalar-quantised codes. A query scans the
  `nprobe` cells nearest to it instead of every vector, and a vector takes a quarter of the
  memory. The store re-scores the candidates against their float32 vectors in SQLite
  (nearest.py), so similarities stay exact; only a neighbour in an unvisited cell can be
  missed (recall@20 is measured by `python -m bench.speed`, not assumed);
- from `pq_min_sentences`: `IVF{nlist},PQ{m}`, the same inverted file holding product-quantised
  codes of m bytes a vector (m = 64 for 384-d MiniLM: 6 dimensions a byte), so 100M sentences
  take about 7 GB instead of 38 GB. The codes are coarser than SQ8's, so more candidates are
  re-scored exactly (`rerank`), and its cells are searched `pq_nprobe` at a time. OPQ (a
  learned rotation before PQ) was measured and left out: on 300k grown ABC vectors it trained
  eight times longer (462 s against 57 s) for no better recall once candidates are re-scored
  (`python -m bench.ivfpq` measures this kind at 10M).

Both keep the sentence keys as their ids, so a deletion removes exactly a document's vectors.
(HNSW was not chosen: FAISS cannot remove vectors from it, so every retraction would mean a
rebuild.) The factory string is recorded in the manifest.

A saved index is memory-mapped when it is read (`IO_FLAG_MMAP_IFC`): a serving worker keeps no
private copy of the vectors, and several workers share the one in the page cache. A mapped
index cannot change (FAISS aborts the process on an attempt), so `writable()` makes an owned
copy before any add or remove.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import faiss
import numpy as np

from checker.errors import IndexUnavailable
from checker.store.files import write_atomic

if TYPE_CHECKING:
    from checker.settings import Settings

FLAT = "IDMap2,Flat"
FACTORY = FLAT  # what a new, empty index starts as
_IVF = re.compile(r"^IVF(\d+),(SQ8|PQ\d+)$")
TRAIN_SEED = 4
TRAIN_POINTS_PER_CELL = 64  # k-means sample per cell
PQ_BYTES = 64  # bytes a vector in the product-quantised index (for a dimension it divides)
PQ_MIN_DIMENSIONS = 4
PQ_TRAIN_POINTS = 65_536  # PQ's 256 centroids a sub-quantiser want 256 points each
# Candidates an approximate index returns per hit wanted, all re-scored exactly (nearest.py).
# SQ8: recall@20 of unseen ABC sentences on 200k grown ABC vectors (IVF512), with nprobe 64,
# 0.972 with one candidate a hit, 0.983 with two. PQ64: on 300k (IVF512, nprobe 64), 0.862
# with two, 0.954 with five, 0.975 with ten.
RERANK = {"SQ8": 2, "PQ": 10}
MIN_POINTS_PER_CELL = 39  # FAISS's own floor for a useful k-means
MAX_CELLS = 65_536


@dataclass(frozen=True)
class IndexConfig:
    """How the vector index is built and searched (from Settings; see its help texts)."""

    ann_min_sentences: int = 200_000
    nprobe: int = 64
    threads: int = 0  # OpenMP threads per search; 0: one for a single query, all for batches
    pq_min_sentences: int = 2_000_000
    pq_nprobe: int = 64

    @classmethod
    def from_settings(cls, settings: Settings) -> IndexConfig:
        return cls(
            settings.ann_min_sentences,
            settings.ann_nprobe,
            settings.faiss_threads,
            settings.pq_min_sentences,
            settings.pq_nprobe,
        )


def cells_for(count: int) -> int:
    """IVF cells for `count` vectors: the power of two nearest to sqrt(count), and no more
    than leave each cell MIN_POINTS_PER_CELL vectors to train on (tiny test indexes)."""
    ideal = 2 ** round(math.log2(math.sqrt(max(count, 1))))
    return int(max(1, min(ideal, MAX_CELLS, count // MIN_POINTS_PER_CELL)))


def pq_bytes(dimension: int) -> int:
    """Bytes (sub-quantisers) a vector takes in the PQ index: PQ_BYTES, or the largest number
    under it that divides `dimension` (FAISS needs equal sub-vectors) and leaves each byte
    at least PQ_MIN_DIMENSIONS (a byte a dimension would be SQ8's size, less accurate)."""
    fits = [m for m in range(1, PQ_BYTES + 1) if dimension % m == 0]
    return max([m for m in fits if dimension // m >= PQ_MIN_DIMENSIONS] or [1])


def factory_for(
    count: int, config: IndexConfig, current: str | None = None, dimension: int = 384
) -> str:
    """The index type `count` vectors of `dimension` call for; `current` is kept while it fits.

    An IVF index keeps its cells until the ideal number is more than 2^0.75 (about 1.7) times
    off, so a growing index is retrained about every 2.8-fold growth, not at each save.
    """
    if count < max(1, config.ann_min_sentences):
        return FLAT
    codes = "SQ8" if count < max(1, config.pq_min_sentences) else f"PQ{pq_bytes(dimension)}"
    match = _IVF.match(current or "")
    if match and match.group(2) == codes:
        have = int(match.group(1))
        ideal = math.log2(math.sqrt(count))
        if abs(ideal - math.log2(have)) <= 0.75 or have == cells_for(count):
            return f"IVF{have},{codes}"
    return f"IVF{cells_for(count)},{codes}"


def _threads(config: IndexConfig, queries: int) -> int:
    if config.threads > 0:
        return config.threads
    return 1 if queries <= 1 else len(os.sched_getaffinity(0))


def _factory_of(index: faiss.Index, path: Path) -> str:
    """The factory string that builds an index of this type (only ours are accepted)."""
    if isinstance(index, faiss.IndexIDMap2) and isinstance(
        faiss.downcast_index(index.index), faiss.IndexFlatIP
    ):
        return FLAT
    inner_product = index.metric_type == faiss.METRIC_INNER_PRODUCT
    if isinstance(index, faiss.IndexIVFScalarQuantizer) and inner_product:
        return f"IVF{index.nlist},SQ8"
    if isinstance(index, faiss.IndexIVFPQ) and inner_product and index.pq.nbits == 8:
        return f"IVF{index.nlist},PQ{index.pq.M}"
    raise IndexUnavailable(f"{path} holds a FAISS index of a type this checker does not build")


class VectorIndex:
    def __init__(
        self,
        dimension: int,
        index: faiss.Index | None = None,
        factory: str = FLAT,
        config: IndexConfig | None = None,
        mapped: bool = False,
    ) -> None:
        self.dimension = dimension
        self.config = config or IndexConfig()
        self.factory = factory
        self.mapped = mapped
        if index is None:
            if factory != FLAT:
                raise ValueError(f"{factory} must be trained: use VectorIndex.build")
            index = faiss.index_factory(dimension, FLAT, faiss.METRIC_INNER_PRODUCT)
        self._index = index

    @classmethod
    def build(
        cls,
        dimension: int,
        factory: str,
        sample: np.ndarray,
        batches: Iterable[tuple[np.ndarray, np.ndarray]],
        config: IndexConfig | None = None,
    ) -> VectorIndex:
        """A new index of type `factory`, trained on `sample` if it needs it, filled from
        `batches` of (keys, vectors)."""
        index = faiss.index_factory(dimension, factory, faiss.METRIC_INNER_PRODUCT)
        if not index.is_trained:
            ivf = faiss.extract_index_ivf(index)
            ivf.cp.seed = TRAIN_SEED
            ivf.cp.max_points_per_centroid = TRAIN_POINTS_PER_CELL
            product = faiss.downcast_index(ivf)
            if isinstance(product, faiss.IndexIVFPQ):
                # FAISS's default for IVF-PQ: permutes codes for Hamming pre-filtering, which
                # this search does not use, and takes minutes (85 s for 3,000 32-d vectors).
                product.do_polysemous_training = False  # type: ignore[attr-defined]
            index.train(np.ascontiguousarray(sample, dtype=np.float32))
        built = cls(dimension, index, factory, config)
        for keys, vectors in batches:
            built.add(keys, vectors)
        return built

    @staticmethod
    def training_sample_size(factory: str, count: int) -> int:
        """How many stored vectors `build` should be given to train `factory` (0: none)."""
        match = _IVF.match(factory)
        if not match:
            return 0
        wanted = int(match.group(1)) * TRAIN_POINTS_PER_CELL
        if match.group(2) != "SQ8":  # the PQ codebooks learn from the same sample
            wanted = max(wanted, PQ_TRAIN_POINTS)
        return min(count, wanted)

    @classmethod
    def load(cls, path: Path, dimension: int, config: IndexConfig | None = None) -> VectorIndex:
        """The saved index at `path`, memory-mapped (read-only until `writable()`)."""
        try:
            index = faiss.read_index(str(path), faiss.IO_FLAG_MMAP_IFC)
        except RuntimeError as exc:
            raise IndexUnavailable(f"cannot read vectors from {path}: {exc}") from None
        if index.d != dimension:
            raise IndexUnavailable(f"{path} holds {index.d}-d vectors, expected {dimension}-d")
        return cls(dimension, index, _factory_of(index, path), config, mapped=True)

    def writable(self) -> VectorIndex:
        """This index if it may change, else an owned in-memory copy of it."""
        if not self.mapped:
            return self
        copy = faiss.deserialize_index(faiss.serialize_index(self._index))
        return VectorIndex(self.dimension, copy, self.factory, self.config)

    @property
    def size(self) -> int:
        return int(self._index.ntotal)

    @property
    def exact(self) -> bool:
        """Whether search compares the query with every stored vector, unquantised."""
        return self.factory == FLAT

    @property
    def rerank(self) -> int:
        """Candidates to ask FAISS for per hit wanted, to be re-scored exactly (1: exact)."""
        if self.exact:
            return 1
        return RERANK["SQ8"] if self.factory.endswith(",SQ8") else RERANK["PQ"]

    def add(self, keys: np.ndarray, vectors: np.ndarray) -> None:
        self._check_writable()
        if len(keys):
            self._index.add_with_ids(
                np.ascontiguousarray(vectors, dtype=np.float32),
                np.ascontiguousarray(keys, dtype=np.int64),
            )

    def remove(self, keys: np.ndarray) -> None:
        self._check_writable()
        if len(keys):
            self._index.remove_ids(np.ascontiguousarray(keys, dtype=np.int64))  # type: ignore[arg-type]

    def _check_writable(self) -> None:
        if self.mapped:  # FAISS would abort the whole process, not raise
            raise RuntimeError("a memory-mapped index cannot change: call writable() first")

    def search(self, vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(similarities, keys), each (len(vectors), k); missing results have key -1."""
        k = max(1, min(k, self.size))
        queries = np.ascontiguousarray(vectors, dtype=np.float32)
        # Per call, because OpenMP's thread count belongs to the calling thread.
        faiss.omp_set_num_threads(_threads(self.config, len(queries)))
        if self.exact:
            return self._index.search(queries, k)
        params = faiss.SearchParametersIVF()
        nprobe = self.config.nprobe if self.factory.endswith(",SQ8") else self.config.pq_nprobe
        params.nprobe = max(1, nprobe)
        return self._index.search(queries, k, params=params)

    def save(self, path: Path) -> None:
        write_atomic(path, lambda tmp: faiss.write_index(self._index, str(tmp)))
