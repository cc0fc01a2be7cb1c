"""Indexes of whole corpora for the benchmarks, built once and cached.

`indexed()` gives a Checker on a fresh copy of an ingested (not scanned) index. With a cache
folder (CHECKER_BENCH_CACHE, default <tmp>/checker-bench-cache), the ingested index is kept there
under a key made of a hash of the checker package's files that ingest runs, the settings and the
records: a rerun of one part, or a run after a change to the judging rules only, does not embed
a corpus again; any change to ingest, analysis or storage makes a new key.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import checker as checker_package
from checker.embed import Embedder
from checker.errors import CheckerError
from checker.ingest import Problem, document_from_record
from checker.service import Checker
from checker.settings import Settings
from checker.types import Document

CACHE = Path(
    os.environ.get("CHECKER_BENCH_CACHE", Path(tempfile.gettempdir()) / "checker-bench-cache")
)


def as_items(records: list[dict[str, str]], settings: Settings) -> Iterator[Document | Problem]:
    """Records as the ingest stage sees them: a Problem for each the checker refuses."""
    for record in records:
        try:
            yield document_from_record(record, settings.max_document_chars)
        except CheckerError as exc:
            yield Problem(record["id"], exc.detail)


def open_checker(directory: Path, embedder: Embedder, settings: Settings) -> Checker:
    return Checker.from_settings(dataclasses.replace(settings, index=directory), embedder=embedder)


def api_client(checker: Checker, settings: Settings) -> Any:
    """A Flask test client of the API over `checker`, without the rate limit: a bench asks far
    more than an editor would, and the limit is not what it measures."""
    from checker.web import create_app

    unlimited = dataclasses.replace(settings, rate_limit_per_minute=0)
    return create_app(unlimited, checker=checker).test_client()


# Folders of the package that run only when judging, reporting, serving or training: what
# an ingested index holds (sentences, vectors, the stored analyses) does not depend on them,
# so a change to a rule reuses the cached index instead of embedding the corpus again. The
# bundled models are left out too (their weights are not code).
_NOT_INGEST = frozenset({"models", "judge", "report", "web", "templates", "train"})


def code_version(root: Path | None = None) -> str:
    """A hash of the checker package's files that ingest runs (code, word lists; not the
    judging rules or the bundled model weights): any change to ingest, segmenting, embedding,
    storing or analysis gives a new one."""
    root = root or Path(checker_package.__file__).parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root)
        skipped = relative.parts[0] in _NOT_INGEST or "__pycache__" in relative.parts
        if path.is_file() and not skipped:
            digest.update(str(relative).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def _index_key(records: list[dict[str, str]], settings: Settings, embedder: Embedder) -> str:
    chosen = {k: str(v) for k, v in dataclasses.asdict(settings).items() if k != "index"}
    digest = hashlib.sha256(code_version().encode())
    digest.update(embedder.name.encode())
    digest.update(json.dumps(chosen, sort_keys=True).encode())
    digest.update(json.dumps(records, sort_keys=True).encode())
    return digest.hexdigest()[:16]


def indexed(
    name: str,
    records: list[dict[str, str]],
    embedder: Embedder,
    settings: Settings,
    directory: Path,
    cache: Path | None = None,
) -> tuple[Checker, dict[str, Any]]:
    """A Checker on a fresh index of `records` in `directory`, ingested (not scanned).

    With `cache`, the ingested index is kept there under a key of the code, settings and
    records, and later calls copy it instead of embedding again.
    """
    if directory.exists():
        shutil.rmtree(directory)
    key = _index_key(records, settings, embedder)
    cached = cache / f"{name}-{key}" if cache else None
    if cached is not None and (cached / "manifest.json").exists():
        shutil.copytree(cached, directory)
        info = json.loads(cached.with_suffix(".json").read_text(encoding="utf-8"))
        return open_checker(directory, embedder, settings), {**info, "index_from_cache": True}
    checker = open_checker(directory, embedder, settings)
    started = time.perf_counter()
    summary = checker.ingest(as_items(records, settings))
    info = {
        "documents": len(records),
        "problems": len(summary.problems),
        "problem_examples": [f"{p.origin}: {p.message}" for p in summary.problems[:5]],
        "ingest_seconds": round(time.perf_counter() - started, 1),
    }
    if cached is not None and cache is not None:
        checker.close()
        _keep(directory, cached, info, cache, name)
        checker = open_checker(directory, embedder, settings)
    return checker, {**info, "index_from_cache": False}


def _keep(directory: Path, cached: Path, info: dict[str, Any], cache: Path, name: str) -> None:
    """Copy the index into the cache (complete or not at all); drop this corpus's older keys."""
    cache.mkdir(parents=True, exist_ok=True)
    for old in cache.glob(f"{name}-*"):
        if old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
        else:
            old.unlink(missing_ok=True)
    partial = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=cache))
    shutil.copytree(directory, partial, dirs_exist_ok=True)
    cached.with_suffix(".json").write_text(json.dumps(info), encoding="utf-8")
    partial.rename(cached)
