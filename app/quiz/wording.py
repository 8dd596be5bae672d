"""Words of a typed answer, compared without regard to case, punctuation, hyphens or a leading
article, British or American spelling, or singular and plural."""

from __future__ import annotations

import re
import unicodedata

_ARTICLES = {"a", "an", "the"}
_MARKUP = re.compile(r"[`*_$]|\\(?=[a-zA-Z])")
# Words are letters and digits (with a decimal point or comma between digits); signs that change
# the meaning (t+1 is not t-1, x < 0 is not x > 0) are words of their own; the rest separates.
_TOKEN = re.compile(r"(?:\w|#|(?<=\d)[.,](?=\d))+|[+<>=≤≥≠]")
# British spellings to American ones, applied alike to both sides so each rule only has to be
# consistent: a rule that also rewrites a word with no variant ("precise") does no harm.
_SPELLING = (
    (re.compile(r"^(\w{2,})is(e|es|ed|ing|er|ers|ation|ations|able)$"), r"\1iz\2"),
    (re.compile(r"^(\w{2,})ys(e|es|ed|ing|er|ers)$"), r"\1yz\2"),
    (re.compile(r"^(\w{2,})our(s|ed|ing|al|ite|ites|able|ful|less)?$"), r"\1or\2"),
    (re.compile(r"^(\w{2,})([tb])red$"), r"\1\2ered"),
    (re.compile(r"^(\w{2,})([tb])re(s)?$"), r"\1\2er\3"),
    (re.compile(r"^(\w{2,})([tb])ring$"), r"\1\2ering"),
    (re.compile(r"^(\w{2,}[aeiou])ll(ed|ing|er|ers|ation)$"), r"\1l\2"),
    (re.compile(r"^(\w{3,})ogue(s)?$"), r"\1og\2"),
    (re.compile(r"^(\w{2,}[fc])ence(s)?$"), r"\1ense\2"),
)
_WORDS = {"grey": "gray", "programme": "program", "programmes": "programs", "aluminium": "aluminum"}
_IRREGULAR = {
    "matrices": "matrix",
    "vertices": "vertex",
    "indices": "index",
    "axes": "axis",
    "analyses": "analysis",
    "hypotheses": "hypothesis",
    "bases": "basis",
    "criteria": "criterion",
    "phenomena": "phenomenon",
    "children": "child",
}


def fold(text: str) -> str:
    """Case, accents, compatibility forms and markup removed: 'Naïve `LSTM`' gives 'naive lstm'."""
    text = text.replace("√", " sqrt ")
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    return _MARKUP.sub("", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def words(text: str) -> tuple[str, ...]:
    """The answer's words, folded and spelled the American way, without a leading article."""
    tokens = _TOKEN.findall(fold(text))
    if len(tokens) > 1 and tokens[0] in _ARTICLES:
        tokens = tokens[1:]
    return tuple(spelling(t) for t in tokens)


def spelling(word: str) -> str:
    """One word in American spelling: centred -> centered, normalise -> normalize."""
    if word in _WORDS:
        return _WORDS[word]
    if not word.isalpha():
        return word
    for pattern, replacement in _SPELLING:
        word = pattern.sub(replacement, word)
    return word


def forms(word: str) -> set[str]:
    """The word and the singulars it may be the plural of; numbers and short words stay as they are."""
    found = {word, _IRREGULAR.get(word, word)}
    if (
        len(word) <= 3
        or not word.isalpha()
        or word.endswith(("ss", "is"))
        or (len(word) > 4 and word.endswith("us"))
    ):
        return found
    if word.endswith("s"):
        found.add(word[:-1])
    if word.endswith("es"):
        found.add(word[:-2])
    if word.endswith("ies") and len(word) > 4:
        found.add(word[:-3] + "y")
    return found


def same_word(a: str, b: str) -> bool:
    """Equal words, allowing singular for plural: 'gates' and 'gate', 'biases' and 'bias'."""
    return a == b or bool(forms(a) & forms(b))


def same_words(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Equal answers word by word, or equal once joined ('end-of-sequence', 'end of sequence', 'endofsequence')."""
    if len(a) == len(b) and all(same_word(x, y) for x, y in zip(a, b, strict=True)):
        return True
    return bool(a) and bool(b) and len(a) != len(b) and same_word("".join(a), "".join(b))
