"""Numbers in typed answers: 0.25 = .25 = 1/4 = 25% = 2.5e-1, 4e6 = 4×10^6 = 4,000,000 = 4 million."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from app.content.policy import Tolerance

_MAX_EXPONENT = 400
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺", "0123456789-+")
_SUPERSCRIPT_RUN = re.compile(r"[⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺]+")
_LATEX = (
    (re.compile(r"\\d?frac\s*\{([^{}]*)\}\s*\{([^{}]*)\}"), r"(\1)/(\2)"),
    (re.compile(r"\\(?:times|cdot)(?![a-zA-Z])"), "×"),
    (re.compile(r"\\[,;:! ]|~"), ""),
    (re.compile(r"\\%"), "%"),
    (re.compile(r"\\(?:left|right)(?![a-zA-Z])|\{|\}|\$"), ""),
)
_MANTISSA = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+"
_SCALES = {"thousand": 3, "million": 6, "billion": 9, "trillion": 12, "k": 3, "m": 6, "bn": 9, "b": 9}
_SCALE_WORDS = "thousand|million|billion|trillion"
NUMBER = re.compile(
    rf"(?<![\w.^])(?P<sign>[-+](?=[\d.]))?\(?(?P<m>{_MANTISSA})\)?"
    r"(?:e(?P<e>[-+]?\d+)|\s*[x×*·]\s*10\s*(?:\^|\*\*)\s*(?P<t>[-+]?\d+)|\s*(?:\^|\*\*)\s*(?P<p>[-+]?\d+))?"
    rf"(?:\s*/\s*\(?(?P<d>{_MANTISSA})\)?(?:e(?P<de>[-+]?\d+))?)?"
    rf"(?:\s*(?P<pct>%|per\s?cent\b)|\s+(?P<scale>{_SCALE_WORDS})\b|(?P<suffix>k|m|bn|b)\b)?"
    r"(?![\w.])",
    re.IGNORECASE,
)
_ROUNDING = re.compile(
    r"\b(?:to|within|in|with)\s+(?P<n>\d+|one|two|three|four|five|six|seven|eight|nine|ten)\s+"
    r"(?:(?P<dp>decimal\s+places?|decimals?|d\.\s?p\.?|dp)|(?P<sf>significant\s+(?:figures?|digits?)|s\.\s?f\.?|sig\.?\s*figs?))",
    re.IGNORECASE,
)
_NUMBER_NAMES = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
)
_NUMBER_WORDS = re.compile(rf"\b({'|'.join(_NUMBER_NAMES)})\b", re.IGNORECASE)


@dataclass(frozen=True)
class Precision:
    """A rounding the question asks for: N decimal places, or N significant figures."""

    digits: int
    significant: bool = False

    def allows(self, response: Fraction, expected: Fraction) -> bool:
        """True when the response is within half a unit of the last asked digit of the expected value."""
        if self.significant:
            if expected == 0:
                return response == 0
            exponent = _decimal(expected).adjusted() - self.digits + 1
        else:
            exponent = -self.digits
        return abs(response - expected) <= Fraction(10) ** exponent / 2


def plain_numbers(text: str) -> str:
    """Answer text with maths markup, superscripts, Unicode minus and spacing made plain."""
    text = text.replace("√", " sqrt ")
    text = _SUPERSCRIPT_RUN.sub(lambda m: "^" + m.group(0).translate(_SUPERSCRIPTS), text)
    text = unicodedata.normalize("NFKC", text).replace("−", "-").replace("\u2009", "").replace("\u202f", "")
    for pattern, replacement in _LATEX:
        text = pattern.sub(replacement, text)
    text = _NUMBER_WORDS.sub(lambda m: str(_NUMBER_NAMES.index(m.group(1).lower())), text)
    return re.sub(r"(?<=\d)\s(?=\d{3}\b)", "", text)  # 4 000 000


def find_numbers(text: str) -> tuple[str, tuple[Fraction, ...]]:
    """Plain text with each number replaced by '#', and the numbers' values in order."""
    values: list[Fraction] = []

    def take(match: re.Match[str]) -> str:
        value = _value(match)
        if value is None:
            return match.group(0)
        values.append(value)
        return " # "

    template = NUMBER.sub(take, plain_numbers(text))
    return template, tuple(values)


def _value(match: re.Match[str]) -> Fraction | None:
    exponents = [match.group(g) for g in ("e", "t", "p", "de")]
    if any(e and abs(int(e)) > _MAX_EXPONENT for e in exponents) or len(match.group(0)) > 200:
        return None
    value = Fraction(match.group("m").replace(",", ""))
    if match.group("e") or match.group("t"):
        value *= Fraction(10) ** int(match.group("e") or match.group("t"))
    if match.group("p"):
        if (value == 0 and int(match.group("p")) < 0) or value > 10**6:
            return None
        value **= int(match.group("p"))
    if match.group("d"):
        denominator = Fraction(match.group("d").replace(",", "")) * Fraction(10) ** int(
            match.group("de") or 0
        )
        if denominator == 0:
            return None
        value /= denominator
    if match.group("pct"):
        value /= 100
    scale = match.group("scale") or match.group("suffix")
    if scale:
        value *= 10 ** _SCALES[scale.lower()]
    return -value if match.group("sign") == "-" else value


def asked_precision(question: str) -> Precision | None:
    """The rounding a question asks for ("to two decimal places", "to 3 significant figures")."""
    match = _ROUNDING.search(question)
    if not match:
        return None
    n = match.group("n").lower()
    digits = int(n) if n.isdigit() else _NUMBER_NAMES.index(n)
    return Precision(min(digits, 50), significant=bool(match.group("sf")))


def same_number(
    response: Fraction,
    expected: Fraction,
    tolerance: Tolerance | None = None,
    precision: Precision | None = None,
) -> bool:
    """Equal, or close enough under the stated tolerance or the asked rounding."""
    if response == expected:
        return True
    return bool(tolerance and tolerance.allows(response, expected)) or bool(
        precision and precision.allows(response, expected)
    )


def _decimal(value: Fraction) -> Decimal:
    return Decimal(value.numerator) / Decimal(value.denominator)
