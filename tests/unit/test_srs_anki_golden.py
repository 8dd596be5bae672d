"""Unroll's scheduler against Anki's own: tests/fixtures/anki_golden.json, recorded by bench/anki_golden.py.

The fixture holds what Anki 26.09's Rust backend did (FSRS on, default or listed parameters): due times
and card states after every review of many histories, the Hard/Good/Easy days offered for review cards in
chosen states, and, with fuzz on, every value each button took over many cards.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from app.srs import Phase, Rating, SchedulerConfig, SrsCard, answer, next_states, replay_json
from app.srs.clock import DayClock
from app.srs.replay import read_config

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "anki_golden.json"
BUTTONS = (Rating.HARD, Rating.GOOD, Rating.EASY)


@cache
def golden() -> dict[str, Any]:
    return json.loads(FIXTURE.read_text())


def histories() -> list[dict[str, Any]]:
    return golden()["histories"]


def test_the_fixture_covers_enough_of_anki() -> None:
    assert golden()["anki"]["version"].startswith("26.")
    assert len(histories()) >= 60
    assert sum(len(h["steps"]) for h in histories()) >= 900
    names = " ".join(h["name"] for h in histories())
    for topic in ("leech", "DST", "maximum interval", "no learning or relearning steps", "rollover"):
        assert topic in names


@pytest.mark.parametrize("history", histories(), ids=lambda h: h["name"])
def test_replay_gives_the_due_times_anki_gave(history: dict[str, Any]) -> None:
    reviews = [{"rating": step["rating"], "at": step["at"]} for step in history["steps"]]
    result = replay_json({"config": history["config"], "histories": [{"reviews": reviews}]})
    assert result["histories"][0]["due"] == [step["due"] for step in history["steps"]]


@pytest.mark.parametrize("history", histories(), ids=lambda h: h["name"])
def test_each_answer_leaves_the_card_as_anki_left_it(history: dict[str, Any]) -> None:
    config, clock = read_config(history["config"])
    card = SrsCard.new()
    for step in history["steps"]:
        outcome = answer(
            card, Rating(step["rating"]), datetime.fromisoformat(step["at"]), config, clock, seed=0
        )
        card = outcome.card
        got = (card.phase.value, card.scheduled_days, card.remaining_steps, card.lapses, outcome.leech)
        want = (step["phase"], step["scheduled_days"], step["remaining_steps"], step["lapses"], step["leech"])
        assert got == want, step
        # Anki keeps float32 values rounded to 4 (stability) and 3 (difficulty) decimals
        assert card.stability == pytest.approx(step["stability"], rel=1e-5, abs=2e-4), step
        assert card.difficulty == pytest.approx(step["difficulty"], abs=2e-3), step


def button_states(section: str) -> list[list[Any]]:
    return golden()[section]["rows"]


def review_card(row: list[Any], now: datetime, reps: int = 5) -> SrsCard:
    stability, difficulty, last, elapsed = row[:4]
    reviewed = now - timedelta(days=elapsed, minutes=1)
    return SrsCard(Phase.REVIEW, now, stability, difficulty, reviewed, scheduled_days=last, reps=reps)


def test_review_buttons_offer_the_days_anki_offers() -> None:
    section = golden()["review_buttons"]
    now = datetime.fromisoformat(section["now"])
    config, clock = SchedulerConfig(fuzz=False), DayClock()
    wrong = []
    for row in section["rows"]:
        out = next_states(review_card(row, now), now, config, clock, seed=0)
        days = [out[r].card.scheduled_days for r in BUTTONS]
        if days != row[4:]:
            wrong.append((row, days))
    assert not wrong
    assert len(section["rows"]) >= 300


@pytest.mark.parametrize(
    "row", button_states("fuzz_ranges"), ids=lambda r: f"S={r[0]} last={r[2]} elapsed={r[3]}"
)
def test_fuzz_gives_the_same_range_of_days_as_anki(row: list[Any]) -> None:
    now = datetime.fromisoformat(golden()["fuzz_ranges"]["now"])
    config, clock = SchedulerConfig(fuzz=True), DayClock()
    seen: list[set[int]] = [set(), set(), set()]
    for seed in range(600):
        out = next_states(review_card(row, now, reps=seed), now, config, clock, seed=seed)
        for values, rating in zip(seen, BUTTONS, strict=True):
            values.add(out[rating].card.scheduled_days)
    # Anki's samples (60 cards × 3 review counts) show every value its range allows
    assert [sorted(values) for values in seen] == row[4:]
