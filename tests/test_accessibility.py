"""An axe-core scan (axe-playwright-python, which carries axe-core: nothing from a CDN) of
every page an editor or a developer opens, in Debian's Chromium on desktop and phone widths,
against a real gunicorn over the scanned seeds: no serious or critical violation.

Minor and moderate findings are listed in the failure message of nothing and left to people;
the bar is the one the editor's-workflow issue sets.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from click.testing import CliRunner
from playwright.sync_api import Page, expect

from checker.cli import main
from tests import test_browser
from tests.conftest import SEED_001, SEEDS
from tests.live import request, serve_seeds
from tests.test_browser import CLAIM, DESKTOP, PHONE

pytestmark = test_browser.pytestmark
browser = test_browser.browser
open_page = test_browser.open_page
BLOCKING = {"serious", "critical"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve_seeds(tmp_path_factory.mktemp("axe")) as base:
        assert request(base + "/v1/scan", method="POST")[0] == 200
        yield base


def blocking(page: Page) -> list[dict[str, Any]]:
    """The serious and critical violations axe finds on the page as it stands."""
    results = Axe().run(page)
    assert results.response["testEngine"]["name"] == "axe-core"
    assert results.response["passes"], "axe checked nothing: did its script run on the page?"
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
    ]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_check_page_with_results(open_page: Callable[..., Page], viewport: dict) -> None:
    page = open_page("/", viewport=viewport)
    page.get_by_label("Draft").fill(CLAIM)
    page.get_by_role("button", name="Check", exact=True).click()
    expect(page.locator("mark.ck-sentence").first).to_be_visible()
    page.locator("mark.ck-sentence").first.click()
    assert blocking(page) == []


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_review_page(open_page: Callable[..., Page], viewport: dict) -> None:
    page = open_page("/review", viewport=viewport)
    expect(page.locator("article.finding").first).to_be_visible()
    assert blocking(page) == []


def test_the_document_page(open_page: Callable[..., Page]) -> None:
    page = open_page(f"/documents/{SEED_001}?sentence={SEED_001}%239")
    expect(page.locator("mark").first).to_be_visible()
    assert blocking(page) == []


def test_the_widget_in_the_example_editor(open_page: Callable[..., Page]) -> None:
    page = open_page("/examples/editor")
    page.get_by_role("button", name="Check facts").first.click()
    expect(page.locator(".checker-widget mark.ck-mark").first).to_be_visible()
    page.get_by_role("button", name="Next mark").first.click()  # the evidence's popover
    expect(page.get_by_role("dialog")).to_be_visible()
    assert blocking(page) == []


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_api_docs(open_page: Callable[..., Page], viewport: dict) -> None:
    page = open_page("/docs", viewport=viewport)
    expect(page.locator("h1").first).to_be_visible()
    # Readable on a phone: nothing wider than the screen (tables scroll in their own box).
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert blocking(page) == []


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_interactive_reference(open_page: Callable[..., Page], viewport: dict) -> None:
    """/docs/try (Swagger UI) with its operation list, then with one operation open. Its
    deep links were links inside the operations' buttons (axe's nested-interactive, serious),
    so the page runs without them; /docs has an anchor per operation instead."""
    page = open_page("/docs/try", viewport=viewport)
    expect(page.locator(".opblock").first).to_be_visible()
    assert blocking(page) == []
    page.locator(".opblock-summary-control").first.click()
    expect(page.locator(".opblock-body").first).to_be_visible()
    assert blocking(page) == []


def test_the_interactive_reference_runs_from_the_apps_own_files(
    open_page: Callable[..., Page],
) -> None:
    """Swagger UI on /docs/try: its files come from this server (the page's policy allows
    nothing else), it lists the operations from /openapi.json, and no script fails."""
    requested: list[str] = []
    page = open_page("/docs/try")
    page.on("request", lambda r: requested.append(r.url))
    expect(page.locator(".opblock").first).to_be_visible()
    page.reload()
    expect(page.locator(".opblock-summary-path", has_text="/v1/check-draft")).to_be_visible()
    assert requested and all(url.startswith(page.url.split("/docs")[0]) for url in requested)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_nightly_report(
    browser: Any, tmp_path_factory: pytest.TempPathFactory, viewport: dict
) -> None:
    folder = tmp_path_factory.mktemp("axe-report")
    index, out = folder / "index", folder / "report.html"
    runner = CliRunner()
    assert runner.invoke(main, ["ingest", str(SEEDS), "--index", str(index)]).exit_code == 0
    result = runner.invoke(
        main, ["report", "--index", str(index), "--format", "html", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    context = browser.new_context(viewport=viewport)
    try:
        page = context.new_page()
        page.goto(Path(out).as_uri())
        expect(page.locator("section.card").first).to_be_visible()
        assert blocking(page) == []
    finally:
        context.close()


def test_the_scan_would_catch_a_violation(browser: Any) -> None:
    """The harness itself: an unlabelled field and an image without text are caught."""
    context = browser.new_context(viewport=DESKTOP)
    try:
        page = context.new_page()
        page.set_content('<html lang="en"><title>t</title><img src="x.png"><input type="text">')
        assert {v["id"] for v in blocking(page)} >= {"image-alt", "label"}
    finally:
        context.close()
