"""Studying in real Chromium: keyboard only, typed cards, undo, two tabs, no JavaScript, axe."""

from __future__ import annotations

import re

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import LiveServer, assert_accessible

SET = "what-is-an-rnn"


def start_as_guest_by_keyboard(page: Page, url: str) -> None:
    page.goto(url)
    start = page.get_by_role("button", name="Start studying now")
    for _ in range(15):
        page.keyboard.press("Tab")
        if start.evaluate("b => b === document.activeElement"):
            break
    expect(start).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".flashcard")).to_be_visible()
    # the page script has taken over once it focuses the card's first control
    expect(page.locator("#reveal, .typed-answer input").first).to_be_focused()


def count(page: Page, kind: str) -> int:
    return int(page.locator(f'[data-count="{kind}"]').inner_text())


def test_keyboard_only_study_session_with_undo(page: Page, live_server: LiveServer, axe: Axe) -> None:
    start_as_guest_by_keyboard(page, f"{live_server.url}/study/{SET}")
    first = page.locator(".flashcard .question").inner_text()
    new_before = count(page, "new")
    assert_accessible(axe, page)

    page.keyboard.press("Space")
    expect(page.locator(".back")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile(r"^Good 1[0-2]m$"))).to_be_focused()
    expect(page.get_by_role("button", name=re.compile(r"^Again 1m$"))).to_be_visible()
    assert_accessible(axe, page)

    page.keyboard.press("3")
    expect(page.locator("#study-status")).to_contain_text("Good: next review 1")
    expect(page.locator(".flashcard .question")).not_to_have_text(first)
    expect(page.locator('[data-count="learning"]')).to_have_text("1")
    assert count(page, "new") == new_before - 1

    page.keyboard.press("u")
    expect(page.locator("#study-status")).to_contain_text("Undone")
    expect(page.locator(".flashcard .question")).to_have_text(first)
    expect(page.locator('[data-count="learning"]')).to_have_text("0")


def test_typed_card_is_checked_before_grading(page: Page, live_server: LiveServer, axe: Axe) -> None:
    start_as_guest_by_keyboard(page, f"{live_server.url}/study/{SET}")
    for _ in range(40):  # grade open cards Easy until a multiple-choice card is up
        if page.locator(".typed-answer").count():
            break
        page.keyboard.press("Space")
        page.keyboard.press("4")
        page.wait_for_function("() => !document.querySelector('.back')")
    form = page.locator(".typed-answer")
    expect(form).to_be_visible()
    expect(form.locator("input").first).to_be_focused()
    page.keyboard.press("Space")  # tick the first option
    page.keyboard.press("Enter")  # check
    expect(page.locator(".verdict")).to_be_visible()
    expect(page.locator(".grade.suggested")).to_be_focused()
    assert_accessible(axe, page)
    suggested = page.locator(".grade.suggested .grade-name").inner_text()
    verdict = page.locator(".verdict").inner_text()
    assert (suggested == "Good") == verdict.startswith("Right")


def test_two_tabs_grading_the_same_card_count_once(browser: Browser, live_server: LiveServer) -> None:
    context = browser.new_context()
    first, second = context.new_page(), context.new_page()
    start_as_guest_by_keyboard(first, f"{live_server.url}/study/{SET}")
    second.goto(f"{live_server.url}/study/{SET}")
    question = first.locator(".flashcard .question").inner_text()
    expect(second.locator(".flashcard .question")).to_have_text(question)

    for tab in (first, second):
        tab.get_by_role("button", name="Show answer").click()
    first.get_by_role("button", name=re.compile("^Good")).click()
    expect(first.locator("#study-status")).to_contain_text("Good")
    second.get_by_role("button", name=re.compile("^Again")).click()

    expect(second.locator("#study-status")).to_contain_text("already graded in another tab")
    expect(second.locator('[data-count="learning"]')).to_have_text("1")
    context.close()


def test_studying_works_without_javascript(browser: Browser, live_server: LiveServer, axe: Axe) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/study/{SET}")
    page.get_by_role("button", name="Start studying now").click()
    question = page.locator(".flashcard .question").inner_text()
    page.get_by_role("button", name="Show answer").click()
    expect(page.locator(".back")).to_be_visible()
    page.get_by_role("button", name=re.compile("^Good")).click()
    expect(page.locator(".flashcard .question")).not_to_have_text(question)
    expect(page.locator('[data-count="learning"]')).to_have_text("1")
    page.get_by_role("button", name="Undo last grade").click()
    expect(page.locator(".flash")).to_contain_text("Undone")
    context.close()


def test_account_pages_pass_axe(page: Page, live_server: LiveServer, axe: Axe) -> None:
    for path in ("/login", "/register", "/study"):
        page.goto(live_server.url + path)
        assert_accessible(axe, page)
    page.goto(live_server.url + "/login")
    page.get_by_label("Username").fill("nobody")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("That username and password do not match.")).to_be_visible()
    assert_accessible(axe, page)
    page.goto(live_server.url + "/study")
    page.get_by_role("button", name="Start studying now").click()
    page.goto(live_server.url + "/settings")
    expect(page.get_by_label("Desired retention", exact=True)).to_have_value("0.90")
    assert_accessible(axe, page)


def test_settings_list_logins_and_change_the_password(page: Page, live_server: LiveServer, axe: Axe) -> None:
    page.goto(live_server.url + "/register")
    page.get_by_label("Username").fill("settings-reader")
    page.get_by_label("Password", exact=True).fill("correct horse")
    page.get_by_label("Repeat the password").fill("correct horse")
    page.get_by_role("button", name="Register").click()
    page.goto(live_server.url + "/settings")
    expect(page.get_by_role("heading", name="Where you are logged in")).to_be_visible()
    expect(page.get_by_role("cell", name="this browser")).to_be_visible()
    assert_accessible(axe, page)
    page.get_by_label("Current password").fill("correct horse")
    page.get_by_label("New password", exact=True).fill("battery staple")
    page.get_by_label("Repeat the new password").fill("battery staple")
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".flash")).to_contain_text("Password changed")
    expect(page.get_by_role("cell", name="this browser")).to_be_visible()
