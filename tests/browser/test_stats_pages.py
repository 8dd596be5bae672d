"""Statistics and export in real Chromium: after a first grade, as a guest; axe, phone and desktop."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.extensions import db
from app.models import CardProgress, ReviewLog
from tests.browser.conftest import LiveServer, assert_accessible

SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
SET = "what-is-an-rnn"


def grade_one_card_as_a_guest(page: Page, url: str) -> None:
    page.goto(f"{url}/study/{SET}")
    page.get_by_role("button", name="Start studying now").click()
    expect(page.locator(".flashcard")).to_be_visible()
    page.wait_for_load_state("networkidle")  # the study script has taken over the card
    page.get_by_role("button", name="Show answer").click()
    expect(page.locator(".back")).to_be_visible()
    page.get_by_role("button", name="Good").click()
    expect(page.locator('[data-count="learning"]')).to_have_text("1")


def seed_a_month_of_study(app: Flask) -> None:
    """Give the learner who graded last a month of reviews, cards due over the next weeks and two leeches,
    dated by the server's own clock (the stats pages count days from it, not from the machine's)."""
    now = app.config["UNROLL_CLOCK"]()
    with app.app_context():
        user_id = db.session.scalar(select(ReviewLog.user_id).order_by(ReviewLog.id.desc()).limit(1))
        cards = db.session.scalars(
            select(CardProgress).where(CardProgress.user_id == user_id, CardProgress.phase == "new").limit(60)
        ).all()
        for n, progress in enumerate(cards):
            progress.phase, progress.due, progress.lapses = (
                "review",
                now + timedelta(days=n % 23, hours=n % 5),
                n % 3,
            )
            progress.stability, progress.difficulty, progress.last_review = 5.0, 5.0, now - timedelta(days=3)
        for leech in cards[:2]:
            leech.phase, leech.suspended, leech.leech, leech.lapses = "relearning", True, True, 8
        for day in range(1, 30):
            for k in range((day * 7) % 13 if day % 6 else 0):
                progress = cards[(day + k) % len(cards)]
                db.session.add(
                    ReviewLog(
                        user_id=user_id,
                        card_id=progress.card_id,
                        progress_id=progress.id,
                        rating=1 if k % 9 == 4 else 3,
                        reviewed_at=now - timedelta(days=day),
                        duration_ms=5000,
                        phase_before="review",
                        phase_after="review",
                        interval_seconds=86400,
                        state_before={},
                        state_after={},
                    )
                )
        db.session.commit()


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
    expect(
        page.get_by_role("img", name="Review cards due over the next 30 days", exact=False)
    ).to_be_visible()
    expect(page.locator(".stat-tile", has_text="Current streak")).to_contain_text("1 day")
    expect(page.get_by_role("row", name=re.compile(r"^Learning")).locator("td")).to_have_text("1")
    page.get_by_text("Reviews per day: the numbers").click()
    expect(page.locator(".chart-data table").first.locator("tbody tr").last).to_contain_text("(today)1")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#reviews-chart").screenshot(path=str(SHOTS / "stats-chart-numbers.png"))
    assert_accessible(axe, page)

    page.get_by_role("link", name="Export your review log, or a set for Anki").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Export")
    expect(page.get_by_role("link", name="Download your review log (CSV)")).to_be_visible()
    expect(page.locator(".apkg-list li")).to_have_count(
        len(list(live_server.content_dir.glob("*.md")))
    )  # one per set
    csv = page.request.get(f"{live_server.url}/export/reviews.csv").text()
    assert len(csv.strip().splitlines()) == 2 and ",Good," in csv
    with page.expect_download() as download:
        page.get_by_role("link", name="What an RNN is").first.click()
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
    seed_a_month_of_study(live_server.app)
    SHOTS.mkdir(parents=True, exist_ok=True)
    for name in ("stats", "export"):
        page.goto(f"{live_server.url}/{name}")
        no_sideways_scroll(page)
        page.screenshot(path=str(SHOTS / f"{name}-{screen}-{scheme}.png"), full_page=True)
        if name == "stats":
            page.locator(".chart").first.screenshot(path=str(SHOTS / f"stats-chart-{screen}-{scheme}.png"))
        assert_accessible(axe, page)


def test_a_leech_is_unsuspended_from_the_stats_page(page: Page, live_server: LiveServer, axe: Axe) -> None:
    grade_one_card_as_a_guest(page, live_server.url)
    seed_a_month_of_study(live_server.app)
    page.goto(f"{live_server.url}/stats")
    expect(page.locator(".stat-tile", has_text="Current streak")).to_contain_text("6 days")
    expect(page.locator(".stat-tile", has_text="True retention")).to_contain_text("% of")
    leeches = page.locator(".leech")
    expect(leeches).to_have_count(2)
    assert_accessible(axe, page)

    leeches.first.get_by_role("button", name="Unsuspend").focus()
    page.keyboard.press("Enter")

    expect(page).to_have_url(f"{live_server.url}/stats")
    expect(page.get_by_role("status")).to_have_text("Card back in study.")
    expect(leeches).to_have_count(1)
