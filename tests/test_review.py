"""Triage: editors confirm or dismiss findings, and the decision sticks while neither sentence
changes. Real seeds index, real scan, Flask test client and click's runner."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from checker.cli import main
from checker.service import Checker
from checker.store import audit, keys
from checker.types import Document, Judgement, Reason, ReviewState, Verdict
from checker.web import create_app
from tests.conftest import NO_FORCES, SEED_000, SEED_001, SEEDS, WITHDRAWAL_SENTENCE
from tests.test_web import WOOL, assert_problem


@pytest.fixture
def scanned(seeded: Checker) -> Checker:
    summary = seeded.scan()
    assert summary.new_findings >= 1
    return seeded


def _the_seeds_finding(client: FlaskClient) -> dict:
    items = client.get("/v1/discrepancies").get_json()["items"]
    (item,) = [i for i in items if NO_FORCES in i["a"]["text"] + i["b"]["text"]]
    return item


def test_a_finding_is_dismissed_confirmed_and_reopened_over_the_api(scanned: Checker) -> None:
    client = create_app(checker=scanned).test_client()
    item = _the_seeds_finding(client)
    assert item["review"] == {
        "state": "open",
        "reason": None,
        "note": None,
        "decided_by": None,
        "decided_at": None,
    }
    url = f"/v1/discrepancies/{item['id']}"

    response = client.patch(url, json={"review": "dismissed", "reason": "copy", "note": " dup "})
    assert response.status_code == 200, response.get_json()
    review = response.get_json()["review"]
    assert review["state"] == "dismissed" and review["reason"] == "copy"
    assert review["note"] == "dup" and review["decided_by"] == "anonymous"
    assert client.get(url).get_json()["review"]["state"] == "dismissed"
    assert client.get("/v1/discrepancies?review=open").get_json()["total"] == 0
    dismissed = client.get("/v1/discrepancies?review=dismissed").get_json()
    assert [i["id"] for i in dismissed["items"]] == [item["id"]]
    assert client.get("/v1/discrepancies?review=open,dismissed").get_json()["total"] == 1

    (entry, *_) = audit.entries(scanned.store.conn)  # newest first
    assert entry.action == "discrepancies.review" and entry.outcome == "ok"
    assert set(entry.document_ids) == {SEED_000, SEED_001}

    confirmed = client.patch(url, json={"review": "confirmed"}).get_json()["review"]
    assert confirmed["state"] == "confirmed" and confirmed["reason"] is None
    assert [d["decision"] for d in scanned.store.decisions()] == ["confirmed"]
    assert client.patch(url, json={"review": "open"}).get_json()["review"]["state"] == "open"
    assert list(scanned.store.decisions()) == []
    assert scanned.store.review_counts() == {"open": 1, "confirmed": 0, "dismissed": 0}


@pytest.mark.parametrize(
    ("body", "field", "detail"),
    [
        ({"review": "maybe"}, "review", "review must be one of open, confirmed, dismissed"),
        ({}, "review", "'review' is a required property"),
        ({"review": "confirmed", "reason": "copy"}, "reason", "with a dismissal only"),
        ({"review": "dismissed", "reason": "boring"}, "reason", "reason must be one of"),
        ({"review": "dismissed", "note": 5}, "note", "note: 5 is not of type 'string'"),
        ({"review": "dismissed", "note": "x" * 2001}, "note", "at most 2000 characters"),
        ({"review": "open", "by": "me"}, "by", "unknown field 'by'"),
        (["dismissed"], None, "the body must be a JSON object"),
    ],
)
def test_bad_decisions_are_422_and_change_nothing(
    scanned: Checker, body: object, field: str | None, detail: str
) -> None:
    client = create_app(checker=scanned).test_client()
    item = _the_seeds_finding(client)
    problem = assert_problem(
        client.patch(f"/v1/discrepancies/{item['id']}", json=body), 422, detail
    )
    assert problem.get("field") == field
    assert scanned.store.review_counts()["open"] == 1


def test_unknown_findings_filters_and_read_keys_are_refused(scanned: Checker) -> None:
    client = create_app(checker=scanned).test_client()
    assert_problem(client.patch("/v1/discrepancies/999999", json={"review": "open"}), 404, "999999")
    assert_problem(client.get("/v1/discrepancies?review=maybe"), 422, "review must be one of")
    assert_problem(
        client.patch("/v1/discrepancies/1", data="dismissed", content_type="text/plain"),
        400,
        "not valid JSON",
    )
    item = _the_seeds_finding(client)
    _, read_key = keys.create(scanned.store.conn, "desk-read", "read")
    closed = create_app(checker=scanned).test_client()
    refused = closed.patch(
        f"/v1/discrepancies/{item['id']}",
        json={"review": "dismissed"},
        headers={"Authorization": f"Bearer {read_key}"},
    )
    assert_problem(refused, 403, "this needs 'write'")
    assert scanned.store.review_counts()["dismissed"] == 0


def test_a_dismissed_pair_stays_dismissed_until_a_sentence_changes(scanned: Checker) -> None:
    """A correction elsewhere in the story deletes and re-finds the finding under a new id:
    it keeps its decision and is not new. Editing the sentence itself makes a new pair."""
    (finding,), _ = scanned.findings(review=[ReviewState.OPEN])
    scanned.review(finding.id, ReviewState.DISMISSED, "cli:editor", "different-subjects")
    original = scanned.store.document(SEED_001)
    corrected = replace(original, text=original.text + "\n\nThis story was updated.")
    assert scanned.ingest([corrected]).replaced == [SEED_001]
    assert scanned.findings()[1] == 0  # the finding rested on the replaced document

    again = scanned.scan()
    assert again.new_findings == 0  # found again, but an editor dismissed it
    (refound,), _ = scanned.findings()
    assert refound.id != finding.id and refound.review_state is ReviewState.DISMISSED
    assert refound.review and refound.review.reason == "different-subjects"
    assert scanned.findings(review=[ReviewState.OPEN])[1] == 0

    edited = replace(corrected, text=corrected.text.replace(NO_FORCES, NO_FORCES + " at all"))
    assert scanned.ingest([edited]).replaced == [SEED_001]
    scanned.scan()
    listed, _ = scanned.findings()
    assert listed, "the edited sentence still contradicts the withdrawal"
    assert all(f.review_state is ReviewState.OPEN for f in listed)


def test_confirmed_findings_come_first(make_checker: Callable[..., Checker]) -> None:
    checker = make_checker()
    checker.ingest([*WOOL, _wool("wool-wed", "Wednesday", "1180", "2026-11-18")])
    hits = {
        d: checker.store.document_vectors(d)[0][0] for d in ("wool-mon", "wool-tue", "wool-wed")
    }
    with checker.store.writing() as writer:
        for (a, b), confidence in (
            (("wool-mon", "wool-tue"), 0.9),
            (("wool-tue", "wool-wed"), 0.6),
        ):
            reason = Reason("number", Verdict.CONTRADICTS, confidence, "figures differ", (), ())
            judgement = Judgement(Verdict.CONTRADICTS, confidence, (reason,))
            assert writer.add_finding(hits[a], hits[b], 0.9, judgement)
    by_confidence, _ = checker.findings(order="confident")
    assert [f.judgement.confidence for f in by_confidence] == [0.9, 0.6]
    checker.review(by_confidence[1].id, ReviewState.CONFIRMED, "cli:editor")
    listed, _ = checker.findings(order="confident")
    assert [f.id for f in listed] == [by_confidence[1].id, by_confidence[0].id]
    assert listed[0].review_state is ReviewState.CONFIRMED


def _wool(doc_id: str, weekday: str, cents: str, published: str) -> Document:
    text = f"The wool indicator closed at {cents} cents a kilo on {weekday}."
    return Document(
        doc_id, text, title=f"Wool on {weekday}", published=published, body=((0, len(text)),)
    )


def test_the_command_line_reviews_reports_and_exports(tmp_path: Path) -> None:
    index = str(tmp_path / "index")
    runner = CliRunner()
    assert runner.invoke(main, ["ingest", str(SEEDS), "--index", index]).exit_code == 0
    first = runner.invoke(main, ["report", "--index", index, "--format", "json"])
    assert first.exit_code == 0, first.output
    (finding, *_) = json.loads(first.stdout)["findings"]
    assert json.loads(first.stdout)["reviews"]["open"] >= 1

    result = runner.invoke(
        main, ["review", str(finding["id"]), "dismissed", "--reason", "copy", "--index", index]
    )
    assert result.exit_code == 0, result.output
    assert f"discrepancy {finding['id']}: dismissed (copy) by cli:" in result.stdout

    hidden = runner.invoke(main, ["report", "--index", index])
    assert "Pashinyan voiced" not in hidden.stdout and "1 dismissed" in hidden.stdout
    assert "dismissed not listed here" in hidden.stdout
    shown = runner.invoke(main, ["report", "--index", index, "--review", "dismissed"])
    assert "Pashinyan voiced" in shown.stdout and "— dismissed (copy) by cli:" in shown.stdout

    out = tmp_path / "feedback.jsonl"
    exported = runner.invoke(main, ["feedback", "export", "--index", index, "--out", str(out)])
    assert exported.exit_code == 0 and "1 decision written" in exported.output
    (line,) = out.read_text(encoding="utf-8").splitlines()
    record = json.loads(line)
    assert record["decision"] == "dismissed" and record["reason"] == "copy"
    assert {record["a"]["document_id"], record["b"]["document_id"]} == {SEED_000, SEED_001}
    assert NO_FORCES in record["a"]["text"] + record["b"]["text"]
    assert record["verdict"] == "contradicts" and record["reasons"]

    bad = runner.invoke(main, ["review", "424242", "confirmed", "--index", index])
    assert bad.exit_code != 0 and "no discrepancy with id 424242" in bad.output
    assert len(bad.output.strip().splitlines()) == 1


def test_a_stored_storys_draft_carries_the_findings_an_editor_can_decide_on(
    scanned: Checker,
) -> None:
    """The check page triages from the draft: checked as a stored story's new version
    (`exclude_document`), a sentence that is still as stored says so (`stored_as`), and its
    contradicting passage carries the scan's finding and its review, which PATCH changes. An
    edited sentence, or a draft checked without the story's id, carries none."""
    client = create_app(checker=scanned, validate_responses=True).test_client()
    seeds_finding = _the_seeds_finding(client)
    edited = "The accord called for the withdrawal of all Armenian forces by Friday."
    draft = f"{WITHDRAWAL_SENTENCE} {edited}"

    def check(**options: str) -> list[dict]:
        response = client.post("/v1/check-draft", json={"text": draft, **options})
        assert response.status_code == 200, response.get_json()
        return response.get_json()["sentences"]

    kept, changed = check(exclude_document=SEED_000)
    assert kept["stored_as"] == f"{SEED_000}#3" and changed["stored_as"] is None
    (denial,) = [p for p in kept["contradicting"] if NO_FORCES in p["text"]]
    assert denial["finding"] == {"id": seeds_finding["id"], "review": seeds_finding["review"]}
    assert all("finding" not in p for p in changed["contradicting"] + changed["changed"])
    assert all("finding" not in p for p in kept["supporting"] + kept["related"])

    url = f"/v1/discrepancies/{seeds_finding['id']}"
    assert client.patch(url, json={"review": "dismissed", "reason": "copy"}).status_code == 200
    (denial,) = [
        p
        for p in check(exclude_document=SEED_000)[0]["contradicting"]
        if p["text"] == denial["text"]
    ]
    assert denial["finding"]["review"]["state"] == "dismissed"
    assert denial["finding"]["review"]["reason"] == "copy"

    # Without the story's id the draft is no stored story: nothing to triage, no `stored_as`.
    plain = check()
    assert all("stored_as" not in s for s in plain)
    assert all("finding" not in p for s in plain for p in s["contradicting"] + s["changed"])
    # An id that names no stored story matches nothing.
    (unknown, _) = check(exclude_document="no-such-story")
    assert unknown["stored_as"] is None
