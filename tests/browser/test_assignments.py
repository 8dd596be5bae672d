"""Assigned quizzes in real Chromium: an instructor assigns a quiz to a class, a learner finds it
on the home page and on /quiz/new, starts and submits it (by keyboard), and the instructor reads
the gradebook; every page passes axe at phone and desktop widths, light and dark."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from app.quiz.assignments import local
from app.services import accounts, classes
from tests.browser.conftest import LiveServer, ServerClock, assert_accessible
from tests.browser.test_pages import VIEWPORTS
from tests.browser.test_quiz_fairness import PASSWORD, log_in

SHOTS = Path("/tmp/shots/B")
SET_TITLE = "What an RNN is"
ZONE = "Europe/Paris"


def _class(live: LiveServer, clock: ServerClock) -> int:
    with live.app.app_context():
        teacher = accounts.register("teach", PASSWORD, clock(), role="instructor")
        ann = accounts.register("ann", PASSWORD, clock())
        ann.timezone = "America/New_York"
        room = classes.create_class(teacher, "RNN 101", clock(), timezone=ZONE)
        classes.join(ann, room.join_code, clock())
        return room.id


def _assign(page: Page, live: LiveServer, clock: ServerClock, class_id: int, review: str) -> None:
    """Fill the form by keyboard: tick a set, type the numbers and the close time, pick from selects."""
    page.goto(f"{live.url}/classes/{class_id}/assignments")
    page.get_by_role("link", name="New assignment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("New assignment")
    page.locator("#title").focus()
    page.keyboard.type("Week 1 check")
    page.get_by_label(SET_TITLE, exact=True).focus()
    page.keyboard.press("Space")
    page.locator("#count").fill("5")
    page.locator("#minutes").fill("15")
    page.locator("#attempts").fill("2")
    closes = local(clock() + timedelta(days=1), ZONE).strftime("%Y-%m-%dT%H:%M")
    page.locator("#closes_at").fill(closes)
    page.get_by_label("Grade by").select_option("average")
    page.get_by_label("Learners see right answers").select_option(review)
    page.get_by_role("button", name="Assign the quiz").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".flash")).to_contain_text("Assignment created")
    expect(page.get_by_role("row", name=re.compile("Week 1 check"))).to_contain_text("Average of attempts")


def _take(page: Page, live: LiveServer) -> None:
    """Start from the home page by keyboard, answer every question, submit."""
    page.goto(live.url + "/")
    card = page.locator(".assignment-card", has_text="Week 1 check")
    expect(card).to_contain_text("RNN 101")
    expect(card).to_contain_text(re.compile(r"Due \w{3} \d\d \w{3} \d{4}, \d\d:\d\d E[SD]T"))  # ann's zone
    expect(card).to_contain_text("0 of 2 attempts used")
    card.get_by_role("button", name="Start Week 1 check").focus()
    page.keyboard.press("Enter")
    expect(page.locator("fieldset.quiz-question")).to_have_count(5)
    for number in range(5):
        fieldset = page.locator("fieldset.quiz-question").nth(number)
        first = fieldset.locator("input").first
        first.focus()
        if first.get_attribute("type") == "text":
            page.keyboard.type("an answer")
            page.keyboard.press("Tab")
        else:
            page.keyboard.press("Space")
        expect(fieldset.locator(".saved")).to_have_text("Saved")
    page.get_by_role("button", name="Submit my answers").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Results: Week 1 check")


def test_an_instructor_assigns_a_quiz_that_a_learner_takes(
    browser: Browser, clocked_server: tuple[LiveServer, ServerClock], axe: Axe
) -> None:
    live, clock = clocked_server
    class_id = _class(live, clock)
    teacher = browser.new_context().new_page()
    log_in(teacher, live.url, "teach")
    _assign(teacher, live, clock, class_id, "after_close")

    learner = browser.new_context().new_page()
    log_in(learner, live.url, "ann")
    learner.goto(live.url + "/quiz/new")
    expect(learner.locator(".assignment-card", has_text="Week 1 check")).to_be_visible()
    _take(learner, live)
    expect(learner.locator(".score")).to_contain_text(re.compile(r"\d of 5 right"))
    expect(learner.locator(".review-hidden")).to_contain_text("appear once the quiz closes")
    expect(learner.get_by_text("Right answer:")).to_have_count(0)
    result_url = learner.url
    learner.goto(live.url + "/")
    card = learner.locator(".assignment-card", has_text="Week 1 check")
    expect(card).to_contain_text(re.compile(r"1 of 2 attempts used · your grade \d+%"))

    teacher.goto(f"{live.url}/classes/{class_id}/gradebook")
    row = teacher.get_by_role("row", name=re.compile("ann"))
    expect(row).to_contain_text(re.compile(r"\d+%"))
    expect(row).to_contain_text("1 attempt")

    clock.advance(2 * 24 * 3600)  # past the close: right answers appear, no more attempts
    learner.goto(result_url)
    expect(learner.get_by_text("Right answer:")).to_have_count(5)
    expect(learner.locator(".review-hidden")).to_have_count(0)
    learner.goto(live.url + "/")
    card = learner.locator(".assignment-card", has_text="Week 1 check")
    expect(card).to_contain_text("Closed")
    expect(card.get_by_role("button")).to_have_count(0)


def _shoot(page: Page, axe: Axe, name: str, screen: str, scheme: str) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{name} scrolls sideways by {overflow}px on a {screen}"
    page.screenshot(path=str(SHOTS / f"assign-{name}-{screen}-{scheme}.png"), full_page=True)
    assert_accessible(axe, page)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("screen", list(VIEWPORTS))
def test_assignment_pages_fit_and_pass_axe(
    browser: Browser, clocked_server: tuple[LiveServer, ServerClock], axe: Axe, screen: str, scheme: str
) -> None:
    live, clock = clocked_server
    class_id = _class(live, clock)
    SHOTS.mkdir(parents=True, exist_ok=True)
    teacher = browser.new_context(viewport=VIEWPORTS[screen], color_scheme=scheme).new_page()  # type: ignore[arg-type]
    log_in(teacher, live.url, "teach")
    _assign(teacher, live, clock, class_id, "never")
    _shoot(teacher, axe, "list", screen, scheme)
    teacher.get_by_role("link", name="New assignment").click()
    teacher.get_by_text("Choose questions").first.click()  # a set's questions, opened
    _shoot(teacher, axe, "form", screen, scheme)
    teacher.get_by_role("button", name="Assign the quiz").click()  # nothing ticked: the error shows
    expect(teacher.get_by_role("alert")).to_contain_text("Choose at least one set")
    _shoot(teacher, axe, "form-error", screen, scheme)
    teacher.goto(f"{live.url}/classes/{class_id}/assignments")
    teacher.get_by_role("link", name="Accommodations for Week 1 check").click()
    teacher.locator("#minutes").fill("30")
    teacher.get_by_role("button", name="Save the accommodation").click()
    expect(teacher.get_by_role("row", name=re.compile("ann"))).to_contain_text("30 min")
    _shoot(teacher, axe, "overrides", screen, scheme)

    learner = browser.new_context(viewport=VIEWPORTS[screen], color_scheme=scheme).new_page()  # type: ignore[arg-type]
    log_in(learner, live.url, "ann")
    learner.goto(live.url + "/")
    _shoot(learner, axe, "home", screen, scheme)
    learner.goto(live.url + "/quiz/new")
    _shoot(learner, axe, "quiz-new", screen, scheme)
    _take(learner, live)
    expect(learner.locator(".review-hidden")).to_contain_text("does not show the right answers")
    _shoot(learner, axe, "result-hidden", screen, scheme)

    teacher.goto(f"{live.url}/classes/{class_id}/gradebook")
    _shoot(teacher, axe, "gradebook", screen, scheme)
