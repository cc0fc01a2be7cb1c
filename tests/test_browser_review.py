"""The review page (/review) in a real browser against a real gunicorn over the seeds index:
an editor dismisses a flag with a reason, finds it gone from the open list, reopens it, and is
told in plain words when the checker needs a key."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator

import pytest
from playwright.sync_api import Page, expect

from tests import test_browser
from tests.conftest import SEED_001
from tests.live import request, serve_seeds
from tests.test_browser import PHONE, screenshot

pytestmark = test_browser.pytestmark
# The browser and a fresh page per test, as the check page's tests have them.
browser = test_browser.browser
open_page = test_browser.open_page
HEADLINE = "One report denies what another asserts"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The seeds served and scanned, so there is a flag to review."""
    with serve_seeds(tmp_path_factory.mktemp("review")) as base:
        status, summary = request(base + "/v1/scan", method="POST")
        assert status == 200 and summary["new_findings"] >= 1, summary
        yield base


def the_card(page: Page) -> object:
    return page.locator("article.finding", has=page.get_by_role("heading", name=HEADLINE))


def test_an_editor_dismisses_a_flag_and_reopens_it(
    server: str, open_page: Callable[..., Page]
) -> None:
    page = open_page("/review")
    card = the_card(page)
    expect(card).to_be_visible()
    expect(card.locator("mark", has_text="no Armenian armed forces")).to_be_visible()
    expect(card.get_by_text("Who says it: Armenian PM Nikol Pashinyan — claiming")).to_be_visible()
    link = card.get_by_role("link", name="Read it in context").nth(1)
    assert f"/documents/{SEED_001}?sentence={SEED_001}%23" in (link.get_attribute("href") or "")
    expect(card.locator(".decision")).to_have_text("Open: no decision yet")
    screenshot(page, "review-desktop")

    card.get_by_label("Why dismiss?").select_option("copy")
    card.get_by_role("button", name="Dismiss").click()
    decided = the_card(page)
    expect(decided.locator(".decision")).to_contain_text("Dismissed (A copy or rewording) by")
    expect(page.get_by_role("status")).to_contain_text("Dismissed")
    (item,) = request(server + "/v1/discrepancies?review=dismissed")[1]["items"]
    assert item["review"]["state"] == "dismissed" and item["review"]["reason"] == "copy"

    page.reload()  # open and confirmed by default: the dismissed flag is not there
    expect(page.get_by_role("status")).to_contain_text("Nothing to review")
    page.get_by_label("Show").select_option("dismissed")
    the_card(page).get_by_role("button", name="Reopen").click()
    expect(the_card(page).locator(".decision")).to_have_text("Open: no decision yet")
    assert request(server + "/v1/discrepancies?review=open")[1]["total"] >= 1


def test_the_review_page_works_at_phone_width_with_the_keyboard(
    server: str, open_page: Callable[..., Page]
) -> None:
    page = open_page("/review", viewport=PHONE)
    card = the_card(page)
    expect(card).to_be_visible()
    confirm = card.get_by_role("button", name="Confirm")
    confirm.focus()
    page.keyboard.press("Enter")
    expect(the_card(page).locator(".decision")).to_contain_text("Confirmed by")
    sides = the_card(page).locator(".side")
    first, second = sides.nth(0).bounding_box(), sides.nth(1).bounding_box()
    assert first and second and second["y"] > first["y"]  # stacked, not squeezed side by side
    screenshot(page, "review-phone")
    request(
        server + f"/v1/discrepancies/{the_card(page).get_attribute('data-finding-id')}",
        {"review": "open"},
        method="PATCH",
    )


def test_a_closed_checker_asks_for_a_key_in_plain_words(
    server: str, open_page: Callable[..., Page]
) -> None:
    index = request(server + "/readyz")[1]["index"]
    keys = [sys.executable, "-m", "checker", "keys"]
    created = subprocess.run(
        [*keys, "create", "review-desk", "--scope", "write", "--index", index],
        check=True,
        capture_output=True,
        text=True,
    )
    try:
        page = open_page("/review")
        expect(page.get_by_role("alert")).to_contain_text(
            "This checker needs an access key — ask your administrator"
        )
        expect(page.locator("#key-box")).to_have_attribute("open", "")
        page.get_by_label("Access key (needed once").fill(created.stdout.strip())
        page.get_by_label("Access key (needed once").press("Tab")  # a change event loads
        expect(the_card(page)).to_be_visible()
    finally:  # the module's other tests expect an open index
        subprocess.run([*keys, "revoke", "review-desk", "--index", index], check=True)
