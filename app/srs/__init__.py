"""Pure scheduling core: Anki's FSRS scheduler on plain values. Imports neither Flask nor SQLAlchemy."""

from app.srs.clock import DayClock
from app.srs.config import SchedulerConfig
from app.srs.display import format_interval
from app.srs.replay import ReplayError, replay, replay_json
from app.srs.scheduler import answer, next_states
from app.srs.values import Outcome, Phase, Rating, SrsCard

__all__ = [
    "DayClock",
    "Outcome",
    "Phase",
    "Rating",
    "ReplayError",
    "SchedulerConfig",
    "SrsCard",
    "answer",
    "format_interval",
    "next_states",
    "replay",
    "replay_json",
]
