"""Every learner-facing page in real Chromium: content, keyboard, axe-core, phone and desktop."""

from __future__ import annotations

from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from app.content import content_files, parse_file
from tests.browser.conftest import PROJECT_CONTENT, LiveServer, assert_accessible

SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
SLUGS = [
    result.question_set.slug
    for result in (parse_file(p.name, p.read_bytes()) for p in content_files(PROJECT_CONTENT))
    if result.question_set
]
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}


def test_index_lists_every_set_and_passes_axe(
    page: Page, live_server: LiveServer, axe: Axe, foreign_requests: list[str]
) -> None:
    page.goto(live_server.url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Learn recurrent neural networks")
    expect(page.locator(".set-card")).to_have_count(len(SLUGS))
    assert_accessible(axe, page)
    assert foreign_requests == []


@pytest.mark.parametrize("slug", SLUGS)
def test_every_set_page_renders_and_passes_axe(
    page: Page, live_server: LiveServer, axe: Axe, foreign_requests: list[str], slug: str
) -> None:
    page.goto(f"{live_server.url}/sets/{slug}")
    for section in ("Preview", "Explain", "Key points", "Review"):
        expect(page.get_by_role("heading", name=section, exact=True)).to_be_visible()
    for summary in page.locator("details summary").all():
        summary.click()
    page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    assert page.locator("math").count() > 0
    assert_accessible(axe, page)
    assert foreign_requests == []


def test_keyboard_reaches_a_set_and_reveals_an_answer(page: Page, live_server: LiveServer) -> None:
    page.goto(live_server.url + "/")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    first_set = page.locator(".set-card a").first
    expect(first_set).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/sets/{SLUGS[0]}")

    first_answer = page.locator(".review-item details").first
    summary = first_answer.locator("summary")
    summary.focus()
    expect(first_answer.locator(".answer")).to_be_hidden()
    page.keyboard.press("Enter")
    expect(first_answer.locator(".answer")).to_be_visible()
    page.keyboard.press("Space")
    expect(first_answer.locator(".answer")).to_be_hidden()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("screen", list(VIEWPORTS))
def test_pages_fit_phone_and_desktop_in_both_colour_schemes(
    page: Page, live_server: LiveServer, axe: Axe, screen: str, scheme: str
) -> None:
    page.set_viewport_size(VIEWPORTS[screen])
    page.emulate_media(color_scheme=scheme)
    SHOTS.mkdir(parents=True, exist_ok=True)
    for name, path in (("index", "/"), ("set", f"/sets/{SLUGS[0]}")):
        page.goto(live_server.url + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a {screen}"
        page.screenshot(path=str(SHOTS / f"{name}-{screen}-{scheme}.png"), full_page=name == "index")
        assert_accessible(axe, page)


def test_missing_page_is_a_helpful_404(page: Page, live_server: LiveServer, axe: Axe) -> None:
    response = page.goto(live_server.url + "/sets/no-such-set")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", level=1)).to_have_text("Not Found")
    expect(page.get_by_role("link", name="Back to the question sets")).to_be_visible()
    assert_accessible(axe, page)


def test_an_edited_file_shows_up_without_a_restart(page: Page, editable_server: LiveServer) -> None:
    target = next(p for p in content_files(editable_server.content_dir) if SLUGS[0] in p.read_text())
    page.goto(f"{editable_server.url}/sets/{SLUGS[0]}")
    old_title = page.get_by_role("heading", level=1).inner_text()

    source = target.read_text(encoding="utf-8")
    target.write_text(source.replace(f'title = "{old_title}"', 'title = "Edited while running"'), "utf-8")
    page.reload()

    expect(page.get_by_role("heading", level=1)).to_have_text("Edited while running")
