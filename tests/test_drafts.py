"""Checking a whole draft: `checker.drafts` and `POST /v1/check-draft` on the seeds index."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace

import pytest
from flask.testing import FlaskClient

from checker.drafts import DRAFT_VERDICTS, MAX_DRAFT_SENTENCES, DraftSentence, check_draft
from checker.embed import Embedder
from checker.errors import InvalidInput, PayloadTooLarge
from checker.service import Checker, CheckFilters, CheckResult
from checker.settings import Settings
from checker.types import Passage, Verdict
from checker.web import create_app
from tests.conftest import NO_FORCES, SEED_000, SEED_001, SEEDS, WITHDRAWAL, ingest_paths
from tests.test_web import assert_problem

CLAIM = "Armenian forces are present in Karabakh."
DRAFT = f"  {CLAIM} The weather was mild.\n\nThe talks, it was said, were 🙂 friendly. {CLAIM}"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory, embedder: Embedder) -> Iterator[Checker]:
    """One seeds index for the module: checking a draft writes nothing, so tests can share it."""
    index = tmp_path_factory.mktemp("drafts") / "index"
    checker = Checker.from_settings(Settings(index=index), embedder=embedder)
    assert ingest_paths(checker, SEEDS).added == [SEED_000, SEED_001]
    yield checker
    checker.close()


def test_each_sentence_is_checked_where_it_lies(seeded: Checker) -> None:
    result = check_draft(seeded, DRAFT)
    texts = [s.text for s in result.sentences]
    assert texts == [
        CLAIM,
        "The weather was mild.",
        "The talks, it was said, were 🙂 friendly.",
        CLAIM,
    ]
    for sentence in result.sentences:  # offsets count code points, as Python's str does
        assert DRAFT[sentence.start : sentence.end] == sentence.text
    first, last = result.sentences[0], result.sentences[-1]
    assert any(NO_FORCES in p.hit.sentence.text for p in first.result.contradicting)
    # The accord's sentence supports it, Pashinyan's contradicts it: the seeds dispute it.
    assert (
        first.verdict == last.verdict == ("disputed" if first.result.supporting else "contradicts")
    )
    assert result.took_ms > 0


def test_a_sentence_gets_what_a_claim_would_get(seeded: Checker) -> None:
    alone = seeded.check(CLAIM)
    in_draft = check_draft(seeded, DRAFT).sentences[0].result
    assert [p.hit.sentence.id for p in in_draft.contradicting] == [
        p.hit.sentence.id for p in alone.contradicting
    ]
    assert [p.hit.sentence.id for p in in_draft.supporting] == [
        p.hit.sentence.id for p in alone.supporting
    ]


def test_filters_apply_to_every_sentence(seeded: Checker) -> None:
    result = check_draft(seeded, DRAFT, k=5, filters=CheckFilters(exclude_document=SEED_001))
    for sentence in result.sentences:
        every = sentence.result.supporting + sentence.result.contradicting
        every += sentence.result.related
        assert SEED_001 not in {p.hit.document.id for p in every}
    assert result.sentences[0].verdict == "supports"  # only the 000 report is left


def test_a_draft_without_sentences_is_an_empty_answer(seeded: Checker) -> None:
    assert check_draft(seeded, "12 345 ... --").sentences == []


def test_the_limits_are_clear_errors(seeded: Checker) -> None:
    with pytest.raises(InvalidInput, match="non-empty"):
        check_draft(seeded, " \n ")
    with pytest.raises(PayloadTooLarge, match=f"at most {MAX_DRAFT_SENTENCES}"):
        check_draft(seeded, "Ferries ran late. " * (MAX_DRAFT_SENTENCES + 1))


def test_check_draft_over_http_has_the_documented_shape(client: FlaskClient) -> None:
    response = client.post("/v1/check-draft", json={"text": DRAFT, "k": 20})
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"sentences", "took_ms"}
    first = body["sentences"][0]
    assert set(first) == {
        "text",
        "start",
        "end",
        "verdict",
        "contradicting",
        "changed",
        "supporting",
        "related",
    }
    assert (first["text"], first["start"], first["end"]) == (CLAIM, 2, 2 + len(CLAIM))
    # "disputed" where a report also supports it (the accord's sentence, when judged so)
    assert first["verdict"] == ("disputed" if first["supporting"] else "contradicts")
    passage = first["contradicting"][0]
    assert passage["document"]["id"] == SEED_001 and NO_FORCES in passage["text"]
    assert any(WITHDRAWAL in p["text"] for p in first["supporting"])
    for reason in passage["reasons"]:  # claim spans index into the sentence, as for a claim
        for span in reason["claim_spans"]:
            assert first["text"][span["start"] : span["end"]] == span["text"]
    assert body["sentences"][1]["verdict"] in {"related", "none"}
    assert body["sentences"][1]["contradicting"] == body["sentences"][1]["supporting"] == []


def test_check_draft_takes_the_check_filters(client: FlaskClient) -> None:
    body = client.post(
        "/v1/check-draft", json={"text": CLAIM, "sources": ["nobody"], "k": 3}
    ).get_json()
    assert body["sentences"][0]["verdict"] == "none"
    body = client.post(
        "/v1/check-draft", json={"text": CLAIM, "exclude_document": SEED_001}
    ).get_json()
    ids = {p["document"]["id"] for p in body["sentences"][0]["supporting"]}
    assert ids == {SEED_000}


@pytest.mark.parametrize(
    ("payload", "status", "detail"),
    [
        (b"{not json", 400, "not valid JSON"),
        (b"", 400, "empty"),
        (b'"a draft"', 422, "is not of type 'object'"),
        (json.dumps({}).encode(), 422, "'text' is a required property"),
        (json.dumps({"text": ""}).encode(), 422, "text"),
        (json.dumps({"text": "  \n "}).encode(), 422, "text must be a non-empty string"),
        (json.dumps({"text": 42}).encode(), 422, "text: 42 is not of type 'string'"),
        (json.dumps({"claim": CLAIM}).encode(), 422, "'text' is a required property"),
        (json.dumps({"text": CLAIM, "k": "ten"}).encode(), 422, "k: 'ten' is not of type"),
        (json.dumps({"text": CLAIM, "k": 1000}).encode(), 422, "k must be an integer from 1"),
        (json.dumps({"text": CLAIM, "colour": "red"}).encode(), 422, "'colour' was unexpected"),
        (json.dumps({"text": CLAIM, "index": "nope"}).encode(), 404, "unknown index 'nope'"),
        (json.dumps({"text": CLAIM, "published_after": "soon"}).encode(), 422, "YYYY-MM-DD"),
        (json.dumps({"text": "Ferries ran late. " * 201}).encode(), 413, "201 sentences"),
        (json.dumps({"text": "word " * 600 + "end."}).encode(), 422, "sentence 1 (characters"),
    ],
)
def test_bad_draft_requests_get_a_clear_problem(
    client: FlaskClient, payload: bytes, status: int, detail: str
) -> None:
    response = client.post("/v1/check-draft", data=payload, content_type="application/json")
    body = assert_problem(response, status, detail)
    assert body["instance"] == "/v1/check-draft"


def test_problems_name_the_field_at_fault(client: FlaskClient) -> None:
    body = assert_problem(client.post("/v1/check-draft", json={"text": 7}), 422, "text")
    assert body["field"] == "text"
    too_long = {"text": "word " * 600 + "end."}
    assert assert_problem(client.post("/v1/check-draft", json=too_long), 422, "")["field"] == "text"


def test_the_draft_body_is_capped_by_the_request_limit(seeded: Checker) -> None:
    settings = Settings(index=seeded.settings.index, max_request_bytes=200)
    client = create_app(settings, checker=seeded).test_client()
    response = client.post("/v1/check-draft", json={"text": CLAIM * 10})
    assert_problem(response, 413, "over the limit of 200 bytes (CHECKER_MAX_REQUEST_BYTES)")


def test_a_sentence_verdict_says_disputed_and_changed(seeded: Checker) -> None:
    """Both sides present: "disputed"; a change over time outranks support, never a
    contradiction."""
    against = seeded.check(CLAIM).contradicting[:1]
    assert against  # the seeds: the PM denies it
    support = [
        replace(against[0], judgement=replace(against[0].judgement, verdict=Verdict.SUPPORTS))
    ]
    change = replace(against[0], judgement=replace(against[0].judgement, verdict=Verdict.CHANGED))

    def verdict(**buckets: list[Passage]) -> str:
        empty = CheckResult(CLAIM, [], [], [], 1.0)
        return DraftSentence(CLAIM, 0, len(CLAIM), replace(empty, **buckets)).verdict

    assert verdict(contradicting=against, supporting=support) == "disputed"
    assert verdict(contradicting=against, changed=[change]) == "contradicts"
    assert verdict(changed=[change], supporting=support) == "changed"
    assert verdict(supporting=support) == "supports"
    assert verdict() == "none"
    assert set(DRAFT_VERDICTS) == {
        "disputed",
        "contradicts",
        "changed",
        "supports",
        "related",
        "none",
    }


def test_a_sentence_others_only_speak_of_carries_its_related_coverage(
    client: FlaskClient,
) -> None:
    """'Covered elsewhere', not 'nothing found': the passages that speak of the sentence, most
    similar first, a few; a sentence nothing speaks of has none."""
    text = "The talks took place in Yevlakh. It was a mild and sunny day for a picnic."
    talks, picnic = client.post("/v1/check-draft", json={"text": text}).get_json()["sentences"]
    assert talks["verdict"] == "related" and 1 <= len(talks["related"]) <= 3
    assert "Yevlakh" in talks["related"][0]["text"]
    similarities = [p["similarity"] for p in talks["related"]]
    assert similarities == sorted(similarities, reverse=True)
    assert all(p["verdict"] == "related" for p in talks["related"])
    assert picnic["verdict"] == "none" and picnic["related"] == []
