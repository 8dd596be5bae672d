"""Learning and relearning step delays: a port of Anki's `states/steps.rs`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from app.srs.fuzz import round_half_up

DAY_SECS = 86_400


@dataclass(frozen=True)
class Steps:
    """Step delays in whole seconds; a card's position is given, as in Anki, by the steps remaining."""

    secs: tuple[int, ...]

    @classmethod
    def of(cls, steps: tuple[timedelta, ...]) -> Steps:
        return cls(tuple(int(step.total_seconds()) for step in steps))

    def __bool__(self) -> bool:
        return bool(self.secs)

    def index(self, remaining: int) -> int:
        """The current step; out-of-range counts (the steps were edited) fall back to a valid step."""
        total = len(self.secs)
        return min(max(total - remaining % 1000, 0), max(total - 1, 0))

    def again_delay(self) -> int | None:
        return self.secs[0] if self.secs else None

    def hard_delay(self, remaining: int) -> int | None:
        """Repeat the current step; on the first step, halfway to the second (or 1.5× a lone step)."""
        if not self.secs:
            return None
        index = self.index(remaining)
        if index > 0:
            return self.secs[index]
        first = self.secs[0]
        if len(self.secs) > 1:
            return _maybe_round_in_days((first + self.secs[1]) // 2)
        # at most a day more than Again, so a long single step cannot overtake the graduating interval
        return _maybe_round_in_days(min(first * 3 // 2, first + DAY_SECS))

    def good_delay(self, remaining: int) -> int | None:
        """The next step, or None when Good leaves the steps."""
        index = self.index(remaining) + 1
        return self.secs[index] if index < len(self.secs) else None

    def remaining_for_good(self, remaining: int) -> int:
        return max(len(self.secs) - (self.index(remaining) + 1), 0)

    def remaining_for_failed(self) -> int:
        return len(self.secs)


def _maybe_round_in_days(secs: int) -> int:
    """Delays over a day are whole days, so the result is the same early or late in the day."""
    if secs > DAY_SECS:
        return round_half_up(secs / DAY_SECS) * DAY_SECS
    return secs
