"""API keys on a real gunicorn: a key created or revoked by `checker keys` in another process
takes effect on the next request, with no restart (keys are read from SQLite per request)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.live import request, serve_seeds

CLAIM = {"claim": "Armenian forces are present in Karabakh"}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    directory = tmp_path_factory.mktemp("serve-auth")
    with serve_seeds(directory) as base:
        yield base, directory / "index"


def keys(index: Path, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "checker", "keys", *args, "--index", str(index)],
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip()


def test_keys_close_and_reopen_a_running_server(served: tuple[str, Path]) -> None:
    base, index = served
    assert request(base + "/v1/check", CLAIM)[0] == 200  # no keys yet: open
    secret = keys(index, "create", "desk", "--scope", "write")
    status, body = request(base + "/v1/check", CLAIM)
    assert status == 401 and body["status"] == 401 and "API key" in body["detail"]
    auth = {"Authorization": f"Bearer {secret}"}
    assert request(base + "/v1/check", CLAIM, headers=auth)[0] == 200
    record = {"id": "wire-7", "text": "The ferry to Stepanakert was cancelled on Friday."}
    status, body = request(base + "/v1/documents", [record], headers={"X-API-Key": secret})
    assert status == 201 and body["added"] == ["wire-7"]
    assert (
        "desk\tdocuments.add\twire-7\tok"
        in subprocess.run(
            [sys.executable, "-m", "checker", "audit", "--index", str(index)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    keys(index, "revoke", "desk")
    assert request(base + "/v1/check", CLAIM, headers=auth)[0] == 200  # no live key: open
    keys(index, "create", "other")
    status, body = request(base + "/v1/check", CLAIM, headers=auth)
    assert status == 401 and "unknown or revoked" in body["detail"]
    assert request(base + "/healthz")[0] == 200
