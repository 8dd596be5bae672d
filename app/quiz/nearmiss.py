"""Near misses: a typo of one or two letters in a long enough word, and the difference to show."""

from __future__ import annotations

from difflib import SequenceMatcher

from app.quiz.wording import forms

LONG_WORD = 8  # letters: two typos allowed, and accepted in a quiz by default

Diff = tuple[tuple[str, str], ...]
# Prefixes a letter or two apart that flip the meaning: never forgiven as a typo.
_OPPOSED = (("inter", "intra"), ("hyper", "hypo"), ("extra", "intra"))


def allowed_edits(word: str) -> int:
    """Typos forgiven as a near miss: none in numbers or words under 5 letters, 1 up to 7, 2 from 8."""
    if not word.isalpha() or len(word) < 5:
        return 0
    return 1 if len(word) < LONG_WORD else 2


def edit_distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein distance (optimal string alignment), or limit + 1 once it is exceeded."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return min(previous[-1], limit + 1)


def is_typo(given: str, wanted: str) -> bool:
    """A forgivable typo: the same first letter (increase/decrease, bidirectional/unidirectional are
    other words), no opposed prefix, and few enough edits for the expected word's length."""
    if not given or not wanted or given[0] != wanted[0]:
        return False
    if any(given.startswith(a) and wanted.startswith(b) for pair in _OPPOSED for a, b in (pair, pair[::-1])):
        return False
    # Each form has its own allowance: 'stop' is no typo of 'steps', whose singular has 4 letters.
    return any(
        edit_distance(g, w, allowed_edits(w)) <= allowed_edits(w)
        for w in forms(wanted)
        if allowed_edits(w)
        for g in forms(given)
    )


def near_missed_words(response: tuple[str, ...], expected: tuple[str, ...]) -> tuple[str, ...] | None:
    """The expected words typed with a forgivable typo, when every other word is right; else None."""
    if len(response) != len(expected):
        return None
    missed = []
    for given, wanted in zip(response, expected, strict=True):
        if forms(given) & forms(wanted):
            continue
        if not is_typo(given, wanted):
            return None
        missed.append(wanted)
    return tuple(missed) or None


def char_diff(response: str, expected: str) -> Diff:
    """Segments to highlight, comparing without regard to case: ('same', text) typed as expected,
    ('extra', text) typed but not expected, ('missing', text) expected but not typed."""
    segments: list[tuple[str, str]] = []
    matcher = SequenceMatcher(None, response.casefold(), expected.casefold(), autojunk=False)
    if len(response.casefold()) != len(response) or len(expected.casefold()) != len(expected):
        matcher = SequenceMatcher(None, response, expected, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            segments.append(("same", response[i1:i2]))
            continue
        if i2 > i1:
            segments.append(("extra", response[i1:i2]))
        if j2 > j1:
            segments.append(("missing", expected[j1:j2]))
    return tuple(segments)
