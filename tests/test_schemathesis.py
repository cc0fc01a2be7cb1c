"""The published schema fuzzed against a real gunicorn: schemathesis generates requests from
`/openapi.json`, valid ones and ones the schema forbids, and no answer may be a 5xx, nor stray
from the published statuses, media types and shapes.

The server runs with an API key (a write key, sent with every generated request, so that
writes are exercised too) and no rate limit (hundreds of requests a minute are the point).
Examples are bounded per operation so the module stays within a couple of minutes on two
cores. schemathesis's own pytest integration (`from_fixture(...).parametrize()`) does not run
under pytest 9 (it sets `Function._nodeid`), so each operation's strategy drives a plain
hypothesis `@given`.
"""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from checker.web.api import api
from tests.conftest import SEED_000, SEED_001
from tests.live import request, serve_seeds

pytestmark = pytest.mark.slow

EXAMPLES_PER_OPERATION = 25
KEYS = [sys.executable, "-m", "checker", "keys"]
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Derandomised: the same examples on every run and every machine, so a change that passed once
# cannot fail on its second run (a fresh clone once drew no storable record at all).
FUZZ = settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure is reported as found
)


def _operations() -> list[tuple[str, str, bool]]:
    """(method, path, whether it takes input) of every operation, as the API declares it."""
    found = []
    for path, item in api.paths.items():
        for method in ("get", "post", "patch", "delete"):
            operation = getattr(item, method)
            if operation is not None:
                takes_input = bool(operation.requestBody or operation.parameters)
                found.append((method.upper(), path, takes_input))
    return sorted(found)


# Operations that take input (a body, a path or query parameter): only these have requests
# the schema forbids.
CASES = [
    pytest.param(method, path, mode, id=f"{method} {path} {mode.value}")
    for method, path, takes_input in _operations()
    for mode in GenerationMode
    if mode is GenerationMode.POSITIVE or takes_input
]
# Valid requests to these succeed at least sometimes (the others name ids that do not exist,
# or records that random data rarely makes usable: see the records test below).
SOMETIMES_SUCCEED = {"/healthz", "/readyz", "/v1/check", "/v1/check-draft", "/v1/discrepancies"}


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(base URL, write key) of a gunicorn serving the seeds index, with no rate limit."""
    directory = tmp_path_factory.mktemp("schemathesis")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("CHECKER_RATE_LIMIT_PER_MINUTE", "0")
        with serve_seeds(directory) as base:
            index = str(directory / "index")
            key = subprocess.run(
                [*KEYS, "create", "fuzz", "--scope", "write", "--index", index],
                check=True,
                capture_output=True,
                text=True,
            ).stdout.strip()
            yield base, key


@pytest.fixture(scope="module")
def api_schema(served: tuple[str, str]) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(served[0] + "/openapi.json")


@pytest.mark.parametrize(("method", "path", "mode"), CASES)
def test_no_generated_request_breaks_the_server(
    api_schema: schemathesis.BaseSchema,
    served: tuple[str, str],
    method: str,
    path: str,
    mode: GenerationMode,
) -> None:
    base, key = served
    statuses: Counter[int] = Counter()

    @given(case=api_schema[path][method].as_strategy(generation_mode=mode))
    @FUZZ
    def call(case: schemathesis.Case) -> None:
        response = case.call_and_validate(
            base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=60, checks=CHECKS
        )
        statuses[response.status_code] += 1

    call()
    assert not statuses.keys() & {401, 403}, statuses  # the key was taken: the API was reached
    if mode is GenerationMode.POSITIVE and path in SOMETIMES_SUCCEED:
        assert any(status < 300 for status in statuses), statuses


STORABLE = {"id": "fuzz-explicit", "title": "Ceasefire", "text": "The ceasefire held. 12 forces."}
# Records as an ingest meets them: any text, markup around any text, metadata of any string.
_ANY_TEXT = st.text(max_size=300)
_PROSE = st.lists(
    st.sampled_from(["The", "ceasefire", "held", "12", "forces", "no", "Karabakh", "said", "."]),
    max_size=40,
).map(" ".join)
_RECORDS = st.lists(
    st.fixed_dictionaries(
        {"id": st.uuids().map(lambda u: f"fuzz-{u}")},
        optional={
            "title": st.none() | _ANY_TEXT,
            "source": st.none() | _ANY_TEXT,
            "published": st.none() | _ANY_TEXT | st.dates().map(str),
        },
    ).flatmap(
        lambda record: st.one_of(
            (_ANY_TEXT | _PROSE).map(lambda text: {**record, "text": text}),
            (_ANY_TEXT | _PROSE).map(
                lambda text: {**record, "html": f"<html><body><article><p>{text}</p></article>"}
            ),
        )
    ),
    min_size=1,
    max_size=3,
)


def test_any_records_are_stored_or_listed_as_problems(
    api_schema: schemathesis.BaseSchema, served: tuple[str, str]
) -> None:
    """Whatever the records say, the answer is 2xx or 422 and accounts for each one; what was
    stored can be read and deleted; the seeds stay."""
    base, key = served
    auth = {"Authorization": f"Bearer {key}"}
    operation = api_schema["/v1/documents"]["POST"]
    stored = 0

    @given(records=_RECORDS)
    @example(records=[STORABLE])  # explicit: at least one record is always stored and read back
    @FUZZ
    def post(records: list[dict[str, Any]]) -> None:
        nonlocal stored
        case = operation.Case(body=records, media_type="application/json")
        response = case.call_and_validate(base_url=base, headers=auth, timeout=60, checks=CHECKS)
        assert response.status_code in (200, 201, 422), response.text
        body = response.json()
        stored_ids = body["added"] + body["replaced"] + body["unchanged"]
        assert len(stored_ids) + len(body["problems"]) == len(records), body
        for doc_id in stored_ids:
            stored += 1
            assert request(f"{base}/v1/documents/{doc_id}", headers=auth)[0] == 200
            assert request(f"{base}/v1/documents/{doc_id}", method="DELETE", headers=auth)[0] == 204

    post()
    assert stored, "no generated record was ever stored: the strategy is too hostile"
    for seed in (SEED_000, SEED_001):  # what was stored before is still there
        assert request(f"{base}/v1/documents/{seed}", headers=auth)[0] == 200
