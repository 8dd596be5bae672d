"""Markdown to safe HTML: sanitising, highlighted code, tables and server-side MathML."""

from __future__ import annotations

import re

import pytest

from app.content.render import remote_images_as_links, render_inline, render_markdown

# --- sanitising -----------------------------------------------------------------------------------


def test_script_elements_are_removed() -> None:
    html = render_markdown("Before\n\n<script>alert('hi')</script>\n\nAfter")
    assert "<script" not in html
    assert "alert(" not in html
    assert "Before" in html
    assert "After" in html


def test_inline_script_inside_a_paragraph_is_removed() -> None:
    html = render_markdown("A state <script>document.title = 'x'</script> vector.")
    assert "<script" not in html
    assert "document.title" not in html


def test_event_handler_attributes_are_removed() -> None:
    html = render_markdown('<img src="cell.png" alt="a cell" onerror="alert(1)">')
    assert "onerror" not in html
    assert "alert(1)" not in html
    assert 'src="cell.png"' in html


def test_click_handlers_on_links_are_removed() -> None:
    html = render_markdown('<a href="/demo" onclick="steal()">demo</a>')
    assert "onclick" not in html
    assert "steal()" not in html
    assert 'href="/demo"' in html


@pytest.mark.parametrize(
    "source",
    [
        "[Try it](javascript:alert(1))",
        '<a href="javascript:alert(1)">Try it</a>',
        '<a href="JaVaScRiPt:alert(1)">Try it</a>',
    ],
)
def test_javascript_links_lose_their_href(source: str) -> None:
    html = render_markdown(source)
    assert "javascript:" not in html.lower()
    assert "Try it" in html


def test_style_attributes_are_removed() -> None:
    html = render_markdown('<p style="position:fixed;top:0">Overlay</p>')
    assert "style=" not in html
    assert "position:fixed" not in html
    assert "Overlay" in html


def test_ordinary_links_are_kept_and_made_safe() -> None:
    html = render_markdown("[Try it](/demo?text=the+cat+sat&cell=gru&temperature=0.8)")
    assert 'href="/demo?text=the+cat+sat&amp;cell=gru&amp;temperature=0.8"' in html
    assert 'rel="noopener noreferrer"' in html


# --- code and tables ------------------------------------------------------------------------------


def test_fenced_python_is_highlighted() -> None:
    html = render_markdown("```python\ndef step(h, x):\n    return h + x\n```")
    match = re.search(r'<div class="highlight">(.*)</div>', html, re.DOTALL)
    assert match is not None, html
    assert '<span class="k">def</span>' in match.group(1)
    assert "<span class=" in match.group(1)


def test_a_fence_without_a_language_is_not_guessed_but_still_a_code_block() -> None:
    html = render_markdown("```\nh = step(h, x)\n```")
    assert "<pre>" in html
    assert "<code>" in html
    assert "h = step(h, x)" in html


def test_pipe_tables_become_tables() -> None:
    html = render_markdown("| cell | gates |\n| --- | --- |\n| LSTM | 3 |\n| GRU | 2 |")
    assert html.startswith("<table>")
    assert "<th>cell</th>" in html
    assert "<td>LSTM</td>\n<td>3</td>" in html
    assert html.count("<tr>") == 3


def test_column_alignment_of_a_table_survives_sanitising_without_a_style_attribute() -> None:
    html = render_markdown("| cell | gates |\n| :-: | ---: |\n| LSTM | 3 |")
    assert '<td align="right">3</td>' in html and '<th align="center">cell</th>' in html
    assert "style=" not in html  # pages forbid inline styles (Content-Security-Policy)
    assert "style=" not in render_markdown('<table><tr><td style="text-align: right">1</td></tr></table>')


# --- images from other sites ----------------------------------------------------------------------


def test_images_from_other_sites_become_links_named_by_their_alt_text() -> None:
    html = remote_images_as_links(render_markdown("![the loop](https://img.example.org/a.png?x=1&y=2)"))
    assert html == (
        '<p><a href="https://img.example.org/a.png?x=1&amp;y=2" class="remote-image" '
        'rel="noopener noreferrer">the loop (image at img.example.org)</a></p>'
    )


@pytest.mark.parametrize(
    "source",
    [
        "![x](http://img.example.org/a.png)",
        '<img src="//img.example.org/a.png" alt="x">',
        '<img src="/\\img.example.org/a.png" alt="x">',
        '<img alt="x" src=" https://img.example.org/a.png ">',
        '<img src="HTTPS://IMG.EXAMPLE.ORG/A.PNG" title="t" alt="x" width="20">',
    ],
)
def test_every_spelling_of_a_remote_address_is_caught(source: str) -> None:
    html = remote_images_as_links(render_markdown(source))
    assert "<img" not in html and 'class="remote-image"' in html, html


def test_own_images_stay_and_https_ones_may() -> None:
    own = render_markdown("![ours](/static/favicon.svg) ![relative](diagram.png)")
    assert remote_images_as_links(own) == own
    remote = render_markdown("![a](https://img.example.org/a.png) ![b](http://img.example.org/b.png)")
    kept = remote_images_as_links(remote, keep_https=True)
    assert '<img alt="a" src="https://img.example.org/a.png">' in kept
    assert "<img" in kept and 'href="http://img.example.org/b.png"' in kept


def test_alt_text_and_addresses_stay_text_in_the_link() -> None:
    hostile = render_markdown(
        '<img alt="&lt;script&gt;alert(1)&lt;/script&gt; &quot;q&quot;" src="https://e.org/&quot;x">'
    )
    html = remote_images_as_links(hostile)
    assert "<script" not in html and "&lt;script&gt;" in html
    assert 'href="https://e.org/&quot;x"' in html and html.count('"') == 6
    assert remote_images_as_links("no images here") == "no images here"


# --- math -----------------------------------------------------------------------------------------


def test_inline_math_becomes_inline_mathml() -> None:
    html = render_markdown(r"The update is $h_t = \tanh(x)$ at every step.")
    assert "<math" in html
    assert 'display="inline"' in html
    assert "<mi>tanh</mi>" in html
    assert "$" not in html
    assert html.startswith("<p>The update is ")
    assert html.endswith(" at every step.</p>")


def test_display_math_becomes_block_mathml() -> None:
    html = render_markdown("Before.\n\n$$\nh_t = W_{hh} h_{t-1} + W_{xh} x_t\n$$\n\nAfter.")
    assert re.search(r'<math[^>]*display="block"', html), html
    assert "<msub>" in html
    assert "$$" not in html


def test_dollars_inside_a_code_span_are_left_alone() -> None:
    html = render_markdown("Run `echo $HOME and $PATH$` first.")
    assert "<code>echo $HOME and $PATH$</code>" in html
    assert "<math" not in html


def test_dollars_inside_a_code_block_are_left_alone() -> None:
    html = render_markdown("```\ncost = $x$ + $$y$$\n```")
    assert "<math" not in html
    assert "$x$" in html
    assert "$$y$$" in html


def test_escaped_dollar_is_a_literal_dollar() -> None:
    html = render_markdown(r"A GPU hour costs \$5 here.")
    assert html == "<p>A GPU hour costs $5 here.</p>"


def test_prices_are_not_math() -> None:
    html = render_markdown("It costs $5 and $10 to train.")
    assert "<math" not in html
    assert html == "<p>It costs $5 and $10 to train.</p>"


def test_script_inside_math_text_does_not_become_a_script_element() -> None:
    html = render_markdown(r"$\text{<script>alert(1)</script>}$")
    assert "<script" not in html.lower()
    assert "<math" in html


def test_broken_latex_shows_its_source_instead_of_failing() -> None:
    html = render_markdown(r"See $\frac{1}{$ here.")
    assert '<code class="math-error">\\frac{1}{</code>' in html
    assert "<math" not in html
    assert html.endswith(" here.</p>")


def test_render_inline_drops_the_wrapping_paragraph() -> None:
    assert render_inline("A *short* answer") == "A <em>short</em> answer"
    assert render_inline("One.\n\nTwo.") == "<p>One.</p>\n<p>Two.</p>"


def test_text_that_looks_like_a_math_placeholder_renders() -> None:
    html = render_markdown("The token UNROLLMATH0X is just text.")
    assert html == "<p>The token UNROLLMATH0X is just text.</p>"


def test_code_span_that_looks_like_a_placeholder_keeps_its_text() -> None:
    html = render_markdown("Inline $a$ and `UNROLLMATH0X` in code.")
    assert "<code>UNROLLMATH0X</code>" in html
