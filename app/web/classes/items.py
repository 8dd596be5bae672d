"""Item analysis pages: how each question of a set or assignment did in a class."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("classes_items", __name__)
