"""Obsidian's markdown as nnanim reads it (nnanim/obsidian.py): callouts, embeds, wikilinks, math, code."""

import re

from nnanim.obsidian import markdown, size_hint


def render(text, pictures=None):
    env = {"picture": lambda target, width, height, alt: pictures.append((target, width, height, alt)) or "<PIC>"} \
        if pictures is not None else {}
    return markdown().render(text, env)


def test_a_callout_is_a_box_of_its_kind_with_its_title_and_body():
    out = render("> [!tip] Insight\n> What if weights were *not* random?\n")
    assert out.startswith('<div class="callout callout-tip" data-callout="tip">')
    assert '<div class="callout-title">Insight</div>' in out
    assert '<div class="callout-content">\n<p>What if weights were <em>not</em> random?</p>' in out
    assert "[!tip]" not in out and "<blockquote>" not in out


def test_a_callout_without_title_is_titled_by_its_kind_and_other_names_share_a_kind():
    out = render("> [!faq]\n> Why?\n")
    assert '<div class="callout-title">Faq</div>' in out and 'class="callout callout-question"' in out
    assert 'class="callout callout-note" data-callout="whatever"' in render("> [!whatever] x\n> y\n")


def test_folding_markers_make_a_details_element_closed_or_open():
    folded, opened = render("> [!success]- Answer\n> Just a function.\n"), render("> [!success]+ Answer\n> Yes.\n")
    assert folded.startswith("<details ") and " open" not in folded.split(">")[0]
    assert '<summary class="callout-title">Answer</summary>' in folded and folded.rstrip().endswith("</details>")
    assert opened.split(">")[0].endswith('open=""')


def test_a_callout_holds_code_math_and_lists_and_a_plain_quote_stays_a_quote():
    out = render("> [!example]\n> $$f(x) = 3x^2$$\n>\n> ```python\n> def f(x):\n>     return 3\n> ```\n>\n> 1. one\n")
    assert '<span class="math display">f(x) = 3x^2</span>' in out
    assert '<span class="k">def</span>' in out and "<ol>" in out
    assert render("> just a quote\n").startswith("<blockquote>")
    underlined = render("> [!note] T\n> body\n> ---\n")  # markdown-it reads a setext heading here
    assert '<div class="callout-title">T</div>' in underlined and "<h2>body</h2>" in underlined


def test_embeds_and_images_go_to_the_pictures_function_with_their_size_hints():
    seen = []
    render("![[a b.png|700]] ![[x.svg]] ![[y.png|640x360]] ![[z.png|a caption]] ![alt|300](pics/c%20d.png)\n", seen)
    assert seen == [("a b.png", 700, None, ""), ("x.svg", None, None, ""), ("y.png", 640, 360, ""),
                    ("z.png", None, None, "a caption"), ("pics/c d.png", 300, None, "alt")]
    assert size_hint(" 800 ") == (800, None, "")


def test_wikilinks_show_their_text_and_nothing_is_looked_up_without_a_pictures_function():
    assert '<span class="wikilink">shown</span>' in render("see [[Some note|shown]] and [[folder/Other#part]]")
    assert '<span class="wikilink">Other</span>' in render("[[folder/Other#part]]")
    assert '<span class="embed">a.png</span>' in render("![[a.png]]")


def test_math_is_left_for_katex_and_dollars_of_money_stay_text():
    out = render("$$\n\\text{loss} = \\sum_i (p_i - gt_i)^2\n$$\n\nIt costs $5 and $6, and $a_i$ is math.\n")
    assert '<div class="math display">\\text{loss} = \\sum_i (p_i - gt_i)^2</div>' in out
    assert "$5 and $6" in out and '<span class="math inline">a_i</span>' in out


def test_code_is_highlighted_and_an_unknown_language_escaped():
    python = render("```python\nimport numpy as np\n```\n")
    assert re.search(r'<code class="language-python"><span class="kn">import</span>', python)
    assert '<code class="language-nope">&lt;b&gt;\n</code>' in render("```nope\n<b>\n```\n")


def test_front_matter_is_not_shown_and_the_teachers_own_html_is_kept():
    assert render("---\ntitle: Mine\n---\n\n# Hello\n").strip() == "<h1>Hello</h1>"
    assert "<sub>2</sub>" in render("H<sub>2</sub>O")  # as Obsidian does: the deck is the teacher's own
