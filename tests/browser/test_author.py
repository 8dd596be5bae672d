"""Authoring in real Chromium: an instructor writes a set from the template, sees an error marked at
its line, fixes it, reads what publishing changes, publishes, and a learner studies the new card;
Ctrl+S saves a draft; every authoring page passes axe on phone and desktop, light and dark."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from app.services import accounts
from tests.browser.conftest import LiveServer, ServerClock, assert_accessible
from tests.browser.test_pages import SHOTS, VIEWPORTS
from tests.browser.test_quiz_fairness import PASSWORD, log_in

SLUG = "browser-written"
TITLE = "Written in the browser"


def _people(live: LiveServer, clock: ServerClock) -> None:
    with live.app.app_context():
        accounts.register("ada", PASSWORD, clock())
        accounts.register("teach", PASSWORD, clock(), role="instructor")


def _from_template(template: str) -> str:
    """The template with this test's title and slug, and ids of its own (so no card id collides)."""
    text = re.sub(r'(?m)^title = ".*"$', f'title = "{TITLE}"', template, count=1)
    text = re.sub(r'(?m)^slug = ".*"$', f'slug = "{SLUG}"', text, count=1)
    return re.sub(r"(?m)^(\s*ID:\s*)(\S+)", lambda m: f"{m.group(1)}bw-{m.group(2)}", text)


def _broken(source: str) -> tuple[str, int]:
    """The source with its first answer line renamed (an error), and that question's line number."""
    lines = source.split("\n")
    at = next(i for i, line in enumerate(lines) if line.strip().startswith("Answer:"))
    lines[at] = lines[at].replace("Answer:", "Oops:", 1)
    question = max(i for i in range(at) if re.match(r"^\d+\. ", lines[i]))
    return "\n".join(lines), question + 1


def _replace_source(page: Page, text: str) -> None:
    page.locator("#source").fill(text)


def test_an_instructor_writes_checks_and_publishes_a_set_that_a_learner_then_studies(
    browser: Browser, clocked_server: tuple[LiveServer, ServerClock], axe: Axe
) -> None:
    live, clock = clocked_server
    _people(live, clock)
    teacher = browser.new_context().new_page()
    log_in(teacher, live.url, "teach")
    teacher.goto(f"{live.url}/author")
    teacher.get_by_role("link", name="New set").click()
    expect(teacher.get_by_role("heading", level=1)).to_have_text("New set")
    expect(teacher.locator("#check-status")).to_have_text(re.compile("^No errors"))
    source = _from_template(teacher.locator("#source").input_value())

    broken, line = _broken(source)
    _replace_source(teacher, broken)
    expect(teacher.locator("#check-status")).to_have_text(re.compile("^1 error"))
    marked = teacher.locator("#gutter .mark-error")
    expect(marked).to_have_count(1)
    expect(marked).to_have_text(str(line))
    expect(teacher.locator("#source-errors a[data-line]")).to_have_text(f"Line {line}")
    teacher.locator("#source-errors a[data-line]").click()
    assert teacher.evaluate("document.activeElement.id") == "source"

    _replace_source(teacher, source)
    expect(teacher.locator("#check-status")).to_have_text(re.compile("^No errors"))
    expect(teacher.locator("#gutter .mark-error")).to_have_count(0)
    expect(teacher.locator("#learner-view .preview-set-title")).to_have_text(TITLE)
    question = teacher.locator("#learner-view .review-item .question").first.inner_text().strip()

    teacher.get_by_label("What changed (optional)").fill("A first version")
    teacher.get_by_role("button", name="Publish…").click()
    expect(teacher.get_by_role("heading", level=1)).to_have_text(f"Publish {TITLE}?")
    expect(teacher.locator(".change-counts")).to_contain_text("questions added")
    expect(teacher.locator(".change-counts li").nth(2)).to_contain_text("0 retired")
    teacher.get_by_role("button", name="Publish", exact=True).click()
    expect(teacher.locator(".flash")).to_contain_text("Published revision 1")

    learner = browser.new_context().new_page()
    log_in(learner, live.url, "ada")
    learner.goto(f"{live.url}/sets/{SLUG}")
    expect(learner.get_by_role("heading", level=1)).to_have_text(TITLE)
    learner.goto(f"{live.url}/study/{SLUG}")
    expect(learner.locator("#study-card .question").first).to_contain_text(question[:40])


def test_ctrl_s_saves_a_draft_from_the_keyboard(
    browser: Browser, clocked_server: tuple[LiveServer, ServerClock]
) -> None:
    live, clock = clocked_server
    _people(live, clock)
    teacher = browser.new_context().new_page()
    log_in(teacher, live.url, "teach")
    teacher.goto(f"{live.url}/author/new")
    teacher.locator("#source").fill(_from_template(teacher.locator("#source").input_value()))
    teacher.locator("#source").focus()
    teacher.keyboard.press("End")
    teacher.keyboard.type("\n")
    teacher.keyboard.press("Control+s")
    expect(teacher.locator(".flash")).to_contain_text("Saved revision 1 as a draft")
    expect(teacher.get_by_role("heading", level=1)).to_contain_text(TITLE)
    # Line numbers follow the text as it scrolls.
    teacher.locator("#source").evaluate("t => { t.scrollTop = 200; t.dispatchEvent(new Event('scroll')); }")
    assert teacher.locator("#gutter").evaluate("g => g.scrollTop") == teacher.locator("#source").evaluate(
        "t => t.scrollTop"
    )


def _author_pages(page: Page, live: LiveServer) -> dict[str, str]:
    """Visit each authoring page once to create what it shows; return name -> URL (or a POST to replay)."""
    page.goto(f"{live.url}/author/new")
    source = _from_template(page.locator("#source").input_value())
    page.locator("#source").fill(source)
    page.get_by_role("button", name="Publish…").click()
    page.get_by_role("button", name="Publish", exact=True).click()
    expect(page.locator(".flash")).to_contain_text("Published revision 1")
    lines = source.replace(TITLE, TITLE + " again", 1).split("\n")
    review = lines.index("## Review")
    first = next(i for i, line in enumerate(lines) if i > review and line.startswith("1. "))
    lines[first] = lines[first].replace("1. ", "1. In one phrase: ", 1)  # the first question changes
    page.locator("#source").fill("\n".join(lines))
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".flash")).to_contain_text("Saved revision 2")
    return {
        "index": f"{live.url}/author",
        "editor": f"{live.url}/author/sets/{SLUG}",
        "history": f"{live.url}/author/sets/{SLUG}/history",
    }


def _open_publish(page: Page, url: str) -> None:
    page.goto(url)
    page.get_by_role("button", name="Publish…").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Publish")


def _open_conflict(page: Page, url: str) -> None:
    page.goto(url)
    page.locator('input[name="base_revision"]').evaluate("i => { i.value = '1'; }")
    page.locator("#source").fill(page.locator("#source").input_value().replace("## Review", "## Review\n", 1))
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Not saved")


def _open_upload(page: Page, live: LiveServer) -> None:
    page.goto(f"{live.url}/author")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("course/bad.md", "no front matter here\n")
    page.get_by_label("Upload .md files, a .zip of a course folder, or a question bank").set_input_files(
        [{"name": "course.zip", "mimeType": "application/zip", "buffer": buffer.getvalue()}]
    )
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Upload")


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("screen", list(VIEWPORTS))
def test_authoring_pages_fit_and_pass_axe(
    browser: Browser, clocked_server: tuple[LiveServer, ServerClock], axe: Axe, screen: str, scheme: str
) -> None:
    live, clock = clocked_server
    _people(live, clock)
    page = browser.new_context(viewport=VIEWPORTS[screen], color_scheme=scheme).new_page()  # type: ignore[arg-type]
    page.on("dialog", lambda dialog: dialog.accept())  # "leave with unsaved changes?" after the broken edit
    log_in(page, live.url, "teach")
    urls = _author_pages(page, live)
    SHOTS.mkdir(parents=True, exist_ok=True)

    def shoot(name: str) -> None:
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} scrolls sideways by {overflow}px on a {screen}"
        page.screenshot(path=str(SHOTS / f"author-{name}-{screen}-{scheme}.png"), full_page=True)
        assert_accessible(axe, page)

    for name, url in urls.items():
        page.goto(url)
        shoot(name)
    page.goto(urls["editor"])
    broken, _ = _broken(page.locator("#source").input_value())
    page.locator("#source").fill(broken)
    expect(page.locator("#gutter .mark-error")).to_have_count(1)
    expect(page.locator("#preview-note")).to_contain_text("the last version that parsed")
    expect(page.locator("#learner-view .review-item")).not_to_have_count(0)
    shoot("editor-error")
    _open_publish(page, urls["editor"])
    shoot("publish")
    _open_conflict(page, urls["editor"])
    shoot("conflict")
    _open_upload(page, live)
    shoot("upload")
