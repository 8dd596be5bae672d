"""Fair grading as a learner meets it in Chromium: a typo is "almost", with the difference marked,
and "I was right" turns the suggestion to Good before grading; by keyboard, with axe."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, assert_accessible
from tests.browser.test_pages import SHOTS, VIEWPORTS

SET = """+++
title = "Fair grading"
slug = "fair"
weight = 99
dialect = "native"
+++
## Review
1. Name the gradient algorithm for recurrent networks.
   Answer: Backpropagation through time
   Accept: BPTT
   ID: fair-bptt
"""


@pytest.mark.parametrize("screen", ["phone", "desktop"])
def test_a_near_miss_shows_its_difference_and_the_learner_may_overrule_it(
    page: Page, editable_server: LiveServer, axe: Axe, screen: str
) -> None:
    page.set_viewport_size(VIEWPORTS[screen])
    (editable_server.content_dir / "99-fair.md").write_text(SET, encoding="utf-8")
    page.goto(f"{editable_server.url}/study/fair")
    page.get_by_role("button", name="Start studying now").click()
    answer = page.get_by_role("textbox", name="Answer")
    expect(answer).to_be_focused()
    answer.fill("Backpropogation thru time")
    page.keyboard.press("Enter")
    expect(page.locator(".verdict")).to_contain_text("Not quite")

    page.goto(f"{editable_server.url}/study/fair")
    answer = page.get_by_role("textbox", name="Answer")
    answer.fill("Backpropogation through time")
    page.keyboard.press("Enter")
    expect(page.locator(".verdict")).to_contain_text("Almost")
    expect(page.locator(".diff ins, .diff del").first).to_be_visible()
    expect(page.locator(".check")).to_contain_text("expected Backpropagation through time")
    expect(page.locator(".grade.suggested .grade-name")).to_have_text("Hard")
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"study-almost-{screen}.png"), full_page=True)
    assert_accessible(axe, page)

    claim = page.get_by_role("button", name="I was right")
    for _ in range(10):
        if claim.evaluate("b => b === document.activeElement"):
            break
        page.keyboard.press("Shift+Tab")
    expect(claim).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".verdict")).to_contain_text("Marked right by you")
    expect(page.locator(".grade.suggested .grade-name")).to_have_text("Good")
    expect(page.locator(".grade.suggested")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#study-status")).to_contain_text("Good")
    assert_accessible(axe, page)
