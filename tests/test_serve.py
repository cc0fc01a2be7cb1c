"""Real HTTP against a real gunicorn started by `checker serve`, on loopback."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import NO_FORCES, SEEDS

STARTUP_SECONDS = 180  # model loading on a busy 2-core machine; a bound, not a speed claim


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def request(url: str, body: Any = None) -> tuple[int, dict[str, Any]]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    index = tmp_path_factory.mktemp("serve") / "index"
    checker = [sys.executable, "-m", "checker"]
    subprocess.run(
        [*checker, "ingest", str(SEEDS), "--index", str(index)], check=True, capture_output=True
    )
    port = free_port()
    log = (tmp_path_factory.getbasetemp() / "gunicorn.log").open("w")
    process = subprocess.Popen(
        [*checker, "serve", "--index", str(index), "--port", str(port), "--workers", "1"],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if request(base + "/readyz")[0] == 200:
                break
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.5)
    try:
        assert process.poll() is None, f"gunicorn exited; see {log.name}"
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def test_gunicorn_serves_the_check_api(server: str) -> None:
    status, body = request(
        server + "/v1/check", {"claim": "Armenian forces are present in Karabakh"}
    )
    assert status == 200
    assert any(NO_FORCES in p["text"] for p in body["contradicting"])


def test_gunicorn_answers_errors_as_problems(server: str) -> None:
    status, body = request(server + "/v1/check", {"claim": ""})
    assert status == 422 and body["status"] == 422 and "claim" in body["detail"]
    status, body = request(server + "/readyz")
    assert status == 200 and body["documents"] == 2


def test_a_document_posted_to_one_server_is_found_by_the_next_check(server: str) -> None:
    record = {"id": "wire-9", "text": "Eleven ferries were cancelled in Karabakh on Friday."}
    status, body = request(server + "/v1/documents", [record])
    assert status == 201 and body["added"] == ["wire-9"]
    status, body = request(server + "/v1/check", {"claim": "Ferries were cancelled on Friday"})
    every = body["supporting"] + body["contradicting"] + body["related"]
    assert any(p["document"]["id"] == "wire-9" for p in every)
