"""Findings as schema.org ClaimReview JSON-LD: the pure mapping and the API route."""

from __future__ import annotations

import json

from flask.testing import FlaskClient

from checker.report import render
from checker.report.claimreview import claim_review
from checker.service import Checker
from checker.types import DocumentInfo, Finding, Hit, Judgement, Reason, Sentence, Verdict
from checker.web import create_app
from tests.conftest import NO_FORCES, SEED_000, WITHDRAWAL
from tests.test_report import HEADER


def finding(a_info: DocumentInfo, b_info: DocumentInfo) -> Finding:
    a_text, b_text = "The 12 homes burned.", "The 40 homes burned."
    reason = Reason("number", Verdict.CONTRADICTS, 0.8, "12 against 40", ((4, 6),), ((4, 6),))
    return Finding(
        5,
        Hit(Sentence("a#0", a_info.id, 0, 0, len(a_text), a_text), a_info, 0.5),
        Hit(Sentence("b#0", b_info.id, 0, 0, len(b_text), b_text), b_info, 0.5),
        0.5,
        Judgement(Verdict.CONTRADICTS, 0.8, (reason,)),
        "2026-11-22T02:00:00.000+00:00",
    )


def test_a_finding_maps_onto_claimreview() -> None:
    a = DocumentInfo("a", "Fire toll", "Wire", "https://wire.example/a", "2026-11-21")
    b = DocumentInfo("b", "Mayor speaks", "Daily Local", None, "2026-11-22")
    review = claim_review(finding(a, b), url="https://newsroom.example/checks/5")
    assert review == {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "claimReviewed": "The 12 homes burned.",
        "itemReviewed": {
            "@type": "Claim",
            "appearance": {
                "@type": "CreativeWork",
                "name": "Fire toll",
                "url": "https://wire.example/a",
                "datePublished": "2026-11-21",
                "publisher": {"@type": "Organization", "name": "Wire"},
            },
            "author": {"@type": "Organization", "name": "Wire"},
            "datePublished": "2026-11-21",
        },
        "reviewRating": {
            "@type": "Rating",
            "alternateName": "Contradicted by Mayor speaks (Daily Local)",
            "ratingExplanation": "Mayor speaks (Daily Local), 2026-11-22 says: “The 40 homes "
            "burned.” (number: 12 against 40; confidence 80%)",
        },
        "datePublished": "2026-11-22",
        "url": "https://newsroom.example/checks/5",
    }


def test_what_is_unknown_is_left_out() -> None:
    review = claim_review(finding(DocumentInfo("a", url="javascript:alert(1)"), DocumentInfo("b")))
    assert "url" not in review
    assert review["itemReviewed"] == {
        "@type": "Claim",
        "appearance": {"@type": "CreativeWork", "name": "a"},  # no unsafe link, no author
    }
    assert review["reviewRating"]["alternateName"] == "Contradicted by b"


def test_the_claimreview_format_is_one_object_per_finding() -> None:
    one = finding(DocumentInfo("a"), DocumentInfo("b"))
    reviews = json.loads(render([one, one], HEADER, "claimreview"))
    assert len(reviews) == 2 and all(r["@type"] == "ClaimReview" for r in reviews)


def test_the_api_serves_a_discrepancy_as_claimreview(seeded: Checker) -> None:
    seeded.scan()
    findings, _ = seeded.findings(order="confident")
    client: FlaskClient = create_app(checker=seeded).test_client()
    response = client.get(f"/v1/discrepancies/{findings[0].id}/claimreview")
    assert response.status_code == 200 and response.mimetype == "application/ld+json"
    review = json.loads(response.get_data(as_text=True))
    assert review["@type"] == "ClaimReview" and WITHDRAWAL in review["claimReviewed"]
    assert review["itemReviewed"]["appearance"]["name"] == SEED_000
    assert NO_FORCES in review["reviewRating"]["ratingExplanation"]

    for missing_id in ("999999", "99999999999999999999999"):
        missing = client.get(f"/v1/discrepancies/{missing_id}/claimreview")
        assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
        assert f"no discrepancy with id {missing_id}" in missing.get_json(force=True)["detail"]
