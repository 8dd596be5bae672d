"""The card browser in real Chromium: search, keyboard selection, bulk suspend and undo, card info;
axe at phone and desktop widths, light and dark."""

from __future__ import annotations

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, assert_accessible
from tests.browser.test_stats_pages import (
    VIEWPORTS,
    grade_one_card_as_a_guest,
    no_sideways_scroll,
    seed_a_month_of_study,
)

SHOTS = Path("/tmp/shots/E")


def search(page: Page, query: str) -> None:
    box = page.get_by_label("Search", exact=True)
    box.fill(query)
    box.press("Enter")
    page.wait_for_load_state("load")


def test_search_select_by_keyboard_suspend_undo_and_card_info(
    page: Page, live_server: LiveServer, axe: Axe, foreign_requests: list[str]
) -> None:
    grade_one_card_as_a_guest(page, live_server.url)
    seed_a_month_of_study(live_server.app)

    page.get_by_role("link", name="Cards").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your cards")
    search(page, "is:leech")
    expect(page.locator(".cards-table tbody tr")).to_have_count(2)
    expect(page.locator("#result-count")).to_have_text("2 cards match")

    search(page, "is:review -is:suspended prop:lapses=1")
    rows = page.locator(".cards-table tbody tr")
    expect(rows.first).to_be_visible()
    matching = rows.count()
    assert matching >= 2

    first = rows.nth(0).get_by_role("checkbox")
    first.focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")  # the question's link
    page.keyboard.press("Tab")  # the next row's checkbox
    page.keyboard.press("Space")
    expect(first).to_be_checked()
    expect(rows.nth(1).get_by_role("checkbox")).to_be_checked()
    page.get_by_role("button", name="Suspend", exact=True).focus()
    page.keyboard.press("Enter")

    status = page.locator(".action-done")
    expect(status).to_contain_text("Suspended: 2 cards.")
    expect(rows).to_have_count(matching - 2)  # the search leaves suspended cards out
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "cards-after-suspend.png"), full_page=True)
    assert_accessible(axe, page)

    status.get_by_role("button", name="Undo").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("Undone: 2 cards are back as they were.")
    expect(rows).to_have_count(matching)

    search(page, "rated:30")
    page.get_by_label("Order", exact=True).select_option("-lapses")
    page.get_by_role("button", name="Search").click()
    rows.first.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Card info")
    expect(page.get_by_role("img", name="Chance of recalling this card", exact=False)).to_be_visible()
    expect(page.locator(".history-table tbody tr").first).to_be_visible()
    page.get_by_text("Forgetting curve: the numbers").click()
    expect(page.locator(".chart-data table tbody tr").first).to_contain_text("Today")
    page.screenshot(path=str(SHOTS / "card-info.png"), full_page=True)
    assert_accessible(axe, page)
    assert foreign_requests == []


def test_a_bad_search_is_explained_next_to_the_box(page: Page, live_server: LiveServer, axe: Axe) -> None:
    grade_one_card_as_a_guest(page, live_server.url)
    page.goto(f"{live_server.url}/cards")
    search(page, "prop:r<2")
    expect(page.get_by_role("alert")).to_have_text(
        "prop:r is between 0 and 1, e.g. prop:r>0.7 (at character 8)"
    )
    page.get_by_text("How to search").click()
    expect(page.locator(".syntax-table")).to_be_visible()
    assert_accessible(axe, page)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("screen", list(VIEWPORTS))
def test_cards_pages_fit_phone_and_desktop(
    page: Page, live_server: LiveServer, axe: Axe, screen: str, scheme: str
) -> None:
    page.set_viewport_size(VIEWPORTS[screen])
    page.emulate_media(color_scheme=scheme)
    grade_one_card_as_a_guest(page, live_server.url)
    seed_a_month_of_study(live_server.app)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(f"{live_server.url}/cards?q=rated:30&sort=-lapses")
    no_sideways_scroll(page)
    page.screenshot(path=str(SHOTS / f"cards-{screen}-{scheme}.png"), full_page=True)
    page.locator(".cards-table").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / f"cards-{screen}-{scheme}-table.png"))
    assert_accessible(axe, page)
    page.locator(".cards-table tbody tr").first.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Card info")
    no_sideways_scroll(page)
    page.screenshot(path=str(SHOTS / f"card-info-{screen}-{scheme}.png"), full_page=True)
    assert_accessible(axe, page)
    page.goto(f"{live_server.url}/stats")
    page.locator("#memory-heading").scroll_into_view_if_needed()
    page.locator("section", has=page.locator("#memory-heading")).screenshot(
        path=str(SHOTS / f"stats-memory-{screen}-{scheme}.png")
    )
    no_sideways_scroll(page)
    assert_accessible(axe, page)
