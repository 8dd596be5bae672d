"""Fair grading in real Chromium: a near miss's difference on the results page, and an instructor
accepting a learner's response for everyone by keyboard alone (axe finds no violations)."""

from __future__ import annotations

import re
from datetime import timedelta

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from app.extensions import db
from app.models import Card, ContentSet
from app.services import accounts, quiz
from tests.browser.conftest import LiveServer, ServerClock, assert_accessible
from tests.browser.test_pages import SHOTS, VIEWPORTS

PASSWORD = "correct horse"
WRONG = "a wrong answer"


def _typo(answer: str) -> str | None:
    """The answer with two neighbouring letters of its first long word swapped (a near miss)."""
    for word in re.findall(r"[A-Za-z]{8,}", answer):
        if word[3] != word[4]:
            return answer.replace(word, word[:3] + word[4] + word[3] + word[5:], 1)
    return None


def _quiz_with_a_near_miss(live: LiveServer, clock: ServerClock) -> tuple[int, str, str]:
    """Ada's submitted quiz on a set with a near miss in one short answer and a wrong answer in the
    others; returns the attempt, the set's slug and the near-missed answer."""
    with live.app.app_context():
        ada = accounts.register("ada", PASSWORD, clock())
        accounts.register("teach", PASSWORD, clock(), role="instructor")
        cards = db.session.scalars(select(Card).where(Card.type == "short", Card.retired_at.is_(None))).all()
        card = next(c for c in cards if _typo(c.answer) and (c.details or {}).get("near_miss") != "wrong")
        slug = db.session.get(ContentSet, card.set_id).slug  # type: ignore[union-attr]
        attempt = quiz.start_quiz(ada, clock(), mode="sets", sets=[slug], count=50, time_limit_s=600)
        for question in attempt.questions:
            if question.type == "short":
                typed = _typo(card.answer) if question.card_id == card.id else WRONG
                quiz.save_answer(ada, attempt.id, question.id, typed, clock(), 5.0)
        quiz.submit(ada, attempt.id, clock() + timedelta(seconds=5), 5.0)
        return attempt.id, slug, card.answer


def log_in(page: Page, url: str, name: str) -> None:
    page.goto(url + "/login")
    page.get_by_label("Username").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def test_the_difference_is_shown_and_an_instructor_accepts_a_response_by_keyboard(
    browser: Browser, clocked_server: tuple[LiveServer, ServerClock], axe: Axe
) -> None:
    live, clock = clocked_server
    attempt_id, slug, expected = _quiz_with_a_near_miss(live, clock)
    learner = browser.new_context().new_page()
    log_in(learner, live.url, "ada")
    learner.goto(f"{live.url}/quiz/{attempt_id}/result")
    near = learner.locator(".results > li", has=learner.locator(".diff"))
    expect(near).to_have_count(1)
    expect(near.locator(".diff del")).to_have_count(1)
    expect(near.locator(".diff ins")).to_have_count(1)
    expect(near).to_contain_text(f"expected “{expected}”")
    expect(near.locator(".note")).to_contain_text("Accepted with a typo")
    expect(near.locator(".verdict-word")).to_have_text("Right")
    SHOTS.mkdir(parents=True, exist_ok=True)
    for screen in ("phone", "desktop"):
        learner.set_viewport_size(VIEWPORTS[screen])
        assert learner.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        near.screenshot(path=str(SHOTS / f"quiz-near-miss-{screen}.png"))
    assert_accessible(axe, learner)
    wrong_before = learner.locator(".results > li.wrong").count()

    teacher = browser.new_context().new_page()
    log_in(teacher, live.url, "teach")
    teacher.goto(f"{live.url}/sets/{slug}")
    teacher.get_by_role("link", name="Learners’ quiz answers").focus()
    teacher.keyboard.press("Enter")
    expect(teacher.get_by_role("heading", level=1)).to_contain_text("Quiz responses")
    teacher.screenshot(path=str(SHOTS / "instructor-responses-desktop.png"))
    assert_accessible(axe, teacher)
    button = teacher.get_by_role("button", name=f"Accept “{WRONG}” for everyone").first
    button.focus()
    teacher.keyboard.press("Enter")
    expect(teacher.locator(".flash")).to_contain_text(f"Accepted “{WRONG}” for everyone: 1 answer re-marked")
    assert_accessible(axe, teacher)

    learner.reload()
    expect(learner.locator(".results > li.wrong")).to_have_count(wrong_before - 1)
    expect(learner.locator(".note", has_text="Accepted by the instructor for everyone.")).to_have_count(1)
