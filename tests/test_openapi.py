"""The published schema: `/openapi.json` covers every API route, and `/docs` lists it."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from jsonschema import Draft202012Validator

from checker.web import schemas
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
    assert documented == routes and len(routes) == 10


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
