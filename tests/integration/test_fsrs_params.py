"""A learner's FSRS parameters against a real database: which apply, Optimize, Evaluate, manual values,
reschedule on change, monthly auto-optimize, a class's pooled fit and `flask srs optimize`."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select, update

from app.extensions import db
from app.models import CardProgress, ReviewLog
from app.services import classes, fsrs_params, study
from app.srs import Rating, SrsCard, answer
from app.srs.optimize import DEFAULT_PARAMETERS
from tests.integration.fsrs_data import T0, learner, load_log, write_deck
from tests.srs_synthetic import START, as_file, synthetic_log

LOG = synthetic_log(cards=120, days=150, seed=5)
AFTER = START + timedelta(days=151)


@pytest.fixture
def deck(app: Flask, content_dir: Path) -> Flask:
    with app.app_context():
        write_deck(content_dir, 120)
    return app


def test_defaults_until_a_fit_then_own_parameters_schedule_the_cards(deck: Flask) -> None:
    with deck.app_context():
        ada = learner("ada")
        assert fsrs_params.parameters_for(ada) == DEFAULT_PARAMETERS
        assert fsrs_params.source_of(ada) == "default"
        load_log(ada, LOG)
        result = fsrs_params.optimize(ada, AFTER)
        assert not result.fit.kept and fsrs_params.source_of(ada) == "own"
        assert study.scheduler_for(ada)[0].parameters == tuple(ada.fsrs_params)
        assert ada.fsrs_optimized_at == AFTER and ada.fsrs_review_count == len(LOG)
        evaluated = fsrs_params.evaluate(ada, AFTER)
        assert evaluated.current and evaluated.default
        assert evaluated.current.log_loss < evaluated.default.log_loss
        assert ada.fsrs_log_loss == pytest.approx(evaluated.current.log_loss)


def test_too_few_reviews_keep_the_defaults_with_the_reason(deck: Flask) -> None:
    with deck.app_context():
        ada = learner("ada")
        load_log(ada, synthetic_log(cards=5, days=20, seed=3))
        result = fsrs_params.optimize(ada, START + timedelta(days=21))
        assert result.fit.kept and "Too few reviews" in result.fit.reason
        assert ada.fsrs_params is None and fsrs_params.parameters_for(ada) == DEFAULT_PARAMETERS


def test_undone_reviews_do_not_count(deck: Flask) -> None:
    with deck.app_context():
        ada = learner("ada")
        load_log(ada, LOG)
        db.session.execute(update(ReviewLog).values(undone_at=AFTER))
        db.session.commit()
        assert fsrs_params.optimize(ada, AFTER).item_count == 0
        assert fsrs_params.review_total(ada) == 0


def test_quiz_answers_count_as_reviews(deck: Flask) -> None:
    with deck.app_context():
        ada = learner("ada")
        load_log(ada, LOG)
        studied = fsrs_params.training_for([ada.id], fsrs_params.clock_of(ada), AFTER)
        db.session.execute(update(ReviewLog).where(ReviewLog.id % 3 == 0).values(source="quiz"))
        db.session.commit()
        mixed = fsrs_params.training_for([ada.id], fsrs_params.clock_of(ada), AFTER)
        assert mixed.items == studied.items and mixed.review_count == len(LOG)


def test_manual_parameters_are_checked_and_a_reset_returns_to_the_defaults(deck: Flask) -> None:
    with deck.app_context():
        ada = learner("ada")
        with pytest.raises(fsrs_params.ParametersError, match="w"):
            fsrs_params.set_parameters(ada, [*DEFAULT_PARAMETERS[:20], 5.0], T0)  # decay above 0.8
        with pytest.raises(fsrs_params.ParametersError, match="21"):
            fsrs_params.set_parameters(ada, list(DEFAULT_PARAMETERS[:20]), T0)
        assert ada.fsrs_params is None
        mine = [*DEFAULT_PARAMETERS[:2], 9.0, *DEFAULT_PARAMETERS[3:]]
        fsrs_params.set_parameters(ada, mine, T0)
        assert fsrs_params.parameters_for(ada)[2] == 9.0 and fsrs_params.source_of(ada) == "manual"
        fsrs_params.reset_parameters(ada, T0)
        assert fsrs_params.parameters_for(ada) == DEFAULT_PARAMETERS


def _study_a_card(ada, card_id: int) -> list[tuple[int, object]]:
    """Learn a card, then review it on two later days; the ratings and times."""
    history = [
        (3, T0),
        (3, T0 + timedelta(minutes=11)),
        (3, T0 + timedelta(days=3)),
        (2, T0 + timedelta(days=10)),
    ]
    for rating, at in history:
        study.grade_card(ada, card_id, rating, at)
    return history


def _progress(user_id: int, card_id: int) -> CardProgress:
    row = db.session.scalar(
        select(CardProgress).where(CardProgress.user_id == user_id, CardProgress.card_id == card_id)
    )
    assert row is not None
    db.session.refresh(row)
    return row


def test_new_parameters_recompute_memory_and_move_due_dates_only_when_asked(deck: Flask) -> None:
    with deck.app_context():
        ada = learner("ada")
        card = study.next_card(ada, T0).card
        assert card is not None
        history = _study_a_card(ada, card.card_id)
        before = _progress(ada.id, card.card_id)
        due, stability = before.due, before.stability
        assert before.phase == "review"
        slow = [*DEFAULT_PARAMETERS[:2], 40.0, *DEFAULT_PARAMETERS[3:]]  # a first Good lasts 40 days
        fsrs_params.set_parameters(ada, slow, T0 + timedelta(days=11))
        kept = _progress(ada.id, card.card_id)
        assert kept.due == due and kept.stability != stability  # memory follows, the date stays
        fsrs_params.set_parameters(ada, slow, T0 + timedelta(days=11), reschedule=True)
        moved = _progress(ada.id, card.card_id)
        config, clock = study.scheduler_for(ada)
        expected = SrsCard.new()
        for rating, at in history:
            expected = answer(expected, Rating(rating), at, config, clock, card.card_id).card
        assert moved.due == expected.due and moved.due > due  # last review + the new interval
        assert moved.stability == expected.stability and moved.scheduled_days == expected.scheduled_days


def test_a_reset_card_is_replayed_from_its_reset(deck: Flask) -> None:
    with deck.app_context():
        ada = learner("ada")
        card = study.next_card(ada, T0).card
        assert card is not None
        _study_a_card(ada, card.card_id)
        progress = _progress(ada.id, card.card_id)
        db.session.add(
            ReviewLog(
                user_id=ada.id, card_id=card.card_id, progress_id=progress.id, rating=0,
                reviewed_at=T0 + timedelta(days=11), phase_before="review", phase_after="new",
                state_before={}, state_after={"phase": "new"}, source="manual",
            )
        )  # fmt: skip
        db.session.commit()
        later = T0 + timedelta(days=12)
        study.grade_card(ada, card.card_id, 4, later)  # learned again with Easy
        fsrs_params.set_parameters(ada, list(DEFAULT_PARAMETERS), later, reschedule=True)
        config, clock = study.scheduler_for(ada)
        fresh = answer(SrsCard.new(), Rating.EASY, later, config, clock, card.card_id).card
        assert _progress(ada.id, card.card_id).stability == fresh.stability


def test_auto_optimize_runs_monthly_when_enough_new_reviews_came_in(deck: Flask) -> None:
    with deck.app_context():
        ada = learner("ada")
        load_log(ada, LOG)
        assert fsrs_params.maybe_auto_optimize(ada, AFTER) is None  # the option is off
        fsrs_params.set_auto_optimize(ada, True)
        assert fsrs_params.maybe_auto_optimize(ada, AFTER) is not None
        assert fsrs_params.maybe_auto_optimize(ada, AFTER + timedelta(days=31)) is None  # no new reviews
        load_log(ada, [replace(r, reviewed_at=r.reviewed_at + timedelta(days=40)) for r in LOG[-99:]])
        assert not fsrs_params.auto_optimize_due(ada, AFTER + timedelta(days=31))  # 99 new: not enough
        load_log(ada, [replace(LOG[-1], reviewed_at=LOG[-1].reviewed_at + timedelta(days=41))])
        assert not fsrs_params.auto_optimize_due(ada, AFTER + timedelta(days=10))  # within the month
        assert fsrs_params.auto_optimize_due(ada, AFTER + timedelta(days=31))


def test_a_class_pooled_fit_starts_learners_without_their_own(deck: Flask) -> None:
    with deck.app_context():
        grace = learner("grace", role="instructor")
        other = learner("hopper", role="instructor")
        room = classes.create_class(grace, "RNNs", T0)
        ada, bob, cy = learner("ada"), learner("bob"), learner("cyd")
        for member in (ada, bob):
            classes.join(member, room.join_code, T0)
        load_log(ada, synthetic_log(cards=120, days=150, seed=21))
        load_log(bob, synthetic_log(cards=120, days=150, seed=22))
        with pytest.raises(classes.ClassNotFound):
            fsrs_params.optimize_class(other, room.id, AFTER)
        with pytest.raises(classes.ClassNotFound):
            fsrs_params.optimize_class(ada, room.id, AFTER)
        result = fsrs_params.optimize_class(grace, room.id, AFTER)
        assert not result.fit.kept and room.fsrs_params and room.fsrs_review_count > 0
        assert fsrs_params.parameters_for(ada) == tuple(room.fsrs_params)
        assert fsrs_params.source_of(bob) == "class"
        assert fsrs_params.parameters_for(cy) == DEFAULT_PARAMETERS  # not in the class
        # her own Optimize is measured against the pooled parameters she uses: the pool (twice the
        # reviews of the same kind of memory) predicts her log at least as well, so it stays
        own = fsrs_params.optimize(ada, AFTER)
        assert own.fit.kept and "did not predict your reviews better" in own.fit.reason
        assert fsrs_params.source_of(ada) == "class"


def test_the_optimize_command_prints_the_fit_and_refuses_a_bad_file(
    runner: FlaskCliRunner, tmp_path: Path
) -> None:
    good = tmp_path / "log.json"
    good.write_text(json.dumps(as_file(LOG, "Europe/Paris", 4)), encoding="utf-8")
    result = runner.invoke(args=["srs", "optimize", str(good)])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert len(out["params"]) == 21 and out["review_count"] > 0
    assert out["log_loss"] < out["default_log_loss"]
    bad = tmp_path / "bad.json"
    bad.write_text('{"reviews": [{"card_id": 1, "reviewed_at": "yesterday", "rating": 3}]}', encoding="utf-8")
    refused = runner.invoke(args=["srs", "optimize", str(bad)])
    assert refused.exit_code != 0 and "reviews[0].reviewed_at" in refused.output
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    assert runner.invoke(args=["srs", "optimize", str(broken)]).exit_code != 0
