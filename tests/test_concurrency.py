"""Readers and a writer at once: a real gunicorn with two workers answers /v1/check while
`checker ingest` runs in another process, three times over.

Each ingest is smaller than one batch, so it commits once: the index goes through the states
S0 (seeds) -> S1 -> S2 -> S3, and every answer must be exactly the answer of one of them (never
an error, never a mix). Requests carry a number in their query string, and gunicorn's access
log names the worker pid that answered each, so the test can tell that both workers took
part, that neither was restarted, and that after the last ingest both answer from S3.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bench.load import Server, post_json, serve
from checker.embed import Embedder
from checker.service import Checker
from checker.settings import Settings
from tests.conftest import SEED_000, SEED_001, SEEDS, ingest_paths

CLAIM = "Eleven ferries were cancelled at the Karabakh crossing on Friday"
READERS = 3
INGESTS = 3
TAIL_REQUESTS = 40  # after the last ingest, enough for both workers to answer
BOUND_SECONDS = 1200  # the whole exchange on a busy machine; a bound, not a speed claim

pytestmark = pytest.mark.slow


def ferry_reports(path: Path, batch: int) -> None:
    """Reports close to CLAIM (they enter its top k) and filler: one batch (< 256 sentences)."""
    with path.open("w", encoding="utf-8") as out:
        for n in range(4):
            text = (
                f"{n + 3 + 10 * batch} ferries were cancelled at the Karabakh crossing on Friday, "
                f"port officials said in update {batch}-{n}. Passengers waited for hours."
            )
            out.write(json.dumps({"id": f"ferry-{batch}-{n}", "text": text}) + "\n")
        for n in range(60):
            text = f"The council of town {batch}-{n} met on Tuesday. It approved budget {n}."
            out.write(json.dumps({"id": f"council-{batch}-{n}", "text": text}) + "\n")


def signature(body: dict[str, Any]) -> tuple[tuple[str, str, str, str], ...]:
    """What an answer says: each passage's sentence, verdict, text and document, in order."""
    return tuple(
        (p["sentence_id"], p["verdict"], p["text"], p["document"]["id"])
        for key in ("contradicting", "supporting", "related")
        for p in body[key]
    )


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory, embedder: Embedder
) -> Iterator[tuple[Server, Path]]:
    """gunicorn, two workers of two threads, over a seeds index; and the index's path."""
    directory = tmp_path_factory.mktemp("concurrency")
    index = directory / "index"
    checker = Checker.from_settings(Settings(index=index), embedder=embedder)
    assert ingest_paths(checker, SEEDS).added == [SEED_000, SEED_001]
    checker.close()
    with serve(index, directory / "gunicorn.log", workers=2, threads=2) as server:
        yield server, index


def test_readers_see_one_committed_state_while_another_process_ingests(
    served: tuple[Server, Path], tmp_path: Path
) -> None:
    server, index = served
    counter = iter(range(10**9))
    lock = threading.Lock()
    answers: list[tuple[int, int, int, Any]] = []  # (request number, reader, status, body)
    stop = threading.Event()

    def ask(reader: int) -> tuple[int, int, Any]:
        with lock:
            number = next(counter)
        status, body = post_json(f"{server.base}/v1/check?n={number}", {"claim": CLAIM}, 60)
        with lock:
            answers.append((number, reader, status, body))
        return number, status, body

    def read(reader: int) -> None:
        while not stop.is_set():
            ask(reader)

    states = [signature(ask(-1)[2])]
    workers_before = server.worker_pids()
    readers = [threading.Thread(target=read, args=(r,), daemon=True) for r in range(READERS)]
    for thread in readers:
        thread.start()
    deadline = time.monotonic() + BOUND_SECONDS
    try:
        for batch in range(1, INGESTS + 1):
            records = tmp_path / f"batch-{batch}.jsonl"
            ferry_reports(records, batch)
            done = subprocess.run(
                [sys.executable, "-m", "checker", "ingest", str(records), "--index", str(index)],
                capture_output=True,
                text=True,
                timeout=max(1.0, deadline - time.monotonic()),
            )
            assert done.returncode == 0, done.stderr
            assert "64 added" in done.stdout
            states.append(signature(ask(-1)[2]))  # the state is stable until the next ingest
        tail_start = len(answers)
        while len(answers) - tail_start < TAIL_REQUESTS and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        stop.set()
        for thread in readers:
            thread.join(timeout=120)

    assert len(set(states)) == len(states), "each ingest must change the claim's answer"
    assert any(p[3].startswith("ferry-3-") for p in states[-1])
    assert all(status == 200 for _, _, status, _ in answers), [
        (n, status, body) for n, _, status, body in answers if status != 200
    ][:3]
    seen_by_reader: dict[int, list[int]] = {}
    for number, reader, _, body in sorted(answers, key=lambda a: a[0]):
        state = signature(body)
        assert state in states, f"request {number} answered from no committed state: {state}"
        seen_by_reader.setdefault(reader, []).append(states.index(state))
    for reader, seen in seen_by_reader.items():
        if reader >= 0:  # one reader's requests are sequential: never back to an older state
            assert seen == sorted(seen), f"reader {reader} went back to an older state: {seen}"
    # Every state was served while the ingests ran, not only the first and the last.
    assert {s for r, seen in seen_by_reader.items() if r >= 0 for s in seen} == {0, 1, 2, 3}

    log = server.access_log()
    by_number = {int(q[2:]): pid for pid, _, path, q, _ in log if path == "/v1/check" and q}
    answered_last = [n for n, _, _, body in answers if signature(body) == states[-1]]
    workers_on_last = {by_number[n] for n in answered_last if n in by_number}
    assert len(workers_on_last) == 2, "both workers answer from the last state"
    assert server.worker_pids() == workers_before, "no worker was restarted"
