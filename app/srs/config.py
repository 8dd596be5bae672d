"""A learner's scheduling settings, checked once so the rules never meet a nonsense value."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from fsrs.scheduler import DEFAULT_PARAMETERS, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS

MAX_DESIRED_RETENTION = 0.99
PARAMETER_BOUNDS: tuple[tuple[float, float], ...] = tuple(
    zip(LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS, strict=True)
)


@dataclass(frozen=True)
class SchedulerConfig:
    """FSRS-6 parameters and the deck options Anki applies around them.

    The defaults are Anki's: FSRS-6 default parameters, 90% desired retention, learning steps 1m 10m,
    relearning step 10m, maximum interval 100 years, leech at 8 lapses. Parameters must lie within the
    bounds the fsrs library and fsrs-rs clip them to, so a stored config means what it says.
    """

    parameters: tuple[float, ...] = DEFAULT_PARAMETERS
    desired_retention: float = 0.9
    learning_steps: tuple[timedelta, ...] = (timedelta(minutes=1), timedelta(minutes=10))
    relearning_steps: tuple[timedelta, ...] = (timedelta(minutes=10),)
    maximum_interval_days: int = 36500
    fuzz: bool = True
    leech_threshold: int = 8

    def __post_init__(self) -> None:
        object.__setattr__(self, "parameters", tuple(float(w) for w in self.parameters))
        object.__setattr__(self, "learning_steps", tuple(self.learning_steps))
        object.__setattr__(self, "relearning_steps", tuple(self.relearning_steps))
        _check_parameters(self.parameters)
        _check_retention(self.desired_retention)
        _check_steps("learning_steps", self.learning_steps)
        _check_steps("relearning_steps", self.relearning_steps)
        if self.maximum_interval_days < 1:
            raise ValueError(f"maximum_interval_days must be at least 1, got {self.maximum_interval_days}")
        if self.leech_threshold < 0:
            raise ValueError(f"leech_threshold must be 0 (off) or more, got {self.leech_threshold}")

    @property
    def short_term_enabled(self) -> bool:
        """Anki lets FSRS keep a card in (re)learning for under half a day only when w17 and w18 > 0."""
        return self.parameters[17] > 0 and self.parameters[18] > 0


def _check_parameters(parameters: tuple[float, ...]) -> None:
    expected = len(LOWER_BOUNDS_PARAMETERS)
    if len(parameters) != expected:
        raise ValueError(f"FSRS-6 needs {expected} parameters, got {len(parameters)}")
    wrong = [
        f"parameters[{index}] = {value} is outside [{low}, {high}]"
        for index, (value, low, high) in enumerate(
            zip(parameters, LOWER_BOUNDS_PARAMETERS, UPPER_BOUNDS_PARAMETERS, strict=True)
        )
        if not low <= value <= high
    ]
    if wrong:
        raise ValueError("FSRS parameters out of bounds: " + "; ".join(wrong))


def _check_retention(retention: float) -> None:
    if not 0 < retention <= MAX_DESIRED_RETENTION:
        raise ValueError(
            f"desired_retention must be above 0 and at most {MAX_DESIRED_RETENTION}, got {retention}"
        )


def _check_steps(name: str, steps: tuple[timedelta, ...]) -> None:
    for index, step in enumerate(steps):
        if not isinstance(step, timedelta) or step.total_seconds() < 1:
            raise ValueError(f"{name}[{index}] must be a duration of at least one second, got {step!r}")
