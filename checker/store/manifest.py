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
# The annotations are strings (`from __future__ import annotations`): what each may hold.
_FIELD_TYPES: dict[str, type] = {"str": str, "int": int, "bool": bool}


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
    # The size of the FAISS file this generation saved (0: not recorded): a file cut short
    # by a failed copy is rebuilt from SQLite, not memory-mapped and trusted.
    vectors_bytes: int = 0

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
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise IndexUnavailable(f"cannot read {path}: {exc.strerror}") from None
    try:
        data = json.loads(raw.decode("utf-8"))
        if not isinstance(data, dict):
            raise ValueError(f"a JSON object was expected, not {type(data).__name__}")
        fields = {f.name: f for f in dataclasses.fields(Manifest)}
        values = {key: value for key, value in data.items() if key in fields}
        for key, value in values.items():
            expected = _FIELD_TYPES[str(fields[key].type)]
            if not isinstance(value, expected) or (expected is int and isinstance(value, bool)):
                raise ValueError(f"{key} is {value!r}, not of type {expected.__name__}")
        return Manifest(**values)
    except (ValueError, TypeError) as exc:  # UnicodeDecodeError is a ValueError
        raise IndexUnavailable(
            f"{path} is corrupt ({exc}); restore it or rebuild the index"
        ) from None


def write_manifest(directory: Path, manifest: Manifest) -> None:
    text = json.dumps(dataclasses.asdict(manifest), indent=2, sort_keys=True) + "\n"
    write_text_atomic(directory / MANIFEST_NAME, text)
