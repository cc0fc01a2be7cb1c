"""`manifest.json`: what an index directory holds and how it was built.

The manifest is how an index describes itself (model, dimension, normalisation, FAISS
factory string, counts, versions). Opening an index with another embedding model is refused.
Its `generation` says which write the saved FAISS file reflects; the SQLite database keeps its
own generation, and a mismatch means the FAISS file is stale and must be rebuilt from SQLite.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path

from checker import __version__
from checker.errors import IndexMismatch, IndexUnavailable
from checker.store.files import write_text_atomic

MANIFEST_NAME = "manifest.json"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class Manifest:
    embedding_model: str
    dimension: int
    faiss_factory: str
    generation: int = 0
    documents: int = 0
    sentences: int = 0
    findings: int = 0
    normalized: bool = True
    metric: str = "inner_product"
    format_version: int = FORMAT_VERSION
    package_version: str = __version__
    updated_at: str = ""

    def check_compatible(self, embedding_model: str, dimension: int) -> None:
        """Refuse to mix vectors of two models in one index."""
        if self.format_version != FORMAT_VERSION:
            raise IndexUnavailable(
                f"index format {self.format_version} is not supported (this checker reads "
                f"format {FORMAT_VERSION}); rebuild the index"
            )
        if self.embedding_model != embedding_model or self.dimension != dimension:
            raise IndexMismatch(
                f"the index was built with embedding model {self.embedding_model!r} "
                f"({self.dimension}-d) but the checker is configured with {embedding_model!r} "
                f"({dimension}-d); set CHECKER_EMBEDDING_MODEL={self.embedding_model} or "
                "ingest into a new index directory"
            )


def read_manifest(directory: Path) -> Manifest | None:
    path = directory / MANIFEST_NAME
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise IndexUnavailable(f"cannot read {path}: {exc.strerror}") from None
    try:
        data = json.loads(raw)
        known = {f.name for f in dataclasses.fields(Manifest)}
        return Manifest(**{key: value for key, value in data.items() if key in known})
    except (ValueError, TypeError) as exc:
        raise IndexUnavailable(
            f"{path} is corrupt ({exc}); restore it or rebuild the index"
        ) from None


def write_manifest(directory: Path, manifest: Manifest) -> None:
    text = json.dumps(dataclasses.asdict(manifest), indent=2, sort_keys=True) + "\n"
    write_text_atomic(directory / MANIFEST_NAME, text)
