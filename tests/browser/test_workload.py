"""The settings page's workload chart in real Chromium: axe at phone and desktop, light and dark."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.extensions import db
from app.models import CardProgress, ReviewLog, User
from tests.browser.conftest import LiveServer, ServerClock, assert_accessible

SHOTS = Path(os.environ.get("UNROLL_SHOTS", Path(__file__).resolve().parents[2] / "build" / "screenshots"))
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


def seed_reviews(app: Flask, username: str) -> None:
    """Half the learner's cards in review, studied over the last weeks, with timed answers."""
    now = app.config["UNROLL_CLOCK"]()
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        cards = db.session.scalars(select(CardProgress).where(CardProgress.user_id == user.id)).all()
        for n, progress in enumerate(cards[::2]):
            last = now - timedelta(days=n % 20)
            progress.phase, progress.stability, progress.difficulty = "review", 3.0 + n % 40, 4.0 + n % 5
            progress.last_review, progress.due, progress.reps = last, last + timedelta(days=3 + n % 40), 2
            db.session.add(
                ReviewLog(
                    user_id=user.id, card_id=progress.card_id, progress_id=progress.id, rating=3,
                    reviewed_at=last, duration_ms=9000, phase_before="review", phase_after="review",
                    state_before={}, state_after={},
                )
            )  # fmt: skip
        db.session.commit()


def fits(page: Page, selector: str) -> None:
    """Nothing in the element reaches past the window's right edge."""
    wide = page.evaluate(
        """s => [...document.querySelectorAll(s + ', ' + s + ' *')]
             .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
             .map(e => e.tagName + '.' + e.className.baseVal ?? e.className)""",
        selector,
    )
    assert wide == [], f"{selector} is wider than the window: {wide}"


@pytest.fixture
def learner_page(page: Page, clocked_server: tuple[LiveServer, ServerClock]) -> tuple[Page, str]:
    live, _ = clocked_server
    page.request.post(f"{live.url}/api/v1/users", data={"username": "ada", "password": "correct horse"})
    page.goto(f"{live.url}/login")
    page.get_by_label("Username").fill("ada")
    page.get_by_label("Password").fill("correct horse")
    page.get_by_role("button", name="Log in").click()
    assert page.request.get(f"{live.url}/api/v1/study/next").ok  # fills the deck
    seed_reviews(live.app, "ada")
    return page, live.url


@pytest.mark.parametrize("screen", VIEWPORTS)
def test_the_workload_chart_reads_well_everywhere(
    learner_page: tuple[Page, str], axe: Axe, screen: str
) -> None:
    page, url = learner_page
    page.set_viewport_size(VIEWPORTS[screen])  # type: ignore[arg-type]
    page.goto(f"{url}/settings")
    section = page.locator("#workload")
    expect(section.get_by_role("heading", name="What a desired retention costs")).to_be_visible()
    expect(section.get_by_role("img", name="Reviews per day over the next year")).to_be_visible()
    expect(section.locator("rect.chart-bar.current")).to_have_count(2)
    summary = section.locator("summary", has_text="Workload: the numbers")
    summary.focus()
    page.keyboard.press("Enter")  # the table opens from the keyboard
    expect(section.get_by_role("row", name="0.90 (yours)")).to_be_visible()
    fits(page, "#workload")  # (the sessions table further down is another matter)
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
        assert_accessible(axe, page)
        SHOTS.mkdir(parents=True, exist_ok=True)
        section.screenshot(path=str(SHOTS / f"workload-{screen}-{scheme}.png"))
