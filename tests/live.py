"""A real gunicorn (`checker serve`) on loopback over a fresh seeds index, for the test modules
that need one (each starts its own, once per module, over its own copy of the index)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tests.conftest import SEEDS

STARTUP_SECONDS = 180  # model loading on a busy 2-core machine; a bound, not a speed claim
# Each served index's directory by the server's base URL, for the CLI (`checker keys --index`):
# the server itself never says where its index lies.
INDEXES: dict[str, Path] = {}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def request(
    url: str, body: Any = None, method: str | None = None, headers: dict[str, str] | None = None
) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Content-Type": "application/json", **(headers or {})}
    req = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=60) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


CHECKER = [sys.executable, "-m", "checker"]
# The seeds index the real CLI built, once per test session, by the session's base directory.
_BUILT: dict[Path, Path] = {}


def seeds_index(directory: Path) -> Path:
    """A seeds index of its own at `directory`/index. The session's first call builds it with
    the real CLI (`checker ingest seeds/`, about 10 s of loading models); later ones copy that
    index, closed and complete, so that each module serving seeds starts from the same fresh
    index and may change its own copy (keys, decisions) without paying for the ingest again."""
    base = directory.parent  # pytest's base directory for the session (tmp_path_factory)
    built = _BUILT.get(base)
    if built is None:
        built = base / "seeds-index-built-once"
        subprocess.run(
            [*CHECKER, "ingest", str(SEEDS), "--index", str(built)], check=True, capture_output=True
        )
        _BUILT[base] = built
    index = directory / "index"
    shutil.copytree(built, index)
    return index


@contextmanager
def serve_seeds(directory: Path) -> Iterator[str]:
    """A copy of the seeds index under `directory` (`seeds_index`), served with one gunicorn
    worker; yield the base URL."""
    index = seeds_index(directory)
    port = free_port()
    log_path = directory / "gunicorn.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [*CHECKER, "serve", "--index", str(index), "--port", str(port), "--workers", "1"],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "HF_HUB_OFFLINE": "1"},
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + STARTUP_SECONDS
            while time.monotonic() < deadline and process.poll() is None:
                try:
                    if request(base + "/readyz")[0] == 200:
                        break
                except (urllib.error.URLError, ConnectionError, TimeoutError):
                    # Not listening yet, or still loading models on a busy machine.
                    time.sleep(0.5)
            assert process.poll() is None, f"gunicorn exited; see {log_path}"
            INDEXES[base] = index
            yield base
        finally:
            process.terminate()
            process.wait(timeout=30)
