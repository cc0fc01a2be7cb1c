"""The pages and their assets through Flask's test client: served by the app, nothing external.

What they do in a browser is in tests/test_browser.py.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from checker.service import Checker
from checker.settings import Settings
from checker.store import keys
from checker.web import create_app
from checker.web.pages import CONTENT_SECURITY_POLICY, EXAMPLES
from tests.conftest import REPO, SEED_001
from tests.test_web import assert_problem

STATIC = REPO / "checker" / "web" / "static"


@pytest.fixture
def client(seeded: Checker) -> FlaskClient:
    return create_app(checker=seeded).test_client()


def _local_references(html: str) -> list[str]:
    return re.findall(r"""(?:src|href)="([^"]+)\"""", html)


def test_the_check_page_is_served_with_its_assets(client: FlaskClient) -> None:
    response = client.get("/")
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert '<textarea id="draft"' in html and ">Check</button>" in html
    references = [ref for ref in _local_references(html) if not ref.startswith(("#", "data:"))]
    assert references, html
    for ref in references:
        asset = client.get(ref)
        assert asset.status_code == 200, ref
        assert asset.mimetype in {"text/css", "text/javascript", "application/javascript"}, ref
        asset.close()


def test_pages_load_nothing_from_elsewhere(client: FlaskClient) -> None:
    """No CDN: the policy allows only this app, and no page or asset names another host."""
    for path in ("/", "/examples/editor"):
        response = client.get(path)
        policy = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "object-src 'none'" in policy
        assert "script-src" not in policy  # scripts fall back to 'self': no inline scripts
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        html = response.get_data(as_text=True).split("-->", 1)[-1]  # past the example's notes
        for ref in _local_references(html):
            assert ref.startswith(("/", "#")) or ref == "data:,", f"{path} loads {ref}"
    for asset in STATIC.iterdir():  # the only address in them is the example in a comment
        addresses = re.findall(r"\w+://[^\s\"'`]+", asset.read_text())
        assert all(a.startswith("https://checker.example.org/") for a in addresses), asset.name


def test_the_scripts_never_write_markup() -> None:
    """Text from drafts and documents goes into the page as text, never through innerHTML."""
    for script in STATIC.glob("*.js"):
        source = script.read_text()
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
            assert sink not in source, f"{script.name} uses {sink}"


def test_the_widget_and_its_example_are_served(client: FlaskClient) -> None:
    widget = client.get("/static/widget.js")
    assert widget.status_code == 200 and "Check facts" in widget.get_data(as_text=True)
    widget.close()
    example = client.get("/examples/editor")
    assert example.status_code == 200 and example.mimetype == "text/html"
    html = example.get_data(as_text=True)
    assert '<script src="/static/widget.js" defer></script>' in html
    assert "CORS" in html  # it says what cross-origin use needs
    example.close()


def test_a_missing_example_is_a_problem(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # (`checker.web.pages` as an attribute path is the blueprint, not the module)
    monkeypatch.setattr(importlib.import_module("checker.web.pages"), "EXAMPLES", Path("/none"))
    assert_problem(client.get("/examples/editor"), 404, "source tree only")
    assert EXAMPLES.is_dir()


def _rule(css: str, selector: str) -> str:
    """The declarations of the first rule whose selector list names `selector`."""
    match = re.search(r"([^{}]*)\{([^}]*)\}", css[css.index(selector) :])
    assert match, selector
    return match.group(2)


def test_every_mark_has_its_own_line_style_and_a_label(client: FlaskClient) -> None:
    """Changed over time (amber, dotted) and disputed (a double line) differ from the others by
    more than colour, and the page names each in words."""
    html = client.get("/").get_data(as_text=True)
    for verdict, word in (
        ("contradicts", "contradicted"),
        ("supports", "supported"),
        ("disputed", "disputed"),
        ("changed", "changed over time"),
    ):
        assert f'<span class="ck-key ck-{verdict}">{word}</span>' in html
    response = client.get("/static/checker-ui.css")
    css = response.get_data(as_text=True)
    response.close()
    styles = {
        verdict: _rule(css, f".ck-sentence.ck-{verdict}")
        for verdict in ("contradicts", "supports", "changed", "disputed")
    }
    lines = {v: re.findall(r"border-bottom:\s*\S+\s+(\w+)", s) for v, s in styles.items()}
    assert lines == {
        "contradicts": ["solid"],
        "supports": ["dashed"],
        "changed": ["dotted"],
        "disputed": ["double"],
    }
    assert "var(--ck-changed-bg)" in styles["changed"]
    script = (STATIC / "checker-ui.js").read_text()
    assert '["changed", "Changed over time"]' in script and '["disputed", "Disputed"]' in script
    assert "passage.attribution" in script  # the evidence says who asserts each passage


def test_the_document_page_is_a_shell_with_its_own_assets(client: FlaskClient) -> None:
    """`/documents/<id>` (issue 13, item 4): served under the same policy as the check page;
    its script reads the document through the API."""
    response = client.get(f"/documents/{SEED_001}?sentence={SEED_001}%239")
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    html = response.get_data(as_text=True)
    assert f'data-document-id="{SEED_001}"' in html and 'role="alert"' in html
    for ref in _local_references(html):
        if ref.startswith(("#", "data:")):
            continue
        asset = client.get(ref)
        assert asset.status_code == 200, ref
        asset.close()
    assert "document.js" in html


def test_an_unknown_document_is_a_404_page(client: FlaskClient) -> None:
    hostile = "<img src=x onerror=alert(1)>"
    response = client.get(f"/documents/{hostile}")
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    html = response.get_data(as_text=True)
    assert "No such document" in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<img" not in html


def test_with_keys_the_document_page_tells_nothing_without_one(seeded: Checker) -> None:
    """Once the index has keys, the page cannot know the reader's key: it serves the shell,
    whose script asks the API with the tab's key, and does not say whether an id exists."""
    keys.create(seeded.store.conn, "desk", "read")
    client = create_app(checker=seeded).test_client()
    assert client.get("/documents/nope").status_code == 200
    assert client.get(f"/documents/{SEED_001}").status_code == 200
    assert_problem(client.get(f"/v1/documents/{SEED_001}?text=1"), 401, "needs an API key")
    open_reads = Settings(**{**seeded.settings.__dict__, "open_reads": True})
    opened = create_app(open_reads, checker=seeded).test_client()
    assert opened.get("/documents/nope").status_code == 404
