"""Card identity: ids derived from question text, and matching edited questions to old cards."""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

SIMILAR_ENOUGH = 0.75


def normalise(text: str) -> str:
    """Text compared without regard to case, spacing or punctuation."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    kept = "".join(ch if not unicodedata.category(ch).startswith(("P", "S")) else " " for ch in folded)
    return " ".join(kept.split())


def derived_id(slug: str, question: str) -> str:
    """A stable id for a page-dialect question: the set and its normalised text."""
    digest = hashlib.sha256(f"{slug}\n{normalise(question)}".encode()).hexdigest()
    return f"q-{digest[:12]}"


@dataclass(frozen=True)
class Candidate:
    """A question on one side of a match: its key and the text that identifies it."""

    key: str
    text: str


def similarity(a: str, b: str) -> float:
    """How alike two texts are, from 0 to 1, after normalising."""
    return SequenceMatcher(None, normalise(a), normalise(b), autojunk=False).ratio()


def match_by_similarity(
    old: Sequence[Candidate], new: Sequence[Candidate], threshold: float = SIMILAR_ENOUGH
) -> dict[str, str]:
    """Pair new questions with old ones they were edited from: {new key: old key}, best pairs first."""
    scored = sorted(
        ((similarity(o.text, n.text), n.key, o.key) for o in old for n in new),
        reverse=True,
    )
    pairs: dict[str, str] = {}
    taken: set[str] = set()
    for score, new_key, old_key in scored:
        if score < threshold:
            break
        if new_key not in pairs and old_key not in taken:
            pairs[new_key] = old_key
            taken.add(old_key)
    return pairs
