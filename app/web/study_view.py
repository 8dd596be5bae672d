"""Turn a study card into what a page or the API shows: front and back as sanitised HTML."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import render_template
from flask_login import current_user

from app.quiz.grading import Verdict, cloze_answers
from app.quiz.order import order_for
from app.services.catalog import card_faces
from app.services.study import NextCard, StudyCard
from app.srs import format_interval
from app.web.headers import remote_images_allowed


def faces(card: StudyCard) -> dict[str, Any]:
    """The card's faces, its options in the order this learner sees them at this showing (each with
    its written `index`, which a response names): the same on a reload, shuffled anew once graded."""
    face = card_faces(card.type, card.question, card.answer, card.details, remote_images_allowed())
    written = [option | {"index": i} for i, option in enumerate(face["options"])]
    order = order_for(card.details, f"{current_user.get_id()}:{card.card_id}:{card.version}")
    blanks = len(cloze_answers(card.question)) if card.type == "cloze" else 0
    return face | {"options": [written[i] for i in order if i < len(written)], "blanks": blanks}


def card_json(card: StudyCard) -> dict[str, Any]:
    face = faces(card)
    correct = [o for o in card.details.get("options", []) if o.get("correct")]
    return {
        "id": card.card_id,
        "type": card.type,
        "front_html": render_template("study/_front.html", card=card, face=face),
        "back_html": render_template("study/_back.html", card=card, face=face, verdict=None),
        "set": {"slug": card.set_slug, "title": card.set_title},
        "phase": card.phase,
        "version": card.version,
        "options": [{"html": o["html"], "index": o["index"]} for o in face["options"]],
        "multiple": len(correct) > 1,
        "blanks": face["blanks"],
    }


def next_json(result: NextCard) -> dict[str, Any]:
    return {
        "card": card_json(result.card) if result.card else None,
        "intervals": {str(r): int(i.total_seconds()) for r, i in result.intervals.items()},
        "interval_labels": labels(result.intervals),
        "counts": {
            "new": result.counts.new,
            "learning": result.counts.learning,
            "review": result.counts.review,
        },
        "next_due": result.next_due,
    }


def labels(intervals: dict[int, timedelta]) -> dict[str, str]:
    return {str(r): format_interval(i) for r, i in intervals.items()}


def suggested_rating(verdict: Verdict) -> int:
    """The grade a check suggests: Good when right, Hard when wrong only by a typo, else Again."""
    return 3 if verdict.correct else 2 if verdict.almost else 1
