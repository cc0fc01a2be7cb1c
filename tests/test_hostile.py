"""Hostile and broken input: what a newsroom's scrapers and clients will send sooner or later.

Every limit answers 413 or 422 naming its setting; text that is not Unicode and JSON nested
past what Python reads are refused with a problem, not a 500; HTML built to choke a parser
(nesting past its depth limit, a 5 MB attribute, thousands of tags) is cleaned or refused
with one line while the rest of the batch lands and nothing stored is lost; and a script in a
scraped article is text, never markup, in the report.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from checker.cli import main
from checker.errors import InvalidInput
from checker.ingest import Problem, read_file
from checker.ingest.records import HTML_CHARS_PER_TEXT_CHAR
from checker.ingest.webpage import extract_page
from checker.service import Checker
from checker.settings import Settings
from checker.web import create_app
from tests.conftest import SEED_000, SEED_001, SEEDS
from tests.test_openapi import request_body
from tests.test_web import assert_problem

PROSE = "The ferry to Stepanakert was cancelled on Friday, the port authority said."
ARTICLE = (
    "<p>The ferry to Stepanakert was cancelled on Friday, the port authority said.</p>"
    "<p>Passengers were offered seats on a bus that left two hours later, officials added.</p>"
)


def page(inner: str) -> str:
    return f"<html><head><title>Ferry</title></head><body><article>{inner}</article></body></html>"


# HTML built to choke a parser.
NESTED = page(ARTICLE + "<div>" * 100_000 + "deep" + "</div>" * 100_000 + ARTICLE)
HUGE_ATTRIBUTE = page(f'<p data-x="{"a" * 5_000_000}">{PROSE}</p>' + ARTICLE)
MANY_TAGS = page(ARTICLE + "<span>x</span> " * 20_000 + ARTICLE)


def raw_post(client: FlaskClient, path: str, raw: str) -> Any:
    return client.post(path, data=raw.encode(), content_type="application/json")


# -- regressions: requests that used to be 500s ---------------------------------------------


@pytest.mark.parametrize(
    ("path", "raw", "field"),
    [
        ("/v1/check", '{"claim": "\\ud800 Armenian forces are present"}', "claim"),
        ("/v1/check", '{"claim": "Forces are present", "sources": ["\\udc00"]}', "sources.0"),
        ("/v1/check-draft", '{"text": "Forces left. \\ud83d They came back."}', "text"),
    ],
)
def test_a_lone_surrogate_is_refused_not_a_500(
    client: FlaskClient, path: str, raw: str, field: str
) -> None:
    """JSON may escape half a UTF-16 pair; the tokenizer and SQLite cannot take it (was 500)."""
    body = assert_problem(raw_post(client, path, raw), 422, "lone surrogate")
    assert body["field"] == field


def test_a_record_with_a_lone_surrogate_is_a_problem_and_the_rest_lands(
    client: FlaskClient,
) -> None:
    records = [
        '{"id": "bad-text", "text": "\\ud800 The forces are present in the region."}',
        '{"id": "bad-id-\\ud800", "text": "The forces are present in the region."}',
        '{"id": "bad-title", "title": "\\udfff", "text": "The forces are present."}',
        '{"id": "bad-html", "html": "<html><body><p>\\ud800 Forces left.</p></body></html>"}',
        json.dumps({"id": "good", "text": PROSE}),
    ]
    response = raw_post(client, "/v1/documents", "[" + ",".join(records) + "]")
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert body["added"] == ["good"]
    assert [p["origin"] for p in body["problems"]] == [f"documents[{n}]" for n in range(4)]
    assert all("surrogate" in p["message"] for p in body["problems"]), body["problems"]


def test_json_nested_past_what_python_reads_is_a_400(client: FlaskClient) -> None:
    for raw in ("[" * 100_000, '{"claim": ' + "[" * 100_000):
        assert_problem(raw_post(client, "/v1/check", raw), 400, "nests JSON")


def test_a_json_file_with_a_lone_surrogate_does_not_stop_the_ingest(
    make_checker: Callable[..., Checker], tmp_path: Path
) -> None:
    """The CLI's path: a JSON record escapes a lone surrogate (was an exception at store)."""
    path = tmp_path / "wire.jsonl"
    path.write_text(
        '{"id": "a", "text": "\\ud800 broken."}\n' + json.dumps({"id": "b", "text": PROSE}) + "\n"
    )
    results = read_file(path, 10_000)
    assert isinstance(results[0], Problem) and "surrogate" in results[0].message
    assert make_checker().ingest(results).added == ["b"]


# -- limits -----------------------------------------------------------------------------------


def test_a_batch_over_the_limit_is_413_naming_the_setting(seeded: Checker) -> None:
    settings = Settings(index=seeded.settings.index, max_batch_documents=3)
    client = create_app(
        settings, checker=Checker(settings, seeded.store, seeded.judge, seeded.embedder)
    ).test_client()
    records = [{"id": f"wire-{n}", "text": PROSE} for n in range(4)]
    for body in (records, {"documents": records}):
        response = client.post("/v1/documents", json=body)
        assert_problem(
            response, 413, "4 documents, over the limit of 3 (CHECKER_MAX_BATCH_DOCUMENTS)"
        )
    response = client.post("/v1/documents", json=records[:3])
    assert response.status_code == 201 and len(response.get_json()["added"]) == 3
    published = client.get("/openapi.json").get_json()
    list_form, object_form = request_body(published, "/v1/documents", "post")["oneOf"]
    assert list_form["maxItems"] == 3
    assert object_form["properties"]["documents"]["maxItems"] == 3


def test_the_default_batch_limit_is_published(client: FlaskClient) -> None:
    published = client.get("/openapi.json").get_json()
    assert request_body(published, "/v1/documents", "post")["oneOf"][0]["maxItems"] == 1000


@pytest.mark.parametrize(
    ("payload", "status", "detail"),
    [
        ({"claim": "x" * 2001}, 422, "the limit is 2000 (CHECKER_MAX_CLAIM_CHARS)"),
        ({"claim": "Forces left.", "k": 101}, 422, "from 1 to 100 (CHECKER_MAX_K)"),
        ({"claim": "Forces left.", "k": 0}, 422, "k"),
    ],
)
def test_check_limits_name_their_setting(
    client: FlaskClient, payload: dict[str, Any], status: int, detail: str
) -> None:
    assert_problem(client.post("/v1/check", json=payload), status, detail)


def test_request_and_document_size_limits_name_their_setting(seeded: Checker) -> None:
    settings = Settings(index=seeded.settings.index, max_request_bytes=2000, max_document_chars=100)
    checker = Checker(settings, seeded.store, seeded.judge, seeded.embedder)
    client = create_app(settings, checker=checker).test_client()
    too_big = client.post("/v1/documents", json=[{"text": "word " * 1000}])
    assert_problem(too_big, 413, "(CHECKER_MAX_REQUEST_BYTES)")
    response = client.post(
        "/v1/documents",
        json=[
            {"id": "long", "text": "The ferry left. " * 10},
            {"id": "markup", "html": page("<p>" + "x" * 10 + "</p>" * 200)},
            {"id": "short", "text": "The ferry left."},
        ],
    )
    assert response.status_code == 201 and response.get_json()["added"] == ["short"]
    long, markup = response.get_json()["problems"]
    assert "over the limit of 100 (CHECKER_MAX_DOCUMENT_CHARS)" in long["message"]
    assert f"({HTML_CHARS_PER_TEXT_CHAR} × CHECKER_MAX_DOCUMENT_CHARS)" in markup["message"]


# -- HTML built to choke a parser -------------------------------------------------------------


def test_html_nested_past_the_parsers_depth_is_refused_in_one_line() -> None:
    """lxml stops at depth 256 and trafilatura returned only what came before, silently."""
    with pytest.raises(InvalidInput) as raised:
        extract_page(NESTED)
    assert "Excessive depth" in raised.value.detail and "\n" not in raised.value.detail
    assert "XML_PARSE_HUGE" not in raised.value.detail  # advice for programmers, not editors


@pytest.mark.parametrize("html", [HUGE_ATTRIBUTE, MANY_TAGS], ids=["5 MB attribute", "many tags"])
def test_a_huge_attribute_or_many_tags_are_cleaned(html: str) -> None:
    extracted = extract_page(html)
    assert extracted is not None
    assert "Passengers were offered seats" in extracted.text
    assert "aaaa" not in extracted.text  # the attribute is not text


def test_cli_ingest_of_choking_html_keeps_the_rest_and_what_was_stored(tmp_path: Path) -> None:
    index = str(tmp_path / "index")
    runner = CliRunner()
    assert runner.invoke(main, ["ingest", str(SEEDS), "--index", index]).exit_code == 0
    folder = tmp_path / "scraped"
    folder.mkdir()
    (folder / "nested.html").write_text(NESTED)
    (folder / "attribute.html").write_text(HUGE_ATTRIBUTE)
    (folder / "tags.html").write_text(MANY_TAGS)
    (folder / "wire.txt").write_text(PROSE)
    result = runner.invoke(main, ["ingest", str(folder), "--index", index, "--json"])
    assert result.exit_code == 2, result.output  # some inputs had problems; the rest stored
    summary = json.loads(result.stdout)
    assert sorted(summary["added"]) == ["attribute", "tags", "wire"]
    (problem,) = summary["problems"]
    assert problem["origin"].endswith("nested.html") and "Excessive depth" in problem["message"]
    problem_lines = [line for line in result.stderr.splitlines() if line.startswith("problem:")]
    assert problem_lines == [f"problem: {problem['origin']}: {problem['message']}"]
    status = runner.invoke(main, ["status", "--index", index])
    assert status.exit_code == 0, status.output
    assert json.loads(status.stdout)["documents"] == 5  # the two seeds are still there


def test_api_ingest_of_choking_html_keeps_the_rest(client: FlaskClient) -> None:
    records = [
        {"id": "nested", "html": NESTED},
        {"id": "tags", "html": MANY_TAGS},
        {"id": "wire", "text": PROSE},
    ]
    response = client.post("/v1/documents", json=records)
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert body["added"] == ["tags", "wire"]
    (problem,) = body["problems"]
    assert problem["origin"] == "documents[0]" and "Excessive depth" in problem["message"]
    for doc_id in (SEED_000, SEED_001, "tags", "wire"):
        assert client.get(f"/v1/documents/{doc_id}").status_code == 200


# -- text never executed ----------------------------------------------------------------------


def test_a_script_in_a_scraped_article_is_text_in_the_report(tmp_path: Path) -> None:
    """A page's <script> element is dropped; a script quoted in the prose stays as words and
    is escaped where the report shows it."""
    scraped = page(
        "<h1>Blast</h1><script>window.pwned = 1</script>"
        "<p>Officials said &lt;script&gt;alert(1)&lt;/script&gt; that 12 people were killed in "
        "the blast at the fuel depot near Stepanakert on Monday.</p>"
        "<p>The talks in Yevlakh ended without an agreement on Thursday, officials said.</p>"
        '<img src="x" onerror="window.pwned = 2">'
    )
    folder = tmp_path / "sources"
    folder.mkdir()
    (folder / "scraped.html").write_text(scraped)
    (folder / "wire.txt").write_text(
        "Officials said that 68 people were killed in the blast at the fuel depot near "
        "Stepanakert on Monday."
    )
    index = str(tmp_path / "index")
    runner = CliRunner()
    ingested = runner.invoke(main, ["ingest", str(folder), "--index", index])
    assert ingested.exit_code == 0, ingested.output
    out = tmp_path / "report.html"
    report = runner.invoke(
        main, ["report", "--index", index, "--format", "html", "--out", str(out)]
    )
    assert report.exit_code == 0, report.output
    html = out.read_text()
    assert "68" in html  # the two reports' contradiction is on the page...
    assert "alert(1)" in html  # ...with the scraped words, as text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html.replace("<mark>", "").replace(
        "</mark>", ""
    )
    assert "<script" not in html and "onerror" not in html and "window.pwned" not in html
