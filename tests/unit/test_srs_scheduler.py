"""The scheduler's answers for cases worked out by hand from Anki's rules and the FSRS formulas.

Unless said otherwise: default parameters, retention 0.9 (so an FSRS interval equals the stability),
steps 1m 10m, relearning 10m, fuzz off, UTC with days starting at 04:00Z, answers at 2025-01-15 10:00Z.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.srs import DayClock, Outcome, Phase, Rating, SchedulerConfig, SrsCard, answer, next_states
from app.srs.scheduler import leech_threshold_met

CONFIG = SchedulerConfig(fuzz=False)
UTC_CLOCK = DayClock()
NOW = datetime(2025, 1, 15, 10, 0, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def at(hour: int, minute: int = 0, day: int = 15) -> datetime:
    return datetime(2025, 1, day, hour, minute, tzinfo=UTC)


def review_card(stability: float, difficulty: float, last: int, days_ago: float, lapses: int = 0) -> SrsCard:
    """A review card last reviewed `days_ago` days before NOW with a `last`-day interval."""
    reviewed = NOW - timedelta(days=days_ago)
    return SrsCard(
        phase=Phase.REVIEW,
        due=reviewed + timedelta(days=last),
        stability=stability,
        difficulty=difficulty,
        last_review=reviewed,
        scheduled_days=last,
        reps=5,
        lapses=lapses,
    )


def buttons(card: SrsCard, now: datetime = NOW, config: SchedulerConfig = CONFIG) -> dict[Rating, Outcome]:
    return next_states(card, now, config, UTC_CLOCK, seed=7)


def days(outcomes: dict[Rating, Outcome]) -> list[int]:
    return [outcomes[r].card.scheduled_days for r in (Rating.HARD, Rating.GOOD, Rating.EASY)]


# --- new cards and learning steps ---------------------------------------------------------------------------


def test_a_new_cards_four_buttons() -> None:
    out = buttons(SrsCard.new())
    # Again: back to the first step, 1 minute; both steps remain
    assert out[Rating.AGAIN].card.due == at(10, 1)
    assert out[Rating.AGAIN].card.remaining_steps == 2
    # Hard on the first step: halfway between the steps, (60 + 600) / 2 = 330 s; Anki labels it "6m"
    assert out[Rating.HARD].interval == timedelta(seconds=330)
    assert out[Rating.HARD].label == "6m"
    # Good: the next step, 10 minutes, one step left
    assert out[Rating.GOOD].card.due == at(10, 10)
    assert out[Rating.GOOD].card.remaining_steps == 1
    # Easy graduates: S = w3 = 8.2956 → 8 days (at least Good's round(2.3065) + 1 = 3), due at day start
    easy = out[Rating.EASY]
    assert (easy.card.phase, easy.card.scheduled_days, easy.label) == (Phase.REVIEW, 8, "8d")
    assert easy.card.due == at(4, day=23)
    assert [out[r].card.phase for r in (Rating.AGAIN, Rating.HARD, Rating.GOOD)] == [Phase.LEARNING] * 3
    assert all(o.card.reps == 1 and o.card.last_review == NOW for o in out.values())


def test_learning_steps_then_graduation() -> None:
    # Good at 10:00 → second step (10 min); S = w2 = 2.3065, D = 2.118
    first = answer(SrsCard.new(), Rating.GOOD, NOW, CONFIG, UTC_CLOCK, seed=1).card
    assert (first.due, first.stability, first.difficulty) == (at(10, 10), 2.3065, 2.118)
    # Hard on the last step repeats it: 10 minutes. Same day, so short-term stability: the factor
    # e^(w17·(2-3+w18)) · S^-w19 is below 1 and floored, S stays 2.3065;
    # D = 0.001 · -4.7716 + 0.999 · (2.118 + 7.882 · 3.0194 / 9) = 4.753
    second = answer(first, Rating.HARD, at(10, 10), CONFIG, UTC_CLOCK, seed=1)
    assert second.interval == 10 * MINUTE
    assert (second.card.stability, second.card.difficulty) == (2.3065, 4.753)
    # Good on the last step graduates with round(S) = round(2.3065) = 2 days, due 2025-01-17 04:00Z
    third = answer(second.card, Rating.GOOD, at(10, 20), CONFIG, UTC_CLOCK, seed=1).card
    assert (third.phase, third.scheduled_days, third.due) == (Phase.REVIEW, 2, at(4, day=17))


def test_again_returns_to_the_first_step() -> None:
    second_step = answer(SrsCard.new(), Rating.GOOD, NOW, CONFIG, UTC_CLOCK, seed=1).card
    again = answer(second_step, Rating.AGAIN, at(10, 10), CONFIG, UTC_CLOCK, seed=1)
    assert (again.interval, again.card.remaining_steps, again.card.phase) == (MINUTE, 2, Phase.LEARNING)


def test_easy_at_graduation_gives_at_least_a_day_more_than_good() -> None:
    # Again then Good: S = 0.212, then 0.212 · 1.05072 · 0.212^-0.0658 = 0.2467 (last step)
    card = answer(SrsCard.new(), Rating.AGAIN, NOW, CONFIG, UTC_CLOCK, seed=1).card
    card = answer(card, Rating.GOOD, at(10, 1), CONFIG, UTC_CLOCK, seed=1).card
    out = buttons(card, at(10, 11))
    # Good: S = 0.2467 · 1.05072 · 1.0964 = 0.2842 → round 0 → at least 1 day
    # Easy: S = 0.2467 · e^(0.5425·1.0912) · 1.0964 = 0.4889 → round 0, but at least Good + 1 = 2 days
    assert (out[Rating.GOOD].card.scheduled_days, out[Rating.EASY].card.scheduled_days) == (1, 2)
    assert out[Rating.EASY].card.stability == pytest.approx(0.4889, abs=1e-4)


def test_a_step_that_crosses_the_day_rollover_is_due_when_the_next_day_starts() -> None:
    out = buttons(SrsCard.new(), at(3, 55))
    # 1 minute ends before 04:00: an ordinary step
    assert (out[Rating.AGAIN].card.due, out[Rating.AGAIN].days) == (at(3, 56), None)
    # 330 s and 600 s reach past 04:00 (300 s away): due at the start of the next day, labelled "1d"
    for rating in (Rating.HARD, Rating.GOOD):
        assert (out[rating].card.due, out[rating].days, out[rating].label) == (at(4), 1, "1d")
        assert out[rating].card.phase is Phase.LEARNING


def test_without_steps_fsrs_schedules_short_term_intervals() -> None:
    no_steps = SchedulerConfig(fuzz=False, learning_steps=(), relearning_steps=())
    out = buttons(SrsCard.new(), config=no_steps)
    # Again: S = 0.212 days < half a day, so the card stays in learning for int(0.212 · 86400) = 18316 s
    assert out[Rating.AGAIN].card.phase is Phase.LEARNING
    assert out[Rating.AGAIN].interval == timedelta(seconds=18316)
    # Hard, Good, Easy: round(1.2931) = 1, round(2.3065) = 2, round(8.2956) = 8 days
    assert days(out) == [1, 2, 8]


# --- review cards -----------------------------------------------------------------------------------------


def test_a_review_on_its_due_day_orders_hard_good_easy() -> None:
    # S = 10, D = 5, last interval 10, reviewed 10 days later: R = 0.9; growth 2.2027 (see test_srs_memory)
    # Hard 10 · (1 + 1.3247) = 23.25 → 23; Good 32.03 → 32; Easy 51.25 → 51 days
    out = buttons(review_card(10.0, 5.0, last=10, days_ago=10))
    assert days(out) == [23, 32, 51]
    assert out[Rating.GOOD].card.due == at(4, day=15) + timedelta(days=32)
    assert [out[r].label for r in (Rating.HARD, Rating.GOOD, Rating.EASY)] == ["23d", "1.1mo", "1.7mo"]


def test_a_lapse_goes_to_relearning_and_counts() -> None:
    out = buttons(review_card(10.0, 5.0, last=10, days_ago=10, lapses=2))
    again = out[Rating.AGAIN]
    # relearning step 10 min; FSRS lapse stability 1.3920 → scheduled_days round(1.392) = 1
    assert (again.card.phase, again.interval, again.card.lapses) == (Phase.RELEARNING, 10 * MINUTE, 3)
    assert (again.card.scheduled_days, again.card.stability, again.leech) == (1, 1.392, False)
    assert all(out[r].card.lapses == 2 for r in (Rating.HARD, Rating.GOOD, Rating.EASY))


def test_relearning_hard_good_and_graduation() -> None:
    lapsed = buttons(review_card(10.0, 5.0, last=10, days_ago=10))[Rating.AGAIN].card
    out = buttons(lapsed, NOW + 10 * MINUTE)
    # Hard on a single relearning step: 1.5 × 600 s = 900 s
    assert out[Rating.HARD].interval == 15 * MINUTE
    assert out[Rating.HARD].card.phase is Phase.RELEARNING
    # Good leaves the only step: same-day S = 1.392 · 1.05072 · 1.392^-0.0658 = 1.4145 → 1 day
    assert (out[Rating.GOOD].card.phase, out[Rating.GOOD].card.scheduled_days) == (Phase.REVIEW, 1)
    assert out[Rating.GOOD].card.lapses == 1


def test_a_same_day_review_keeps_the_last_interval_when_it_lies_in_the_fuzz_range() -> None:
    # S = 9.185 reviewed again the same day: Hard and Good stay at S (short-term factor floored).
    # round(9.185) = 9 < last 10, but the fuzz range of 9.185 reaches round(9.185 + 1.8935) = 11 ≥ 10,
    # so Anki keeps at least 10: Hard 10, Good ≥ Hard + 1 = 11, Easy 9.185 · 1.8066 · 0.8642 = 14.34 → 14
    assert days(buttons(review_card(9.185, 5.0, last=10, days_ago=0.01))) == [10, 11, 14]


def test_a_passing_review_shortens_the_interval_when_fsrs_asks_for_much_less() -> None:
    # S = 1.144 but a last interval of 20: the range of 1.144 (no fuzz under 2.5 days) stays below 20
    # Hard 1, Good ≥ 2, Easy 1.144 · 1.8066 · 0.99119 = 2.05 → ≥ Good + 1 = 3
    assert days(buttons(review_card(1.144, 3.0, last=20, days_ago=0.01))) == [1, 2, 3]


def test_the_maximum_interval_caps_every_button() -> None:
    capped = SchedulerConfig(fuzz=False, maximum_interval_days=30)
    # on its due day S = 100 grows past 100 for all three; Good ≥ Hard + 1 cannot pass the cap either
    assert days(buttons(review_card(100.0, 5.0, last=30, days_ago=30), config=capped)) == [30, 30, 30]


@pytest.mark.parametrize(
    ("lapses", "leech"),
    [(6, False), (7, True), (8, False), (9, False), (10, False), (11, True), (15, True), (13, False)],
)
def test_a_lapse_is_a_leech_at_8_and_every_4_after(lapses: int, leech: bool) -> None:
    outcome = buttons(review_card(10.0, 5.0, last=10, days_ago=10, lapses=lapses))[Rating.AGAIN]
    assert (outcome.card.lapses, outcome.leech) == (lapses + 1, leech)


def test_the_leech_rule_matches_ankis_own_table() -> None:
    # review.rs: threshold 3 → 3, 5, 7; threshold 8 → 8, 12; threshold 1 → every lapse; 0 → never
    assert [n for n in range(10) if leech_threshold_met(n, 3)] == [3, 5, 7, 9]
    assert [n for n in range(17) if leech_threshold_met(n, 8)] == [8, 12, 16]
    assert [n for n in range(4) if leech_threshold_met(n, 1)] == [1, 2, 3]
    assert not any(leech_threshold_met(n, 0) for n in range(20))


def test_only_lapses_of_review_cards_can_be_leeches() -> None:
    lapsed = buttons(review_card(10.0, 5.0, last=10, days_ago=10, lapses=8))[Rating.AGAIN].card
    assert not any(o.leech for o in buttons(lapsed, NOW + 10 * MINUTE).values())


def test_naive_times_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        buttons(SrsCard.new(), datetime(2025, 1, 15, 10, 0))
