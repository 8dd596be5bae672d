"""Assigned quizzes: set one for a class, the learner's list, accommodations and the gradebook."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("classes_assignments", __name__)
