"""The review page (/review) in a real browser against a real gunicorn over the seeds index:
an editor dismisses a flag with a reason, finds it gone from the open list, reopens it, and is
told in plain words when the checker needs a key."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import Page, expect

from tests import test_browser
from tests.conftest import NO_FORCES_SENTENCE, SEED_000, SEED_001, WITHDRAWAL_SENTENCE
from tests.live import INDEXES, request, serve_seeds
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


@contextmanager
def api_key(server: str, name: str, scope: str) -> Iterator[str]:
    """A new key for the served index, revoked at the end: the module's other tests expect
    an open index."""
    index = str(INDEXES[server])
    keys = [sys.executable, "-m", "checker", "keys"]
    created = subprocess.run(
        [*keys, "create", name, "--scope", scope, "--index", index],
        check=True,
        capture_output=True,
        text=True,
    )
    try:
        yield created.stdout.strip()
    finally:
        subprocess.run([*keys, "revoke", name, "--index", index], check=True)


def test_a_closed_checker_asks_for_a_key_in_plain_words(
    server: str, open_page: Callable[..., Page]
) -> None:
    with api_key(server, "review-desk", "write") as key:
        page = open_page("/review")
        expect(page.get_by_role("alert")).to_contain_text(
            "This checker needs an access key — ask your administrator"
        )
        expect(page.locator("#key-box")).to_have_attribute("open", "")
        page.get_by_label("Access key (needed once").fill(key)
        page.get_by_label("Access key (needed once").press("Tab")  # a change event loads
        expect(the_card(page)).to_be_visible()


def test_an_editor_decides_on_a_flag_from_the_check_page(
    server: str, open_page: Callable[..., Page]
) -> None:
    """Issue 13, item 1: the check page's evidence for a stored story (its id under Options)
    carries the scan's flag with Confirm / Dismiss / Reopen, through the same PATCH and key
    as the review page; a draft without the story's id, or a sentence edited since the story
    was stored, says why there is nothing to decide on."""
    page = open_page("/")
    draft = page.get_by_label("Draft")
    check = page.get_by_role("button", name="Check", exact=True)
    evidence = page.locator(".ck-evidence")
    flag = evidence.locator(".ck-passage.ck-contradicts", has_text=NO_FORCES_SENTENCE)

    def check_and_open() -> None:
        check.click()  # the answer has come once the panel is no longer busy
        expect(page.locator(".ck-panel")).not_to_have_attribute("aria-busy", "true")
        page.locator("mark.ck-sentence").first.click()

    draft.fill(WITHDRAWAL_SENTENCE)
    check_and_open()
    expect(evidence.locator(".ck-triage-note")).to_contain_text(
        "give this story's id under Options"
    )
    expect(evidence.get_by_role("button", name="Dismiss")).to_have_count(0)

    page.get_by_text("Options", exact=True).click()
    page.get_by_label("This story's id in the index").fill(SEED_000)
    check_and_open()
    expect(flag.locator(".decision")).to_have_text("Open: no decision yet")
    expect(evidence.locator(".ck-triage-note")).to_have_count(0)
    flag.get_by_label("Why dismiss?").select_option("copy")
    flag.get_by_role("button", name="Dismiss").click()
    expect(flag.locator(".decision")).to_contain_text("Dismissed (A copy or rewording) by")
    expect(flag.get_by_role("button", name="Dismiss")).to_be_focused()
    expect(flag.get_by_role("status")).to_contain_text("Dismissed")
    (item,) = request(server + "/v1/discrepancies?review=dismissed")[1]["items"]
    assert item["review"]["reason"] == "copy" and NO_FORCES_SENTENCE in item["b"]["text"]
    screenshot(page, "check-page-triage")

    check_and_open()  # the decision sticks: a new check shows it
    expect(flag.locator(".decision")).to_contain_text("Dismissed (A copy or rewording) by")
    flag.get_by_role("button", name="Reopen").click()
    expect(flag.locator(".decision")).to_have_text("Open: no decision yet")
    expect(flag.get_by_role("button", name="Confirm")).to_be_focused()
    assert request(server + "/v1/discrepancies?review=dismissed")[1]["total"] == 0

    draft.fill(WITHDRAWAL_SENTENCE.replace("specified", "agreed"))
    check_and_open()
    expect(evidence.locator(".ck-triage-note")).to_contain_text("not in the stored story")
    expect(evidence.get_by_role("button", name="Dismiss")).to_have_count(0)


def test_deciding_from_the_check_page_needs_a_write_key(
    server: str, open_page: Callable[..., Page]
) -> None:
    """With keys, a read key checks the draft but may not decide: the flag says so in an
    editor's words and the key box opens; nothing is decided."""
    with api_key(server, "reader", "read") as key:
        page = open_page("/")
        page.locator("#key-box summary").click()
        page.get_by_label("API key (needed once").fill(key)
        page.get_by_label("API key (needed once").press("Tab")
        page.get_by_text("Options", exact=True).click()
        page.get_by_label("This story's id in the index").fill(SEED_000)
        page.get_by_label("Draft").fill(WITHDRAWAL_SENTENCE)
        page.get_by_role("button", name="Check", exact=True).click()
        expect(page.locator(".ck-panel")).not_to_have_attribute("aria-busy", "true")
        page.locator("mark.ck-sentence").click()
        flag = page.locator(".ck-passage.ck-contradicts", has_text=NO_FORCES_SENTENCE)
        flag.get_by_role("button", name="Confirm").click()
        alert = flag.get_by_role("alert")
        expect(alert.locator("strong")).to_have_text(
            "This access key may not do this — ask your administrator"
        )
        expect(page.locator("#key-box")).to_have_attribute("open", "")
        expect(flag.locator(".decision")).to_have_text("Open: no decision yet")
        expect(flag.get_by_role("button", name="Confirm")).not_to_have_attribute(
            "aria-disabled", "true"
        )
    assert request(server + "/v1/discrepancies?review=confirmed")[1]["total"] == 0
