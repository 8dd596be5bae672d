"""The Content-Security-Policy in real Chromium: every learner page works under it and reports no
violation (the autouse `csp_violations` fixture fails a test that sees one), and content cannot
make a page load an image from another site."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PROJECT_CONTENT, LiveServer, _start

RICH = "rich-content"
RICH_SET = """+++
title = "Rich content"
slug = "rich-content"
weight = 99
dialect = "native"
description = "A table with aligned columns, code, formulas and pictures from elsewhere."
+++

## Preview

1. What does an unrolled network look like?

## Explain

| step | state |
|:-----|------:|
| 1 | 0.462 |
| 2 | 0.354 |

```python
h = np.tanh(W_xh @ x + W_hh @ h)
```

The state is $h_t = \\tanh(W_{xh} x_t + W_{hh} h_{t-1})$.

![the network unrolled over three steps](https://images.example.invalid/unrolled.png)

## Keypoint

1. An RNN carries a hidden state $h_t$ from step to step.

## Review

1. What does an RNN carry from step to step? ![a loop](https://images.example.invalid/loop.png)

   Answer: Its hidden state $h_t$.
   ID: rich-state
   Covers: 1
"""


@pytest.fixture(scope="module")
def rich_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The project's content plus a set with tables, code, math and remote images."""
    tmp = tmp_path_factory.mktemp("csp")
    folder = tmp / "content"
    shutil.copytree(PROJECT_CONTENT, folder)
    (folder / "99-rich-content.md").write_text(RICH_SET, encoding="utf-8")
    live, server = _start(tmp, folder)
    yield live
    server.shutdown()


def foreign(page: Page, origin: str) -> list[str]:
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url) if not r.url.startswith(origin) else None)
    return seen


def slugs(content: Path) -> list[str]:
    return re.findall(r'^slug = "([^"]+)"', "".join(p.read_text() for p in content.glob("*.md")), re.M)


def test_the_check_sees_a_violation(page: Page, rich_server: LiveServer, csp_violations: list[str]) -> None:
    """The fixture that guards every browser test does notice a blocked script and image."""
    page.goto(rich_server.url + "/")
    page.evaluate("""() => {
        const s = document.createElement("script"); s.textContent = "window.ran = true"; document.body.append(s);
        document.body.insertAdjacentHTML("beforeend", '<img src="https://images.example.invalid/x.png">');
    }""")
    for _ in range(50):  # the reports arrive as console messages, shortly after
        if len(csp_violations) >= 2:
            break
        page.wait_for_timeout(100)
    assert any("script-src" in v for v in csp_violations), csp_violations
    assert any("img-src" in v for v in csp_violations), csp_violations
    assert page.evaluate("() => window.ran === undefined")
    csp_violations.clear()


def test_home_and_every_set_page(page: Page, rich_server: LiveServer) -> None:
    outside = foreign(page, rich_server.url)
    page.goto(rich_server.url + "/")
    expect(page.locator(".set-card")).to_have_count(len(slugs(rich_server.content_dir)))
    for slug in slugs(rich_server.content_dir):
        page.goto(f"{rich_server.url}/sets/{slug}")
        for summary in page.locator("details summary").all():
            summary.click()
    assert outside == []


def test_content_shows_remote_images_as_links_and_keeps_tables_code_and_math(
    page: Page, rich_server: LiveServer
) -> None:
    outside = foreign(page, rich_server.url)
    page.goto(f"{rich_server.url}/sets/{RICH}")
    picture = page.get_by_role(
        "link", name="the network unrolled over three steps (image at images.example.invalid)"
    )
    expect(picture).to_have_attribute("href", "https://images.example.invalid/unrolled.png")
    assert page.locator("img").count() == 0
    right = page.locator("td", has_text="0.462")
    assert right.evaluate("td => getComputedStyle(td).textAlign") == "right"
    expect(page.locator(".highlight pre")).to_contain_text("np.tanh")
    assert page.locator(".highlight span[class]").count() > 0  # Pygments' colours come from classes
    assert page.locator("math").count() >= 2
    assert outside == []


def test_study_flip_grade_and_undo(page: Page, rich_server: LiveServer) -> None:
    outside = foreign(page, rich_server.url)
    page.goto(f"{rich_server.url}/study/{RICH}")
    page.get_by_role("button", name="Start studying now").click()
    expect(page.locator(".flashcard")).to_be_visible()
    expect(page.get_by_role("link", name="a loop (image at images.example.invalid)")).to_be_visible()
    page.wait_for_load_state("networkidle")  # the study script has taken over the card
    page.get_by_role("button", name="Show answer").click()
    expect(page.locator(".back")).to_be_visible()
    page.get_by_role("button", name="Good").click()
    expect(page.locator("#study-status")).to_contain_text("Good")
    page.get_by_role("button", name="Undo last grade").click()
    expect(page.locator("#study-status")).to_contain_text("Undone")
    page.goto(rich_server.url + "/study/what-is-an-rnn")
    page.wait_for_load_state("networkidle")
    page.get_by_role("button", name="Show answer").click()
    expect(page.locator(".back")).to_be_visible()
    assert outside == []


def test_quiz_stats_settings_and_export(page: Page, rich_server: LiveServer) -> None:
    page.goto(rich_server.url + "/study")
    page.get_by_role("button", name="Start studying now").click()
    expect(page.locator(".flashcard")).to_be_visible()
    page.goto(rich_server.url + "/quiz/new")
    page.get_by_label("What an RNN is").check()
    page.get_by_label("Number of questions").fill("5")
    page.get_by_role("button", name="Start the quiz").click()
    expect(page.locator("#quiz")).to_be_visible()
    first = page.locator("fieldset.quiz-question").first
    if first.locator("input[type=text]").count():
        first.locator("input[type=text]").first.fill("a hidden state")
        first.locator("input[type=text]").first.press("Tab")
    else:
        first.locator("input").first.check()
    expect(first.locator(".saved")).to_have_text("Saved")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=re.compile("Submit")).click()
    expect(page).to_have_url(re.compile(r"/quiz/\d+/result$"))
    for path in ("/quiz/history", "/stats", "/cards", "/export", "/settings", "/register", "/no-such-page"):
        page.goto(rich_server.url + path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_login_page(page: Page, rich_server: LiveServer) -> None:
    page.goto(rich_server.url + "/login")
    page.get_by_label("Username").fill("nobody")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_demo_sliders_buttons_and_training(page: Page, rich_server: LiveServer) -> None:
    outside = foreign(page, rich_server.url)
    page.goto(rich_server.url + "/demo?text=the+cat+sat")
    expect(page.locator("#grad-status")).not_to_be_empty()
    bar = page.locator("#predictions .bar-fill").first
    assert float(bar.get_attribute("width") or 0) > 0
    assert bar.evaluate("r => r.getBoundingClientRect().width") > 0
    page.locator("#demo-text").fill("the hidden state of the")
    expect(page.locator("#predict-status")).to_contain_text("After “state of the”")
    page.locator("#demo-temperature").fill("0.5")
    expect(page.locator("#demo-temperature-value")).to_have_text("0.50")
    page.locator("#grad-scale").fill("2")
    expect(page.locator("#grad-scale-value")).to_have_text("2.0")
    page.locator("#chain .chain-step").first.click()
    expect(page.locator("#step-view table").first).to_be_visible()
    page.locator("#train-steps").fill("60")
    page.get_by_role("button", name="Start training").click()
    expect(page.locator("#train-status")).to_contain_text("Done: the loss fell from", timeout=30_000)
    expect(page.locator("#loss-chart polyline.loss-line")).to_be_visible()
    assert outside == []


def test_demo_without_javascript_draws_the_bars(page: Page, rich_server: LiveServer) -> None:
    """The server-drawn bars need no inline style (SVG geometry instead)."""
    page.route("**/*.js", lambda route: route.abort())
    page.goto(rich_server.url + "/demo?text=the+cat+sat")
    widths = page.locator("#predictions .bar-fill").evaluate_all(
        "rs => rs.map(r => r.getBoundingClientRect().width)"
    )
    assert len(widths) == 5 and widths[0] > widths[-1] > 0
