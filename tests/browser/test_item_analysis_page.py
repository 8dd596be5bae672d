"""An instructor reads a class's item analysis in real Chromium: the chooser, the test figures,
flags, the chart and the table, by keyboard; axe at phone and desktop, light and dark."""

from __future__ import annotations

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from app.extensions import db
from app.services import accounts, classes, quiz
from tests.browser.conftest import LiveServer, ServerClock, assert_accessible
from tests.browser.test_pages import VIEWPORTS
from tests.browser.test_quiz_fairness import PASSWORD, log_in

SHOTS = Path("/tmp/shots/itm")
SET = "what-is-an-rnn"


def seed_class(live: LiveServer, clock: ServerClock) -> int:
    """A class of nine learners who each took an eight-question quiz at one set, getting right
    the choice questions whose position and learner number make a pattern, leaving typed ones."""
    with live.app.app_context():
        now = clock()
        teacher = accounts.register("teach", PASSWORD, now, role="instructor")
        room = classes.create_class(teacher, "RNNs Tuesday", now)
        for n in range(9):
            learner = accounts.register(f"learner{n}", PASSWORD, now)
            classes.join(learner, room.join_code, now)
            attempt = quiz.start_quiz(
                learner, now, mode="sets", sets=[SET], count=8, time_limit_s=600, seed=3
            )
            for question in attempt.questions:
                if question.type != "choice":
                    continue
                right = (n + question.position) % 4 != 0 and n > question.position - 3
                ids = [c["id"] for c in question.choices if c["correct"] == right][:1]
                quiz.save_answer(learner, attempt.id, question.id, ids, now, 5.0)
            quiz.submit(learner, attempt.id, now, 5.0)
        db.session.commit()
        return room.id


def test_an_instructor_reads_the_item_table_by_keyboard(
    browser: Browser, clocked_server: tuple[LiveServer, ServerClock], axe: Axe
) -> None:
    live, clock = clocked_server
    class_id = seed_class(live, clock)
    page = browser.new_context(viewport=VIEWPORTS["desktop"]).new_page()
    log_in(page, live.url, "teach")
    page.goto(f"{live.url}/classes/{class_id}/items")
    expect(page.get_by_role("heading", level=1)).to_have_text("Item analysis: RNNs Tuesday")
    assert_accessible(axe, page)
    page.get_by_role("link", name="What an RNN is").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Item analysis: What an RNN is")
    expect(page.locator(".stat-tile", has_text="Attempts")).to_contain_text("9")
    expect(page.get_by_role("img", name="Facility against discrimination", exact=False)).to_be_visible()
    expect(page.locator(".items-table tbody tr").first).to_be_visible()
    # keyboard: the wide table's scrolling region takes focus, and a flag's link jumps to its row
    first_flag = page.locator(".flag-list > li > a").first
    first_flag.focus()
    target = first_flag.get_attribute("href")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live.url}/classes/{class_id}/items?set={SET}{target}")
    region = page.get_by_role("region", name="Table of every question")
    region.focus()
    expect(region).to_be_focused()
    page.keyboard.press("ArrowRight")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    assert download.value.suggested_filename == f"items-class-{class_id}-{SET}.csv"
    page.get_by_label("Count").select_option("first")
    page.get_by_role("button", name="Recalculate").click()
    expect(page.locator(".lede")).to_contain_text("each learner’s first attempt")
    assert_accessible(axe, page)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("screen", list(VIEWPORTS))
def test_the_item_page_fits_phone_and_desktop(
    browser: Browser, clocked_server: tuple[LiveServer, ServerClock], axe: Axe, screen: str, scheme: str
) -> None:
    live, clock = clocked_server
    class_id = seed_class(live, clock)
    page: Page = browser.new_context(viewport=VIEWPORTS[screen], color_scheme=scheme).new_page()  # type: ignore[arg-type]
    log_in(page, live.url, "teach")
    page.goto(f"{live.url}/classes/{class_id}/items?set={SET}")
    expect(page.locator(".items-table")).to_be_visible()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"items-{screen}-{scheme}.png"), full_page=True)
    page.locator(".chart").screenshot(path=str(SHOTS / f"items-chart-{screen}-{scheme}.png"))
    assert_accessible(axe, page)
