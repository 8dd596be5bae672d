"""Issue 12 in real Chromium: an instructor uploads a question bank at /author, reads the import report
next to the converted set in the editor, saves it, and finds it listed; the page passes axe."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, expect

from app.services import accounts
from tests.browser.conftest import LiveServer, ServerClock, assert_accessible
from tests.browser.test_pages import SHOTS, VIEWPORTS
from tests.browser.test_quiz_fairness import PASSWORD, log_in

BANKS = Path(__file__).parent.parent / "fixtures" / "banks" / "pages"


@pytest.mark.parametrize("screen", ["phone", "desktop"])
def test_an_instructor_uploads_a_bank_reads_the_report_and_saves_the_converted_set(
    browser: Browser, clocked_server: tuple[LiveServer, ServerClock], axe: Axe, screen: str
) -> None:
    live, clock = clocked_server
    with live.app.app_context():
        accounts.register("teach", PASSWORD, clock(), role="instructor")
    page = browser.new_context(viewport=VIEWPORTS[screen]).new_page()  # type: ignore[arg-type]
    log_in(page, live.url, "teach")
    page.goto(f"{live.url}/author")

    page.get_by_label("Upload .md files, a .zip of a course folder, or a question bank").set_input_files(
        str(BANKS / "sequence_questions.txt")
    )
    page.get_by_label("Answer list for a question list (optional)").set_input_files(
        str(BANKS / "sequence_answers.txt")
    )
    page.get_by_role("button", name="Upload", exact=True).click()

    expect(page.get_by_role("heading", level=1)).to_have_text("New set")
    report = page.get_by_role("region", name="Import report for sequence_questions.txt")
    expect(report).to_contain_text("question 4 has no answer: it became a preview question")
    expect(page.locator("#import-report-summary")).to_have_text(
        re.compile(r"^\d+ kept, \d+ changed, \d+ dropped\.")
    )
    expect(page.locator("#check-status")).to_have_text(re.compile("^No errors"))
    assert 'title = "Sequence models"' in page.locator("#source").input_value()
    expect(page.locator("#learner-view")).to_contain_text("Dependencies longer than the truncation window")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the import page scrolls sideways by {overflow}px on a {screen}"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"author-import-{screen}.png"), full_page=True)
    assert_accessible(axe, page)

    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".flash")).to_contain_text("Saved revision 1 as a draft")
    page.goto(f"{live.url}/author")
    expect(page.get_by_role("link", name="Sequence models", exact=True)).to_be_visible()
    assert_accessible(axe, page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Sequence models as GIFT").click()
    assert download.value.suggested_filename == "sequence-models.gift"
    assert "What is a time step in a sequence model?" in Path(download.value.path()).read_text(
        encoding="utf-8"
    )
