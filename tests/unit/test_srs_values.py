"""Card states round-trip through JSON; settings and labels behave as documented."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from app.srs import Phase, Rating, SchedulerConfig, SrsCard, answer, format_interval
from app.srs.clock import DayClock

NOW = datetime(2025, 1, 15, 10, 0, tzinfo=UTC)


def test_a_new_card_round_trips() -> None:
    card = SrsCard.new()
    assert card.to_dict() == {
        "phase": "new",
        "due": None,
        "stability": None,
        "difficulty": None,
        "last_review": None,
        "scheduled_days": 0,
        "remaining_steps": 0,
        "reps": 0,
        "lapses": 0,
    }
    assert SrsCard.from_dict(card.to_dict()) == card


def test_a_studied_card_round_trips_through_json_with_utc_times() -> None:
    card = answer(SrsCard.new(), Rating.EASY, NOW, SchedulerConfig(fuzz=False), DayClock(), seed=3).card
    data = json.loads(json.dumps(card.to_dict()))
    assert data["due"] == "2025-01-23T04:00:00Z"
    assert data["last_review"] == "2025-01-15T10:00:00Z"
    assert data["phase"] == "review"
    assert SrsCard.from_dict(data) == card


def test_times_in_other_offsets_are_read_as_the_same_instant() -> None:
    data = SrsCard.new().to_dict() | {"phase": "learning", "stability": 1.0, "difficulty": 5.0}
    data |= {"due": "2025-01-15T19:10:00+09:00", "last_review": "2025-01-15T10:00:00Z", "remaining_steps": 1}
    card = SrsCard.from_dict(data)
    assert card.due == datetime(2025, 1, 15, 10, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"phase": "lapsed"}, "'lapsed' is not a valid Phase"),
        ({"due": "2025-01-15T10:00:00"}, "has no UTC offset"),
        ({"stability": "high"}, "expected a number or null"),
        ({"reps": -1}, "reps must not be negative"),
        ({"phase": "review"}, "a review card needs due, stability, difficulty and last_review"),
    ],
)
def test_bad_card_dicts_are_refused_with_the_field_named(change: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SrsCard.from_dict(SrsCard.new().to_dict() | change)


def test_a_missing_key_is_named() -> None:
    data = SrsCard.new().to_dict()
    del data["lapses"]
    with pytest.raises(ValueError, match="missing the key 'lapses'"):
        SrsCard.from_dict(data)


def test_the_default_config_is_ankis() -> None:
    config = SchedulerConfig()
    assert len(config.parameters) == 21
    assert config.learning_steps == (timedelta(minutes=1), timedelta(minutes=10))
    assert config.relearning_steps == (timedelta(minutes=10),)
    assert (config.desired_retention, config.maximum_interval_days, config.leech_threshold) == (0.9, 36500, 8)
    assert config.fuzz


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"parameters": (0.5,) * 20}, "FSRS-6 needs 21 parameters, got 20"),
        ({"parameters": (200.0, *SchedulerConfig().parameters[1:])}, r"parameters\[0\] = 200.0 is outside"),
        ({"desired_retention": 0.995}, "at most 0.99"),
        ({"desired_retention": 0.0}, "above 0"),
        ({"learning_steps": (timedelta(0),)}, r"learning_steps\[0\] must be a duration"),
        ({"relearning_steps": (timedelta(minutes=-5),)}, r"relearning_steps\[0\] must be a duration"),
        ({"maximum_interval_days": 0}, "maximum_interval_days must be at least 1"),
        ({"leech_threshold": -1}, "leech_threshold must be 0"),
    ],
)
def test_bad_settings_are_refused_with_a_clear_message(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        SchedulerConfig(**changes)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("span", "label"),
    [
        (timedelta(seconds=30), "30s"),
        (timedelta(minutes=1), "1m"),
        (timedelta(seconds=330), "6m"),  # 5.5 minutes rounds half up, as Anki shows it
        (timedelta(minutes=10), "10m"),
        (timedelta(hours=1, minutes=30), "1.5h"),
        (timedelta(hours=5), "5h"),
        (timedelta(days=1), "1d"),
        (timedelta(days=30), "30d"),
        (timedelta(days=97), "3.2mo"),  # 97 / 30.417
        (timedelta(days=365), "1y"),
        (timedelta(days=548), "1.5y"),
        (timedelta(0), "0s"),
    ],
)
def test_interval_labels_follow_ankis_answer_buttons(span: timedelta, label: str) -> None:
    assert format_interval(span) == label


def test_phases_and_ratings_have_stable_values() -> None:
    assert [int(r) for r in Rating] == [1, 2, 3, 4]
    assert [p.value for p in Phase] == ["new", "learning", "review", "relearning"]
