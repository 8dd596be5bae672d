"""Markdown to safe HTML: fenced code with Pygments, tables, LaTeX math as MathML, then nh3."""

from __future__ import annotations

import re
import secrets
import threading
from functools import lru_cache
from html import escape, unescape
from html.parser import HTMLParser
from urllib.parse import urlsplit

import markdown
import nh3
from latex2mathml.converter import convert as latex_to_mathml

_FENCED = re.compile(r"^( {0,3})(`{3,}|~{3,})[^\n]*\n.*?(?:^\1?\2[`~]*[ \t]*$|\Z)", re.MULTILINE | re.DOTALL)
_BACKTICK_RUN = re.compile(r"`+")
_INLINE_MATH = re.compile(r"(?<![\\$\w])\$(?=[^\s$])([^$\n]+?)(?<=[^\s\\])\$(?![\d$])")

_MATHML_TAGS = {
    "math",
    "mi",
    "mn",
    "mo",
    "ms",
    "mtext",
    "mspace",
    "mrow",
    "mfrac",
    "msqrt",
    "mroot",
    "mstyle",
    "merror",
    "mpadded",
    "mphantom",
    "msub",
    "msup",
    "msubsup",
    "munder",
    "mover",
    "munderover",
    "mtable",
    "mtr",
    "mtd",
    "semantics",
    "annotation",
    "menclose",
}
_MATHML_ATTRIBUTES = {
    "display",
    "mathvariant",
    "stretchy",
    "fence",
    "separator",
    "accent",
    "accentunder",
    "columnalign",
    "rowalign",
    "columnspacing",
    "rowspacing",
    "width",
    "height",
    "depth",
    "lspace",
    "rspace",
    "linethickness",
    "scriptlevel",
    "displaystyle",
    "minsize",
    "maxsize",
    "movablelimits",
    "symmetric",
    "largeop",
    "form",
    "notation",
    "encoding",
}
_TAGS = (
    set(nh3.ALLOWED_TAGS)
    | _MATHML_TAGS
    | {"span", "div", "pre", "code", "table", "thead", "tbody", "tr", "th", "td", "sup", "sub"}
)
_ATTRIBUTES: dict[str, set[str]] = {
    **{tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()},
    **{tag: set(_MATHML_ATTRIBUTES) for tag in _MATHML_TAGS},
    "span": {"class"},
    "div": {"class"},
    "pre": {"class"},
    "code": {"class"},
    "th": {"align"},
    "td": {"align"},
}
_ATTRIBUTES["math"] |= {"xmlns", "alttext", "aria-label"}

_MARKDOWN_EXTENSIONS = ["fenced_code", "codehilite", "tables", "sane_lists"]
# Table alignment as `align` attributes, not `style` ones: pages allow no inline styles (CSP).
_MARKDOWN_CONFIG = {
    "codehilite": {"guess_lang": False, "css_class": "highlight"},
    "tables": {"use_align_attribute": True},
}


_CACHED_UP_TO = 4096  # characters: short pieces repeat (options, answers); long ones would fill memory


def render_markdown(source: str) -> str:
    """Sanitised HTML for a piece of content Markdown (short pieces are cached)."""
    return _render_cached(source) if len(source) <= _CACHED_UP_TO else _render(source)


def render_inline(source: str) -> str:
    """Like render_markdown, without the wrapping paragraph of a one-line text."""
    return unwrap_paragraph(render_markdown(source))


def unwrap_paragraph(html: str) -> str:
    """Rendered HTML without the paragraph around it when it is a single paragraph."""
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        return html[3:-4]
    return html


@lru_cache(maxsize=4096)
def _render_cached(source: str) -> str:
    return _render(source)


_BLOCK_PLACEHOLDER = re.compile(r"<p>\s*MATH([0-9a-f]{12})D(\d+)X\s*</p>")
_INLINE_PLACEHOLDER = re.compile(r"MATH([0-9a-f]{12})[DI](\d+)X")
_engines = threading.local()


def _engine() -> markdown.Markdown:
    """This thread's Markdown converter: building one costs more than converting a short piece."""
    engine = getattr(_engines, "markdown", None)
    if engine is None:
        engine = markdown.Markdown(extensions=_MARKDOWN_EXTENSIONS, extension_configs=_MARKDOWN_CONFIG)
        _engines.markdown = engine
    return engine


# One line of prose that starts with a letter and holds nothing Markdown, HTML or LaTeX reads:
# its HTML is the line in a paragraph, and sync skips the engine for it (most answers and options).
_PLAIN_LINE = re.compile(r"[^\W\d_][^\n\\`*_\[\]<>!#|&~$]*+")


def _render(source: str) -> str:
    if not source.strip():
        return ""
    if _PLAIN_LINE.fullmatch(source) and not source.endswith(" "):
        return f"<p>{source}</p>"
    tag = secrets.token_hex(6)  # a placeholder that no source text contains by chance
    protected, formulas = _protect_math(source, tag)
    html = _engine().reset().convert(protected)

    def formula(match: re.Match[str], wrap: str) -> str:
        if match.group(1) != tag:
            return match.group(0)
        return wrap.format(formulas[int(match.group(2))])

    html = _BLOCK_PLACEHOLDER.sub(lambda m: formula(m, '<div class="math-block">{}</div>'), html)
    html = _INLINE_PLACEHOLDER.sub(lambda m: formula(m, '<span class="math-inline">{}</span>'), html)
    return sanitise(html).strip()


# One sanitiser, built once: building it costs more than cleaning a short piece.
_CLEANER = nh3.Cleaner(
    tags=_TAGS,
    attributes=_ATTRIBUTES,
    link_rel="noopener noreferrer",
)


def sanitise(html: str) -> str:
    """Keep formatting, code highlighting, MathML and table alignment; drop scripts, handlers, styles."""
    return _CLEANER.clean(html)


# An <img> tag as the sanitiser writes it: attribute values double-quoted ('>' may occur inside).
_IMG_TAG = re.compile(r'<img(?:\s+[\w:.-]+(?:="[^"]*")?)*\s*/?>')
_ATTRIBUTE = re.compile(r'([\w:.-]+)(?:="([^"]*)")?')


def remote_images_as_links(html: str, keep_https: bool = False) -> str:
    """Sanitised HTML in which every image from another site is a link named by its alt text, so
    showing it loads nothing from elsewhere; with keep_https, images over HTTPS stay images."""
    if "<img" not in html:
        return html
    return _IMG_TAG.sub(lambda tag: _image_or_link(tag.group(0), keep_https), html)


def _image_or_link(tag: str, keep_https: bool) -> str:
    attributes = {name.lower(): unescape(value) for name, value in _ATTRIBUTE.findall(tag[4:])}
    source = attributes.get("src", "").strip()
    address = urlsplit(source.replace("\\", "/"))
    if not (address.scheme or address.netloc) or (keep_https and address.scheme.lower() == "https"):
        return tag  # an image of the site's own, or one the deployment lets pages load
    name, host = attributes.get("alt", "").strip(), address.netloc or source
    text = f"{name} (image at {host})" if name else f"Image at {host}"
    return f'<a href="{escape(source)}" class="remote-image" rel="noopener noreferrer">{escape(text)}</a>'


def _protect_math(source: str, tag: str) -> tuple[str, list[str]]:
    """Swap math for placeholders Markdown leaves alone, outside code blocks and code spans."""
    formulas: list[str] = []

    def stash(latex: str, display: bool) -> str:
        formulas.append(_mathml(latex, display))
        return f"MATH{tag}{'D' if display else 'I'}{len(formulas) - 1}X"

    def outside_code(text: str) -> str:
        pieces, last = [], 0
        for start, end in _code_spans(text):
            pieces += [_swap(text[last:start], stash), text[start:end]]
            last = end
        return "".join([*pieces, _swap(text[last:], stash)])

    pieces, last = [], 0
    for block in _FENCED.finditer(source):
        pieces += [outside_code(source[last : block.start()]), block.group(0)]
        last = block.end()
    return "".join([*pieces, outside_code(source[last:])]), formulas


def _code_spans(text: str) -> list[tuple[int, int]]:
    """Code spans: a backtick run up to the next run of the same length, found in linear time."""
    runs = [(m.start(), m.end()) for m in _BACKTICK_RUN.finditer(text)]
    following: dict[int, int] = {}
    next_same: list[int | None] = [None] * len(runs)
    for index in range(len(runs) - 1, -1, -1):
        length = runs[index][1] - runs[index][0]
        next_same[index] = following.get(length)
        following[length] = index
    spans, index = [], 0
    while index < len(runs):
        close = next_same[index]
        if close is None:
            index += 1
            continue
        spans.append((runs[index][0], runs[close][1]))
        index = close + 1
    return spans


def _swap(text: str, stash) -> str:  # type: ignore[no-untyped-def]
    pieces, last = [], 0
    for start, end in _display_math(text):
        pieces += [_swap_inline(text[last:start], stash), stash(text[start + 2 : end - 2], True)]
        last = end
    return "".join([*pieces, _swap_inline(text[last:], stash)])


def _swap_inline(text: str, stash) -> str:  # type: ignore[no-untyped-def]
    text = _INLINE_MATH.sub(lambda m: stash(m.group(1), False), text)
    return text.replace(r"\$", "&#36;")


def _display_math(text: str) -> list[tuple[int, int]]:
    """Each '$$…$$' (at least one character between), leftmost first, found in linear time."""
    spans, position = [], 0
    while (start := text.find("$$", position)) != -1:
        end = text.find("$$", start + 3)
        if end == -1:
            break
        spans.append((start, end + 2))
        position = end + 2
    return spans


def _mathml(latex: str, display: bool) -> str:
    """MathML for a formula, named by its source so every tool has text to announce."""
    try:
        mathml = latex_to_mathml(latex.strip(), display="block" if display else "inline")
    except Exception:  # any converter failure shows the source instead
        escaped = latex.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return f'<code class="math-error">{escaped}</code>'
    label = _escape_attribute(_speakable(latex))
    return mathml.replace(
        "<math ", f'<math alttext="{_escape_attribute(latex.strip())}" aria-label="{label}" ', 1
    )


def _speakable(latex: str) -> str:
    """LaTeX without its backslashes and braces: a plain name such as 'tanh(W_hh x_t)'."""
    text = re.sub(r"\\(?:left|right|,|;|!|quad|qquad)", " ", latex)
    text = re.sub(r"\\([A-Za-z]+)", r"\1", text).replace("{", "").replace("}", "")
    return " ".join(text.split())


def _escape_attribute(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")


_INLINE_TAGS = {
    "a",
    "b",
    "code",
    "em",
    "i",
    "span",
    "strong",
    "sub",
    "sup",
    "mark",
    "abbr",
    "kbd",
    "s",
    "del",
}
_SPACES = re.compile(r"\s+")


class _TextExtractor(HTMLParser):
    """Text of sanitised HTML; a formula becomes its LaTeX source between dollars."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.math_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "math":
            if self.math_depth == 0:
                self.parts.append(f" ${dict(attrs).get('alttext') or ''}$ ")
            self.math_depth += 1
        elif tag not in _INLINE_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag == "math":
            self.math_depth = max(0, self.math_depth - 1)
        elif tag not in _INLINE_TAGS:
            self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if self.math_depth == 0:
            self.parts.append(data)


def plain_text(markdown: str) -> str:
    """Content Markdown as one line of plain text: no markup, formulas as their LaTeX source."""
    extractor = _TextExtractor()
    extractor.feed(render_markdown(markdown))
    extractor.close()
    text = _SPACES.sub(" ", unescape("".join(extractor.parts))).strip()
    return re.sub(r"\s+([.,;:!?)])", r"\1", text)
