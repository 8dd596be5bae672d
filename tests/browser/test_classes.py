"""Classes in real Chromium: an instructor creates a class and copies its link; learners join by link,
by code and as a guest who then registers; the instructor sorts the roster and removes a learner.
Keyboard where a person would use it; axe on every page; phone and desktop, light and dark."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from app.extensions import db
from app.models import Card, CardProgress, ReviewLog
from app.services import accounts, classes
from tests.browser.conftest import LiveServer, ServerClock, assert_accessible

SHOTS = Path("/tmp/shots/cls")
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
PASSWORD = "correct horse battery"


def people(live: LiveServer, clock: ServerClock) -> None:
    with live.app.app_context():
        accounts.register("teach", PASSWORD, clock(), role="instructor")
        for name in ("ada", "bob"):
            accounts.register(name, PASSWORD, clock())


def log_in(page: Page, url: str, name: str) -> None:
    page.goto(url + "/login")
    page.get_by_label("Username").fill(name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def give_reviews(live: LiveServer, clock: ServerClock, username: str, count: int) -> None:
    """`count` passed reviews today of review cards from the learner's deck (filled by studying)."""
    with live.app.app_context():
        user = accounts.find_user(username)
        assert user is not None
        cards = db.session.scalars(select(Card).limit(count)).all()
        for card in cards:
            progress = db.session.scalar(
                select(CardProgress).where(CardProgress.user_id == user.id, CardProgress.card_id == card.id)
            ) or CardProgress(user_id=user.id, card_id=card.id, set_id=card.set_id)
            progress.phase, progress.due = "review", clock()
            db.session.add(progress)
            db.session.flush()
            db.session.add(
                ReviewLog(
                    user_id=user.id,
                    card_id=card.id,
                    progress_id=progress.id,
                    rating=3,
                    reviewed_at=clock() - timedelta(minutes=30),
                    phase_before="review",
                    phase_after="review",
                    state_before={},
                    state_after={},
                )
            )
        db.session.commit()


def roster_names(page: Page) -> list[str]:
    return [
        re.sub(r"\s*guest$", "", n).strip() for n in page.locator("table.roster tbody th").all_inner_texts()
    ]


def test_a_class_from_creation_to_removing_a_learner(
    browser: Browser, clocked_server: tuple[LiveServer, ServerClock], axe: Axe
) -> None:
    live, clock = clocked_server
    people(live, clock)
    context = browser.new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live.url)
    teacher = context.new_page()
    log_in(teacher, live.url, "teach")
    teacher.get_by_role("link", name="Classes").click()
    expect(teacher.get_by_role("heading", level=1)).to_have_text("Classes")
    assert_accessible(axe, teacher)
    teacher.get_by_label("New class name").focus()
    teacher.keyboard.type("RNN autumn")
    teacher.keyboard.press("Enter")
    expect(teacher.get_by_role("heading", level=1)).to_have_text("RNN autumn")
    expect(teacher.get_by_role("status").first).to_contain_text("Class “RNN autumn” created")
    link = teacher.get_by_label("Share this link with your learners").input_value()
    assert re.fullmatch(rf"{re.escape(live.url)}/join/[A-Z0-9]{{8}}", link), link
    code = link.rsplit("/", 1)[1]
    teacher.get_by_role("button", name="Copy link").focus()
    teacher.keyboard.press("Enter")
    expect(teacher.locator(".copy-status")).to_have_text("Link copied.")
    assert teacher.evaluate("navigator.clipboard.readText()") == link
    assert_accessible(axe, teacher)

    # ada follows the link while logged in, and confirms
    ada = browser.new_context().new_page()
    log_in(ada, live.url, "ada")
    ada.goto(link)
    expect(ada.get_by_role("heading", level=1)).to_have_text("Join “RNN autumn”")
    assert_accessible(axe, ada)
    ada.get_by_role("button", name="Join the class").click()
    expect(ada.get_by_role("heading", level=1)).to_have_text("RNN autumn")
    expect(ada.get_by_text("Taught by teach.")).to_be_visible()
    assert_accessible(axe, ada)

    # bob types the code on his Classes page, with a dash and in lower case
    bob = browser.new_context().new_page()
    log_in(bob, live.url, "bob")
    bob.goto(live.url + "/classes")
    bob.get_by_label("Join a class with its code").fill("NOPE-2345")
    bob.keyboard.press("Enter")
    expect(bob.locator("#join-code-error")).to_contain_text("No class has that join code")
    assert_accessible(axe, bob)
    bob.get_by_label("Join a class with its code").fill(f"{code[:4].lower()}-{code[4:].lower()}")
    bob.keyboard.press("Enter")
    expect(bob.get_by_role("heading", level=1)).to_have_text("RNN autumn")

    # a visitor joins as a guest and is asked to register; registering keeps the place
    guest = browser.new_context().new_page()
    guest.goto(link)
    expect(guest.get_by_role("button", name="Join as a guest")).to_be_visible()
    assert_accessible(axe, guest)
    guest.get_by_role("button", name="Join as a guest").click()
    expect(guest.get_by_role("note")).to_contain_text("You joined as a guest.")
    assert_accessible(axe, guest)
    guest.get_by_role("link", name="Register to keep them").click()
    guest.get_by_label("Username").fill("newbie")
    guest.get_by_label("Password", exact=True).fill(PASSWORD)
    guest.get_by_label("Repeat the password").fill(PASSWORD)
    guest.get_by_role("button", name="Register").click()
    expect(guest.get_by_role("heading", level=1)).to_have_text("RNN autumn")
    expect(guest.get_by_role("note")).to_have_count(0)

    give_reviews(live, clock, "bob", 3)
    give_reviews(live, clock, "newbie", 1)
    teacher.reload()
    assert roster_names(teacher) == ["ada", "bob", "newbie"]
    header = teacher.get_by_role("columnheader", name=re.compile("Reviews, 30 days"))
    header.get_by_role("link").focus()
    teacher.keyboard.press("Enter")
    expect(header).to_have_attribute("aria-sort", "ascending")
    assert roster_names(teacher) == ["ada", "newbie", "bob"]
    header.get_by_role("link").focus()
    teacher.keyboard.press("Enter")
    expect(header).to_have_attribute("aria-sort", "descending")
    assert roster_names(teacher) == ["bob", "newbie", "ada"]
    bob_row = teacher.get_by_role("row", name=re.compile("^bob"))
    expect(bob_row.get_by_role("cell").nth(3)).to_contain_text("100%")
    assert_accessible(axe, teacher)

    # remove ada: open the confirmation and press the button, by keyboard
    teacher.get_by_label("Remove ada…").focus()
    teacher.keyboard.press("Enter")
    remove = teacher.get_by_role("button", name="Remove ada")
    expect(remove).to_be_visible()
    assert_accessible(axe, teacher)
    remove.focus()
    teacher.keyboard.press("Enter")
    expect(teacher.get_by_role("status").first).to_contain_text("ada was removed from the class")
    assert roster_names(teacher) == ["bob", "newbie"]
    ada.reload()
    expect(ada.get_by_role("heading", level=1)).not_to_have_text("RNN autumn")

    csv = teacher.request.get(f"{teacher.url.split('?')[0]}/roster.csv").text()
    assert csv.splitlines()[0].startswith("id,username,guest,cards_studied") and len(csv.splitlines()) == 3


def _seeded_class(live: LiveServer, clock: ServerClock) -> int:
    people(live, clock)
    with live.app.app_context():
        teach = accounts.find_user("teach")
        assert teach is not None
        classroom = classes.create_class(teach, "Recurrent networks, autumn term", clock())
        for name in ("ada", "bob", "cy-long-username.example", "dee"):
            user = accounts.find_user(name) or accounts.register(name, PASSWORD, clock())
            classes.join(user, classroom.join_code, clock())
        guest = accounts.create_guest(clock())
        classes.join(guest, classroom.join_code, clock())
        class_id = classroom.id
    give_reviews(live, clock, "ada", 4)
    give_reviews(live, clock, "dee", 2)
    return class_id


def no_sideways_scroll(page: Page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("screen", list(VIEWPORTS))
def test_class_pages_fit_phone_and_desktop(
    browser: Browser, clocked_server: tuple[LiveServer, ServerClock], axe: Axe, screen: str, scheme: str
) -> None:
    live, clock = clocked_server
    class_id = _seeded_class(live, clock)
    SHOTS.mkdir(parents=True, exist_ok=True)
    teacher = browser.new_context(viewport=VIEWPORTS[screen], color_scheme=scheme).new_page()  # type: ignore[arg-type]
    log_in(teacher, live.url, "teach")
    with live.app.app_context():
        code = classes.instructor_class(accounts.find_user("teach"), class_id).join_code  # type: ignore[arg-type]
    for name, path in [("index", "/classes"), ("class", f"/classes/{class_id}?sort=week&dir=desc")]:
        teacher.goto(live.url + path)
        no_sideways_scroll(teacher)
        assert_accessible(axe, teacher)
        teacher.screenshot(path=str(SHOTS / f"{name}-{screen}-{scheme}.png"), full_page=True)
    learner = browser.new_context(viewport=VIEWPORTS[screen], color_scheme=scheme).new_page()  # type: ignore[arg-type]
    learner.goto(f"{live.url}/join/{code}")
    no_sideways_scroll(learner)
    assert_accessible(axe, learner)
    learner.screenshot(path=str(SHOTS / f"join-visitor-{screen}-{scheme}.png"), full_page=True)
    learner.get_by_role("button", name="Join as a guest").click()
    expect(learner.get_by_role("note")).to_be_visible()
    no_sideways_scroll(learner)
    assert_accessible(axe, learner)
    learner.screenshot(path=str(SHOTS / f"learner-{screen}-{scheme}.png"), full_page=True)
