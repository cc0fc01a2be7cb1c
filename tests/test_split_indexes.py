"""Indexes split by time: `/v1/check` searching several sibling indexes and merging their top k.

Real indexes beside the seeded one (an index a month, named as `index` names a sibling), the
real model, the real app with its published response models checked on every answer.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from dataclasses import replace

import pytest
from flask.testing import FlaskClient

from checker.embed import Embedder
from checker.service import Checker
from checker.settings import Settings
from checker.store.nearest import merge_nearest
from checker.types import Document, DocumentInfo, Hit, Sentence
from checker.web.schemas import MAX_INDEXES
from tests.conftest import SEEDS, ingest_paths
from tests.test_web import CLAIM, assert_problem

AUGUST = "Armenian forces remain in Karabakh, an August wire report said."
SEPTEMBER = "There are still Armenian troops in Karabakh, officials said in September."


def month(seeded: Checker, name: str, doc_id: str, text: str) -> None:
    sibling = Checker.from_settings(
        replace(seeded.settings, index=seeded.settings.index.parent / name),
        embedder=seeded.embedder,
    )
    sibling.ingest([Document(id=doc_id, text=text, body=((0, len(text)),))])
    sibling.close()


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[Checker]:
    """The seeds and two monthly siblings, once for the module (the checks only read)."""
    index = tmp_path_factory.mktemp("split") / "index"
    checker = Checker.from_settings(Settings(index=index), embedder=embedder)
    ingest_paths(checker, SEEDS)
    month(checker, "2023-08", "aug", AUGUST)
    month(checker, "2023-09", "sep", SEPTEMBER)
    yield checker
    checker.close()


@pytest.fixture
def months(seeded: Checker) -> Checker:
    return seeded


def passages(body: dict[str, list[dict[str, object]]]) -> list[dict[str, object]]:
    every = body["supporting"] + body["contradicting"] + body["changed"] + body["related"]
    return sorted(every, key=lambda p: -float(str(p["similarity"])))


def test_a_check_searches_several_indexes_and_each_passage_names_its_own(
    months: Checker, client: FlaskClient
) -> None:
    body = client.post("/v1/check", json={"claim": CLAIM, "indexes": ["2023-08", "2023-09"]})
    found = passages(body.get_json())
    assert {(p["index"], p["document"]["id"]) for p in found} == {  # type: ignore[index]
        ("2023-08", "aug"),
        ("2023-09", "sep"),
    }
    assert all(p["context"] is not None for p in found)
    # the default index may be one of them, by its own name
    default = months.settings.index.name
    body = client.post("/v1/check", json={"claim": CLAIM, "indexes": [default, "2023-09"]})
    indexes = {p["index"] for p in passages(body.get_json())}
    assert indexes == {default, "2023-09"}


def test_the_merged_top_k_is_the_k_most_similar_of_all(
    months: Checker, client: FlaskClient
) -> None:
    names = [months.settings.index.name, "2023-08", "2023-09"]
    every = passages(client.post("/v1/check", json={"claim": CLAIM, "indexes": names}).get_json())
    best = passages(
        client.post("/v1/check", json={"claim": CLAIM, "indexes": names, "k": 2}).get_json()
    )
    assert len(best) == 2
    assert [(p["index"], p["sentence_id"]) for p in best] == [
        (p["index"], p["sentence_id"]) for p in every[:2]
    ]


def test_one_index_answers_as_before_without_index_names(
    months: Checker, client: FlaskClient
) -> None:
    found = passages(client.post("/v1/check", json={"claim": CLAIM}).get_json())
    assert found and all("index" not in p for p in found)


@pytest.mark.parametrize(
    ("indexes", "status", "detail"),
    [
        ([], 422, "indexes: List should have at least 1 item"),
        (["2023-08", "2023-08"], 422, "names each index once; ['2023-08'] more than once"),
        (["2023-08", "nope"], 404, "unknown index 'nope'"),
        (["../etc"], 422, "indexes must be a plain directory name"),
        ([f"m{n}" for n in range(MAX_INDEXES + 1)], 422, f"at most {MAX_INDEXES} items"),
        ("2023-08", 422, "indexes: '2023-08' is not of type 'array'"),
        ([8], 422, "indexes.0: 8 is not of type 'string'"),
    ],
)
def test_bad_index_lists_get_a_clear_problem(
    months: Checker, client: FlaskClient, indexes: object, status: int, detail: str
) -> None:
    payload = json.dumps({"claim": CLAIM, "indexes": indexes})
    response = client.post("/v1/check", data=payload, content_type="application/json")
    body = assert_problem(response, status, detail)
    if status == 422:
        assert str(body["field"]).startswith("indexes")


def test_index_and_indexes_together_are_refused(months: Checker, client: FlaskClient) -> None:
    response = client.post(
        "/v1/check", json={"claim": CLAIM, "index": "2023-08", "indexes": ["2023-09"]}
    )
    assert assert_problem(response, 422, "not both")["field"] == "indexes"


def test_the_openapi_document_publishes_indexes(client: FlaskClient) -> None:
    document = client.get("/openapi.json").get_json()
    schema = document["components"]["schemas"]["CheckRequest"]["properties"]["indexes"]
    assert schema["type"] == "array" and schema["maxItems"] == MAX_INDEXES
    assert "merge" in schema["description"]


def hit(key: str, similarity: float) -> Hit:
    sentence = Sentence(f"{key}#0", key, 0, 0, 1, key)
    return Hit(sentence, DocumentInfo(id=key), similarity)


def test_merging_keeps_the_k_most_similar_and_the_order_of_ties() -> None:
    rows = [
        [hit("a", 0.9), hit("b", 0.5), hit("c", 0.1)],
        [hit("d", 0.8), hit("e", 0.5)],
        [],
    ]
    merged = merge_nearest(rows, 4)
    assert [h.document.id for h in merged] == ["a", "d", "b", "e"]
    everything = sorted((h for row in rows for h in row), key=lambda h: -h.similarity)
    assert merge_nearest(rows, 10) == everything
    assert merge_nearest([], 3) == []
    assert dataclasses.replace(merged[0], index="x").index == "x"
