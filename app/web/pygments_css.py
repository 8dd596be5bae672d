"""Print the stylesheet for highlighted code: a light style, and a dark one for dark mode."""

from __future__ import annotations

from pygments.formatters import HtmlFormatter

LIGHT, DARK = "vs", "github-dark"


def stylesheet() -> str:
    light = HtmlFormatter(style=LIGHT).get_style_defs(".highlight")
    dark = "\n".join(
        "  " + line for line in HtmlFormatter(style=DARK).get_style_defs(".highlight").splitlines()
    )
    header = f"/* Code highlighting: Pygments '{LIGHT}' (light) and '{DARK}' (dark). Regenerate: make pygments-css */"
    return f"{header}\n{light}\n@media (prefers-color-scheme: dark) {{\n{dark}\n}}\n"


if __name__ == "__main__":
    print(stylesheet(), end="")
