"""The demo's word-by-word views in real Chromium: LSTM gates, connectivity, one neuron, URL state, keyboard,
axe at phone and desktop widths in light and dark."""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.browser.conftest import LiveServer, assert_accessible

SHOTS = Path(os.environ.get("UNROLL_SHOTS", Path(__file__).resolve().parents[2] / "build" / "screenshots"))
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
TEXT = "the network reads one word at a time and keeps a hidden state that carries what it has read"


def open_demo(page: Page, live_server: LiveServer, query: str) -> None:
    page.goto(f"{live_server.url}/demo?{query}")
    expect(page.locator("#conn-status")).to_contain_text("affects the state at")


def conn_norms(page: Page, cell: str) -> list[float]:
    return json.loads(page.locator(f"#conn-{cell}").get_attribute("data-norms") or "[]")


def url_state(page: Page) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def test_a_link_opens_the_exact_figure_it_names(page: Page, live_server: LiveServer) -> None:
    query = f"text={TEXT.replace(' ', '+')}&cell=lstm&position=8&unit=5&compare=1&scale=2"
    open_demo(page, live_server, query)
    expect(page.get_by_role("group", name="Network").get_by_role("radio", name="LSTM")).to_be_checked()
    expect(page.get_by_role("radio", name="and", exact=True)).to_be_checked()  # word 9
    expect(page.locator("#compare")).to_be_checked()
    expect(page.locator("#neuron-unit")).to_have_value("5")
    expect(page.locator("#step-unit")).to_have_value("5")
    expect(page.locator("#grad-scale-value")).to_have_text("2.0")
    for cell in ("vanilla", "gru", "lstm"):  # side by side: one chart per cell, one bar per word up to "and"
        expect(page.locator(f"#conn-{cell} rect.conn-bar")).to_have_count(9)
        assert len(conn_norms(page, cell)) == 9
    expect(page.locator("#gates-charts figure")).to_have_count(6)  # LSTM i, f, o, c and GRU z, r
    expect(page.locator("#gates-explain")).to_contain_text(
        "At “and” (word 9), the LSTM's forget gate averages"
    )
    expect(page.locator("#gates-readout")).to_contain_text("unit 5")
    state = url_state(page)
    assert state["position"] == ["8"] and state["compare"] == ["1"] and state["unit"] == ["5"]
    assert state["cell"] == ["lstm"] and state["scale"] == ["2"]


def test_keyboard_only_choice_of_word_unit_and_cell_updates_the_views_and_the_url(
    page: Page, live_server: LiveServer
) -> None:
    open_demo(page, live_server, f"text={TEXT.replace(' ', '+')}&cell=lstm")
    last = len(TEXT.split()) - 1
    expect(page.locator("#conn-lstm rect.conn-bar")).to_have_count(last + 1)  # the last word by default
    page.get_by_role("radio", name="read", exact=True).focus()
    page.keyboard.press("ArrowLeft")  # to "has", the word before
    expect(page.get_by_role("radio", name="has", exact=True)).to_be_checked()
    expect(page.locator("#conn-lstm rect.conn-bar")).to_have_count(last)
    expect(page.locator("#gates-explain")).to_contain_text(f"At “has” (word {last})")
    assert url_state(page)["position"] == [str(last - 1)]
    page.keyboard.press("Home")  # native radios: Home is not a radio key, so use the arrows back to the first
    for _ in range(last - 1):
        page.keyboard.press("ArrowLeft")
    expect(page.get_by_role("radio", name="the", exact=True).first).to_be_checked()
    expect(page.locator("#gates-explain")).to_contain_text("At the first word there is no earlier cell state")
    expect(page.locator("#conn-status")).to_contain_text("the first word depends on itself only")

    page.locator("#compare").focus()
    page.keyboard.press("Space")
    expect(page.locator("#conn-charts figure")).to_have_count(3)
    assert url_state(page)["compare"] == ["1"]

    page.locator("#neuron-unit").focus()
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowUp")
    expect(page.locator("#neuron-text .neuron-word")).to_have_count(last + 1)
    expect(page.locator("#step-unit")).to_have_value("2")
    assert url_state(page)["unit"] == ["2"]
    values = page.locator("#neuron-text .neuron-value").all_inner_texts()
    assert all(-1 <= float(v.replace("−", "-")) <= 1 for v in values)

    page.get_by_role("group", name="Network").get_by_role("radio", name="LSTM").focus()
    page.keyboard.press("ArrowLeft")  # to the GRU
    expect(page.locator("#gates-explain")).to_contain_text("the GRU's update gate")
    assert url_state(page)["cell"] == ["gru"]


def test_gate_values_lie_in_0_1_and_the_vanilla_rnn_has_none(page: Page, live_server: LiveServer) -> None:
    open_demo(page, live_server, f"text={TEXT.replace(' ', '+')}&cell=lstm")
    for gate in ("input", "forget", "output"):
        opacities = page.locator(f"#gate-lstm-{gate} rect.gate-on").evaluate_all(
            "rects => rects.map(r => Number(r.getAttribute('fill-opacity')))"
        )
        assert len(opacities) == 96 * len(TEXT.split()) and all(0 <= v <= 1 for v in opacities)
    page.locator("#gate-lstm-forget svg").hover(position={"x": 60, "y": 70})
    expect(page.locator("#gates-readout")).to_contain_text("(word 1), unit")
    page.get_by_role("group", name="Network").get_by_role("radio", name="Vanilla RNN").check()
    expect(page.locator("#gates-explain")).to_contain_text("The vanilla RNN has no gates")
    expect(page.locator("#gates-charts figure")).to_have_count(0)


def test_hide_leaves_only_a_focused_exercise(page: Page, live_server: LiveServer) -> None:
    open_demo(
        page, live_server, "text=the+cat+sat+on+the+mat&cell=gru&hide=temperature,k,continue,train,gates"
    )
    expect(page.locator("#demo-temperature")).to_be_hidden()
    expect(page.locator("#demo-k")).to_be_hidden()
    expect(page.locator("#gates-heading")).to_be_hidden()
    expect(page.locator("#train-heading")).to_be_hidden()
    expect(page.locator("#conn-heading")).to_be_visible()
    page.get_by_role("radio", name="sat", exact=True).check()
    assert url_state(page)["hide"] == ["temperature,k,continue,train,gates"]  # a shared link keeps it


def test_training_settings_round_trip_through_the_url(page: Page, live_server: LiveServer) -> None:
    open_demo(page, live_server, "text=the+cat&tcell=lstm&lr=0.02&hidden=16&truncation=10&clip=0&clipnorm=2")
    expect(page.locator("#train-cell-lstm")).to_be_checked()
    expect(page.locator("#train-lr")).to_have_value("0.02")
    expect(page.locator("#train-hidden")).to_have_value("16")
    expect(page.locator("#train-truncation")).to_have_value("10")
    expect(page.locator("#train-clip")).not_to_be_checked()
    expect(page.locator("#train-clip-threshold")).to_have_value("2")
    page.locator("#train-hidden").fill("24")
    page.locator("#train-hidden").press("Tab")  # a change event, as the keyboard gives it
    page.locator("#train-clip").check()
    state = url_state(page)
    assert state["hidden"] == ["24"] and state["tcell"] == ["lstm"] and state["lr"] == ["0.02"]
    assert "clip" not in state  # back at the default: left out of the link
    page.locator("#train-hidden").fill("999")  # beyond the bounds: the link keeps it, the page ignores it
    page.goto(page.url.replace("hidden=24", "hidden=999"))
    expect(page.locator("#train-hidden")).to_have_value("32")


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("screen", list(VIEWPORTS))
def test_the_word_by_word_views_fit_and_pass_axe(
    page: Page, live_server: LiveServer, axe: Axe, screen: str, scheme: str
) -> None:
    page.set_viewport_size(VIEWPORTS[screen])
    page.emulate_media(color_scheme=scheme)
    open_demo(page, live_server, f"text={TEXT.replace(' ', '+')}&cell=lstm&position=8&compare=1&unit=3")
    for summary in page.locator("#inside details summary").all():
        summary.click()
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"/demo scrolls sideways by {overflow}px on a {screen}"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("#inside").screenshot(path=str(SHOTS / f"demo-inside-{screen}-{scheme}.png"))
    for view in ("connectivity", "neuron", "train", "gate-lstm-forget"):
        page.locator(f"#{view}").screenshot(path=str(SHOTS / f"demo-{view}-{screen}-{scheme}.png"))
    assert_accessible(axe, page)
