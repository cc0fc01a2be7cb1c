"""Real HTTP against a real gunicorn started by `checker serve`, on loopback."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import NO_FORCES
from tests.live import request, serve_seeds


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve_seeds(tmp_path_factory.mktemp("serve")) as base:
        yield base


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
