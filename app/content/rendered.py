"""A parsed set rendered to HTML once, at check and sync time, so no request renders Markdown."""

from __future__ import annotations

from app.content.model import CardHtml, Option, Problem, QuestionSet, QuestionType, ReviewItem, SetHtml
from app.content.render import render_inline, render_markdown
from app.content.review import blank_clozes

# Stored with every synced set: raise it when the HTML for the same source would change, so the
# next sync renders every set again.
RENDER_VERSION = "3"  # 2: table alignment as attributes, not inline styles; 3: grading settings in cards


class _RenderFailed(Exception):
    """A piece of Markdown the renderer gave up on (a safety net: limits.py should prevent it)."""

    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


def render_set(question_set: QuestionSet) -> tuple[SetHtml | None, list[Problem]]:
    """The set's HTML, or the problem (with the line of the piece) that stopped it."""
    qs = question_set
    try:
        html = SetHtml(
            preview=tuple(_block(i.text, i.line) for i in qs.preview),
            explain=_block(qs.explain, 1),
            keypoints=tuple(_block(i.text, i.line) for i in qs.keypoints),
            extras=tuple(_block(e.body, e.line) for e in qs.extras),
            review=tuple(_card(item) for item in qs.review),
        )
    except _RenderFailed as failed:
        return None, [Problem(failed.line, "this part is nested too deeply to show: flatten its Markdown")]
    return html, []


def card_html(
    card_type: str, question: str, answer: str, explanation: str, options: list[Option]
) -> CardHtml:
    """A card's faces: the question as first shown, the answer, explanations and options."""
    shown = blank_clozes(question) if card_type == QuestionType.CLOZE else question
    return CardHtml(
        question=render_markdown(shown),
        answer=render_markdown(answer),
        explanation=render_markdown(explanation),
        options=tuple((render_inline(o.text), render_inline(o.explanation)) for o in options),
    )


def _card(item: ReviewItem) -> CardHtml:
    try:
        return card_html(item.type, item.question, item.answer, item.explanation, list(item.options))
    except RecursionError as exc:
        raise _RenderFailed(item.line) from exc


def _block(source: str, line: int) -> str:
    try:
        return render_markdown(source)
    except RecursionError as exc:
        raise _RenderFailed(line) from exc
