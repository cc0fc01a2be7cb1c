"""The check page and the widget example in a real browser (Debian's Chromium, headless,
driven by Playwright) against a real gunicorn on loopback serving the seeds index.

Screenshots land in tests/artifacts/ (git-ignored) for people to look at.
`make browser` installs Chromium; `playwright install` is never used (it downloads a browser).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Route, expect, sync_playwright

from checker import serialize
from checker.drafts import DraftResult, DraftSentence
from checker.judge.calibration import load_calibration
from checker.service import CheckResult
from checker.types import (
    Analysis,
    Attribution,
    DocumentInfo,
    Hit,
    Judgement,
    Passage,
    Reason,
    Sentence,
    Verdict,
)
from tests.conftest import NO_FORCES_SENTENCE, REPO, SEED_000, SEED_001, WITHDRAWAL_SENTENCE
from tests.live import INDEXES, request, serve_seeds

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = REPO / "tests" / "artifacts"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

CLAIM = "Armenian forces are present in Karabakh."
# The seeds contradict CLAIM; where they also support it, it is marked disputed.
CONTRADICTED = re.compile(r"^ck-sentence ck-(contradicts|disputed)$")
TITLE_001 = "Separatists in Karabakh Accept Azerbaijan’s Ceasefire Terms"
DRAFT = (
    f"{CLAIM} The talks took place in Yevlakh on 21 September.\n\n"
    "The accord called for the withdrawal of remaining Armenian forces. It was a mild day."
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(), reason="no /usr/bin/chromium: run `make browser` to install it"
    ),
]
expect.set_options(timeout=60_000)  # a check on a busy 2-core machine; a bound, not a goal


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve_seeds(tmp_path_factory.mktemp("browser")) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def open_page(browser: Browser, server: str) -> Iterator[Callable[..., Page]]:
    """A fresh page at `path`; an uncaught script error anywhere fails the test."""
    errors: list[str] = []
    contexts = []

    def open_at(path: str, viewport: dict[str, int] = DESKTOP) -> Page:
        context = browser.new_context(viewport=viewport)  # type: ignore[arg-type]
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(server + path)
        return page

    yield open_at
    for context in contexts:
        context.close()
    assert not errors, errors


def screenshot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)


def record_statuses(page: Page) -> None:
    """Keep every text the status line shows, so a short-lived loading state can be seen."""
    page.evaluate(
        """() => {
          window.statuses = [];
          const status = document.querySelector(".ck-status");
          new MutationObserver(() => window.statuses.push(status.textContent))
            .observe(status, {childList: true, subtree: true, characterData: true});
        }"""
    )


def test_the_check_page_marks_the_contradiction_and_shows_its_evidence(
    open_page: Callable[..., Page],
) -> None:
    page = open_page("/")
    record_statuses(page)
    page.get_by_label("Draft").fill(DRAFT)
    page.get_by_role("button", name="Check", exact=True).click()
    claim = page.locator("mark.ck-sentence", has_text=CLAIM)
    # Pashinyan's sentence contradicts it ("disputed" where a report supports it too).
    expect(claim).to_have_class(CONTRADICTED)
    accord = page.locator("mark.ck-sentence", has_text="The accord called for")
    expect(accord).to_have_class(CONTRADICTED)  # Pashinyan denies it too
    assert "Checking the draft…" in page.evaluate("window.statuses")
    expect(page.locator(".ck-summary")).to_contain_text("4 sentences checked: ")

    claim.click()
    evidence = page.locator(".ck-evidence")
    first = evidence.locator(".ck-passage.ck-contradicts").first
    expect(first.locator(".ck-doc-id")).to_have_text(SEED_001)
    expect(first.locator(".ck-doc-title")).to_have_text(TITLE_001)
    expect(first.locator(".ck-doc")).to_contain_text("2023-09-20")
    expect(first.locator(".ck-quote .ck-diff")).to_have_text("no Armenian armed forces")
    # ...between its neighbours in the report, to read it in context
    expect(first.locator(".ck-around").first).to_contain_text("Armenia has insisted")
    expect(first.locator(".ck-yours .ck-diff")).to_have_text("Armenian forces are present")
    expect(first.locator(".ck-reasons")).to_contain_text("Negation")
    expect(first.locator(".ck-attribution")).to_have_text("Armenian PM Nikol Pashinyan — claiming")
    expect(first.locator(".ck-anchor")).to_have_text("as of 2023-09-19")  # "yesterday"
    # The passage's confidence is the calibrated one (checker/judge/calibration.json) that
    # the API gives, as a percent; the negation rule's own reading is listed with its reason.
    shown = load_calibration().confidence(Verdict.CONTRADICTS, "negation", 0.732)
    rounded = int(shown * 100 + 0.5)  # as the page's Math.round, not Python's round-half-even
    expect(first.locator(".ck-passage-head")).to_contain_text(f"confidence {rounded}")
    expect(claim).to_have_attribute("aria-expanded", "true")
    screenshot(page, "check-page-desktop")


def test_a_draft_over_the_request_limit_is_checked_in_parts(
    open_page: Callable[..., Page],
) -> None:
    """250 filler sentences then the claim: the page sends the draft in parts under the API's
    200-sentence limit and marks the claim where it lies in the whole draft."""
    page = open_page("/")
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url) if "check-draft" in r.url else None)
    filler = " ".join(f"Filler line {n} says little." for n in range(250))
    page.get_by_label("Draft").fill(f"{filler}\n\n{CLAIM}")
    page.get_by_role("button", name="Check", exact=True).click()
    claim = page.locator("mark.ck-sentence", has_text=CLAIM)
    expect(claim).to_have_class(CONTRADICTED)
    expect(page.locator(".ck-summary")).to_contain_text("251 sentences checked")
    assert len(requests) >= 3  # 250 + 1 sentences, at most 120 a part
    assert page.locator(".ck-error").is_hidden()


def test_a_sentence_only_covered_elsewhere_shows_what_other_reports_say(
    open_page: Callable[..., Page],
) -> None:
    """Not "nothing found": the related coverage, each passage with its similarity."""
    page = open_page("/")
    page.get_by_label("Draft").fill("The talks took place in Yevlakh.")
    page.get_by_role("button", name="Check", exact=True).click()
    talks = page.locator("mark.ck-sentence", has_text="The talks took place in Yevlakh.")
    expect(talks).to_have_class("ck-sentence ck-related")
    expect(page.locator(".ck-legend")).to_contain_text("covered elsewhere")
    talks.click()
    related = page.locator(".ck-evidence .ck-passage.ck-related")
    expect(related.first).to_contain_text("Yevlakh")
    expect(related.first.locator(".ck-passage-head")).to_contain_text("Related similarity 0.")
    screenshot(page, "check-page-related")


def test_the_check_page_works_at_phone_width_with_the_keyboard_alone(
    open_page: Callable[..., Page],
) -> None:
    page = open_page("/", PHONE)
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Enter")
    expect(page.locator("#draft")).to_be_focused()
    page.keyboard.insert_text(DRAFT)
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Check", exact=True)).to_be_focused()
    page.keyboard.press("Enter")
    claim = page.locator("mark.ck-sentence", has_text=CLAIM)
    expect(claim).to_have_class(CONTRADICTED)
    page.keyboard.press("Tab")  # the first marked sentence is the next stop
    expect(claim).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Evidence")).to_be_focused()
    expect(page.locator(".ck-evidence .ck-doc-id").first).to_have_text(SEED_001)
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page scrolls sideways at phone width: {width}"
    screenshot(page, "check-page-phone")


def test_errors_and_an_empty_draft_are_shown(open_page: Callable[..., Page]) -> None:
    page = open_page("/")
    check = page.get_by_role("button", name="Check", exact=True)
    check.click()
    expect(page.get_by_role("alert")).to_contain_text("Paste or type a draft first")
    # A draft over 200 sentences goes in parts (see below); one sentence over the claim limit
    # is still an error the API explains.
    page.get_by_label("Draft").fill("Ferries ran late " * 150 + ".")
    check.click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("sentence 1 (characters 0-2551)")
    screenshot(page, "check-page-error")


IMG = '<img src=x onerror="window.pwned = 4">'


def test_hostile_text_is_shown_as_text(server: str, open_page: Callable[..., Page]) -> None:
    hostile = {
        "id": "hostile",
        "title": '<img src=x onerror="window.pwned = 1">Ferry news',
        "source": "<b>Wire</b>",
        "url": "javascript:window.pwned = 2",
        "text": "No ferries were cancelled in Stepanakert on Friday "
        "<script>window.pwned = 3</script>.",
    }
    linked = {
        "id": "linked",
        "title": "Port notice",
        "url": "https://example.org/ferries",
        "text": "Eleven ferries were cancelled in Stepanakert on Friday, the port said.",
    }
    assert request(server + "/v1/documents", [hostile, linked])[0] == 201
    try:
        page = open_page("/")
        page.get_by_label("Draft").fill(
            f"Eleven ferries were cancelled in Stepanakert on Friday. {IMG}"
        )
        page.get_by_role("button", name="Check", exact=True).click()
        page.locator("mark.ck-sentence", has_text="Eleven ferries").click()
        passage = page.locator(".ck-passage.ck-contradicts")
        expect(passage.locator(".ck-quote")).to_contain_text("<script>window.pwned = 3</script>")
        expect(passage.locator(".ck-doc-title")).to_have_text(hostile["title"])
        expect(passage.locator(".ck-doc")).to_contain_text("<b>Wire</b>")
        expect(passage.locator(".ck-doc a")).to_have_count(0)  # a javascript: url is no link
        expect(page.locator(".ck-draft")).to_contain_text(IMG)
        expect(page.locator(".ck-panel").locator("img, script, b")).to_have_count(0)
        assert page.evaluate("window.pwned") is None
        link = page.locator(".ck-passage.ck-supports a", has_text="Port notice")
        expect(link).to_have_attribute("href", linked["url"])
        expect(link).to_have_attribute("rel", "noopener noreferrer")

        # The report's own page shows its title and text as text too.
        report = open_page("/documents/hostile")
        expect(report.get_by_role("heading", level=1)).to_have_text(hostile["title"])
        expect(report.locator("#doc-facts")).to_contain_text("<b>Wire</b>")
        expect(report.locator("#document-text")).to_contain_text("<script>window.pwned = 3")
        expect(report.locator("#doc-facts a")).to_have_count(0)  # no javascript: link
        expect(report.locator("main img, main script, main b")).to_have_count(0)
        assert report.evaluate("window.pwned") is None
    finally:
        for record in (hostile, linked):
            assert request(f"{server}/v1/documents/{record['id']}", method="DELETE")[0] == 204


def test_the_widget_checks_a_textarea_and_a_contenteditable(
    open_page: Callable[..., Page], server: str
) -> None:
    page = open_page("/examples/editor")
    seen: list[dict[str, Any]] = []

    def with_key(route: Route) -> None:  # the example, configured with an API key
        html = route.fetch().text().replace("defer></script>", 'data-api-key="k" defer></script>')
        route.fulfill(body=html, content_type="text/html")

    page.route("**/examples/editor", with_key)
    page.on("request", lambda r: seen.append(r.headers) if "check-draft" in r.url else None)
    page.reload()
    buttons = page.get_by_role("button", name="Check facts")
    expect(buttons).to_have_count(2)  # the textarea and the contenteditable; not the input
    buttons.first.click()
    widget = page.locator(".checker-widget").first
    claim = widget.locator("mark.ck-mark", has_text=CLAIM)  # in the field (its layer)
    expect(claim).to_have_class(re.compile(r"^ck-mark ck-(contradicts|disputed)$"))
    widget.get_by_role("button", name="Next mark").click()
    expect(widget.locator(".ck-doc-id").first).to_have_text(SEED_001)
    expect(widget.locator(".ck-doc-title").first).to_have_text(TITLE_001)
    assert seen and seen[0]["authorization"] == "Bearer k"
    # The host page's `button { background: #c00 }` does not reach into the widget.
    colour = buttons.first.evaluate("b => getComputedStyle(b).backgroundColor")
    assert colour != "rgb(204, 0, 0)"
    page.keyboard.press("Escape")

    buttons.nth(1).click()
    notes = page.locator(".checker-widget").nth(1)
    expect(notes.locator(".ck-field-status")).to_contain_text("1 sentence checked")
    screenshot(page, "widget-example-desktop")
    page.set_viewport_size(PHONE)
    notes.get_by_role("button", name="Clear marks").click()
    expect(notes.locator("mark.ck-mark")).to_have_count(0)
    expect(notes.locator(".ck-field-status")).to_have_text("")
    screenshot(page, "widget-example-phone")


def test_the_nightly_report_reads_as_a_briefing(
    browser: Browser, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The seeds report as a person opens it: the contradiction card, marked words, no script."""
    from click.testing import CliRunner

    from checker.cli import main
    from tests.conftest import SEEDS

    folder = tmp_path_factory.mktemp("report")
    (folder / "hostile.txt").write_text(
        "Armenian forces are present in Karabakh, said <script>alert('x')</script> a source.\n"
    )
    index, out = folder / "index", folder / "report.html"
    runner = CliRunner()
    assert (
        runner.invoke(main, ["ingest", str(SEEDS), str(folder), "--index", str(index)]).exit_code
        == 0
    )
    result = runner.invoke(
        main, ["report", "--index", str(index), "--format", "html", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    context = browser.new_context(viewport=DESKTOP)  # type: ignore[arg-type]
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(out.as_uri())
    expect(page.locator("mark", has_text="no Armenian armed forces").first).to_be_visible()
    expect(page.locator("mark", has_text="remaining Armenian forces").first).to_be_visible()
    assert page.locator("script").count() == 0 and dialogs == []
    expect(page.get_by_text("<script>alert('x')</script>").first).to_be_visible()
    screenshot(page, "report-desktop")
    context.close()


def test_the_check_page_asks_for_a_key_once_the_index_has_keys(
    server: str, open_page: Callable[..., Page]
) -> None:
    """Creating the first key closes the API; the page then takes a key for this tab."""
    import subprocess
    import sys

    index = str(INDEXES[server])
    checker = [sys.executable, "-m", "checker", "keys"]
    created = subprocess.run(
        [*checker, "create", "browser-desk", "--index", index],
        check=True,
        capture_output=True,
        text=True,
    )
    try:
        page = open_page("/")
        page.get_by_label("Draft").fill(CLAIM)
        check = page.get_by_role("button", name="Check", exact=True)
        check.click()
        alert = page.get_by_role("alert")
        # In an editor's words; the API's own (about headers) only under "Technical detail".
        expect(alert.locator("strong")).to_have_text(
            "This checker needs an access key — ask your administrator"
        )
        expect(alert.locator("details")).not_to_have_attribute("open", "")
        expect(alert.locator("details code")).to_contain_text("needs an API key")
        expect(page.locator("#key-box")).to_have_attribute("open", "")
        page.get_by_label("API key").fill(created.stdout.strip())
        check.click()
        claim = page.locator("mark.ck-sentence", has_text=CLAIM)
        expect(claim).to_have_class(CONTRADICTED)
        assert page.evaluate("sessionStorage.getItem('checker-api-key')").startswith("ck_")
        screenshot(page, "check-page-key")

        # The report's page, opened from the evidence, reads with the key of the tab.
        claim.click()
        link = page.locator(".ck-passage.ck-contradicts").first.get_by_role("link")
        with page.context.expect_page() as opened:
            link.click()
        expect(opened.value.locator("mark#passage")).to_contain_text(NO_FORCES_SENTENCE)
        # Opened without the key, it says what to do, and reads once given one.
        bare = open_page(f"/documents/{SEED_001}")
        expect(bare.get_by_role("alert").locator("strong")).to_have_text(
            "This checker needs an access key — ask your administrator"
        )
        expect(bare.locator("#document-text")).to_be_hidden()
        bare.get_by_label("API key").fill(created.stdout.strip())
        bare.get_by_label("API key").press("Enter")
        expect(bare.get_by_role("heading", level=1)).to_have_text(TITLE_001)
        expect(bare.get_by_role("alert")).to_be_hidden()
    finally:  # the module's other tests expect an open index
        subprocess.run([*checker, "revoke", "browser-desk", "--index", index], check=True)


WOOL = "The wool indicator closed at 1120 cents a kilo on Monday."


def marked_answer() -> tuple[str, dict[str, Any]]:
    """A draft and the answer the API gives it (built by the real serialiser from real result
    values): one sentence disputed, with who asserts each side, one changed over time."""

    def passage(doc: str, text: str, verdict: Verdict, analysis: Analysis, at: str) -> Passage:
        start = text.index(at)
        reason = Reason("number", verdict, 0.8, "the figures differ", (), ((start, start + 4),))
        info = DocumentInfo(doc, f"Report {doc}", "Wire", None, "2023-09-20")
        hit = Hit(Sentence(f"{doc}#1", doc, 1, 0, len(text), text), info, 0.7, analysis)
        return Passage(hit, Judgement(verdict, 0.8, (reason,)))

    draft = f"{CLAIM} {WOOL} It was a mild day."
    pm = Attribution("Armenian PM Nikol Pashinyan", "claiming", (0, 27))
    accord = Attribution("The accord", "called for", (0, 10))
    tuesday = WOOL.replace("1120", "1150").replace("Monday", "Tuesday")
    dated = Analysis(1, anchor="2026-11-17", anchor_source="sentence")
    disputed = CheckResult(
        CLAIM,
        [
            passage(
                "accord",
                WITHDRAWAL_SENTENCE,
                Verdict.SUPPORTS,
                Analysis(1, attribution=accord),
                "with",
            )
        ],
        [
            passage(
                "pm", NO_FORCES_SENTENCE, Verdict.CONTRADICTS, Analysis(1, attribution=pm), "no A"
            )
        ],
        [],
        5.0,
    )
    changed = CheckResult(
        WOOL, [], [], [], 5.0, [passage("tue", tuesday, Verdict.CHANGED, dated, "1150")]
    )
    wool_at = draft.index(WOOL)
    sentences = [
        DraftSentence(CLAIM, 0, len(CLAIM), disputed),
        DraftSentence(WOOL, wool_at, wool_at + len(WOOL), changed),
        DraftSentence(
            "It was a mild day.", len(draft) - 18, len(draft), CheckResult("", [], [], [], 1.0)
        ),
    ]
    return draft, serialize.draft_result(DraftResult(sentences, 12.0))


def test_the_marks_for_a_dispute_and_a_change_and_who_says_what(
    open_page: Callable[..., Page],
) -> None:
    draft, answer = marked_answer()
    page = open_page("/")
    page.route("**/v1/check-draft", lambda route: route.fulfill(json=answer))
    page.get_by_label("Draft").fill(draft)
    page.get_by_role("button", name="Check", exact=True).click()
    disputed = page.locator("mark.ck-sentence", has_text=CLAIM)
    expect(disputed).to_have_class("ck-sentence ck-disputed")
    expect(disputed).to_contain_text("(disputed)")  # in words, for a screen reader too
    change = page.locator("mark.ck-sentence", has_text=WOOL)
    expect(change).to_have_class("ck-sentence ck-changed")
    expect(change).to_have_attribute("title", "Changed over time: show the evidence")
    assert change.evaluate("m => getComputedStyle(m).borderBottomStyle") == "dotted"
    expect(page.locator(".ck-summary")).to_contain_text(
        "3 sentences checked: 0 contradicted, 1 disputed, 1 changed over time, 0 supported"
    )
    expect(page.locator(".ck-legend .ck-key.ck-changed")).to_have_text("changed over time")

    disputed.click()
    evidence = page.locator(".ck-evidence")
    against = evidence.locator(".ck-passage.ck-contradicts")
    expect(against.locator(".ck-attribution")).to_have_text(
        "Armenian PM Nikol Pashinyan — claiming"
    )
    expect(against.locator(".ck-who")).to_contain_text("Who says it:")
    support = evidence.locator(".ck-passage.ck-supports")
    expect(support.locator(".ck-attribution")).to_have_text("The accord — called for")
    screenshot(page, "check-page-disputed")

    change.click()
    passage = evidence.locator(".ck-passage.ck-changed")
    expect(passage.locator(".ck-badge")).to_have_text("Changed over time")
    expect(passage.locator(".ck-anchor")).to_have_text("as of 2026-11-17")
    expect(passage.locator(".ck-attribution")).to_have_count(0)  # the text asserts it itself
    expect(passage.locator(".ck-quote .ck-diff")).to_have_text("1150")
    screenshot(page, "check-page-changed")


def posted(page: Page) -> list[dict[str, Any]]:
    """Every body the page POSTs to /v1/check-draft, in order (filled as requests go)."""
    bodies: list[dict[str, Any]] = []
    page.on(
        "request",
        lambda r: bodies.append(r.post_data_json) if r.url.endswith("/v1/check-draft") else None,
    )
    return bodies


def test_the_story_id_option_keeps_a_story_from_checking_against_itself(
    open_page: Callable[..., Page],
) -> None:
    """Issue 13, item 2: a sentence of a stored story is supported by itself (and so marked
    disputed) until the story's id is given under Options; then only the other report
    speaks, and it contradicts. The sources and dates reach the API too."""
    page = open_page("/")
    bodies = posted(page)
    page.get_by_label("Draft").fill(WITHDRAWAL_SENTENCE)
    check = page.get_by_role("button", name="Check", exact=True)
    check.click()
    mark = page.locator("mark.ck-sentence")
    expect(mark).to_have_class("ck-sentence ck-disputed")
    mark.click()
    evidence = page.locator(".ck-evidence")
    own = evidence.locator(".ck-passage.ck-supports .ck-doc-id", has_text=SEED_000)
    expect(own).to_have_count(1)
    # An untitled report without a source is named by its id, once, not "Untitled document".
    expect(evidence.locator(".ck-passage.ck-supports .ck-doc-title")).to_have_text(
        f"Report {SEED_000}"
    )

    page.get_by_text("Options", exact=True).click()
    page.get_by_label("This story's id in the index").fill(SEED_000)
    check.click()
    expect(mark).to_have_class("ck-sentence ck-contradicts")
    mark.click()
    expect(evidence.locator(".ck-passage.ck-contradicts .ck-doc-id")).to_have_text(SEED_001)
    expect(evidence.locator(".ck-doc-id", has_text=SEED_000)).to_have_count(0)
    assert bodies[0] == {"text": WITHDRAWAL_SENTENCE}
    assert bodies[1] == {"text": WITHDRAWAL_SENTENCE, "exclude_document": SEED_000}
    screenshot(page, "check-page-story-id")

    page.get_by_label("Only reports from these sources").fill("Wire, Agency ")
    page.get_by_label("Published from").fill("2023-09-01")
    page.get_by_label("Published until").fill("2023-09-30")
    check.click()
    # The seeds have no source: nothing is left to mark.
    expect(page.locator(".ck-summary")).to_contain_text("0 contradicted")
    assert bodies[2] == {
        "text": WITHDRAWAL_SENTENCE,
        "exclude_document": SEED_000,
        "sources": ["Wire", "Agency"],
        "published_after": "2023-09-01",
        "published_before": "2023-09-30",
    }


def test_the_widget_leaves_out_its_own_story_and_links_to_the_evidence(
    open_page: Callable[..., Page],
) -> None:
    """`data-document-id` on the edited element (or around it, or on the tag) is sent as
    exclude_document; each passage links to its report's page, opened in a new tab."""
    page = open_page("/examples/editor")

    def configured(route: Route) -> None:
        html = (
            route.fetch()
            .text()
            .replace(
                'data-document-id="karabakh-ceasefire-update"', f'data-document-id="{SEED_000}"'
            )
        )
        html = html.replace("defer></script>", 'data-published-before="2023-09-30" defer></script>')
        route.fulfill(body=html, content_type="text/html")

    page.route("**/examples/editor", configured)
    page.reload()
    bodies = posted(page)
    page.locator("#story").fill(WITHDRAWAL_SENTENCE)
    page.get_by_role("button", name="Check facts").first.click()
    widget = page.locator(".checker-widget").first
    mark = widget.locator("mark.ck-mark")
    expect(mark).to_have_class("ck-mark ck-contradicts")  # not disputed by itself
    assert bodies == [
        {
            "text": WITHDRAWAL_SENTENCE,
            "exclude_document": SEED_000,
            "published_before": "2023-09-30",
        }
    ]
    widget.get_by_role("button", name="Next mark").click()
    link = widget.get_by_role("link", name="Read it in the whole report")
    expect(link).to_have_count(1)
    expect(link).to_have_attribute("target", "_blank")
    expect(link).to_have_attribute("rel", "noopener")
    with page.context.expect_page() as opened:
        link.click()
    report = opened.value
    passage = report.locator("mark#passage")
    expect(passage).to_contain_text(NO_FORCES_SENTENCE)
    expect(report.get_by_role("heading", level=1)).to_have_text(TITLE_001)
    expect(passage).to_be_focused()


def test_the_document_page_shows_the_passage_in_its_report(
    open_page: Callable[..., Page],
) -> None:
    """Issue 13, item 4: title, date, the whole text, the passage highlighted and in view;
    an untitled report is named by its first words; an unknown id is a 404 page."""
    page = open_page(f"/documents/{SEED_001}?sentence={SEED_001}%239")
    passage = page.locator("mark#passage")
    expect(passage).to_contain_text(NO_FORCES_SENTENCE)
    expect(passage).to_be_focused()
    expect(passage).to_be_in_viewport()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE_001)
    expect(page.locator("#doc-facts")).to_contain_text("Published 2023-09-20")
    text = page.locator("#document-text")
    expect(text).to_contain_text("Separatists")  # the text around the passage
    assert page.title() == f"{TITLE_001} · Discrepancy checker"
    screenshot(page, "document-page-desktop")

    phone = open_page(f"/documents/{SEED_000}?sentence={SEED_000}%233", PHONE)
    expect(phone.locator("mark#passage")).to_contain_text(WITHDRAWAL_SENTENCE)
    expect(phone.locator("mark#passage")).to_be_in_viewport()
    expect(phone.get_by_role("heading", level=1)).to_have_text(
        re.compile(r"^Officials representing a self-declared regional authority .*…$")
    )
    width = phone.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page scrolls sideways at phone width: {width}"
    screenshot(phone, "document-page-phone")

    gone = open_page(f"/documents/{SEED_001}?sentence={SEED_001}%23999")
    expect(gone.locator("#doc-notice")).to_contain_text("no longer in this report")
    expect(gone.locator("mark")).to_have_count(0)

    missing = open_page("/documents/no-such-story")
    expect(missing.get_by_role("heading", level=1)).to_have_text("No such document")
    expect(missing.locator("main")).to_contain_text("no-such-story")


def answering(status: int, headers: dict[str, str], body: Any) -> Callable[[Route], None]:
    """A route handler that answers with this problem."""

    def answer(route: Route) -> None:
        route.fulfill(
            status=status, headers=headers, content_type="application/problem+json", json=body
        )

    return answer


def test_old_marks_go_out_of_date_and_errors_speak_to_editors(
    open_page: Callable[..., Page],
) -> None:
    """Issue 13, item 3: an edit marks the results out of date at once; a failed request
    shows no old marks under its error; errors are in an editor's words, the API's detail
    collapsed after them."""
    page = open_page("/")
    draft = page.get_by_label("Draft")
    draft.fill(CLAIM)
    check = page.get_by_role("button", name="Check", exact=True)
    check.click()
    expect(page.locator("mark.ck-sentence", has_text=CLAIM)).to_have_class(CONTRADICTED)
    expect(page.locator(".ck-stale-note")).to_be_hidden()
    draft.press("End")
    draft.press_sequentially(" It rained.")
    expect(page.locator(".ck-stale-note")).to_be_visible()
    expect(page.locator(".ck-results")).to_have_class(re.compile(r"\bck-stale\b"))
    screenshot(page, "check-page-stale")

    cases = [
        (500, {}, "The checker ran into a problem", "tell your administrator"),
        (503, {}, "The checker is not available right now", "try again in a minute"),
        (429, {"Retry-After": "7"}, "Too many checks in a short time", "Wait 7 seconds"),
        (403, {}, "This access key may not do this — ask your administrator", "not allowed"),
    ]
    for status, headers, title, advice in cases:
        problem = {
            "type": "about:blank",
            "title": "Server says",
            "status": status,
            "detail": f"technical words {status}",
        }
        page.route("**/v1/check-draft", answering(status, headers, problem))
        check.click()
        alert = page.get_by_role("alert")
        expect(alert.locator("strong")).to_have_text(title)
        expect(alert).to_contain_text(advice)
        expect(alert.locator("details")).not_to_have_attribute("open", "")
        expect(alert.locator("details code")).to_have_text(
            f"HTTP {status} Server says: technical words {status}"
        )
        expect(page.locator(".ck-results")).to_be_hidden()  # no old marks under the error
        page.unroute("**/v1/check-draft")
    alert.locator("summary").click()
    expect(alert.locator("details code")).to_be_visible()
    screenshot(page, "check-page-error-editor")
