"""The widget in the example editor (examples/editor.html) in a real browser against a real
gunicorn over the seeds: the marks sit in the editor's own field, aligned with its text as
it wraps and scrolls, the evidence opens in a popover that pushes nothing down, every mark
is reachable from the keyboard, and an edit makes the marks out of date (issue 13, item 3)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from playwright.sync_api import Locator, Page, expect

from tests import test_browser
from tests.conftest import SEED_001
from tests.test_browser import CLAIM, PHONE, TITLE_001, screenshot

pytestmark = test_browser.pytestmark
browser = test_browser.browser
open_page = test_browser.open_page
server = test_browser.server
CONTRADICTED = re.compile(r"\bck-(contradicts|disputed)\b")


def box(locator: Locator) -> dict[str, float]:
    """The element's box as the page has it now. The widget draws its marks afresh on every
    layout (a resize, its position check), replacing the elements: an element found just
    before a redraw is measured detached, with no box (it happened in CI). So the element is
    found and measured in one step, again until it is the one on the page."""
    for _ in range(100):
        found = locator.evaluate(
            "e => e.isConnected && e.getClientRects().length"
            " ? e.getBoundingClientRect().toJSON() : null"
        )
        if found is not None:
            return dict(found)
        locator.page.wait_for_timeout(20)
    raise AssertionError(f"{locator} is not laid out")


def checked(page: Page, which: int = 0) -> Locator:
    """Press the n-th "Check facts" and wait for its answer; the widget's host element."""
    page.get_by_role("button", name="Check facts").nth(which).click()
    widget = page.locator(".checker-widget").nth(which)
    expect(widget.locator(".ck-field-status")).to_contain_text("checked")
    return widget


def content_box(page: Page, selector: str) -> dict[str, Any]:
    """Where the text of the field starts, its line height and the width of CLAIM in its font."""
    return page.evaluate(
        """([selector, claim]) => {
          const field = document.querySelector(selector);
          const s = getComputedStyle(field), r = field.getBoundingClientRect();
          const ctx = document.createElement("canvas").getContext("2d");
          ctx.font = `${s.fontStyle} ${s.fontWeight} ${s.fontSize} ${s.fontFamily}`;
          return {
            left: r.left + parseFloat(s.borderLeftWidth) + parseFloat(s.paddingLeft),
            top: r.top + parseFloat(s.borderTopWidth) + parseFloat(s.paddingTop),
            line: parseFloat(s.lineHeight),
            width: ctx.measureText(claim).width,
          };
        }""",
        [selector, CLAIM],
    )


def test_the_marks_sit_in_the_field_and_the_form_stays_put(
    open_page: Callable[..., Page],
) -> None:
    page = open_page("/examples/editor")
    below = page.locator("#notes-label")
    before = box(below)["y"]
    widget = checked(page)
    mark = widget.locator("mark.ck-mark")
    expect(mark).to_have_count(1)
    expect(mark).to_have_class(CONTRADICTED)
    text = content_box(page, "#story")
    found = box(mark)
    assert abs(found["x"] - text["left"]) <= 1.5, (found, text)
    assert abs(found["width"] - text["width"]) <= 2, (found, text)
    middle = found["y"] + found["height"] / 2
    assert abs(middle - (text["top"] + text["line"] / 2)) <= 3, (found, text)
    layer = widget.locator(".ck-layer")
    expect(layer).to_have_attribute("aria-hidden", "true")
    assert layer.evaluate("l => getComputedStyle(l).pointerEvents") == "none"
    assert abs(box(below)["y"] - before) < 0.5  # the marks took no room

    page.locator("#story").focus()
    page.keyboard.press("Alt+ArrowDown")
    dialog = widget.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading", level=3)).to_be_focused()
    expect(dialog.get_by_role("heading", level=3)).to_contain_text("(mark 1 of 1)")
    expect(dialog.locator(".ck-doc-id").first).to_have_text(SEED_001)
    expect(dialog.locator(".ck-doc-title").first).to_have_text(TITLE_001)
    assert abs(box(below)["y"] - before) < 0.5  # the evidence pushed nothing down
    screenshot(page, "widget-in-field-desktop")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(page.locator("#story")).to_be_focused()
    selected = page.locator("#story").evaluate("t => [t.selectionStart, t.selectionEnd]")
    assert selected == [0, len(CLAIM)]


def test_the_bar_and_a_click_open_each_mark_and_an_edit_makes_them_stale(
    open_page: Callable[..., Page],
) -> None:
    page = open_page("/examples/editor")
    story = page.locator("#story")
    story.fill(f"{CLAIM} It was a mild day.\n\nThe talks took place in Yevlakh.")
    widget = checked(page)
    marks = widget.locator("mark.ck-mark")
    expect(marks.first).to_have_class(CONTRADICTED)
    dialog = widget.get_by_role("dialog")

    # The bar's Next mark: the evidence takes the focus, Escape gives it back to the button.
    next_mark = widget.get_by_role("button", name="Next mark")
    next_mark.click()
    expect(dialog.get_by_role("heading", level=3)).to_be_focused()
    expect(dialog.get_by_role("heading", level=3)).to_contain_text("mark 1 of")
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(next_mark).to_be_focused()

    # A click on a mark in the text opens its evidence and leaves the editor typing.
    first = box(marks.first)
    page.mouse.click(first["x"] + first["width"] / 2, first["y"] + first["height"] / 2)
    expect(dialog).to_be_visible()
    expect(story).to_be_focused()
    popover = box(dialog)
    assert popover["y"] >= first["y"] + first["height"]  # under the mark, not over it
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    # Typing after the marked sentence: its mark stays where it is, greyed as out of date.
    story.press("Control+End")
    story.press_sequentially(" It rained.")
    expect(marks.first).to_have_class(re.compile(r"\bck-stale-mark\b"))
    expect(widget.locator(".ck-field-status")).to_contain_text("Out of date")
    assert box(marks.first) == first
    # Editing inside it: the sentence has changed, so its mark goes.
    count = marks.count()
    story.press("Control+Home")
    story.press_sequentially("Some ")
    expect(marks).to_have_count(count - 1)
    expect(widget.locator("mark.ck-mark", has_text="Some")).to_have_count(0)


def test_the_marks_follow_the_field_as_it_scrolls(open_page: Callable[..., Page]) -> None:
    page = open_page("/examples/editor")
    story = page.locator("#story")
    story.fill("It was a mild day.\n" * 30 + CLAIM)
    widget = checked(page)
    mark = widget.locator("mark.ck-mark", has_text="Armenian")
    expect(mark).to_have_class(CONTRADICTED)
    field = box(story)
    mirror = widget.locator(".ck-mirror")

    def scroll_to(top: str) -> None:
        story.evaluate(f"t => {{ t.scrollTop = {top}; }}")
        expect(mirror).to_have_js_property("scrollTop", story.evaluate("t => t.scrollTop"))

    scroll_to("0")
    # Below the fold of the field, so clipped by the layer (read from the page itself).
    hidden = box(mark)
    assert hidden["y"] > field["y"] + field["height"]
    assert widget.locator(".ck-layer").evaluate("l => getComputedStyle(l).overflow") == "hidden"
    scroll_to("t.scrollHeight")
    expect(mark).to_be_visible()
    text = content_box(page, "#story")
    moved = box(mark)
    assert field["y"] < moved["y"] < field["y"] + field["height"]
    assert abs(moved["x"] - text["left"]) <= 1.5 and abs(moved["width"] - text["width"]) <= 2


def test_a_contenteditable_is_marked_over_its_own_text(open_page: Callable[..., Page]) -> None:
    page = open_page("/examples/editor")
    widget = checked(page, which=1)
    parts = widget.locator("mark.ck-mark .ck-mark-part")
    expect(parts.first).to_be_attached()
    drawn = [box(parts.nth(n)) for n in range(parts.count())]
    text = page.locator(".story-body").evaluate(
        """div => {
          const range = document.createRange();
          range.selectNodeContents(div);
          return [...range.getClientRects()].map((r) => ({x: r.x, y: r.y, width: r.width}));
        }"""
    )
    assert len(drawn) == len(text)
    for part, line in zip(drawn, text, strict=True):
        assert abs(part["x"] - line["x"]) <= 1 and abs(part["y"] - line["y"]) <= 1
        assert abs(part["width"] - line["width"]) <= 1


def test_on_a_phone_the_evidence_is_along_the_bottom_and_errors_take_no_room(
    open_page: Callable[..., Page],
) -> None:
    page = open_page("/examples/editor", PHONE)
    below = page.locator("#notes-label")
    before = box(below)["y"]
    widget = checked(page)
    page.locator("#story").focus()
    page.keyboard.press("Alt+ArrowDown")
    dialog = widget.get_by_role("dialog")
    expect(dialog).to_be_visible()
    found = box(dialog)
    assert found["x"] >= 0 and found["x"] + found["width"] <= PHONE["width"]
    assert found["y"] + found["height"] <= PHONE["height"]
    width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the page scrolls sideways at phone width: {width}"
    screenshot(page, "widget-in-field-phone")
    page.keyboard.press("Escape")

    page.route(
        "**/v1/check-draft",
        lambda route: route.fulfill(
            status=503,
            content_type="application/problem+json",
            json={
                "type": "about:blank",
                "title": "Index unavailable",
                "status": 503,
                "detail": "the index is being restored",
            },
        ),
    )
    page.get_by_role("button", name="Check facts").first.click()
    alert = widget.get_by_role("alert")
    expect(alert.locator("strong")).to_have_text("The checker is not available right now")
    expect(widget.locator("mark.ck-mark")).to_have_count(0)  # no old marks under an error
    assert abs(box(below)["y"] - before) < 0.5
