"""A parse as JSON: one file's entry of `flask content check --json` (also the authoring API's check)."""

from __future__ import annotations

from typing import Any

from app.content.model import ParseResult, ReviewItem


def result_json(result: ParseResult) -> dict[str, Any]:
    qs = result.question_set
    return {
        "path": result.path,
        "slug": qs.slug if qs else None,
        "title": qs.title if qs else None,
        "counts": qs.counts if qs else {"preview": 0, "keypoint": 0, "review": 0},
        "preview": [i.text for i in qs.preview] if qs else [],
        "keypoints": [i.text for i in qs.keypoints] if qs else [],
        "review": [review_json(item) for item in qs.review] if qs else [],
        "errors": [{"line": p.line, "message": p.message} for p in result.errors],
        "warnings": [{"line": p.line, "message": p.message} for p in result.warnings],
    }


def review_json(item: ReviewItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "type": str(item.type),
        "question": item.question,
        "answer": item.answer,
        "explanation": item.explanation,
        "options": [
            {"text": o.text, "correct": o.correct, "explanation": o.explanation} for o in item.options
        ],
        "accept": list(item.accept),
        "tags": list(item.tags),
        "covers": list(item.covers),
        "line": item.line,
    }
