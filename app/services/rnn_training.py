"""Live training for the demo, bounded so that one learner's job never slows pages for the others.

- Each job runs in its own spawned OS process at low priority (nice) under a hard CPU-time limit
  (RLIMIT_CPU; SIGXCPU stops it cleanly, the kernel kills it a little later) and a wall-clock alarm.
- At most `slots` jobs run at once over every app process, and one per visitor: a job row holds a
  unique `slot` and a unique `active_visitor` while it is queued or running, so the database refuses
  the row that would break either limit, whichever worker process inserts it.
- The job writes its losses to its row; every app process reads them from there.
- A job whose process vanished without a word (killed, machine restarted) frees its slot once it has
  been silent for `stale_seconds`; the worker that started it notices sooner, when the process exits.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import resource
import signal
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, select, update
from sqlalchemy.exc import IntegrityError

from app.extensions import db, tune_sqlite
from app.models.training import ACTIVE, TrainingJob

MIN_STEPS = 10
MAX_OWN_TEXT = 20_000
MIN_OWN_TOKENS = 60
EMBED, HIDDEN, BATCH, SEQ_LEN, LR, CLIP = 16, 32, 16, 20, 0.01, 5.0
# What a learner may set: safe bounds, so that a job's CPU time stays what the limits promise.
LR_RANGE = (0.0005, 0.05)
HIDDEN_RANGE = (4, 64)
CLIP_RANGE = (0.1, 50.0)
SEQ_LEN_RANGE = (2, 40)
FLUSH_SECONDS = 0.2  # how often a running job writes its losses


@dataclass(frozen=True)
class Limits:
    """How much training the machine allows; `from_config` reads UNROLL_RNN_TRAIN_* settings."""

    slots: int = 1  # jobs running at once on the machine, over every app process
    max_steps: int = 300
    cpu_seconds: int = 20  # hard CPU-time limit of one job's process, start-up included
    wall_seconds: int = 120  # the process ends after this long, whatever it is doing
    stale_seconds: float = 60.0  # a job silent for this long has lost its process
    nice: int = 10

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Limits:
        keys = {name: f"UNROLL_RNN_TRAIN_{name.upper()}" for name in cls.__dataclass_fields__}
        return cls(**{name: config[key] for name, key in keys.items() if key in config})


@dataclass(frozen=True)
class Settings:
    """A learner's training settings: learning rate, hidden size, clipping threshold (None: no clipping)
    and truncation length (the BPTT window)."""

    lr: float = LR
    hidden: int = HIDDEN
    clip: float | None = CLIP
    seq_len: int = SEQ_LEN

    def problems(self) -> list[str]:
        bounds = [
            ("lr", self.lr, LR_RANGE),
            ("hidden", self.hidden, HIDDEN_RANGE),
            ("truncation", self.seq_len, SEQ_LEN_RANGE),
        ]
        if self.clip is not None:
            bounds.append(("clip_threshold", self.clip, CLIP_RANGE))
        return [
            f"{name} must be between {low:g} and {high:g}."
            for name, v, (low, high) in bounds
            if not low <= v <= high
        ]


@dataclass(frozen=True)
class JobSpec:
    """Everything the training process needs; it is pickled to a fresh interpreter."""

    job_id: int
    database_url: str
    content_dir: str
    cell: str
    steps: int
    text: str | None
    limits: Limits
    seed: int = 0
    settings: Settings = Settings()


class JobError(ValueError):
    """A training request that is not valid (bad cell, steps or text)."""


class JobRefused(Exception):
    """A limit refuses the job for now: 409 for the visitor's own running job, 429 for a busy machine."""

    def __init__(self, status: int, message: str, retry_after: int, job_id: int | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.retry_after, self.job_id = status, message, retry_after, job_id


# The web side ---------------------------------------------------------------------------------------


def start_job(
    visitor: str,
    cell: str,
    steps: int,
    text: str | None,
    now: datetime,
    database_url: str,
    content_dir: str,
    limits: Limits,
    settings: Settings = Settings(),
) -> TrainingJob:
    """Claim a slot for the visitor and start the training process; raises JobRefused or JobError."""
    _check_request(cell, steps, text, limits)
    if settings.problems():
        raise JobError(" ".join(settings.problems()))
    free_stale_jobs(now, limits)
    _refuse_second_job(visitor, now, limits)
    job = _claim_slot(visitor, cell, steps, now, limits)
    spec = JobSpec(job.id, database_url, content_dir, cell, steps, text, limits, job.id, settings)
    try:
        process = multiprocessing.get_context("spawn").Process(
            target=run_job, args=(spec,), name=f"unroll-training-{job.id}", daemon=True
        )
        process.start()
    except Exception as exc:
        _finish(db.engine, job.id, "failed", f"The training process could not start: {exc}")
        raise
    threading.Thread(target=_reap, args=(process, db.engine, job.id), daemon=True).start()
    db.session.refresh(job)
    return job


def get_job(job_id: int, visitor: str) -> TrainingJob | None:
    """The visitor's job with this id (another visitor's jobs are not theirs to see)."""
    job = db.session.get(TrainingJob, job_id, populate_existing=True)
    return job if job is not None and job.visitor == visitor else None


def free_stale_jobs(now: datetime, limits: Limits) -> int:
    """Release the slots of jobs that have been silent too long; returns how many."""
    cutoff = now - timedelta(seconds=limits.stale_seconds)
    result = db.session.execute(
        update(TrainingJob)
        .where(TrainingJob.status.in_(ACTIVE), TrainingJob.updated_at < cutoff)
        .values(_finished("failed", "The training process stopped without a word; start again.", now))
    )
    db.session.commit()
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def _check_request(cell: str, steps: int, text: str | None, limits: Limits) -> None:
    if cell not in ("vanilla", "gru", "lstm"):
        raise JobError("The cell must be vanilla, gru or lstm.")
    if not MIN_STEPS <= steps <= limits.max_steps:
        raise JobError(f"steps must be between {MIN_STEPS} and {limits.max_steps}.")
    if text is None:
        return
    if len(text) > MAX_OWN_TEXT:
        raise JobError(f"The training text is {len(text)} characters long; the limit is {MAX_OWN_TEXT}.")
    from app.rnn import tokenize  # here, not at the top: the training process loads NumPy late (run_job)

    if len(tokenize(text)) < MIN_OWN_TOKENS:
        raise JobError(f"Give at least {MIN_OWN_TOKENS} words of your own text to train on.")


def _refuse_second_job(visitor: str, now: datetime, limits: Limits) -> None:
    own = db.session.scalar(select(TrainingJob).where(TrainingJob.active_visitor == visitor))
    if own is not None:
        raise JobRefused(
            409,
            f"Your model is still training (step {own.step} of {own.steps}). Watch it finish, then start "
            f"another; try again in about {_seconds_left(own, now, limits)} s.",
            _seconds_left(own, now, limits),
            own.id,
        )


def _claim_slot(visitor: str, cell: str, steps: int, now: datetime, limits: Limits) -> TrainingJob:
    """Insert the job on the first free slot; a unique index makes the claim atomic across processes."""
    for slot in range(1, limits.slots + 1):
        job = TrainingJob(
            visitor=visitor,
            cell=cell,
            steps=steps,
            status="queued",
            step=0,
            losses=[],
            slot=slot,
            active_visitor=visitor,
            created_at=now,
            updated_at=now,
        )
        db.session.add(job)
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            _refuse_second_job(visitor, now, limits)  # a job of theirs started in another tab meanwhile
            continue
        return job
    running = db.session.scalars(select(TrainingJob).where(TrainingJob.status.in_(ACTIVE))).all()
    wait = min((_seconds_left(j, now, limits) for j in running), default=limits.cpu_seconds)
    raise JobRefused(
        429,
        f"Another learner's model is training, and the demo trains {_how_many(limits.slots)} at a time. "
        f"Try again in about {wait} s.",
        wait,
    )


def _how_many(count: int) -> str:
    return "one model" if count == 1 else f"{count} models"


def _seconds_left(job: TrainingJob, now: datetime, limits: Limits) -> int:
    """A guess at when the job ends: its pace so far, and never beyond its CPU-time limit."""
    if job.started_at is None or job.step == 0:
        return max(1, limits.cpu_seconds)
    elapsed = (now - job.started_at).total_seconds()
    left = elapsed / job.step * (job.steps - job.step)
    return max(1, min(math.ceil(left) + 1, limits.wall_seconds))


def _reap(process: multiprocessing.process.BaseProcess, engine: Engine, job_id: int) -> None:
    """Wait for the process; if it died without recording an end (killed), record one."""
    process.join()
    if process.exitcode == 0:
        return
    reasons = {
        -signal.SIGKILL: "Stopped: the training process reached its CPU-time limit.",
        -signal.SIGXCPU: "Stopped: the training process reached its CPU-time limit.",
        -signal.SIGALRM: "Stopped: the training process reached its time limit.",
    }
    message = reasons.get(
        process.exitcode or 0, f"The training process ended unexpectedly (exit code {process.exitcode})."
    )
    status = "stopped" if process.exitcode in reasons else "failed"
    _finish(engine, job_id, status, message, only_active=True)


# The training process -------------------------------------------------------------------------------


class CpuLimitReached(Exception):
    """Raised by the SIGXCPU handler: the soft CPU-time limit has passed."""


def _on_cpu_limit(_signum: int, _frame: object) -> None:
    raise CpuLimitReached


def run_job(spec: JobSpec) -> None:
    """Entry point of the training process: limit it, then train and report.

    NumPy is imported only after its thread pools are set to one thread, so that the CPU-time
    limit is the job's whole cost and the job takes one core at most.
    """
    for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = "1"
    os.nice(spec.limits.nice)
    limit = spec.limits.cpu_seconds
    resource.setrlimit(resource.RLIMIT_CPU, (limit, limit + 2))
    signal.signal(signal.SIGXCPU, _on_cpu_limit)
    signal.alarm(spec.limits.wall_seconds)  # SIGALRM's default action ends the process
    engine = create_engine(spec.database_url)
    tune_sqlite(engine)
    reporter = _Reporter(engine, spec)
    try:
        if reporter.start():  # False: the job was given up (stale) before this process got going
            _train(spec, reporter)
    except CpuLimitReached:
        reporter.flush()
        _finish(
            engine,
            spec.job_id,
            "stopped",
            f"Stopped at the CPU-time limit of {limit} s after step {reporter.step} of {spec.steps}.",
            only_active=True,
            cpu_seconds=_cpu_seconds(),
        )
    except Exception as exc:  # the learner sees why; the process must not die with the slot held
        _finish(engine, spec.job_id, "failed", f"Training failed: {exc}", True, cpu_seconds=_cpu_seconds())
    finally:
        engine.dispose()


def _train(spec: JobSpec, reporter: _Reporter) -> None:
    from app.rnn import ModelConfig, Vocabulary, tokenize, train
    from app.services.rnn_models import build_corpus

    if spec.text is not None:
        tokens = tokenize(spec.text)
        vocab = Vocabulary.build(tokens, min_count=1)
        ids = vocab.encode(tokens)
    else:
        corpus = build_corpus(Path(spec.content_dir))
        vocab, ids = corpus.vocab, corpus.train_ids
    reporter.vocab_size = len(vocab)
    s = spec.settings
    config = ModelConfig(vocab, spec.cell, EMBED, s.hidden, spec.seed)
    clip = 0.0 if s.clip is None else s.clip  # clip_global_norm leaves the gradient alone at 0
    history = train(config, ids, spec.steps, BATCH, s.seq_len, spec.seed, s.lr, clip, reporter.progress)
    if not reporter.flush():
        return
    prompt = "the" if "the" in vocab else vocab.words[1]
    sample = " ".join([prompt, *history.model.generate(prompt, 15, temperature=0.8, seed=spec.seed)])
    _finish(reporter.engine, spec.job_id, "done", None, True, cpu_seconds=_cpu_seconds(), sample=sample)


class _Reporter:
    """Collects the losses and writes them to the job's row a few times a second. Every write says
    whether the job is still active: a job given up as stale stops instead of running beside its
    slot's next owner."""

    def __init__(self, engine: Engine, spec: JobSpec) -> None:
        self.engine, self.spec = engine, spec
        self.losses: list[float] = []
        self.step = 0
        self.vocab_size: int | None = None
        self._last = 0.0

    def start(self) -> bool:
        return self._write(status="running", pid=os.getpid(), started_at=datetime.now(UTC))

    def progress(self, step: int, loss: float) -> bool:
        """train()'s callback; False stops training."""
        self.step = step
        self.losses.append(round(float(loss), 4))
        return self.flush() if time.monotonic() - self._last >= FLUSH_SECONDS else True

    def flush(self) -> bool:
        self._last = time.monotonic()
        return self._write(step=self.step, losses=list(self.losses), vocab_size=self.vocab_size)

    def _write(self, **values: Any) -> bool:
        table = TrainingJob.__table__
        with self.engine.begin() as connection:
            result = connection.execute(
                update(table)
                .where(table.c.id == self.spec.job_id, table.c.status.in_(ACTIVE))
                .values(updated_at=datetime.now(UTC), **values)
            )
        return bool(result.rowcount)


def _finished(status: str, message: str | None, now: datetime) -> dict[str, Any]:
    """The column values of a job that has ended: it gives its slot back."""
    return {
        "status": status,
        "message": message,
        "slot": None,
        "active_visitor": None,
        "finished_at": now,
        "updated_at": now,
    }


def _finish(
    engine: Engine, job_id: int, status: str, message: str | None, only_active: bool = False, **values: Any
) -> None:
    table = TrainingJob.__table__
    query = update(table).where(table.c.id == job_id)
    if only_active:
        query = query.where(table.c.status.in_(ACTIVE))
    with engine.begin() as connection:
        connection.execute(query.values(**_finished(status, message, datetime.now(UTC)), **values))


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return round(usage.ru_utime + usage.ru_stime, 2)
