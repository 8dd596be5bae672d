"""SQLAlchemy models: the tables Unroll stores."""

from app.models.accounts import ApiToken, User, UserSession
from app.models.authoring import AuthoringEvent, SetRevision, SetSource
from app.models.classes import Assignment, AssignmentOverride, ClassMember, Classroom
from app.models.content import Card, ContentSet, SyncLock
from app.models.quiz import AcceptedResponse, QuizAttempt, QuizQuestion
from app.models.study import CardAction, CardProgress, ReviewLog
from app.models.throttle import ThrottleCounter
from app.models.training import TrainingJob

__all__ = [
    "AcceptedResponse",
    "ApiToken",
    "Assignment",
    "AssignmentOverride",
    "AuthoringEvent",
    "Card",
    "CardAction",
    "CardProgress",
    "ClassMember",
    "Classroom",
    "ContentSet",
    "QuizAttempt",
    "QuizQuestion",
    "ReviewLog",
    "SetRevision",
    "SetSource",
    "SyncLock",
    "ThrottleCounter",
    "TrainingJob",
    "User",
    "UserSession",
]
