"""Replay review histories through the scheduler: the engine of `flask srs replay FILE`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from app.srs.clock import DayClock
from app.srs.config import SchedulerConfig
from app.srs.scheduler import answer
from app.srs.values import Rating, SrsCard, iso_utc

History = list[tuple[Rating, datetime]]


class ReplayError(ValueError):
    """A replay document that cannot be replayed; the message names the offending place."""


def replay(config: SchedulerConfig, clock: DayClock, histories: list[History]) -> list[list[datetime]]:
    """The due time after each review of each history; each card starts new, seeded by its index."""
    return [_replay_one(config, clock, history, seed) for seed, history in enumerate(histories)]


def _replay_one(config: SchedulerConfig, clock: DayClock, history: History, seed: int) -> list[datetime]:
    card, dues, previous = SrsCard.new(), [], None
    for rating, at in history:
        if previous is not None and at < previous:
            raise ValueError(
                f"review times must not go back: {at.isoformat()} is before {previous.isoformat()}"
            )
        card = answer(card, rating, at, config, clock, seed).card
        dues.append(card.due)
        previous = at
    return dues


def replay_json(document: dict[str, Any]) -> dict[str, Any]:
    """Replay a JSON document of config and histories; return the due times as ISO-8601 UTC.

    Input: {"config": {"parameters": [21 numbers], "desired_retention", "learning_steps_minutes",
    "relearning_steps_minutes", "maximum_interval_days", "fuzz", optional "timezone" (IANA, default
    UTC), optional "day_start_hour" (default 4)}, "histories": [{"reviews": [{"rating": 1-4,
    "at": "2025-01-31T09:00:00Z"}]}]}. Output: {"histories": [{"due": [one time per review]}]}.
    Raises ReplayError with a message naming the bad key for any malformed input.
    """
    root = _object(document, "document")
    config, clock = read_config(_object(_key(root, "config", "document"), "config"))
    histories = [
        _history(item, f"histories[{i}]") for i, item in enumerate(_list(root, "histories", "document"))
    ]
    try:
        dues = replay(config, clock, histories)
    except ValueError as error:
        raise ReplayError(str(error)) from None
    return {"histories": [{"due": [iso_utc(due) for due in history]} for history in dues]}


def read_config(raw: dict[str, Any]) -> tuple[SchedulerConfig, DayClock]:
    """The scheduler settings and day clock described by a replay document's "config" object."""
    where = "config"
    try:
        config = SchedulerConfig(
            parameters=tuple(
                _number(w, f"{where}.parameters[{i}]") for i, w in enumerate(_list(raw, "parameters", where))
            ),
            desired_retention=_number(_key(raw, "desired_retention", where), f"{where}.desired_retention"),
            learning_steps=_steps(raw, "learning_steps_minutes", where),
            relearning_steps=_steps(raw, "relearning_steps_minutes", where),
            maximum_interval_days=_integer(
                _key(raw, "maximum_interval_days", where), f"{where}.maximum_interval_days"
            ),
            fuzz=_boolean(_key(raw, "fuzz", where), f"{where}.fuzz"),
        )
        clock = DayClock(
            timezone=_string(raw.get("timezone", "UTC"), f"{where}.timezone"),
            day_start_hour=_integer(raw.get("day_start_hour", 4), f"{where}.day_start_hour"),
        )
    except ReplayError:
        raise
    except ValueError as error:
        raise ReplayError(f"{where}: {error}") from None
    return config, clock


def _steps(raw: dict[str, Any], key: str, where: str) -> tuple[timedelta, ...]:
    minutes = [_number(m, f"{where}.{key}[{i}]") for i, m in enumerate(_list(raw, key, where))]
    return tuple(timedelta(minutes=m) for m in minutes)


def _history(item: object, where: str) -> History:
    reviews = _list(_object(item, where), "reviews", where)
    history: History = []
    for index, review in enumerate(reviews):
        place = f"{where}.reviews[{index}]"
        entry = _object(review, place)
        rating = _integer(_key(entry, "rating", place), f"{place}.rating")
        if rating not in range(1, 5):
            raise ReplayError(f"{place}.rating: expected 1 (again) to 4 (easy), got {rating}")
        at = _instant(_key(entry, "at", place), f"{place}.at")
        if history and at < history[-1][1]:
            raise ReplayError(
                f"{place}.at: {iso_utc(at)} is before the previous review; sort reviews by time"
            )
        history.append((Rating(rating), at))
    return history


# --- small typed readers, each naming the place it reads -------------------------------------------------


def _key(container: dict[str, Any], key: str, where: str) -> Any:
    if key not in container:
        raise ReplayError(f"{where}: missing key {key!r}")
    return container[key]


def _object(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ReplayError(f"{where}: expected a JSON object, got {_kind(value)}")
    return value


def _list(container: dict[str, Any], key: str, where: str) -> list[Any]:
    value = _key(container, key, where)
    if not isinstance(value, list):
        raise ReplayError(f"{where}.{key}: expected a list, got {_kind(value)}")
    return value


def _number(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ReplayError(f"{where}: expected a number, got {_kind(value)}")
    return float(value)


def _integer(value: object, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ReplayError(f"{where}: expected an integer, got {_kind(value)}")
    return value


def _boolean(value: object, where: str) -> bool:
    if not isinstance(value, bool):
        raise ReplayError(f"{where}: expected true or false, got {_kind(value)}")
    return value


def _string(value: object, where: str) -> str:
    if not isinstance(value, str):
        raise ReplayError(f"{where}: expected a string, got {_kind(value)}")
    return value


def _instant(value: object, where: str) -> datetime:
    text = _string(value, where)
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        raise ReplayError(f"{where}: {text!r} is not an ISO-8601 time such as 2025-01-31T09:00:00Z") from None
    if instant.utcoffset() is None:
        raise ReplayError(f"{where}: {text!r} has no time zone; write UTC times ending in Z")
    return instant.astimezone(UTC)


def _kind(value: object) -> str:
    names = {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "a list"}
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "an object"
    return f"{names.get(type(value), type(value).__name__)} ({value!r})"[:80]
