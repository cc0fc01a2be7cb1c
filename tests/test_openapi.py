"""The published schema: `/openapi.json` covers every API route, and `/docs` lists it."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator

from checker import serialize
from checker.types import Analysis, Finding, Judgement, Verdict
from checker.web import schemas
from tests.conftest import NO_FORCES_SENTENCE, SEED_000
from tests.test_serialize import PASHINYAN, hit, judged
from tests.test_web import assert_problem


def test_every_api_route_is_documented(app: Flask, client: FlaskClient) -> None:
    document = client.get("/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    documented = {
        (method.upper(), path) for path, ops in document["paths"].items() for method in ops
    }
    routes = {
        (method, rule.rule.replace("<int:", "<").replace("<", "{").replace(">", "}"))
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }
    assert documented == routes and len(routes) == 12


def test_request_schemas_security_and_problems(client: FlaskClient) -> None:
    document = client.get("/openapi.json").get_json()
    paths = document["paths"]
    body = paths["/v1/check"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert body == schemas.CHECK
    assert (
        paths["/v1/documents"]["post"]["requestBody"]["content"]["application/json"]["schema"]
        == schemas.DOCUMENTS
    )
    assert paths["/healthz"]["get"]["security"] == []
    assert paths["/v1/scan"]["post"]["security"] == [{"bearer": []}, {"apiKey": []}]
    assert "scope `write`" in paths["/v1/scan"]["post"]["description"]
    assert "scope `read`" in paths["/v1/check"]["post"]["description"]
    responses = paths["/v1/check"]["post"]["responses"]
    assert {"200", "401", "403", "422", "429"} <= set(responses)
    problem = responses["422"]["content"]["application/problem+json"]["schema"]
    assert problem == {"$ref": "#/components/schemas/Problem"}
    assert set(document["components"]["securitySchemes"]) == {"bearer", "apiKey"}
    for schema in (schemas.CHECK, schemas.CHECK_DRAFT, schemas.DOCUMENTS, schemas.DOCUMENT):
        Draft202012Validator.check_schema(schema)


def test_docs_page_lists_operations_without_scripts(client: FlaskClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "/v1/check-draft" in html and "DELETE" in html and "/openapi.json" in html
    assert "<script" not in html and "http://" not in html.replace("http://localhost", "")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]


def test_an_unknown_route_is_still_a_problem(client: FlaskClient) -> None:
    assert_problem(client.get("/openapi.yaml"), 404, "")


def _validator(document: dict[str, Any], name: str) -> Draft202012Validator:
    """A validator for components/schemas/`name`, its $refs resolved within the document."""
    schema = {"$ref": f"#/components/schemas/{name}", "components": document["components"]}
    return Draft202012Validator(schema)


def test_the_changed_bucket_verdicts_and_attribution_are_documented(
    client: FlaskClient,
) -> None:
    document = client.get("/openapi.json").get_json()
    paths, schemas_ = document["paths"], document["components"]["schemas"]
    check = paths["/v1/check"]["post"]["responses"]["200"]["content"]["application/json"]
    buckets = check["schema"]["properties"]
    assert {"supporting", "contradicting", "changed", "related"} <= set(buckets)
    assert buckets["changed"]["items"] == {"$ref": "#/components/schemas/Passage"}
    assert "change over time" in buckets["changed"]["description"]
    assert "not a contradiction" in buckets["changed"]["description"]
    verdict = schemas_["Passage"]["properties"]["verdict"]
    assert verdict["enum"] == ["supports", "contradicts", "changed", "related"]
    assert "changed: " in verdict["description"]
    assert {"attribution", "anchor"} <= set(schemas_["Passage"]["required"])
    assert "Pashinyan — claiming" in schemas_["Attribution"]["description"]
    assert schemas_["Attribution"]["type"] == ["object", "null"]
    assert schemas_["Anchor"]["properties"]["source"]["enum"] == ["sentence", "published"]
    draft = paths["/v1/check-draft"]["post"]["responses"]["200"]["content"]["application/json"]
    sentence = draft["schema"]["properties"]["sentences"]["items"]
    assert {"disputed", "changed"} <= set(sentence["properties"]["verdict"]["enum"])
    assert "changed" in sentence["required"]
    finding = schemas_["Finding"]
    assert finding["properties"]["verdict"]["enum"] == ["contradicts", "changed"]
    for schema in (check["schema"], draft["schema"], *schemas_.values()):
        Draft202012Validator.check_schema(schema)


def test_real_answers_match_the_published_shapes(client: FlaskClient) -> None:
    """The seeds' answers, and a passage and finding with attributions, validate."""
    document = client.get("/openapi.json").get_json()
    passage, finding = _validator(document, "Passage"), _validator(document, "Finding")
    answer = client.post("/v1/check", json={"claim": "Armenian forces are present in Karabakh."})
    body = answer.get_json()
    for item in body["supporting"] + body["contradicting"] + body["changed"]:
        passage.validate(item)
    analysis = Analysis(1, attribution=PASHINYAN, anchor="2023-09-20", anchor_source="published")
    with_who = serialize.passage(judged(hit(NO_FORCES_SENTENCE, analysis)), "a claim")
    passage.validate(with_who)
    passage.validate(serialize.passage(judged(hit(NO_FORCES_SENTENCE, None)), "a claim"))
    side = hit(NO_FORCES_SENTENCE, analysis)
    change = Finding(1, side, side, 0.9, Judgement(Verdict.CHANGED, 0.8), "2026-11-22")
    finding.validate(serialize.finding(change))
    for item in client.get("/v1/discrepancies").get_json()["items"]:
        finding.validate(item)


def test_the_document_text_switch_is_documented(client: FlaskClient) -> None:
    """`GET /v1/documents/{id}?text=1` (issue 13): its parameter, and an answer that fits the
    published shape."""
    document = client.get("/openapi.json").get_json()
    operation = document["paths"]["/v1/documents/{document_id}"]["get"]
    (switch,) = [p for p in operation["parameters"] if p["in"] == "query"]
    assert switch["name"] == "text" and "1" in switch["schema"]["enum"]
    shape = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert {"text", "sentence_spans", "sentences", "characters"} <= set(shape["properties"])
    for query in ("", "?text=1"):
        answer = client.get(f"/v1/documents/{SEED_000}{query}").get_json()
        Draft202012Validator(shape).validate(answer)
