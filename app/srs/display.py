"""Short interval labels for answer buttons, in Anki's style."""

from __future__ import annotations

import math
from datetime import timedelta

_MINUTE = 60.0
_HOUR = 60 * _MINUTE
_DAY = 24 * _HOUR
_MONTH = 30.417 * _DAY  # Anki's month: 365/12 days
_YEAR = 365 * _DAY

# (upper bound in seconds, unit size, suffix, decimals): the first bound above the span picks the unit.
_UNITS = (
    (_MINUTE, 1.0, "s", 0),
    (_HOUR, _MINUTE, "m", 0),
    (_DAY, _HOUR, "h", 1),
    (_MONTH, _DAY, "d", 0),
    (_YEAR, _MONTH, "mo", 1),
    (math.inf, _YEAR, "y", 1),
)


def format_interval(span: timedelta) -> str:
    """Label like Anki's answer buttons: "45s", "6m", "1.5h", "3d", "3.2mo", "1.5y".

    Seconds, minutes and days are whole numbers, other units have one decimal, as in Anki's
    `answer_button_time` (so Anki shows a 330-second step as "6m"). Negative spans count as zero.
    """
    seconds = max(span.total_seconds(), 0.0)
    for bound, unit, suffix, decimals in _UNITS:
        if seconds < bound:
            return _number(seconds / unit, decimals) + suffix
    raise AssertionError("unreachable: the last unit has no upper bound")


def _number(amount: float, decimals: int) -> str:
    scale = 10**decimals
    rounded = math.floor(amount * scale + 0.5) / scale  # half away from zero, like Rust's round()
    return f"{rounded:.{decimals}f}".removesuffix(".0")
