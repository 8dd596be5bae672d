"""Assignment forms: times entered in the class's time zone, minutes, and the fields as typed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from werkzeug.datastructures import MultiDict

from app.models import Assignment, AssignmentOverride
from app.quiz.assignments import Accommodation, as_utc, local
from app.services.assignments import AssignmentError, AssignmentSpec

LOCAL_INPUT = "%Y-%m-%dT%H:%M"


def parse_time(value: str | None, zone_name: str, label: str) -> datetime | None:
    """A datetime-local (or ISO 8601) value as UTC; one without an offset is in `zone_name`."""
    if not value or not value.strip():
        return None
    try:
        return as_utc(datetime.fromisoformat(value.strip()), zone_name)
    except ValueError:
        raise AssignmentError(f"The {label} is not a date and time (YYYY-MM-DDTHH:MM).") from None


def input_value(moment: datetime | None, zone_name: str) -> str:
    return "" if moment is None else local(moment, zone_name).strftime(LOCAL_INPUT)


def _int(form: MultiDict[str, str], name: str, label: str, default: int | None = None) -> int | None:
    raw = (form.get(name) or "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise AssignmentError(f"The {label} must be a whole number.") from None


def _card_ids(form: MultiDict[str, str]) -> list[int]:
    try:
        return [int(v) for v in form.getlist("card_ids")]
    except ValueError:
        raise AssignmentError("Choose questions from the list.") from None


def spec_from_form(form: MultiDict[str, str], zone_name: str) -> AssignmentSpec:
    minutes = _int(form, "minutes", "time limit", 0) or 0
    return AssignmentSpec(
        title=form.get("title", ""),
        sets=form.getlist("sets"),
        card_ids=_card_ids(form),
        count=_int(form, "count", "number of questions", 0) or 0,
        time_limit_s=minutes * 60,
        opens_at=parse_time(form.get("opens_at"), zone_name, "open time"),
        closes_at=parse_time(form.get("closes_at"), zone_name, "close time"),
        attempts=_int(form, "attempts", "number of attempts", 0) or 0,
        grading=form.get("grading", "highest"),
        review=form.get("review", "immediately"),
    )


def form_of(assignment: Assignment | None, zone_name: str) -> dict[str, Any]:
    """The form's values for an assignment (a new one: ten questions, ten minutes, one attempt)."""
    if assignment is None:
        return {
            "title": "",
            "sets": [],
            "card_ids": [],
            "count": 10,
            "minutes": 10,
            "opens_at": "",
            "closes_at": "",
            "attempts": 1,
            "grading": "highest",
            "review": "immediately",
        }
    return {
        "title": assignment.title,
        "sets": list(assignment.sets),
        "card_ids": list(assignment.card_ids),
        "count": assignment.count,
        "minutes": assignment.time_limit_s // 60,
        "opens_at": input_value(assignment.opens_at, zone_name),
        "closes_at": input_value(assignment.closes_at, zone_name),
        "attempts": assignment.attempts,
        "grading": assignment.grading,
        "review": assignment.review,
    }


def typed_form(form: MultiDict[str, str]) -> dict[str, Any]:
    """The form as typed, to show it again beside an error."""
    return {
        **{k: form.get(k, "") for k in ("title", "count", "minutes", "opens_at", "closes_at", "attempts")},
        "sets": form.getlist("sets"),
        "card_ids": [int(v) for v in form.getlist("card_ids") if v.isdigit()],
        "grading": form.get("grading", "highest"),
        "review": form.get("review", "immediately"),
    }


def accommodation_from_form(form: MultiDict[str, str], zone_name: str) -> Accommodation:
    minutes = _int(form, "minutes", "time limit")
    return Accommodation(
        opens_at=parse_time(form.get("opens_at"), zone_name, "open time"),
        closes_at=parse_time(form.get("closes_at"), zone_name, "close time"),
        time_limit_s=None if minutes is None else minutes * 60,
        attempts=_int(form, "attempts", "number of attempts"),
    )


def override_row(row: AssignmentOverride, zone_name: str) -> dict[str, Any]:
    return {
        "user_id": row.user_id,
        "opens_at": input_value(row.opens_at, zone_name),
        "closes_at": input_value(row.closes_at, zone_name),
        "minutes": None if row.time_limit_s is None else row.time_limit_s // 60,
        "attempts": row.attempts,
    }
