"""`replay` and `replay_json`: the engine of `flask srs replay FILE`."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from app.srs import DayClock, Rating, ReplayError, SchedulerConfig, replay, replay_json

PARAMETERS = list(SchedulerConfig().parameters)


def document(**config_changes: Any) -> dict[str, Any]:
    return {
        "config": {
            "parameters": PARAMETERS,
            "desired_retention": 0.9,
            "learning_steps_minutes": [1, 10],
            "relearning_steps_minutes": [10],
            "maximum_interval_days": 36500,
            "fuzz": False,
        }
        | config_changes,
        "histories": [
            {
                "reviews": [
                    {"rating": 3, "at": "2025-01-15T10:00:00Z"},
                    {"rating": 3, "at": "2025-01-15T10:10:00Z"},
                ]
            },
            {"reviews": [{"rating": 4, "at": "2025-01-15T23:30:00Z"}]},
            {"reviews": []},
        ],
    }


def test_replay_json_gives_the_due_time_after_each_review() -> None:
    result = replay_json(document())
    assert result == {
        "histories": [
            # Good → second step, 10 min; Good on the last step the same day: S stays 2.3065 → 2 days,
            # due when study day 2025-01-17 starts (04:00Z)
            {"due": ["2025-01-15T10:10:00Z", "2025-01-17T04:00:00Z"]},
            # Easy on a new card: round(8.2956) = 8 days after study day 2025-01-15
            {"due": ["2025-01-23T04:00:00Z"]},
            {"due": []},
        ]
    }
    json.dumps(result)  # JSON-safe


def test_the_time_zone_and_day_start_are_optional_settings() -> None:
    tokyo = replay_json(document(timezone="Asia/Tokyo", day_start_hour=6))
    # 2025-01-15T23:30Z is 08:30 on 2025-01-16 in Tokyo; 8 days later at 06:00 JST = 21:00Z the day before
    assert tokyo["histories"][1]["due"] == ["2025-01-23T21:00:00Z"]


def test_replay_with_fuzz_is_repeatable() -> None:
    fuzzed = document(fuzz=True)
    fuzzed["histories"][1]["reviews"] += [{"rating": 3, "at": f"2025-0{m}-01T12:00:00Z"} for m in range(2, 8)]
    assert replay_json(fuzzed) == replay_json(copy.deepcopy(fuzzed))


def test_replay_takes_typed_histories() -> None:
    at = datetime(2025, 1, 15, 10, 0, tzinfo=UTC)
    dues = replay(SchedulerConfig(fuzz=False), DayClock(), [[(Rating.AGAIN, at)], []])
    assert dues == [[datetime(2025, 1, 15, 10, 1, tzinfo=UTC)], []]
    with pytest.raises(ValueError, match="must not go back"):
        replay(SchedulerConfig(), DayClock(), [[(Rating.GOOD, at), (Rating.GOOD, at.replace(hour=9))]])


def broken(path: str, value: Any) -> dict[str, Any]:
    """The sample document with the value at a dotted path replaced (or removed, for ...)."""
    doc = copy.deepcopy(document())
    *parents, last = path.split(".")
    target: Any = doc
    for key in parents:
        target = target[int(key)] if isinstance(target, list) else target[key]
    if value is ...:
        del target[last]
    elif isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    return doc


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ([], "document: expected a JSON object, got a list"),
        (broken("config", ...), "document: missing key 'config'"),
        (broken("histories", {}), "document.histories: expected a list, got an object"),
        (broken("config.parameters", PARAMETERS[:19]), "config: FSRS-6 needs 21 parameters, got 19"),
        (broken("config.parameters.3", "8.3"), r"config.parameters\[3\]: expected a number, got a string"),
        (broken("config.parameters.0", 500), r"parameters\[0\] = 500.0 is outside \[0.001, 100.0\]"),
        (
            broken("config.desired_retention", 1.5),
            "config: desired_retention must be above 0 and at most 0.99",
        ),
        (broken("config.learning_steps_minutes", 10), "config.learning_steps_minutes: expected a list"),
        (broken("config.relearning_steps_minutes", [0]), r"relearning_steps\[0\] must be a duration"),
        (broken("config.maximum_interval_days", 36.5), "config.maximum_interval_days: expected an integer"),
        (broken("config.fuzz", "no"), "config.fuzz: expected true or false, got a string"),
        (broken("config.fuzz", ...), "config: missing key 'fuzz'"),
        (broken("config.timezone", "Moon/Base"), "config: unknown time zone 'Moon/Base'"),
        (broken("config.day_start_hour", 25), "config: day_start_hour must be 0-23"),
        (broken("histories.0", []), r"histories\[0\]: expected a JSON object, got a list"),
        (broken("histories.0.reviews", ...), r"histories\[0\]: missing key 'reviews'"),
        (
            broken("histories.0.reviews.1.rating", 5),
            r"histories\[0\].reviews\[1\].rating: expected 1 \(again\)",
        ),
        (broken("histories.0.reviews.1.rating", 0), r"expected 1 \(again\) to 4 \(easy\), got 0"),
        (
            broken("histories.0.reviews.1.rating", "3"),
            r"reviews\[1\].rating: expected an integer, got a string",
        ),
        (broken("histories.0.reviews.1.rating", True), "expected an integer, got a boolean"),
        (broken("histories.0.reviews.0.at", ...), r"histories\[0\].reviews\[0\]: missing key 'at'"),
        (broken("histories.0.reviews.0.at", "2025-01-15T10:00:00"), "has no time zone; write UTC times"),
        (broken("histories.0.reviews.0.at", "yesterday"), "'yesterday' is not an ISO-8601 time"),
        (broken("histories.0.reviews.0.at", 1736935200), "expected a string, got a number"),
        (broken("histories.0.reviews.1.at", "2025-01-15T09:00:00Z"), "is before the previous review"),
    ],
)
def test_bad_documents_are_refused_with_the_place_named(doc: Any, message: str) -> None:
    with pytest.raises(ReplayError, match=message):
        replay_json(doc)
