"""A class from start to item analysis in real Chromium: an instructor creates a class, a learner
joins it by its link, the instructor assigns a quiz, the learner takes it, and the instructor reads
how each question did; axe finds nothing on the pages on the way."""

from __future__ import annotations

import re

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, expect

from app.extensions import db
from app.services import accounts
from tests.browser.conftest import LiveServer, ServerClock, assert_accessible
from tests.browser.test_assignments import _assign, _take
from tests.browser.test_quiz_fairness import PASSWORD, log_in


def test_a_class_from_creation_to_the_item_table(
    browser: Browser, clocked_server: tuple[LiveServer, ServerClock], axe: Axe
) -> None:
    live, clock = clocked_server
    with live.app.app_context():
        accounts.register("teach", PASSWORD, clock(), role="instructor")
        ann = accounts.register("ann", PASSWORD, clock())
        ann.timezone = "America/New_York"  # due times show in the learner's own zone
        db.session.commit()

    teacher = browser.new_context().new_page()
    log_in(teacher, live.url, "teach")
    teacher.goto(live.url + "/classes")
    teacher.get_by_label("New class name").fill("RNN 101")
    teacher.keyboard.press("Enter")
    expect(teacher.get_by_role("heading", level=1)).to_have_text("RNN 101")
    link = teacher.get_by_label("Share this link with your learners").input_value()
    class_id = int(re.search(r"/classes/(\d+)", teacher.url).group(1))  # type: ignore[union-attr]

    learner = browser.new_context().new_page()
    log_in(learner, live.url, "ann")
    learner.goto(link)
    learner.get_by_role("button", name="Join the class").click()
    expect(learner.get_by_role("heading", level=1)).to_have_text("RNN 101")

    teacher.reload()
    expect(teacher.get_by_role("row", name=re.compile("ann"))).to_be_visible()
    _assign(teacher, live, clock, class_id, "immediately")
    _take(learner, live)
    expect(learner.locator(".score")).to_contain_text(re.compile(r"\d of 5 right"))

    teacher.goto(f"{live.url}/classes/{class_id}/items")
    assert_accessible(axe, teacher)
    teacher.get_by_role("link", name=re.compile("Week 1 check")).first.click()
    expect(teacher.get_by_role("heading", level=1)).to_contain_text("Week 1 check")
    assert teacher.locator(".items-table tbody tr").count() >= 5  # the pool the quiz drew from
    expect(teacher.locator(".stat-tile", has_text="Attempts")).to_contain_text("1")
    assert_accessible(axe, teacher)
