"""Quiz questions and results as pages and the API show them. Before submission nothing here
carries a right answer: choices go out as ids and HTML only."""

from __future__ import annotations

from typing import Any

from markupsafe import escape

from app.content.render import render_inline, render_markdown
from app.models import Card, QuizAttempt, QuizQuestion
from app.quiz.grading import cloze_answers
from app.services.catalog import card_faces
from app.services.quiz import QuizResult, ResultItem


def _choice_html(text: str) -> str:
    return render_inline(text) if "\n" not in text.strip() else render_markdown(text)


def question_view(question: QuizQuestion, card: Card) -> dict[str, Any]:
    face = card_faces(card.type, card.question, card.answer, card.details or {})
    return {
        "id": question.id,
        "position": question.position,
        "type": question.type,
        "prompt_html": face["question_html"],
        "options": [{"id": c["id"], "html": _choice_html(c["text"])} for c in question.choices],
        "multiple": question.multiple,
        "blanks": len(cloze_answers(card.question)) if question.type == "cloze" else 0,
        "answer": question.answer,
    }


def attempt_view(attempt: QuizAttempt, cards: dict[int, Card], remaining_s: int) -> dict[str, Any]:
    return {
        "id": attempt.id,
        "title": attempt.title,
        "remaining_s": remaining_s,
        "time_limit_s": attempt.time_limit_s,
        "submitted": attempt.submitted_at is not None,
        "questions": [question_view(q, cards[q.card_id]) for q in attempt.questions],
    }


def _answer_html(item: ResultItem) -> str:
    """The learner's answer as HTML: chosen options rendered like the options were, typed text escaped."""
    if item.type == "choice" and item.answer:
        texts = {c["id"]: c["text"] for c in item.choices}
        return "".join(
            f'<div class="chosen">{_choice_html(texts[a])}</div>' for a in item.answer if a in texts
        )
    return str(escape(_answer_text(item)))


def _answer_text(item: ResultItem) -> str:
    if item.answer is None:
        return "(no answer)"
    if item.type == "choice":
        texts = {c["id"]: c["text"] for c in item.choices}
        return "; ".join(texts.get(a, a) for a in item.answer)
    if isinstance(item.answer, list):
        return "; ".join(item.answer)
    return str(item.answer)


def result_view(result: QuizResult) -> dict[str, Any]:
    return {
        "id": result.attempt_id,
        "title": result.title,
        "score": result.score,
        "total": result.total,
        "time_used_s": result.time_used_s,
        "auto_submitted": result.auto_submitted,
        "results": [
            {
                "question_id": item.question_id,
                "position": item.position,
                "type": item.type,
                "correct": item.correct,
                "your_answer": _answer_text(item),
                "your_answer_html": _answer_html(item),
                "right_answer": item.right_answer,
                "question_html": card_faces(item.card.type, item.question, "", {})["question_html"],
                "right_answer_html": _choice_html(item.right_answer),
                "explanation_html": render_markdown(item.explanation),
            }
            for item in result.items
        ],
    }
