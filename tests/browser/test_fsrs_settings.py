"""The /settings "FSRS parameters" section in real Chromium: keyboard use, a refused value, Evaluate,
Optimize; axe-core, phone and desktop, light and dark."""

from __future__ import annotations

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect
from sqlalchemy import delete, select

from app.extensions import db
from app.models import ReviewLog, User
from app.services import classes
from tests.browser.conftest import LiveServer, assert_accessible
from tests.browser.test_stats_pages import VIEWPORTS, grade_one_card_as_a_guest, no_sideways_scroll
from tests.integration.fsrs_data import load_log
from tests.srs_synthetic import synthetic_log

SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("screen", list(VIEWPORTS))
def test_fsrs_section_fits_phone_and_desktop(
    page: Page, live_server: LiveServer, axe: Axe, screen: str, scheme: str
) -> None:
    page.set_viewport_size(VIEWPORTS[screen])
    page.emulate_media(color_scheme=scheme)
    grade_one_card_as_a_guest(page, live_server.url)
    page.goto(f"{live_server.url}/settings")
    section = page.locator(".fsrs-section")
    expect(section.get_by_role("heading", name="FSRS parameters")).to_be_visible()
    expect(page.locator("#fsrs-count")).to_contain_text("Too few to optimize yet")
    no_sideways_scroll(page)
    assert_accessible(axe, page)
    # a value FSRS cannot use, typed with the keyboard: refused with the reason, nothing lost
    page.get_by_label("w5", exact=True).fill("")
    page.get_by_label("w5", exact=True).press_sequentially("lots")
    page.get_by_role("button", name="Save parameters").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("w5 must be a number")
    expect(page.get_by_label("w5", exact=True)).to_have_value("lots")
    assert_accessible(axe, page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    section.screenshot(path=str(SHOTS / f"settings-fsrs-error-{screen}-{scheme}.png"))
    page.get_by_role("button", name="Evaluate").click()
    expect(page.locator("#fsrs-evaluation")).to_be_visible()
    assert_accessible(axe, page)
    section.screenshot(path=str(SHOTS / f"settings-fsrs-{screen}-{scheme}.png"))
    page.get_by_role("button", name="Optimize my parameters").click()
    expect(page.get_by_text("No reviews to learn from yet")).to_be_visible()
    no_sideways_scroll(page)
    assert_accessible(axe, page)


def test_an_instructor_optimizes_and_evaluates_with_a_real_log(
    page: Page, live_server: LiveServer, axe: Axe
) -> None:
    page.set_viewport_size(VIEWPORTS["desktop"])
    grade_one_card_as_a_guest(page, live_server.url)
    app = live_server.app
    with app.app_context():
        user_id = db.session.scalar(select(ReviewLog.user_id).order_by(ReviewLog.id.desc()).limit(1))
        user = db.session.get(User, user_id)
        assert user is not None
        db.session.execute(delete(ReviewLog).where(ReviewLog.user_id == user_id))
        load_log(user, synthetic_log(cards=120, days=150, seed=5))
        user.role = "instructor"
        db.session.commit()
        classes.create_class(user, "Sequence models", app.config["UNROLL_CLOCK"]())
    page.goto(f"{live_server.url}/settings")
    expect(page.locator("#fsrs-count")).not_to_contain_text("Too few")
    page.get_by_role("button", name="Optimize my parameters").click()
    expect(page.get_by_text("New parameters predict your reviews better")).to_be_visible()
    expect(page.get_by_text("fitted to your own reviews")).to_be_visible()
    page.get_by_role("button", name="Evaluate").click()
    expect(page.locator("#fsrs-evaluation")).to_contain_text("Current")
    expect(page.get_by_role("row", name="Sequence models")).to_be_visible()
    assert_accessible(axe, page)
    page.locator(".fsrs-section").screenshot(path=str(SHOTS / "settings-fsrs-fitted-desktop-light.png"))
