"""The published schema: `/openapi.json` covers every API route with typed request and
response models, the errors each operation can really return and this server's limits;
`/docs` renders it for people, `/docs/try` runs Swagger UI from the app's own files; and the
error paths the issue names (405, unknown index, a body that is not JSON, a blank claim)."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator
from pydantic import BaseModel

from checker import serialize
from checker.service import Checker
from checker.settings import Settings
from checker.types import Analysis, Finding, Judgement, Verdict
from checker.web import create_app
from checker.web import schemas as requests
from tests.conftest import NO_FORCES_SENTENCE, SEED_000, SEED_001
from tests.test_serialize import PASHINYAN, hit, judged
from tests.test_web import CLAIM, assert_problem


def resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    return document["components"]["schemas"][ref.rsplit("/", 1)[-1]] if ref else schema


def request_body(document: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    """The request body's schema of an operation, its `$ref` resolved."""
    content = document["paths"][path][method]["requestBody"]["content"]
    return resolve(document, content["application/json"]["schema"])


def validator(document: dict[str, Any], name: str) -> Draft202012Validator:
    """A validator for components/schemas/`name`, its $refs resolved within the document,
    formats (`date`) checked."""
    schema = {"$ref": f"#/components/schemas/{name}", "components": document["components"]}
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, methods in document["paths"].items()
        for method, operation in methods.items()
    ]


@pytest.fixture
def published(client: FlaskClient) -> dict[str, Any]:
    return client.get("/openapi.json").get_json()


def test_every_api_route_is_documented(app: Flask, published: dict[str, Any]) -> None:
    assert published["openapi"].startswith("3.1")
    documented = {(method.upper(), path) for method, path, _ in operations(published)}
    routes = {
        (method, rule.rule.replace("<int:", "<").replace("<", "{").replace(">", "}"))
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("api.")
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }
    assert documented == routes and len(routes) == 12
    for schema in published["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)


def test_each_operation_is_described_with_its_fields(published: dict[str, Any]) -> None:
    for method, path, operation in operations(published):
        assert operation["summary"] and operation["description"], (method, path)
        assert operation["operationId"] and " " not in operation["operationId"]
        for parameter in operation.get("parameters", []):
            assert parameter.get("description"), (method, path, parameter["name"])
    for name, schema in published["components"]["schemas"].items():
        for field, member in schema.get("properties", {}).items():
            typed_elsewhere = "$ref" in member or "anyOf" in member
            assert typed_elsewhere or member.get("description"), (name, field)
    body = request_body(published, "/v1/check", "post")
    assert body["additionalProperties"] is False and body["required"] == ["claim"]
    assert "How many nearest sentences" in body["properties"]["k"]["description"]


def test_the_limits_dates_and_states_are_published(published: dict[str, Any]) -> None:
    """`maximum` on `k` (this server's CHECKER_MAX_K), `format: date` on dates, the verdicts
    and review states as enums, typed reasons and spans (issue 13, item 6)."""
    schemas = published["components"]["schemas"]
    for path in ("/v1/check", "/v1/check-draft"):
        body = request_body(published, path, "post")["properties"]
        assert body["k"] == {**body["k"], "type": "integer", "minimum": 1, "maximum": 100}
        for name in ("published_after", "published_before"):
            assert body[name]["format"] == "date" and body[name]["type"] == "string"
    assert request_body(published, "/v1/check", "post")["properties"]["claim"]["maxLength"] == 2000
    assert schemas["Verdict"]["enum"] == ["supports", "contradicts", "changed", "related"]
    assert schemas["Passage"]["properties"]["verdict"]["$ref"].endswith("/Verdict")
    assert schemas["ReviewState"]["enum"] == ["open", "confirmed", "dismissed"]
    assert schemas["Review"]["properties"]["state"]["$ref"].endswith("/ReviewState")
    assert request_body(published, "/v1/discrepancies/{finding_id}", "patch")["properties"][
        "review"
    ]["$ref"].endswith("/ReviewState")
    assert "disputed" in schemas["DraftSentence"]["properties"]["verdict"]["enum"]
    assert schemas["Finding"]["properties"]["verdict"]["enum"] == ["contradicts", "changed"]
    reason = schemas["Reason"]["properties"]
    assert reason["claim_spans"]["items"]["$ref"].endswith("/TextSpan")
    assert set(schemas["TextSpan"]["properties"]) == {"start", "end", "text"}
    assert schemas["Passage"]["properties"]["reasons"]["items"]["$ref"].endswith("/Reason")
    assert schemas["Passage"]["properties"]["span"]["$ref"].endswith("/Span")
    assert schemas["Anchor"]["properties"]["date"]["format"] == "date"
    assert schemas["Anchor"]["properties"]["source"]["enum"] == ["sentence", "published"]
    assert "Pashinyan — claiming" in schemas["Attribution"]["description"]
    attribution = schemas["Passage"]["properties"]["attribution"]["anyOf"]
    assert {"type": "null"} in attribution and {"attribution", "anchor"} <= set(
        schemas["Passage"]["required"]
    )
    review = published["paths"]["/v1/discrepancies"]["get"]["parameters"]
    (states,) = [p["schema"] for p in review if p["name"] == "review"]
    assert "open|confirmed|dismissed" in states["pattern"]


def test_the_limits_are_this_servers(seeded: Checker) -> None:
    settings = Settings(index=seeded.settings.index, max_k=7, max_claim_chars=300)
    checker = Checker(settings, seeded.store, seeded.judge, seeded.embedder)
    client = create_app(settings, checker=checker).test_client()
    document = client.get("/openapi.json").get_json()
    body = request_body(document, "/v1/check", "post")["properties"]
    assert body["k"]["maximum"] == 7 and body["claim"]["maxLength"] == 300


def test_only_the_errors_an_operation_can_return(published: dict[str, Any]) -> None:
    paths = published["paths"]
    responses = {(m, p): set(op["responses"]) for m, p, op in operations(published)}
    assert responses[("get", "/healthz")] == {"200"}
    assert responses[("get", "/readyz")] == {"200", "503"}
    check = responses[("post", "/v1/check")]
    assert check == {"200", "400", "401", "404", "413", "422", "429", "503"}  # no 403 for reads
    assert {"401", "403", "429"} <= responses[("post", "/v1/scan")]
    assert "400" not in responses[("post", "/v1/scan")]  # it takes no body
    assert responses[("delete", "/v1/documents/{document_id}")] >= {"204", "403", "404"}
    assert paths["/healthz"]["get"]["security"] == []
    assert paths["/v1/scan"]["post"]["security"] == [{"bearer": []}, {"apiKey": []}]
    assert "scope `write`" in paths["/v1/scan"]["post"]["description"]
    assert "scope `read`" in paths["/v1/check"]["post"]["description"]
    for method, path, operation in operations(published):
        for code, response in operation["responses"].items():
            if code >= "400":
                assert response["description"], (method, path, code)
                schema = response["content"]["application/problem+json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Problem"}
    claimreview = paths["/v1/discrepancies/{finding_id}/claimreview"]["get"]["responses"]["200"]
    assert set(claimreview["content"]) == {"application/ld+json"}
    assert set(published["components"]["securitySchemes"]) == {"bearer", "apiKey"}


def test_every_example_fits_its_schema(published: dict[str, Any]) -> None:
    """The examples /docs shows are valid: against the published schema, and (request
    bodies) against the model the server validates with."""
    seen = 0
    for name, schema in published["components"]["schemas"].items():
        for example in schema.get("examples", []):
            validator(published, name).validate(example)
            seen += 1
            model: type[BaseModel] | None = requests.MODELS.get(name)
            if model is not None:
                model.model_validate(example)
    assert seen >= 10


def test_real_answers_match_the_published_shapes(
    client: FlaskClient, published: dict[str, Any]
) -> None:
    """The seeds' answers, and a passage and finding with attributions, validate."""
    passage, finding = validator(published, "Passage"), validator(published, "Finding")
    answer = client.post("/v1/check", json={"claim": CLAIM})
    validator(published, "CheckResult").validate(answer.get_json())
    analysis = Analysis(1, attribution=PASHINYAN, anchor="2023-09-20", anchor_source="published")
    passage.validate(serialize.passage(judged(hit(NO_FORCES_SENTENCE, analysis)), "a claim"))
    passage.validate(serialize.passage(judged(hit(NO_FORCES_SENTENCE, None)), "a claim"))
    side = hit(NO_FORCES_SENTENCE, analysis)
    change = Finding(1, side, side, 0.9, Judgement(Verdict.CHANGED, 0.8), "2026-11-22")
    finding.validate(serialize.finding(change))
    assert client.post("/v1/scan").status_code == 200
    page = client.get("/v1/discrepancies").get_json()
    validator(published, "FindingPage").validate(page)
    assert page["items"]
    review = client.get(f"/v1/discrepancies/{page['items'][0]['id']}/claimreview")
    validator(published, "ClaimReview").validate(review.get_json(force=True))


def test_the_document_text_switch_is_documented(
    client: FlaskClient, published: dict[str, Any]
) -> None:
    """`GET /v1/documents/{id}?text=1` (issue 13): its parameter, and answers that fit."""
    operation = published["paths"]["/v1/documents/{document_id}"]["get"]
    (switch,) = [p for p in operation["parameters"] if p["name"] == "text"]
    assert switch["in"] == "query" and "1" in switch["schema"]["enum"]
    shape = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert {"text", "sentence_spans", "sentences", "characters"} <= set(
        resolve(published, shape)["properties"]
    )
    for query in ("", "?text=1"):
        answer = client.get(f"/v1/documents/{SEED_000}{query}").get_json()
        validator(published, "StoredDocument").validate(answer)


# -- /docs and /docs/try ---------------------------------------------------------------------


def test_the_docs_page_renders_each_operation_without_scripts(client: FlaskClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "<script" not in html and "http://" not in html.replace("http://localhost", "")
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert 'name="viewport"' in html  # laid out for a phone too
    for anchor in ("check", "check_a_draft", "add_documents", "review_discrepancy", "scan"):
        assert f'id="{anchor}"' in html
    assert "/v1/check-draft" in html and "DELETE" in html and "/openapi.json" in html
    # Markdown rendered, not shown raw; field descriptions; examples of requests and answers
    assert "<code>exclude_document</code>" in html and "`exclude_document`" not in html
    assert "How many nearest sentences to consider" in html
    assert "Example request" in html and "Example answer" in html
    assert "Armenian PM Nikol Pashinyan — claiming" in html
    assert 'href="#shape-Passage"' in html and 'id="shape-Passage"' in html
    health = html[html.index('id="healthz"') : html.index('id="readyz"')]
    assert "Errors" not in health and "No key needed" in health
    check = html[html.index('id="check"') : html.index('id="check_a_draft"')]
    assert "<dt>401</dt>" in check and "<dt>403</dt>" not in check


def test_the_interactive_reference_is_served_from_the_app(client: FlaskClient) -> None:
    response = client.get("/docs/try")
    assert response.status_code == 200
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    html = response.get_data(as_text=True)
    assert "<script>" not in html  # no inline script: the policy would block it
    sources = [part.split('"', 1)[0] for part in html.split('src="')[1:]]
    assert sources and all(src.startswith("/") for src in sources), sources
    for src in [*sources, "/docs/swagger-ui/css/swagger-ui.css"]:
        with client.get(src) as asset:
            assert asset.status_code == 200 and asset.get_data(), src
    assert_problem(client.get("/docs/swagger-ui/../../../etc/passwd"), 404, "")


def test_an_unknown_route_is_still_a_problem(client: FlaskClient) -> None:
    assert_problem(client.get("/openapi.yaml"), 404, "")


# -- error paths (issue 13, item 6) ------------------------------------------------------------


def test_a_wrong_method_says_which_are_allowed(client: FlaskClient) -> None:
    response = client.get("/v1/check")
    assert_problem(response, 405, "method")
    assert "POST" in response.headers["Allow"]
    assert "DELETE" in client.put(f"/v1/documents/{SEED_001}").headers["Allow"]


def test_an_unknown_index_is_named_not_its_directory(client: FlaskClient, seeded: Checker) -> None:
    for response in (
        client.post("/v1/check", json={"claim": CLAIM, "index": "nope"}),
        client.get(f"/v1/documents/{SEED_000}?index=nope"),
        client.get("/v1/discrepancies?index=nope"),
    ):
        body = assert_problem(response, 404, "unknown index 'nope'")
        assert str(seeded.settings.index.parent) not in body["detail"]
        assert "/" not in body["detail"]


def test_a_body_that_is_not_json_gets_a_content_type_hint(client: FlaskClient) -> None:
    form = client.post(
        "/v1/check", data="claim=Forces", content_type="application/x-www-form-urlencoded"
    )
    assert_problem(form, 400, "not valid JSON")
    assert "Content-Type: application/x-www-form-urlencoded" in form.get_json()["detail"]
    assert "Content-Type: application/json" in form.get_json()["detail"]
    empty = client.post("/v1/check-draft", data="", content_type="text/plain")
    assert_problem(empty, 400, "empty")
    assert "Content-Type: application/json" in empty.get_json()["detail"]
    # JSON is taken whatever the Content-Type says, as before; a JSON body says no more
    plain = client.post("/v1/check", data='{"claim": "Forces left."}', content_type="text/plain")
    assert plain.status_code == 200
    broken = client.post("/v1/check", data="{", content_type="application/json")
    assert "Content-Type" not in assert_problem(broken, 400, "not valid JSON")["detail"]


@pytest.mark.parametrize("claim", ["", "   ", "\n\t "])
def test_an_empty_or_blank_claim_gets_one_message(client: FlaskClient, claim: str) -> None:
    body = assert_problem(client.post("/v1/check", json={"claim": claim}), 422, "")
    assert body["detail"] == "claim must be a non-empty string" and body["field"] == "claim"


def test_no_answer_names_a_server_path(client: FlaskClient, seeded: Checker) -> None:
    directory = seeded.settings.index
    (directory / "manifest.json").rename(directory / "moved.json")
    body = assert_problem(client.get("/readyz"), 503, "manifest.json has disappeared")
    assert str(directory) not in body["detail"] and "/" not in body["detail"]


def test_validation_problems_name_the_field(client: FlaskClient) -> None:
    for payload, field, detail in [
        ({"claim": CLAIM, "sources": ["AP", 3]}, "sources.1", "sources.1: 3 is not of type"),
        ({"claim": CLAIM, "k": True}, "k", "k: True is not of type 'integer'"),
        ({"claim": CLAIM, "published_before": "2023-02-30"}, "published_before", "YYYY-MM-DD"),
        ({"claim": CLAIM, "colour": "red"}, "colour", "the fields are"),
    ]:
        body = assert_problem(client.post("/v1/check", json=payload), 422, detail)
        assert body["field"] == field
    assert_problem(client.get("/v1/discrepancies?limit=501"), 422, "limit must be from 1 to 500")
    assert_problem(client.get("/v1/discrepancies?review=open,maybe"), 422, "review must be one of")
