"""The optimizer's training items, built as Anki builds them, and fits on synthetic learners."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from app.srs import DayClock
from app.srs.optimize import (
    DEFAULT_PARAMETERS,
    Kind,
    LogEntry,
    OptimizeFileError,
    evaluate,
    fit,
    optimize_json,
    training_set,
)
from tests.srs_synthetic import TRUE_PARAMETERS, as_file, entries, synthetic_log

NEXT_DAY = datetime(2026, 3, 20, 4, 0, tzinfo=UTC)  # a rollover, as Anki's timing.next_day_at
L, R, X, M = Kind.LEARNING, Kind.REVIEW, Kind.RELEARNING, Kind.MANUAL
# fsrs-rs training.rs PARAMS_STDDEV: the spread of each parameter over many learners (w0-w18)
STDDEV = (
    6.61,
    9.52,
    17.69,
    27.74,
    0.55,
    0.28,
    0.67,
    0.12,
    0.4,
    0.18,
    0.34,
    0.27,
    0.08,
    0.14,
    0.57,
    0.25,
    1.03,
    0.27,
    0.39,
)


def ago(days: float) -> datetime:
    return NEXT_DAY - timedelta(days=days)


def row(kind: Kind, days_ago: float, rating: int = 3, reset: bool = False, card: int = 1) -> LogEntry:
    return LogEntry(card, ago(days_ago), 0 if kind is M else rating, kind, reset)


def items(*log: LogEntry) -> list[list[int]]:
    """Each item's delta_t list, as Anki's tests write them."""
    return [[delta for _, delta in item] for item in training_set(log, NEXT_DAY).items]


def test_delta_t_counts_days_to_the_rollover_as_anki_does() -> None:
    # Anki params.rs tests, delta_t_is_correct
    assert items(row(L, 1), row(R, 0)) == [[0, 1]]
    assert items(row(L, 15), row(L, 13), row(R, 10), row(R, 5)) == [[0, 2], [0, 2, 3], [0, 2, 3, 5]]
    assert items(row(L, 15), row(L, 13)) == [[0, 2]]


def test_same_day_reviews_stay_in_the_history_but_end_no_item() -> None:
    log = (row(L, 5.5), row(L, 5.4), row(L, 5.3), row(R, 2.2), row(X, 2.1), row(R, 0.5))
    assert items(*log) == [[0, 0, 0, 3], [0, 0, 0, 3, 0, 2]]


def test_set_due_date_entries_are_left_out_and_a_reset_drops_the_history_before_it() -> None:
    # Anki: set_due_date_is_filtered, card_reset_drops_all_previous_history
    assert items(row(L, 10), row(R, 9), row(M, 7), row(R, 4)) == [[0, 1], [0, 1, 5]]
    assert items(row(L, 10), row(M, 7, reset=True), row(L, 4), row(R, 0)) == [[0, 4]]
    # reviewed after a reset without learning again: nothing to train on
    assert items(row(L, 10), row(R, 9), row(M, 7, reset=True), row(R, 1), row(X, 0)) == []


def test_a_card_needs_a_learning_start_and_a_later_day() -> None:
    assert items(row(L, 1)) == []  # single_learning_step_skipped_when_training
    assert items(row(R, 9), row(R, 4)) == []  # no learning entry: not trained on
    assert training_set([row(L, 3), row(R, 1)], NEXT_DAY).review_count == 2


def test_items_are_ordered_by_their_last_review_across_cards() -> None:
    log = [row(L, 9, card=2), row(R, 1, card=2), row(L, 8, card=1), row(R, 4, card=1)]
    data = training_set(log, NEXT_DAY)
    assert data.card_ids == (1, 2)


def test_the_day_boundary_is_the_learners_rollover_in_their_time_zone() -> None:
    paris = DayClock("Europe/Paris", 4)
    rollover = paris.next_rollover(datetime(2026, 2, 10, 12, tzinfo=UTC))  # 04:00 Paris = 03:00 UTC
    before = datetime(2026, 2, 9, 2, 30, tzinfo=UTC)  # 03:30 Paris: still the study day of Feb 8
    after = datetime(2026, 2, 9, 3, 30, tzinfo=UTC)  # 04:30 Paris: Feb 9
    late = datetime(2026, 2, 9, 22, 0, tzinfo=UTC)  # 23:00 Paris: Feb 9 still
    two_days = datetime(2026, 2, 10, 3, 30, tzinfo=UTC)
    learn = LogEntry(1, before, 3, L)
    assert training_set([learn, LogEntry(1, after, 3, R)], rollover).items[0][-1] == (3, 1)
    assert training_set([LogEntry(1, after, 3, L), LogEntry(1, late, 3, R)], rollover).items == ()
    assert training_set([learn, LogEntry(1, two_days, 1, R)], rollover).items[0][-1] == (1, 2)


@pytest.fixture(scope="module")
def learner() -> tuple[list[LogEntry], datetime]:
    log = synthetic_log(cards=200, days=200, seed=11)
    return entries(log), DayClock().next_rollover(log[-1].reviewed_at)


def _distance(params: tuple[float, ...]) -> float:
    return math.sqrt(
        sum(((a - b) / s) ** 2 for a, b, s in zip(params, TRUE_PARAMETERS, STDDEV, strict=False))
    )


def test_a_fit_beats_the_defaults_and_moves_toward_the_true_parameters(
    learner: tuple[list[LogEntry], datetime],
) -> None:
    log, rollover = learner
    data = training_set(log, rollover)
    result = fit(data, DEFAULT_PARAMETERS)
    assert not result.kept and result.stage == "full"
    fitted, default = evaluate(result.params, data), evaluate(DEFAULT_PARAMETERS, data)
    assert fitted and default and fitted.log_loss < default.log_loss and fitted.rmse_bins < default.rmse_bins
    assert _distance(result.params) < _distance(DEFAULT_PARAMETERS)
    # the stability after a first Good is the parameter a learner notices first: 6 days, not 2.3
    assert abs(result.params[2] - TRUE_PARAMETERS[2]) < abs(DEFAULT_PARAMETERS[2] - TRUE_PARAMETERS[2])


def test_better_current_parameters_are_kept_with_the_reason(learner: tuple[list[LogEntry], datetime]) -> None:
    log, rollover = learner
    data = training_set(log, rollover)
    first = fit(data, DEFAULT_PARAMETERS)
    again = fit(data, first.params)
    assert again.kept and again.params == first.params
    assert "did not predict your reviews better" in again.reason


def test_too_few_reviews_keep_the_defaults() -> None:
    log = synthetic_log(cards=5, days=20, seed=3)
    result = fit(
        training_set(entries(log), DayClock().next_rollover(log[-1].reviewed_at)), DEFAULT_PARAMETERS
    )
    assert result.kept and result.params == DEFAULT_PARAMETERS and "Too few reviews" in result.reason
    empty = fit(training_set([], NEXT_DAY), DEFAULT_PARAMETERS)
    assert empty.kept and empty.stage == "none"


def test_the_file_document_gives_params_and_both_evaluations_on_the_same_items() -> None:
    log = synthetic_log(cards=120, days=150, seed=5)
    out = optimize_json(as_file(log) | {"comment": "ignored"})
    assert set(out) == {
        "params",
        "review_count",
        "log_loss",
        "rmse_bins",
        "default_log_loss",
        "default_rmse_bins",
    }
    assert len(out["params"]) == 21 and out["log_loss"] < out["default_log_loss"]  # type: ignore[arg-type,operator]


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ([], "JSON object"),
        ({"reviews": 3}, "'reviews' must be a list"),
        ({"timezone": "Mars/Base", "reviews": []}, "unknown time zone"),
        (
            {"reviews": [{"card_id": 1, "reviewed_at": "2026-01-01T10:00:00Z", "rating": 5}]},
            "reviews[0].rating",
        ),
        ({"reviews": [{"card_id": "a", "reviewed_at": "2026-01-01T10:00:00Z", "rating": 3}]}, "card_id"),
        ({"reviews": [{"card_id": 1, "reviewed_at": "2026-01-01T10:00:00", "rating": 3}]}, "no time zone"),
    ],
)
def test_a_bad_file_is_refused_with_the_place_named(document: object, message: str) -> None:
    with pytest.raises(OptimizeFileError, match=message.replace("[", r"\[").replace("]", r"\]")):
        optimize_json(document)
