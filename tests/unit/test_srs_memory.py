"""FSRS-6 formulas against values worked out by hand from the default parameters.

w0..w3 = 0.212 1.2931 2.3065 8.2956 (initial stability), w4 = 6.4133, w5 = 0.8334, w6 = 3.0194,
w7 = 0.001, w8 = 1.8722, w9 = 0.1666, w10 = 0.796, w11 = 1.4835, w12 = 0.0614, w13 = 0.2629,
w14 = 1.6483, w15 = 0.6014, w16 = 1.8729, w17 = 0.5425, w18 = 0.0912, w19 = 0.0658, w20 = 0.1542.
"""

from __future__ import annotations

import pytest

from app.srs import Rating, SchedulerConfig
from app.srs.memory import MemoryState, next_interval, next_memory_states, retrievability

W = SchedulerConfig().parameters


def test_a_new_card_starts_from_the_initial_stability_and_difficulty() -> None:
    states = next_memory_states(W, 0.9, None, 0)
    # S0 = w[G-1]; D0 = w4 - e^(w5·(G-1)) + 1, clamped to [1, 10]:
    # again 6.4133, hard 6.4133 - e^0.8334 + 1 = 6.4133 - 2.3012 + 1 = 5.1122,
    # good 6.4133 - e^1.6668 + 1 = 6.4133 - 5.2952 + 1 = 2.1181, easy 6.4133 - 12.1849 + 1 < 1 → 1
    assert [states[r].memory.stability for r in Rating] == [0.212, 1.2931, 2.3065, 8.2956]
    difficulties = [states[r].memory.difficulty for r in Rating]
    assert difficulties == pytest.approx([6.4133, 5.1122, 2.1181, 1.0], abs=1e-4)


def test_at_90_percent_retention_the_interval_is_the_stability() -> None:
    # interval = S / F · (r^(1/-d) - 1) with F = 0.9^(1/-d) - 1: equal to S when r = 0.9
    assert next_interval(W, 0.9, 8.2956) == pytest.approx(8.2956)
    # and R(t = S) = 0.9 by the definition of stability
    assert retrievability(W, 10.0, 10) == pytest.approx(0.9)


def test_a_higher_retention_shortens_the_interval() -> None:
    # d = 0.1542, F = 0.9^(-6.4851) - 1 = 0.98035; 0.95^(-6.4851) - 1 = e^0.33264 - 1 = 0.39465,
    # so 10 · 0.39465 / 0.98035 = 4.0256
    assert next_interval(W, 0.95, 10.0) == pytest.approx(4.0256, abs=1e-4)


def test_a_review_on_its_due_day_grows_stability_by_rating() -> None:
    states = next_memory_states(W, 0.9, MemoryState(10.0, 5.0), 10)
    # R = 0.9; growth = e^w8 · (11 - D) · S^-w9 · (e^((1-R)·w10) - 1)
    #        = 6.50282 · 6 · 0.681397 · 0.082854 = 2.2027
    # good S' = 10 · (1 + 2.2027) = 32.03; hard × w15: 10 · (1 + 1.3247) = 23.25;
    # easy × w16: 10 · (1 + 4.1255) = 51.25
    assert states[Rating.GOOD].memory.stability == pytest.approx(32.027, abs=1e-3)
    assert states[Rating.HARD].memory.stability == pytest.approx(23.247, abs=1e-3)
    assert states[Rating.EASY].memory.stability == pytest.approx(51.254, abs=1e-3)


def test_a_lapse_uses_the_forgetting_stability() -> None:
    states = next_memory_states(W, 0.9, MemoryState(10.0, 5.0), 10)
    # w11 · D^-w12 · ((S+1)^w13 - 1) · e^((1-R)·w14) = 1.4835 · 0.905903 · 0.878400 · 1.179199 = 1.3920,
    # below the cap S / e^(w17·w18) = 10 / 1.05072 = 9.517
    assert states[Rating.AGAIN].memory.stability == pytest.approx(1.3920, abs=1e-4)
    # D' = w7 · D0(easy) + (1 - w7) · (D + (10 - D) · 2·w6 / 9)
    #    = 0.001 · -4.7716 + 0.999 · (5 + 5 · 0.67098) = 8.3418
    assert states[Rating.AGAIN].memory.difficulty == pytest.approx(8.3418, abs=1e-4)


def test_same_day_reviews_use_short_term_stability() -> None:
    states = next_memory_states(W, 0.9, MemoryState(1.2931, 5.112), 0)
    # S' = S · e^(w17·(G - 3 + w18)) · S^-w19; S^-w19 = 1.2931^-0.0658 = 0.98323
    # good: 1.2931 · e^0.049476 · 0.98323 = 1.2931 · 1.05072 · 0.98323 = 1.3359
    assert states[Rating.GOOD].memory.stability == pytest.approx(1.3359, abs=1e-4)
    # hard: the factor e^(-0.49302) · 0.98323 = 0.5999 is floored at 1, so S stays (as in Anki)
    assert states[Rating.HARD].memory.stability == pytest.approx(1.2931)
    # again is not floored: 1.2931 · e^(0.5425 · -1.9088) · 0.98323 = 1.2931 · 0.35505 · 0.98323
    assert states[Rating.AGAIN].memory.stability == pytest.approx(0.4514, abs=1e-4)


def test_stability_never_falls_below_its_floor() -> None:
    states = next_memory_states(W, 0.9, MemoryState(0.001, 10.0), 0)
    assert states[Rating.AGAIN].memory.stability == 0.001
