"""The live RNN demo in real Chromium: typing, sliders, gradient flow, training, keyboard, axe, phone."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import LiveServer, assert_accessible

SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
LONG = (
    "the network reads the sentence one word at a time and keeps a hidden state that carries "
    "what it has read so far from one step to the next step"
)


def bars(page: Page) -> list[str]:
    return page.locator("#predictions .bar").all_inner_texts()


def open_demo(page: Page, live_server: LiveServer, query: str = "") -> None:
    page.goto(f"{live_server.url}/demo{query}")
    expect(page.locator("#grad-status")).not_to_be_empty()  # the last view drawn after a prediction
    expect(page.locator("#step-view table").first).to_be_visible()


def norms(page: Page, cell: str) -> list[float]:
    return json.loads(page.locator(f"#grad-{cell}").get_attribute("data-norms") or "[]")


def test_typing_changes_the_bars_and_the_views_inside(
    page: Page, live_server: LiveServer, foreign_requests: list[str]
) -> None:
    open_demo(page, live_server, "?text=the+hidden")
    before = bars(page)
    assert len(before) == 5
    columns = page.locator("#heatmap rect").count()
    page.locator("#demo-text").fill("the hidden state of the cat sat on the")
    expect(page.locator("#predict-status")).to_contain_text("After “sat on the”")
    assert bars(page) != before
    assert page.locator("#heatmap rect").count() > columns  # one more column of units per word
    expect(page.locator("#chain .chain-step")).to_have_count(9)
    assert "text=the+hidden+state+of+the+cat+sat+on+the" in page.url  # a link to this state
    assert foreign_requests == []


def test_the_temperature_slider_changes_the_probabilities(page: Page, live_server: LiveServer) -> None:
    open_demo(page, live_server, "?text=the+cat+sat+on+the")
    top = page.locator("#predictions .bar-p").first
    at_one = float(top.inner_text().rstrip("%"))
    page.locator("#demo-temperature").fill("0.3")
    expect(page.locator("#demo-temperature-value")).to_have_text("0.30")
    expect(top).not_to_have_text(f"{at_one:.1f}%")
    assert float(top.inner_text().rstrip("%")) > at_one  # a lower temperature sharpens the choice
    page.locator("#demo-temperature").fill("4")
    expect(top).not_to_have_text(re.compile(r"^(?:[1-9]\d|100)\.\d%$"))  # a flat choice: no word above 10%
    assert "temperature=4" in page.url


def test_the_scale_slider_changes_the_gradient_chart(page: Page, live_server: LiveServer) -> None:
    open_demo(page, live_server, "?text=" + LONG.replace(" ", "+"))
    chart = page.locator("#grad-vanilla .grad-chart")
    at_one = chart.inner_html()
    page.locator("#grad-scale").fill("0.5")
    expect(page.locator("#grad-scale-value")).to_have_text("0.5")
    page.wait_for_function("() => document.querySelector('#grad-status').textContent.includes('× 0.5')")
    assert chart.inner_html() != at_one
    vanilla = norms(page, "vanilla")
    assert vanilla[0] / vanilla[-1] < 1e-3  # vanishing: orders of magnitude below the last
    expect(page.locator("#grad-vanilla .chart-summary")).to_contain_text("orders of magnitude smaller")
    assert len(norms(page, "gru")) == len(vanilla)  # side by side, step for step

    page.locator("#grad-scale").fill("3")
    page.wait_for_function("() => document.querySelector('#grad-status').textContent.includes('× 3.0')")
    vanilla = norms(page, "vanilla")
    assert vanilla[0] / vanilla[-1] > 1e3  # exploding
    expect(page.locator("#grad-vanilla .chart-summary")).to_contain_text("orders of magnitude larger")


def test_keyboard_only_use_of_the_main_controls(page: Page, live_server: LiveServer) -> None:
    open_demo(page, live_server, "?text=the")
    page.locator("#demo-text").focus()
    page.keyboard.press("End")
    page.keyboard.type(" cat sat")
    expect(page.locator("#predict-status")).to_contain_text("“the cat sat”")

    page.keyboard.press("Tab")  # the network: arrow keys move between the radio buttons
    network = page.get_by_role("group", name="Network")
    expect(network.get_by_role("radio", name="Vanilla RNN")).to_be_focused()
    page.keyboard.press("ArrowRight")
    expect(network.get_by_role("radio", name="GRU")).to_be_checked()
    expect(page.locator("#predict-status")).to_contain_text("the GRU expects")

    page.keyboard.press("Tab")
    expect(page.locator("#demo-temperature")).to_be_focused()
    page.keyboard.press("ArrowLeft")
    expect(page.locator("#demo-temperature-value")).to_have_text("0.95")

    continue_button = page.get_by_role("button", name="Continue", exact=True)
    continue_button.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#continuation .generated")).not_to_be_empty()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Add to my text")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#demo-text")).to_be_focused()  # back to the text it extended
    expect(page.locator("#chain .chain-step")).to_have_count(15)  # 3 words + 12 generated

    first_step = page.get_by_role("button", name="Step 1: the")
    first_step.focus()
    page.keyboard.press("Enter")
    expect(first_step).to_have_attribute("aria-pressed", "true")
    expect(first_step).to_be_focused()
    expect(page.locator("#step-view")).to_contain_text("Unit 0 at step 1 (“the”)")
    page.locator("#step-unit").focus()
    page.keyboard.press("ArrowUp")
    expect(page.locator("#step-view")).to_contain_text("Unit 1 at step 1")

    page.locator("#grad-scale").focus()
    page.keyboard.press("End")
    expect(page.locator("#grad-scale-value")).to_have_text("3.0")


def test_live_training_draws_a_falling_loss_curve(page: Page, live_server: LiveServer, axe: Axe) -> None:
    open_demo(page, live_server)
    page.locator("#train-steps").fill("60")
    page.get_by_role("button", name="Start training").click()
    expect(page.locator("#train-status")).to_contain_text("Done: the loss fell from", timeout=30_000)
    expect(page.locator("#loss-chart polyline.loss-line")).to_be_visible()
    expect(page.locator("#loss-summary")).to_contain_text("at step 60 of 60")
    expect(page.locator("#train-sample")).to_contain_text("Your model writes:")
    first, last = re.findall(r"(\d+\.\d+)", page.locator("#train-status").inner_text())[:2]
    assert float(last) < float(first)
    assert_accessible(axe, page)


def test_without_javascript_the_form_still_predicts(browser: Browser, live_server: LiveServer) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{live_server.url}/demo")
    page.locator("#demo-text").fill("the cat sat on the")
    page.get_by_role("group", name="Network").get_by_role("radio", name="GRU").check()
    page.get_by_role("button", name="Predict").click()
    expect(page).to_have_url(re.compile(r"/demo\?text=the\+cat\+sat\+on\+the&cell=gru"))
    expect(page.locator("#predict-status")).to_contain_text("After “sat on the”, the GRU expects")
    expect(page.locator("#predictions .bar")).to_have_count(5)
    expect(page.locator("#grad-heading")).to_be_hidden()  # the live views need the script
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("screen", list(VIEWPORTS))
def test_the_demo_fits_phone_and_desktop_and_passes_axe(
    page: Page, live_server: LiveServer, axe: Axe, screen: str, scheme: str
) -> None:
    page.set_viewport_size(VIEWPORTS[screen])
    page.emulate_media(color_scheme=scheme)
    open_demo(page, live_server, "?text=" + "the cat sat on the mat and the hidden state".replace(" ", "+"))
    for summary in page.locator("#demo details summary").all():
        summary.click()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"/demo scrolls sideways by {overflow}px on a {screen}"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"demo-{screen}-{scheme}.png"), full_page=True)
    assert_accessible(axe, page)
