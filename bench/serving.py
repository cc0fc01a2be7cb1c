"""`/v1/check` latency through a real gunicorn on loopback, and the worker's peak memory.

The server is started exactly as an operator would: `python -m checker serve --index DIR
--port P --workers 1 --threads 2`, and is ready when /readyz answers 200. Claims are posted
one at a time from this process and timed at the client, so a figure includes HTTP, JSON,
the claim's embedding, the FAISS search, the SQLite look-ups and the judge.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

STARTUP_SECONDS = 600  # loading a 1M-sentence index on a busy 2-core machine; a bound only
WARM_UP_CLAIMS = 3  # the first requests pay for lazy imports and caches: not counted


@contextmanager
def serve(index: Path, log_path: Path, threads: int = 2) -> Iterator[tuple[str, int]]:
    """A gunicorn serving `index`, one worker; yields (base URL, master pid)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    command = [sys.executable, "-m", "checker", "serve", "--index", str(index)]
    command += ["--port", str(port), "--workers", "1", "--threads", str(threads)]
    with log_path.open("w") as log:
        process = subprocess.Popen(
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "HF_HUB_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false"},
        )
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_ready(base, process, log_path)
            yield base, process.pid
        finally:
            process.terminate()
            process.wait(timeout=60)


def _wait_ready(base: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}; see {log_path}")
        try:
            if post(base + "/readyz", None)[0] == 200:
                return
        except (urllib.error.URLError, ConnectionError):
            pass
        time.sleep(0.5)
    raise RuntimeError(f"gunicorn not ready after {STARTUP_SECONDS} s; see {log_path}")


def post(url: str, body: Any) -> tuple[int, Any]:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def latency(base: str, claims: Sequence[str]) -> dict[str, Any]:
    """Post each claim once, in order; percentiles of the client-side wall time in ms."""
    for claim in claims[:WARM_UP_CLAIMS]:
        post(base + "/v1/check", {"claim": claim})
    times, server, returned = [], [], 0
    for claim in claims:
        started = time.perf_counter()
        status, body = post(base + "/v1/check", {"claim": claim})
        times.append((time.perf_counter() - started) * 1000)
        if status != 200:
            raise RuntimeError(f"/v1/check answered {status}: {body}")
        server.append(float(body.get("took_ms", 0.0)))
        returned += sum(
            len(body.get(key, [])) for key in ("supporting", "contradicting", "related")
        )
    p50, p95, p99 = (float(v) for v in np.percentile(times, [50, 95, 99]))
    return {
        "claims": len(claims),
        "p50_ms": round(p50, 1),
        "p95_ms": round(p95, 1),
        "p99_ms": round(p99, 1),
        "mean_ms": round(float(np.mean(times)), 1),
        "server_p50_ms": round(float(np.median(server)), 1),
        "passages_per_claim": round(returned / max(1, len(claims)), 2),
    }


def worker_peak_mib(master_pid: int) -> float:
    """Peak resident memory (VmHWM) of the gunicorn worker(s) under `master_pid`, in MiB."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    return max((peak_mib(int(pid)) for pid in children), default=0.0)


def peak_mib(pid: int | str = "self") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def reset_peak() -> None:
    """Start this process's VmHWM again from its current RSS (Linux: clear_refs 5)."""
    # Not Linux, or not allowed: peaks then run from the start of the process.
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")
