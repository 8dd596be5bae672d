"""A small HTML -> Markdown converter for imported flashcards (Anki fields, CSV exports)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

_BLOCKS = {"div", "p", "section", "article", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "table", "tr"}
_SKIP = {"script", "style", "head", "title", "math"}
_INLINE = {"b": "**", "strong": "**", "i": "*", "em": "*", "code": "`"}
_SOUND = re.compile(r"\[sound:([^\]]*)\]")
_INLINE_MATH = re.compile(r"\\\((.+?)\\\)", re.S)
_DISPLAY_MATH = re.compile(r"\\\[(.+?)\\\]", re.S)


@dataclass
class Converted:
    """Markdown text plus the media it referenced (never imported)."""

    text: str
    media: list[str] = field(default_factory=list)


class _Converter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.media: list[str] = []
        self.lists: list[list[int]] = []  # one [counter] per open list; counter < 0 for bullets
        self.skip = 0
        self.pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "math" and not self.skip:
            self._maths(dict(attrs))
        if tag in _SKIP:
            self.skip += 1
        elif tag == "br":
            self.out.append("\n")
        elif tag in _BLOCKS or tag == "hr":
            self.out.append("\n\n")
        elif tag in _INLINE:
            self.out.append(_INLINE[tag])
        elif tag == "pre":
            self.pre += 1
            self.out.append("\n\n```\n")
        elif tag in ("ul", "ol"):
            self.lists.append([0 if tag == "ol" else -1])
            self.out.append("\n\n")
        elif tag == "li":
            self._item()
        elif tag in ("td", "th"):
            self.out.append(" ")
        elif tag in ("img", "audio", "video", "source", "object", "embed"):
            src = dict(attrs).get("src") or dict(attrs).get("data") or tag
            self.media.append(src)

    def _maths(self, attrs: dict[str, str | None]) -> None:
        """MathML (as Unroll renders it) back to its TeX source, kept in `alttext`."""
        tex = (attrs.get("alttext") or "").strip()
        if tex:
            fence = "$$" if attrs.get("display") == "block" else "$"
            self.out.append(f"{fence}{tex}{fence}")

    def _item(self) -> None:
        depth = max(len(self.lists) - 1, 0)
        marker = "- "
        if self.lists and self.lists[-1][0] >= 0:
            self.lists[-1][0] += 1
            marker = f"{self.lists[-1][0]}. "
        self.out.append("\n" + "   " * depth + marker)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skip = max(self.skip - 1, 0)
        elif tag in _BLOCKS:
            self.out.append("\n\n")
        elif tag in _INLINE:
            self.out.append(_INLINE[tag])
        elif tag == "pre":
            self.pre = max(self.pre - 1, 0)
            self.out.append("\n```\n\n")
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()
            self.out.append("\n\n")

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        self.out.append(data if self.pre else re.sub(r"[ \t\r\n]+", " ", data))


def html_to_markdown(html: str) -> Converted:
    """Markdown for an HTML fragment: line breaks, bold/italic, blocks, lists, entities, MathJax.

    Sounds (`[sound:x]`) and images are removed and listed in `media`."""
    media = _SOUND.findall(html)
    html = _SOUND.sub("", html)
    parser = _Converter()
    parser.feed(html)
    parser.close()
    text = "".join(parser.out).replace("\xa0", " ")
    text = _DISPLAY_MATH.sub(lambda m: f"$${m.group(1).strip()}$$", text)
    text = _INLINE_MATH.sub(lambda m: f"${m.group(1).strip()}$", text)
    text = text.replace("****", "")
    lines = [line.rstrip() for line in text.split("\n")]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return Converted(text, media + parser.media)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def strip_controls(text: str) -> tuple[str, bool]:
    """The text without control characters (a set file may not hold them), and whether any were there."""
    cleaned = _CONTROL.sub("", text)
    return cleaned, cleaned != text


def looks_like_html(text: str) -> bool:
    """Whether a plain-text field probably holds HTML markup or entities."""
    return bool(re.search(r"</?[a-zA-Z][^>]*>|&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z]+);", text))
