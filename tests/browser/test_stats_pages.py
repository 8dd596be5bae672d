"""Statistics and export in real Chromium: after a first grade, as a guest; axe, phone and desktop."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, assert_accessible

SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
SET = "what-is-an-rnn"


def grade_one_card_as_a_guest(page: Page, url: str) -> None:
    page.goto(f"{url}/study/{SET}")
    page.get_by_role("button", name="Start studying now").click()
    expect(page.locator(".flashcard")).to_be_visible()
    page.get_by_role("button", name="Show answer").click()
    page.get_by_role("button", name="Good").click()
    expect(page.locator('[data-count="learning"]')).to_have_text("1")


def no_sideways_scroll(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


def test_stats_and_export_after_a_first_grade(
    page: Page, live_server: LiveServer, axe: Axe, foreign_requests: list[str]
) -> None:
    grade_one_card_as_a_guest(page, live_server.url)

    page.get_by_role("link", name="Stats").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your statistics")
    reviews = page.get_by_role("img", name="Reviews per day over the last 30 days: 1 in total", exact=False)
    expect(reviews).to_be_visible()
    expect(page.get_by_role("img", name="Review cards due over the next 30 days", exact=False)).to_be_visible()
    expect(page.locator(".stat-tile", has_text="Current streak")).to_contain_text("1 day")
    expect(page.get_by_role("row", name=re.compile(r"^Learning")).locator("td")).to_have_text("1")
    page.get_by_text("Reviews per day: the numbers").click()
    expect(page.locator(".chart-data table").first.locator("tbody tr").last).to_contain_text("(today)1")
    assert_accessible(axe, page)

    page.get_by_role("link", name="Export your review log, or a set for Anki").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Export")
    expect(page.get_by_role("link", name="Download your review log (CSV)")).to_be_visible()
    expect(page.locator(".apkg-list li")).to_have_count(12)
    csv = page.request.get(f"{live_server.url}/export/reviews.csv").text()
    assert len(csv.strip().splitlines()) == 2 and ",Good," in csv
    with page.expect_download() as download:
        page.get_by_role("link", name="What is a recurrent neural network").first.click()
    assert download.value.suggested_filename.endswith(".apkg")
    assert_accessible(axe, page)
    assert foreign_requests == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("screen", list(VIEWPORTS))
def test_stats_and_export_fit_phone_and_desktop(
    page: Page, live_server: LiveServer, axe: Axe, screen: str, scheme: str
) -> None:
    page.set_viewport_size(VIEWPORTS[screen])
    page.emulate_media(color_scheme=scheme)
    grade_one_card_as_a_guest(page, live_server.url)
    SHOTS.mkdir(parents=True, exist_ok=True)
    for name in ("stats", "export"):
        page.goto(f"{live_server.url}/{name}")
        no_sideways_scroll(page)
        page.screenshot(path=str(SHOTS / f"{name}-{screen}-{scheme}.png"), full_page=True)
        assert_accessible(axe, page)
