"""`checker.client` over real HTTP: the app on a loopback server, a seeds index behind it."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest
from werkzeug.serving import make_server

from checker.client import APIError, Client, Unreachable
from checker.embed import Embedder
from checker.service import Checker
from checker.settings import Settings
from checker.web import create_app
from tests.conftest import NO_FORCES, SEED_000, SEED_001, SEEDS, ingest_paths
from tests.live import free_port

CLAIM = "Armenian forces are present in Karabakh."
Seen = list[dict[str, str]]


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory, embedder: Embedder
) -> Iterator[tuple[str, Seen]]:
    """The app on 127.0.0.1 (werkzeug's server in a thread); the request headers it saw."""
    checker = Checker.from_settings(
        Settings(index=tmp_path_factory.mktemp("client") / "index"), embedder=embedder
    )
    ingest_paths(checker, SEEDS)
    app = create_app(checker=checker)
    seen: Seen = []
    inner = app.wsgi_app

    def recording(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        seen.append({"authorization": environ.get("HTTP_AUTHORIZATION", "")})
        return inner(environ, start_response)

    app.wsgi_app = recording  # type: ignore[method-assign]
    server = make_server("127.0.0.1", 0, app)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", seen
    finally:
        server.shutdown()
        thread.join(timeout=10)
        checker.close()


@pytest.fixture
def client(served: tuple[str, Seen]) -> Client:
    return Client(served[0] + "/")  # a trailing slash or none: the same


def test_check_and_its_options(client: Client) -> None:
    answer = client.check(CLAIM)
    assert any(
        NO_FORCES in p["text"] and p["document"]["id"] == SEED_001 for p in answer["contradicting"]
    )
    narrowed = client.check(CLAIM, k=5, exclude_document=SEED_001)
    every = narrowed["supporting"] + narrowed["contradicting"] + narrowed["related"]
    assert {p["document"]["id"] for p in every} == {SEED_000}


def test_check_draft(client: Client) -> None:
    answer = client.check_draft(f"The weather was mild. {CLAIM}")
    last = answer["sentences"][-1]
    assert last["contradicting"] and last["start"] == len("The weather was mild. ")
    assert last["verdict"] == ("disputed" if last["supporting"] else "contradicts")


def test_documents_can_be_added_read_and_deleted(client: Client) -> None:
    record = {"id": "wire 7", "title": "Wire", "text": "The harbour reopened on Tuesday."}
    assert client.add_documents([record])["added"] == ["wire 7"]
    assert client.add_documents(iter([record]))["unchanged"] == ["wire 7"]
    assert client.document("wire 7")["sentences"] == 1  # the id is quoted in the path
    assert client.delete("wire 7") is None
    with pytest.raises(APIError) as raised:
        client.delete("wire 7")
    assert raised.value.status == 404 and "wire 7" in raised.value.detail


def test_discrepancies_after_a_scan(client: Client) -> None:
    client.scan()
    page = client.discrepancies(limit=1)
    assert page["limit"] == 1 and page["total"] >= 1 and len(page["items"]) == 1


def test_an_error_carries_the_problem_body(client: Client) -> None:
    with pytest.raises(APIError) as raised:
        client.check(CLAIM, k=1000)
    error = raised.value
    assert error.status == 422 and error.field == "k"
    assert error.problem["type"] == "about:blank" and error.problem["instance"] == "/v1/check"
    assert str(error) == f"422 Invalid input: {error.problem['detail']}"
    with pytest.raises(APIError, match="unknown index 'nope'"):
        client.check_draft(CLAIM, index="nope")
    with pytest.raises(APIError, match="no document could be ingested"):
        client.add_documents([{"title": "no text"}])


def test_the_api_key_is_sent_as_a_bearer_token(served: tuple[str, Seen]) -> None:
    base, seen = served
    Client(base, api_key="s3cret").discrepancies()
    assert seen[-1]["authorization"] == "Bearer s3cret"
    Client(base).discrepancies()
    assert seen[-1]["authorization"] == ""


def test_a_server_that_does_not_answer_is_unreachable() -> None:
    with pytest.raises(Unreachable, match="no answer"):
        Client(f"http://127.0.0.1:{free_port()}", timeout=5).check(CLAIM)


def test_the_client_imports_nothing_heavy() -> None:
    code = (
        "import sys, checker.client; "
        "heavy = {'flask', 'torch', 'faiss', 'sentence_transformers'} & set(sys.modules); "
        "assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
