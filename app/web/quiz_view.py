"""Quiz questions and results as pages and the API show them. Before submission nothing here
carries a right answer: choices go out as ids and HTML only."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

from app.content.render import remote_images_as_links, render_inline, render_markdown, unwrap_paragraph
from app.models import Card, QuizAttempt, QuizQuestion
from app.quiz.grading import Check, cloze_answers
from app.services.catalog import card_faces
from app.services.quiz import QuizResult, ResultItem
from app.web.headers import remote_images_allowed


def _choice_html(text: str) -> str:
    html = render_inline(text) if "\n" not in text.strip() else render_markdown(text)
    return remote_images_as_links(html, keep_https=remote_images_allowed())


def _faces(card: Card) -> dict[str, Any]:
    """The card's faces as sync rendered them, and each option's HTML by its text."""
    details = card.details or {}
    face = card_faces(card.type, card.question, card.answer, details, remote_images_allowed())
    options = details.get("options", [])
    face["by_text"] = {o["text"]: f["html"] for o, f in zip(options, face["options"], strict=False)}
    return face


def _option_html(face: dict[str, Any], text: str) -> str:
    """An option as sync rendered it (a text that is not one of the card's options is rendered)."""
    known = face["by_text"].get(text)
    return str(known) if known is not None else _choice_html(text)


def question_view(question: QuizQuestion, card: Card) -> dict[str, Any]:
    face = _faces(card)
    return {
        "id": question.id,
        "position": question.position,
        "type": question.type,
        "prompt_html": face["question_html"],
        "options": [{"id": c["id"], "html": _option_html(face, c["text"])} for c in question.choices],
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


def _answer_html(item: ResultItem, face: dict[str, Any]) -> str:
    """The learner's answer as HTML: chosen options rendered like the options were, typed text escaped."""
    if item.type == "choice" and item.answer:
        texts = {c["id"]: c["text"] for c in item.choices}
        return "".join(
            f'<div class="chosen">{_option_html(face, texts[a])}</div>' for a in item.answer if a in texts
        )
    return str(escape(_answer_text(item)))


def _right_answer_html(item: ResultItem, face: dict[str, Any]) -> str:
    if item.type == "choice":
        return "; ".join(_option_html(face, c["text"]) for c in item.choices if c["correct"])
    return (
        _choice_html(item.right_answer)
        if item.right_answer != item.card.answer
        else unwrap_paragraph(face["answer_html"])
    )


def _answer_text(item: ResultItem) -> str:
    if item.answer is None:
        return "(no answer)"
    if item.type == "choice":
        texts = {c["id"]: c["text"] for c in item.choices}
        return "; ".join(texts.get(a, a) for a in item.answer)
    if isinstance(item.answer, list):
        return "; ".join(item.answer)
    return str(item.answer)


_DIFF_TAGS = {"extra": ("del", "typed, not expected:"), "missing": ("ins", "expected, not typed:")}


def diff_html(check: Check) -> Markup:
    """The difference of a near miss: extra letters struck through, missing ones underlined, each
    also named in words for screen readers (never told by colour alone)."""
    parts = []
    for op, text in check.diff:
        if op not in _DIFF_TAGS:
            parts.append(str(escape(text)))
            continue
        tag, label = _DIFF_TAGS[op]
        parts.append(
            f'<{tag}><span class="visually-hidden">({label} </span>{escape(text)}<span class="visually-hidden">)</span></{tag}>'
        )
    return Markup("".join(parts))


def _check_view(check: Check) -> dict[str, Any]:
    return {
        "response": check.response,
        "expected": check.shown,
        "also": list(check.also),
        "correct": check.correct,
        "almost": check.almost,
        "diff": [{"op": op, "text": text} for op, text in check.diff] if check.almost else [],
        "diff_html": diff_html(check) if check.almost else "",
    }


def _checks(item: ResultItem) -> list[dict[str, Any]]:
    """Each typed answer beside the expected one, and the difference when it was a near miss."""
    if item.verdict is None or item.type not in ("short", "cloze"):
        return []
    return [_check_view(c) for c in item.verdict.checks]


_REVEALED = ("correct", "right_answer", "right_answer_html", "explanation_html", "note", "checks")


def _item_view(item: ResultItem, face: dict[str, Any], answers_shown: bool) -> dict[str, Any]:
    """One question's result; until its assignment lets right answers be seen, whether it was
    right, the right answer, the explanation and the grader's notes are left out (None)."""
    view = {
        "question_id": item.question_id,
        "card_id": item.card.id,
        "position": item.position,
        "type": item.type,
        "correct": item.correct,
        "your_answer": _answer_text(item),
        "your_answer_html": _answer_html(item, face),
        "right_answer": item.right_answer,
        "question_html": face["question_html"],
        "right_answer_html": _right_answer_html(item, face),
        "explanation_html": face["explanation_html"],
        "note": item.note,
        "checks": _checks(item),
    }
    return view if answers_shown else {**view, **dict.fromkeys(_REVEALED)}


def result_view(result: QuizResult, answers_shown: bool = True) -> dict[str, Any]:
    return {
        "id": result.attempt_id,
        "title": result.title,
        "score": result.score,
        "total": result.total,
        "time_used_s": result.time_used_s,
        "auto_submitted": result.auto_submitted,
        "answers_shown": answers_shown,
        "results": [_item_view(item, _faces(item.card), answers_shown) for item in result.items],
    }
