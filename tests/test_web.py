"""The HTTP API through Flask's test client, on a real seeds index."""

from __future__ import annotations

import gc
import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from flask.testing import FlaskClient

from checker.report import ReportHeader, render
from checker.service import Checker
from checker.settings import Settings
from checker.types import Document, Judgement, Reason, Verdict
from checker.web import create_app
from tests.conftest import NO_FORCES, SEED_000, SEED_001, WITHDRAWAL, WITHDRAWAL_SENTENCE

CLAIM = "Armenian forces are present in Karabakh."


def assert_problem(response: Any, status: int, detail_part: str) -> dict[str, Any]:
    """Every error path answers with the same RFC 9457 shape."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    body = response.get_json(force=True)
    assert body["status"] == status
    assert body["title"] and body["type"] == "about:blank"
    assert detail_part in body["detail"], body["detail"]
    return body


def test_health_and_readiness(client: FlaskClient) -> None:
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz").get_json()
    assert ready["status"] == "ready" and ready["documents"] == 2
    # Public, so it names the index as a request would, and says nothing of the server's disk.
    index = client.application.extensions["checker"].default.settings.index
    assert ready["index"] == index.name and str(index.parent) not in json.dumps(ready)


def test_check_returns_the_documented_shape(client: FlaskClient) -> None:
    response = client.post("/v1/check", json={"claim": CLAIM, "k": 20})
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"claim", "supporting", "contradicting", "changed", "related", "took_ms"}
    contradicting = body["contradicting"]
    assert any(NO_FORCES in p["text"] and p["document"]["id"] == SEED_001 for p in contradicting)
    assert any(WITHDRAWAL in p["text"] for p in body["supporting"])
    passage = contradicting[0]
    assert set(passage) == {
        "sentence_id",
        "text",
        "document",
        "span",
        "attribution",
        "anchor",
        "similarity",
        "verdict",
        "confidence",
        "reasons",
        "context",
    }
    assert set(passage["document"]) >= {"id", "title", "source", "url", "published"}
    assert passage["verdict"] == "contradicts"
    # The sentences around it in its report, to read it in context.
    doc = client.get(f"/v1/documents/{SEED_001}?text=1").get_json()
    spans = {s["id"]: s for s in doc["sentence_spans"]}
    number = int(passage["sentence_id"].rsplit("#", 1)[1])
    for side, step in (("before", -1), ("after", 1)):
        neighbour = spans[f"{SEED_001}#{number + step}"]
        assert passage["context"][side] == doc["text"][neighbour["start"] : neighbour["end"]]
    # Who asserts it, and the day it speaks of ("yesterday", against the report's date).
    assert passage["attribution"]["text"] == "Armenian PM Nikol Pashinyan — claiming"
    start, end = passage["attribution"]["span"].values()
    assert passage["text"][start:end] == passage["attribution"]["speaker"]
    assert passage["anchor"] == {"date": "2023-09-19", "source": "sentence"}
    accord = next(p for p in body["supporting"] if WITHDRAWAL in p["text"])
    assert accord["attribution"]["text"] == "The accord — called for"
    reason = passage["reasons"][0]
    assert {"kind", "detail", "claim_spans", "passage_spans"} <= set(reason)
    for span in reason["passage_spans"]:
        assert passage["text"][span["start"] : span["end"]] == span["text"]
    for span in reason["claim_spans"]:
        assert body["claim"][span["start"] : span["end"]] == span["text"]


def test_check_filters_over_http(client: FlaskClient) -> None:
    body = client.post("/v1/check", json={"claim": CLAIM, "exclude_document": SEED_001}).get_json()
    every = body["supporting"] + body["contradicting"] + body["related"]
    assert every and {p["document"]["id"] for p in every} == {SEED_000}


@pytest.mark.parametrize(
    ("payload", "status", "detail"),
    [
        (b"{not json", 400, "not valid JSON"),
        (b"", 400, "empty"),
        (b"[1, 2]", 422, "is not of type 'object'"),
        (json.dumps({}).encode(), 422, "'claim' is a required property"),
        (json.dumps({"claim": ""}).encode(), 422, "claim"),
        (json.dumps({"claim": 42}).encode(), 422, "claim: 42 is not of type 'string'"),
        (json.dumps({"claim": CLAIM, "k": "ten"}).encode(), 422, "k: 'ten' is not of type"),
        (json.dumps({"claim": CLAIM, "k": 1000}).encode(), 422, "k must be an integer from 1"),
        (json.dumps({"claim": "x" * 5000}).encode(), 422, "the limit is 2000"),
        (json.dumps({"claim": CLAIM, "colour": "red"}).encode(), 422, "'colour' was unexpected"),
        (json.dumps({"claim": CLAIM, "index": "nope"}).encode(), 404, "unknown index 'nope'"),
        (json.dumps({"claim": CLAIM, "index": "../etc"}).encode(), 422, "plain directory name"),
        (json.dumps({"claim": CLAIM, "published_after": "soon"}).encode(), 422, "YYYY-MM-DD"),
    ],
)
def test_bad_check_requests_get_a_clear_problem(
    client: FlaskClient, payload: bytes, status: int, detail: str
) -> None:
    response = client.post("/v1/check", data=payload, content_type="application/json")
    assert_problem(response, status, detail)


def test_the_request_body_size_is_capped(seeded: Checker) -> None:
    app = create_app(
        seeded.settings.__class__(index=seeded.settings.index, max_request_bytes=100),
        checker=seeded,
    )
    response = app.test_client().post("/v1/check", json={"claim": "x" * 500})
    assert_problem(response, 413, "over the limit of 100 bytes")


def test_unknown_routes_and_methods_are_problems_too(client: FlaskClient) -> None:
    assert_problem(client.get("/v1/nothing"), 404, "not found")
    assert_problem(client.get("/v1/check"), 405, "method")


def test_documents_can_be_added_updated_and_deleted(client: FlaskClient) -> None:
    record = {
        "id": "wire-1",
        "title": "Wire",
        "source": "Wire",
        "published": "2023-09-21",
        "text": "Armenian forces remain deployed in Karabakh, the wire reported.",
    }
    created = client.post("/v1/documents", json=[record])
    assert created.status_code == 201
    assert created.get_json()["added"] == ["wire-1"]
    again = client.post("/v1/documents", json={"documents": [record]})
    assert again.status_code == 200 and again.get_json()["unchanged"] == ["wire-1"]
    changed = client.post("/v1/documents", json=[{**record, "text": "The wire withdrew it."}])
    assert changed.get_json()["replaced"] == ["wire-1"]

    info = client.get("/v1/documents/wire-1").get_json()
    assert info["title"] == "Wire" and info["sentences"] == 1 and info["published"] == "2023-09-21"

    assert client.delete("/v1/documents/wire-1").status_code == 204
    assert_problem(client.get("/v1/documents/wire-1"), 404, "wire-1")
    assert_problem(client.delete("/v1/documents/wire-1"), 404, "wire-1")


def test_a_batch_with_bad_records_still_ingests_the_good_ones(client: FlaskClient) -> None:
    records = [
        {"id": "ok", "text": "The harbour reopened on Tuesday after repairs."},
        {"id": "no-text"},
        {"id": 5, "text": "wrong id type"},
        {"id": "blank", "text": "   "},
    ]
    response = client.post("/v1/documents", json=records)
    assert response.status_code == 201
    body = response.get_json()
    assert body["added"] == ["ok"]
    assert [p["origin"] for p in body["problems"]] == [
        "documents[1]",
        "documents[2]",
        "documents[3]",
    ]


def test_a_batch_of_only_bad_records_is_a_problem(client: FlaskClient) -> None:
    body = assert_problem(
        client.post("/v1/documents", json=[{"title": "no text"}]), 422, "no document"
    )
    assert body["problems"][0]["origin"] == "documents[0]"
    assert_problem(client.post("/v1/documents", json={"nothing": 1}), 422, "")


def test_discrepancies_are_listed_newest_first_and_paginated(client: FlaskClient) -> None:
    scan = client.post("/v1/scan").get_json()
    assert scan["documents"] == 2 and scan["new_findings"] >= 1
    page = client.get("/v1/discrepancies?limit=1").get_json()
    assert page["total"] == scan["new_findings"] and len(page["items"]) == 1
    item = page["items"][0]
    assert {item["a"]["document"]["id"], item["b"]["document"]["id"]} == {SEED_000, SEED_001}
    assert_problem(client.get("/v1/discrepancies?limit=zero"), 422, "limit must be an integer")
    assert_problem(client.get("/v1/discrepancies?offset=-1"), 422, "offset must be from 0")


def test_a_request_can_name_a_sibling_index(seeded: Checker, client: FlaskClient) -> None:
    sibling = Checker.from_settings(
        replace(seeded.settings, index=seeded.settings.index.parent / "wire"),
        embedder=seeded.embedder,
    )
    text = "Armenian forces remain in Karabakh, a wire report said."
    sibling.ingest([Document(id="w", text=text, body=((0, len(text)),))])
    sibling.close()
    body = client.post("/v1/check", json={"claim": CLAIM, "index": "wire"}).get_json()
    every = body["supporting"] + body["contradicting"] + body["related"]
    assert [p["document"]["id"] for p in every] == ["w"]


def test_readiness_fails_with_the_reason_when_the_index_goes(
    seeded: Checker, client: FlaskClient
) -> None:
    (seeded.settings.index / "manifest.json").rename(seeded.settings.index / "moved.json")
    assert_problem(client.get("/readyz"), 503, "manifest.json has disappeared")
    assert client.get("/healthz").status_code == 200


WOOL = [
    Document(
        "wool-mon",
        "The wool indicator closed at 1120 cents a kilo on Monday.",
        title="Wool on Monday",
        source="AAP",
        published="2026-11-16",
        body=((0, 57),),
    ),
    Document(
        "wool-tue",
        "The wool indicator closed at 1150 cents a kilo on Tuesday.",
        title="Wool on Tuesday",
        source="Rural News",
        published="2026-11-17",
        body=((0, 58),),
    ),
]


def test_a_change_over_time_is_listed_as_such_and_has_no_claimreview(
    make_checker: Callable[..., Checker],
) -> None:
    """One figure on two days, stored as the scan stores it (verdict CHANGED), read back
    through the API and the report: a change over time, never a contradiction."""
    checker = make_checker()
    assert checker.ingest(WOOL).added == ["wool-mon", "wool-tue"]
    (monday,), _ = checker.store.document_vectors("wool-mon")
    (tuesday,), _ = checker.store.document_vectors("wool-tue")
    reason = Reason(
        "number", Verdict.CHANGED, 0.8, "1120 on Monday, 1150 on Tuesday", ((29, 33),), ((29, 33),)
    )
    with checker.store.writing() as writer:
        assert writer.add_finding(monday, tuesday, 0.93, Judgement(Verdict.CHANGED, 0.8, (reason,)))
    client = create_app(checker=checker).test_client()

    body = client.get("/v1/discrepancies").get_json()
    (item,) = body["items"]
    assert item["verdict"] == "changed" and body["total"] == 1
    assert item["a"]["document"]["id"] == "wool-mon" and item["b"]["text"] == WOOL[1].text
    for side, day in (("a", "2026-11-16"), ("b", "2026-11-17")):
        assert item[side]["attribution"] is None  # the text asserts it itself
        assert item[side]["anchor"] == {"date": day, "source": "sentence"}  # its own weekday
    assert item["reasons"][0]["passage_spans"][0]["text"] == "1150"
    assert_problem(
        client.get(f"/v1/discrepancies/{item['id']}/claimreview"), 404, "change over time"
    )

    findings, _ = checker.findings(order="confident")
    header = ReportHeader("2026-11-18T02:00:00+00:00", "idx", 2, 2, "scanned 2 documents")
    md = render(findings, header, "md")
    assert "0 contradictions listed; 1 change over time." in md
    assert md.index("## Changed over time") < md.index("closed at **1150** cents")
    assert json.loads(render(findings, header, "claimreview")) == []


def test_a_document_comes_with_its_text_and_where_each_sentence_lies(
    client: FlaskClient,
) -> None:
    """`?text=1` (issue 13, item 4): the stored text, and each sentence's offsets in it,
    the same offsets a passage's `span` gives."""
    plain = client.get(f"/v1/documents/{SEED_001}").get_json()
    assert "text" not in plain and "sentence_spans" not in plain
    for switch in ("1", "true", "YES"):
        body = client.get(f"/v1/documents/{SEED_001}?text={switch}").get_json()
        assert body["id"] == SEED_001 and len(body["text"]) == body["characters"]
    assert {k: body[k] for k in plain} == plain  # the same metadata, and more
    assert len(body["sentence_spans"]) == body["sentences"]
    passage = next(
        p
        for p in client.post("/v1/check", json={"claim": CLAIM}).get_json()["contradicting"]
        if p["document"]["id"] == SEED_001
    )
    (span,) = [s for s in body["sentence_spans"] if s["id"] == passage["sentence_id"]]
    assert {"start": span["start"], "end": span["end"]} == passage["span"]
    assert body["text"][span["start"] : span["end"]] == passage["text"]
    assert "text" not in client.get(f"/v1/documents/{SEED_001}?text=0").get_json()
    wrong = assert_problem(client.get(f"/v1/documents/{SEED_001}?text=please"), 422, "text")
    assert wrong["field"] == "text"
    assert_problem(client.get("/v1/documents/nope?text=1"), 404, "'nope'")


def test_an_edited_story_does_not_check_against_itself(client: FlaskClient) -> None:
    """A sentence of a stored story supports itself (100 %) until the story's id is given as
    `exclude_document`; the other report still contradicts it (issue 13, item 2)."""

    def passages(**options: Any) -> list[dict[str, Any]]:
        body = client.post("/v1/check-draft", json={"text": WITHDRAWAL_SENTENCE, **options})
        (sentence,) = body.get_json()["sentences"]
        return [*sentence["contradicting"], *sentence["changed"], *sentence["supporting"]]

    itself = [p for p in passages() if p["document"]["id"] == SEED_000]
    assert itself and itself[0]["verdict"] == "supports" and itself[0]["confidence"] == 1.0
    excluded = passages(exclude_document=SEED_000)
    assert excluded and {p["document"]["id"] for p in excluded} == {SEED_001}
    assert all(p["verdict"] == "contradicts" for p in excluded)


def test_a_served_app_warms_up_and_freezes_what_it_loaded(seeded: Checker) -> None:
    """gunicorn's `create_app()` opens the index itself: it judges the warm-up pair and moves
    what it loaded out of the garbage collector's full passes (gc.freeze)."""
    gc.unfreeze()
    try:
        app = create_app(Settings(index=seeded.settings.index))
        assert gc.get_freeze_count() > 0
        assert app.test_client().get("/readyz").status_code == 200
    finally:
        gc.unfreeze()
