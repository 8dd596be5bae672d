"""Live training jobs: another process trains and reports; the visitor, machine and CPU limits hold."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask

from app.extensions import db
from app.models import TrainingJob
from app.services import rnn_training
from app.services.rnn_training import JobRefused, Limits

PROJECT_CONTENT = str(Path(__file__).resolve().parents[2] / "content")


@pytest.fixture
def ctx(app: Flask) -> Iterator[Flask]:
    """An app context, and no training process left running afterwards."""
    with app.app_context():
        yield app
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            db.session.rollback()
            if not db.session.query(TrainingJob).filter(TrainingJob.slot.is_not(None)).count():
                break
            time.sleep(0.1)


def start(visitor: str, steps: int = 40, limits: Limits | None = None, cell: str = "vanilla") -> TrainingJob:
    url = db.engine.url.render_as_string(hide_password=False)
    return rnn_training.start_job(
        visitor, cell, steps, None, datetime.now(UTC), url, PROJECT_CONTENT, limits or Limits()
    )


def wait(job_id: int, visitor: str, until: tuple[str, ...] = ("done", "stopped", "failed")) -> TrainingJob:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        db.session.rollback()
        job = rnn_training.get_job(job_id, visitor)
        assert job is not None
        if job.status in until:
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {job_id} never reached {until}")


def test_a_job_trains_in_another_process_and_records_falling_losses(ctx: Flask) -> None:
    job = start("ada", steps=120, cell="gru")
    assert job.status == "queued" and job.slot == 1 and job.active_visitor == "ada"
    running = wait(job.id, "ada", ("running", "done"))
    assert running.pid is not None and running.pid != os.getpid()

    done = wait(job.id, "ada")
    assert done.status == "done", done.message
    assert done.step == 120 and len(done.losses) == 120
    assert sum(done.losses[-20:]) / 20 < sum(done.losses[:20]) / 20 - 1.0  # the loss falls
    assert done.sample and done.vocab_size and done.vocab_size > 100
    assert done.cpu_seconds is not None and 0 < done.cpu_seconds < Limits().cpu_seconds
    assert done.slot is None and done.active_visitor is None and done.finished_at is not None


def test_one_job_per_visitor_and_one_on_the_machine(ctx: Flask) -> None:
    first = start("ada")
    with pytest.raises(JobRefused) as own:
        start("ada")
    assert own.value.status == 409 and own.value.job_id == first.id
    assert "Your model is still training" in own.value.message and "try again in about" in own.value.message
    with pytest.raises(JobRefused) as busy:
        start("bob")
    assert busy.value.status == 429 and busy.value.job_id is None
    assert "Another learner's model is training" in busy.value.message
    assert 1 <= busy.value.retry_after <= Limits().wall_seconds

    assert wait(first.id, "ada").status == "done"
    second = start("bob")  # the slot is free again
    assert wait(second.id, "bob").status == "done"


def test_more_slots_let_more_learners_train_at_once(ctx: Flask) -> None:
    two = Limits(slots=2)
    ada, bob = start("ada", limits=two), start("bob", limits=two)
    assert {ada.slot, bob.slot} == {1, 2}
    with pytest.raises(JobRefused) as busy:
        start("cy", limits=two)
    assert busy.value.status == 429 and "2 models at a time" in busy.value.message
    assert wait(ada.id, "ada").status == wait(bob.id, "bob").status == "done"


def test_a_job_stops_at_its_cpu_time_limit(ctx: Flask) -> None:
    limits = Limits(max_steps=1_000_000, cpu_seconds=2)
    job = wait(start("ada", steps=1_000_000, limits=limits).id, "ada")
    assert job.status == "stopped"
    assert f"Stopped at the CPU-time limit of 2 s after step {job.step} of 1000000" in (job.message or "")
    assert 0 < job.step < 1_000_000 and len(job.losses) == job.step  # progress up to the stop is kept
    assert job.cpu_seconds is not None and job.cpu_seconds <= 2 + 0.5
    assert job.slot is None


def test_a_killed_process_frees_its_slot_at_once(ctx: Flask) -> None:
    job = start("ada", steps=300)
    running = wait(job.id, "ada", ("running",))
    assert running.pid is not None
    os.kill(running.pid, signal.SIGKILL)
    ended = wait(job.id, "ada")
    assert ended.status == "stopped" and "limit" in (ended.message or "")
    assert ended.slot is None
    assert wait(start("bob").id, "bob").status == "done"


def test_a_silent_job_frees_its_slot_after_the_stale_time(ctx: Flask) -> None:
    long_ago = datetime.now(UTC) - timedelta(minutes=5)
    db.session.add(
        TrainingJob(
            visitor="ghost",
            cell="vanilla",
            steps=100,
            status="running",
            losses=[],
            slot=1,
            active_visitor="ghost",
            created_at=long_ago,
            updated_at=long_ago,
        )
    )
    db.session.commit()
    assert rnn_training.free_stale_jobs(datetime.now(UTC), Limits()) == 1
    ghost = db.session.query(TrainingJob).filter_by(visitor="ghost").one()
    assert (
        ghost.status == "failed" and ghost.slot is None and "stopped without a word" in (ghost.message or "")
    )
    assert wait(start("ada").id, "ada").status == "done"


def test_a_job_given_up_as_stale_stops_its_process(ctx: Flask) -> None:
    job = start("ada", steps=100_000, limits=Limits(max_steps=100_000))
    running = wait(job.id, "ada", ("running",))
    assert rnn_training.free_stale_jobs(datetime.now(UTC) + timedelta(minutes=5), Limits()) == 1
    assert wait_for_exit(running.pid or 0)  # its next report finds the job given up, and it stops
    ended = wait(job.id, "ada")
    assert ended.status == "failed" and ended.slot is None and ended.step < 100_000


def wait_for_exit(pid: int, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def test_limits_come_from_the_configuration() -> None:
    limits = Limits.from_config({"UNROLL_RNN_TRAIN_SLOTS": 3, "UNROLL_RNN_TRAIN_CPU_SECONDS": 5, "OTHER": 1})
    assert limits == Limits(slots=3, cpu_seconds=5)
