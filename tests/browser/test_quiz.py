"""Timed quizzes in real Chromium, with the server's clock and the page's clock both under control."""

from __future__ import annotations

import re

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import LiveServer, ServerClock, assert_accessible

SET_TITLE = "What an RNN is"


def become_guest(page: Page, url: str) -> None:
    page.goto(url + "/study")
    page.get_by_role("button", name="Start studying now").click()
    expect(page.locator(".flashcard")).to_be_visible()


def start_quiz(page: Page, url: str, questions: int = 5, minutes: int = 2) -> None:
    page.goto(url + "/quiz/new")
    page.get_by_label(SET_TITLE).check()
    page.get_by_label("Number of questions").fill(str(questions))
    page.get_by_label("Time limit").select_option(str(minutes))
    page.get_by_role("button", name="Start the quiz").click()
    expect(page.locator("#quiz")).to_be_visible()


def answer_first_option(page: Page, number: int) -> None:
    fieldset = page.locator("fieldset.quiz-question").nth(number)
    if fieldset.locator("input[type=text]").count():
        for box in fieldset.locator("input[type=text]").all():
            box.fill("an answer")
        box.press("Tab")
    else:
        fieldset.locator("input").first.check()
    expect(fieldset.locator(".saved")).to_have_text("Saved")


def test_a_whole_quiz_by_keyboard_with_results_and_missed_cards(
    page: Page, live_server: LiveServer, axe: Axe
) -> None:
    become_guest(page, live_server.url)
    page.goto(live_server.url + "/quiz/new")
    assert_accessible(axe, page)
    page.get_by_label(SET_TITLE).focus()
    page.keyboard.press("Space")
    page.get_by_label("Number of questions").focus()
    page.keyboard.press("Control+a")
    page.keyboard.type("5")
    page.keyboard.press("Enter")
    expect(page.locator("fieldset.quiz-question")).to_have_count(5)
    assert_accessible(axe, page)

    for number in range(5):
        fieldset = page.locator("fieldset.quiz-question").nth(number)
        first_input = fieldset.locator("input").first
        first_input.focus()
        if first_input.get_attribute("type") == "text":
            page.keyboard.type("backpropagation")
            page.keyboard.press("Tab")
        else:
            page.keyboard.press("Space")
        expect(fieldset.locator(".saved")).to_have_text("Saved")
        expect(page.locator(f"#map-{fieldset.get_attribute('data-question')}")).to_have_class(
            re.compile("answered")
        )

    page.get_by_role("button", name="Submit my answers").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Results: {SET_TITLE}")
    expect(page.locator(".score")).to_contain_text(re.compile(r"\d of 5 right"))
    expect(page.locator(".results > li")).to_have_count(5)
    assert_accessible(axe, page)
    missed = page.locator(".results > li.wrong").count()
    if missed:
        page.get_by_role("link", name=f"Study the {missed} I missed").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("The cards you missed")
        expect(page.locator(".flashcard")).to_be_visible()
    page.goto(live_server.url + "/quiz/history")
    expect(page.locator(".line-chart")).to_have_count(1)
    assert_accessible(axe, page)


def test_countdown_announces_and_a_late_answer_is_refused(
    page: Page, clocked_server: tuple[LiveServer, ServerClock]
) -> None:
    live, server_clock = clocked_server
    page.clock.install()
    become_guest(page, live.url)
    start_quiz(page, live.url, minutes=2)
    expect(page.locator("#timer")).to_have_text("2:00")
    answer_first_option(page, 0)

    for seconds, announcement in ((61, "One minute left."), (50, "Ten seconds left.")):
        server_clock.advance(seconds)  # both clocks move together, as they would in real life
        page.clock.run_for(seconds * 1000)
        expect(page.locator("#quiz-alert")).to_have_text(announcement)

    server_clock.advance(15)  # the server's deadline and its 5 s grace have passed
    late = page.locator("fieldset.quiz-question").nth(1).locator("input").first
    if late.get_attribute("type") == "text":
        late.fill("too late")
        late.press("Tab")
    else:
        late.check()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Results: {SET_TITLE}")
    expect(page.locator(".results > li")).to_have_count(5)
    expect(page.locator(".results > li").nth(1)).to_contain_text("Your answer: (no answer)")


def test_time_running_out_in_the_page_submits_the_quiz(
    page: Page, clocked_server: tuple[LiveServer, ServerClock]
) -> None:
    live, server_clock = clocked_server
    page.clock.install()
    become_guest(page, live.url)
    start_quiz(page, live.url, minutes=2)
    answer_first_option(page, 0)
    server_clock.advance(120)
    page.clock.run_for(121_000)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Results: {SET_TITLE}")
    expect(page.locator(".results > li").first).not_to_contain_text("(no answer)")


def test_reload_and_a_second_tab_resume_the_same_attempt(
    browser: Browser, clocked_server: tuple[LiveServer, ServerClock]
) -> None:
    live, server_clock = clocked_server
    context = browser.new_context()
    page = context.new_page()
    become_guest(page, live.url)
    start_quiz(page, live.url, minutes=5)
    answer_first_option(page, 0)
    server_clock.advance(90)

    page.reload()
    expect(page.locator("#timer")).to_have_text(re.compile(r"^3:(29|30)$"))
    expect(page.locator("fieldset.quiz-question").first.locator(".saved")).to_have_text("Saved")
    second = context.new_page()
    second.goto(page.url)
    expect(second.locator("#timer")).to_have_text(re.compile(r"^3:(2\d|30)$"))
    first_box = second.locator("fieldset.quiz-question").first.locator("input").first
    if first_box.get_attribute("type") == "text":
        expect(first_box).to_have_value("an answer")
    else:
        expect(first_box).to_be_checked()

    stranger = browser.new_context().new_page()
    become_guest(stranger, live.url)
    response = stranger.goto(page.url)
    assert response is not None and response.status == 404
    context.close()


def test_without_javascript_the_form_submits_once(browser: Browser, live_server: LiveServer) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/study")
    page.get_by_role("button", name="Start studying now").click()
    start_quiz(page, live_server.url)
    first = page.locator("fieldset.quiz-question").first.locator("input").first
    if first.get_attribute("type") == "text":
        first.fill("an answer")
    else:
        first.check()
    quiz_url = page.url
    page.get_by_role("button", name="Submit my answers").click()
    score = page.locator(".score").inner_text()
    page.goto(quiz_url)
    expect(page.locator(".score")).to_have_text(score)
    context.close()
