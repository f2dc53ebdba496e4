"""`nnanim deck build` (issue 15, first part): a teacher's markdown deck with ```nnanim blocks rendered and
put in place, every other line as written; a failing block is one line naming the deck's line."""

import html
import re
import shutil
import textwrap
from pathlib import Path
from urllib.parse import unquote

import pytest
from click.testing import CliRunner

from browser import browser, console_errors, needs_browser, press, wait_for
from nnanim.cli import main

DECK = textwrap.dedent('''\
    ---
    title: My talk
    ---

    # A network is a function

    > [!question] What does it compute?
    > Look at $f(x) = \\tanh(wx + b)$.

    ```nnanim
    formula run.nntrace --values
    ```

    ---

    ## Derivatives

    ```python
    print("a code block, not a scene")
    ```

    ```nnanim
    derivative   # the workshop's example
    ```
    ''')
TINY = ["--size", "160x90", "--fps", "5"]


@pytest.fixture
def talk(tmp_path, run_trace):
    shutil.copy(run_trace, tmp_path / "run.nntrace")  # 3 steps of the workshop's network
    (tmp_path / "talk.md").write_text(DECK)
    return tmp_path / "talk.md"


def build(deck, *more):
    return CliRunner().invoke(main, ["deck", "build", str(deck), *TINY, "-o", str(deck.parent / "out"), *more])


def assert_one_error_line(result, message):
    """A failed build: exit status 1, no traceback, and exactly one `Error:` line, starting with `message`."""
    errors = [line for line in result.output.splitlines() if line.startswith("Error")]
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    assert len(errors) == 1 and errors[0].startswith(f"Error: {message}"), result.output


def test_blocks_become_their_animations_and_every_other_line_stays(talk):
    result = build(talk)
    assert result.exit_code == 0, result.output
    written = (talk.parent / "out" / "talk.md").read_text()
    original = DECK.splitlines()
    block_lines = {9, 10, 11, 21, 22, 23}  # the two ```nnanim blocks, fences included (0-based)
    kept = [line for k, line in enumerate(original) if k not in block_lines]
    lines = written.splitlines()
    assert all(line in lines for line in kept) and written.startswith(DECK[:DECK.index("```nnanim")])
    last, note = written.rsplit("</video>", 1)
    assert "/derivative.step-" in last.rsplit("<video", 1)[1] and note.startswith("\n\nnote: ") and "\n---" not in note, \
        "the last block's animation ends the deck, with its note"
    embeds = clips_in(written)
    assert embeds and all((talk.parent / "out" / e).is_file() for e in embeds)
    assert sum("formula-run.step-" in e for e in embeds) >= 2, "a stepped scene is a slide per step"
    assert written.count("\nnote: ") == len(embeds), "each step's copy of its slide has the step's note"
    assert "print(\"a code block, not a scene\")" in written
    again = build(talk)
    assert again.exit_code == 0 and again.output.count("up to date") == 2, "nothing rendered twice"


@pytest.mark.parametrize("block, message", [
    ("nope", "talk.md:10: 'nope' is not a scene"),
    ("formula --no-such-option", "talk.md:10: No such option '--no-such-option'"),
    ("formula missing.nntrace", "talk.md:10: "),
    ("boundary run.nntrace", "talk.md:10: boundary needs a network with 2 inputs"),
])
def test_a_failing_block_names_its_line_and_writes_no_deck(talk, block, message):
    talk.write_text(DECK.replace("formula run.nntrace --values", block))
    result = build(talk)
    assert_one_error_line(result, message)
    assert not (talk.parent / "out" / "talk.md").exists()


def test_a_block_may_ask_for_a_gif(talk):
    talk.write_text(DECK.replace("formula run.nntrace --values", "loss run.nntrace --format gif"))
    result = build(talk)
    assert result.exit_code == 0, result.output
    written = (talk.parent / "out" / "talk.md").read_text()
    gif = next(line for line in written.splitlines() if ".gif" in line)
    assert gif.startswith("![[media/loss-") and gif.endswith("/loss-run.gif|1280]]")


# ----- the workshop's own deck (examples/workshop-deck: its slides, every picture an nnanim block or a picture
# the repository carries: the biological neuron beside the deck, draw.py's pictures made by nnanim draw in attachments/)

EXAMPLE = Path(__file__).parent.parent / "examples" / "workshop-deck" / "slides.md"
SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20"><rect width="40" height="20" fill="red"/></svg>'
BLOCKS = 20  # the workshop's pictures made by nnanim's scenes (14 different ones: a block written twice renders once)


@pytest.fixture(scope="module")
def workshop(made_once):
    """The workshop's deck built once per test run (conftest's made_once): (its folder, what the build said)."""
    def make(folder):
        deck = folder / "workshop-deck" / "slides.md"
        shutil.copytree(EXAMPLE.parent, deck.parent)
        result = CliRunner().invoke(main, ["deck", "build", str(deck), *TINY, "-j", "2"])
        assert result.exit_code == 0, result.output
        return str(deck.parent / "build"), result.output

    out, output = made_once("workshop-deck", make)
    return Path(out), output


def embeds_in(text):
    return re.findall(r"!\[\[([^|\]]+)", text)


def clips_in(text):
    """The step clips an Obsidian copy embeds (as <video>s Advanced Slides plays once)."""
    return re.findall(r'<video data-autoplay muted playsinline preload="auto" width="1280">'
                      r'<source src="([^"]+)" type="video/mp4"></video>', text)


def test_the_workshop_deck_is_built_complete_every_picture_found_nothing_online(workshop):
    out, output = workshop
    source = EXAMPLE.read_text()
    assert source.count("```nnanim") == BLOCKS
    assert not [line for line in output.splitlines() if line.startswith("warning: ")], output
    assert "http" not in "".join(re.findall(r"!\[[^\]]*\]\(([^)]*)\)", source)), "no picture from the network"
    rendered = {p.parent for p in (out / "media").rglob("*.mp4")}
    assert len(rendered) == len({line for line in re.findall(r"^(?:> )?```nnanim\n(?:> )?(.*)$", source, re.M)}) == 14
    assert (out / "slides.md").is_file() and (out / "slides.html").is_file()


def test_the_obsidian_copy_keeps_every_other_line_byte_for_byte(workshop):
    out, _ = workshop
    source = EXAMPLE.read_bytes().splitlines(keepends=True)
    written = (out / "slides.md").read_bytes().splitlines(keepends=True)
    fence = re.compile(rb"^(> )?```")
    block_lines, inside = set(), False
    for k, line in enumerate(source):
        if fence.match(line) and (inside or line.rstrip().endswith(b"nnanim")):
            block_lines.add(k)
            inside = not inside
        elif inside:
            block_lines.add(k)
    kept = [line for k, line in enumerate(source) if k not in block_lines]
    lines = iter(written)
    assert all(any(line == other for other in lines) for line in kept), "every other line, in order, as written"
    first = min(block_lines)
    assert written[:first] == source[:first], "up to the first block's slide the deck is the same bytes"
    embeds = [line.decode() for line in written if b'<source src="media/' in line]
    assert any(line.startswith("> <video") and 'src="media/formula-' in line for line in embeds), \
        "a block in a callout stays in it"
    assert all((out / clip).is_file() for clip in clips_in("".join(embeds)))


def test_the_page_has_every_slide_callout_code_block_picture_and_scene(workshop):
    out, _ = workshop
    source, page = EXAMPLE.read_text(), (out / "slides.html").read_text()
    sections = re.findall(r'<section class="nnanim-(\w+)"', page)
    assert len(sections) == source.count("\n---\n") + 1 == 119
    kinds = re.findall(r"^>? ?> ?\[!(\w+)\]", source, re.M)
    assert sorted(re.findall(r'data-callout="(\w+)"', page)) == sorted(k.lower() for k in kinds) and len(kinds) == 76
    assert page.count('<code class="language-python">') == len(re.findall(r"^(> )*```python", source, re.M))
    assert '<span class="k">def</span>' in page and "[!question]" not in page
    assert page.count('class="nnanim-stage') == BLOCKS and sections.count("scene") + sections.count("mixed") >= 5
    assert 'src="pictures/biological-neuron.svg" width="700"' in page
    assert 'src="pictures/out2.svg" width="500"' in page and (out / "pictures" / "out1.svg").is_file()
    assert 'class="nnanim-missing"' not in page
    local = re.findall(r'(?:src|href|data-src)="([^"#:]+)"', page)
    assert local and all((out / unquote(html.unescape(link))).is_file() for link in local), "every file the page names"


@needs_browser
def test_the_page_presents_offline_with_math_typeset_and_every_slide_fitting(workshop, tmp_path):
    out, _ = workshop
    with browser(out, "http", tmp_path, page="slides.html") as driver:
        assert driver.execute_script("return Reveal.getTotalSlides()") == 119
        wait_for(driver, "return document.fonts.status === 'loaded'")
        math = driver.execute_script(
            "const m = [...document.querySelectorAll('.reveal .math')];"
            "return [m.length, m.filter(e => e.querySelector('.katex')).length,"
            " document.querySelectorAll('.katex-error').length, document.querySelector('.slides').textContent.includes('$$')]")
        assert math[0] > 20 and math[0] == math[1] and math[2:] == [0, False], math
        overflowing = driver.execute_script("""
            const area = () => document.querySelector('.reveal .slides').getBoundingClientRect();
            const bad = [];
            Reveal.getHorizontalSlides().forEach((s, k) => {
              Reveal.slide(k, 0, 0);
              const box = (s.querySelector('.nnanim-fit, .nnanim-column') || s).getBoundingClientRect(), a = area();
              if (box.top < a.top - 2 || box.bottom > a.bottom + 2 || box.left < a.left - 2 || box.right > a.right + 2)
                bad.push([k, box.toJSON(), a.toJSON()]);
            });
            return bad;""")
        assert overflowing == [], "every slide's content is inside the slide"
        from nnanim.scenes.theme import DARK, LARGE_TYPE

        inline = driver.execute_script("""
            const shown = [];
            Reveal.getHorizontalSlides().forEach((s, k) => {
              Reveal.slide(k, 0, 0);
              s.querySelectorAll('.nnanim-inline').forEach(stage => shown.push([k,
                (v => v.getAttribute('data-src') || v.getAttribute('src'))(stage.querySelector('video, img')).split('/').at(-2),
                stage.offsetHeight * parseFloat(stage.closest('.nnanim-fit').style.zoom || 1)]));
            });
            return shown;""")
        formulas = [(k, height * LARGE_TYPE * DARK.formula_em) for k, media, height in inline if "formula" in media]
        assert len(formulas) == 6 and all(em >= 24 for _, em in formulas), \
            f"a formula in a callout is typed with an em of 24 px or more on the 1280x720 slide: {formulas}"
        origin = driver.execute_script("return location.origin")
        resources = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
        assert resources and all(r.startswith(origin) for r in resources), "no request leaves the page's folder"
        backprop = driver.execute_script(
            "return Reveal.getHorizontalSlides().findIndex(s => s.querySelector('.nnanim-stage video[data-src*=backprop]'))")
        driver.execute_script(f"Reveal.slide({backprop}, 0, -1)")
        wait_for(driver, "const v = Reveal.getCurrentSlide().querySelector('.nnanim-step video');"
                         "return v.readyState >= 2 && (v.paused || v.ended)")  # the first step played, or held
        press(driver, " ")  # the scene's next step, on the same slide
        wait_for(driver, f"return Reveal.getIndices().h === {backprop} && Reveal.getIndices().f === 0")
        assert not console_errors(driver)


def test_front_matter_sets_the_decks_trace_and_theme_and_options_win(talk):
    talk.write_text(DECK.replace("title: My talk", "title: My talk\nnnanim: {trace: run.nntrace, theme: light}")
                    .replace("formula run.nntrace --values", "formula --values"))
    result = build(talk)
    assert result.exit_code == 0, result.output
    written = (talk.parent / "out" / "talk.md").read_text()
    assert '/formula-run.step-01.mp4" type' in written, "a block without TRACE replays the front matter's"
    assert '/derivative.step-01.mp4" type' in written, "a scene that reads no trace is given none"
    page = (talk.parent / "out" / "talk.html").read_text()
    from nnanim.scenes.theme import THEMES

    assert f"--r-background-color: {THEMES['light'].background}" in page and "<title>My talk</title>" in page
    assert build(talk, "--theme", "dark").exit_code == 0
    assert f"--r-background-color: {THEMES['dark'].background}" in (talk.parent / "out" / "talk.html").read_text()


@pytest.mark.parametrize("matter, message", [
    ("nnanim: {colour: red}", "talk.md: the front matter's nnanim: takes trace, quality, theme"),
    ("nnanim: {quality: x}", "talk.md: the front matter's nnanim: quality is 'x', not one of"),
    ("nnanim: {trace: nope.nntrace}", "talk.md: the front matter's nnanim: trace nope.nntrace is not a file"),
    ("title: [unclosed", "talk.md:2: the front matter is not YAML"),
])
def test_bad_front_matter_is_one_line_and_writes_nothing(talk, matter, message):
    talk.write_text(DECK.replace("title: My talk", matter))
    result = build(talk)
    assert_one_error_line(result, message)
    assert not (talk.parent / "out" / "talk.md").exists() and not (talk.parent / "out" / "talk.html").exists()


# ----- edge cases of reading a deck and writing its copies (no rendering)

def fake_scenes(note, steps):
    """Each block of `note` as a scene of `steps` steps whose clips are media/s<line>-<k>.mp4, their notes
    "s<line> step <k>"."""
    from types import SimpleNamespace

    from nnanim.own_deck import find_blocks

    blocks = find_blocks(note)
    return blocks, {b.start: SimpleNamespace(steps=[SimpleNamespace(clip=Path(f"/out/media/s{b.start}-{k}.mp4"),
                                                                    note=f"s{b.start} step {k}")
                                                    for k in range(steps)]) for b in blocks}


def copy_of(tmp_path, text, steps=2, encoding="utf-8"):
    from nnanim.obsidian import read_note
    from nnanim.own_deck import obsidian_copy

    (tmp_path / "d.md").write_bytes(text.encode(encoding))
    note = read_note(tmp_path / "d.md")
    blocks, scenes = fake_scenes(note, steps)
    return obsidian_copy(note, blocks, scenes, Path("/out")), note


def slides_in(text):
    from nnanim.deck_page import split_slides
    from nnanim.obsidian import markdown, source_lines

    return split_slides(markdown().parse(text), [line.rstrip("\r\n") for line in source_lines(text)])


def test_a_slide_is_written_once_per_step_and_a_separator_right_under_a_block_stays_one(tmp_path):
    text = "# A\n```nnanim\nneuron\n```\n---\n# B\ntext\n"
    copy, _ = copy_of(tmp_path, text, steps=3)
    assert len(slides_in(copy)) == len(slides_in(text)) + 2, copy
    assert copy.count("# A\n") == 3 and copy.count('src="media/s1-') == 3 and copy.endswith("---\n# B\ntext\n")
    assert [s.split("note: ")[1].strip() for s in copy.split("---\n")[:3]] == [f"s1 step {k}" for k in range(3)]


def test_the_steps_notes_join_a_slides_own_notes(tmp_path):
    """Advanced Slides takes a slide's notes from its one `note:` on: nnanim's note is added to the teacher's."""
    copy, _ = copy_of(tmp_path, "# A\n```nnanim\nneuron\n```\nnote: ask who has seen a neuron\n\n---\n# B\n")
    first, second, third = copy.split("\n---\n")
    assert first.count("note:") == second.count("note:") == 1 and third == "# B\n"
    assert first.endswith("note: ask who has seen a neuron\n\ns1 step 0\n") and second.endswith("s1 step 1\n")


def test_crlf_decks_stay_crlf_and_unusual_line_breaks_do_not_shift_lines(tmp_path):
    copy, _ = copy_of(tmp_path, "# A\r\n\r\n```nnanim\r\nneuron\r\n```\r\n\r\n---\r\n\r\n# B\r\n")
    assert "\n" not in copy.replace("\r\n", "") and copy.count('src="media/s2-') == 2
    copy, note = copy_of(tmp_path, "x\u2028y \f z\n\n```nnanim\nneuron\n```\n")
    assert [b.start for b in fake_scenes(note, 1)[0]] == [2] and "x\u2028y \f z\n" in copy


def test_a_formula_inside_text_is_rendered_with_large_type_and_the_same_at_the_top_is_not(tmp_path):
    from nnanim.obsidian import read_note
    from nnanim.own_deck import plan

    (tmp_path / "d.md").write_text("# A\n\n```nnanim\nformula\n```\n\n> [!tip] B\n> ```nnanim\n> formula\n> ```\n\n"
                                   "- C\n\n  ```nnanim\n  loss-formula --values\n  ```\n\n> ```nnanim\n> neuron\n> ```\n")
    blocks = plan(read_note(tmp_path / "d.md"), tmp_path / "out", "l", "dark")
    large = [b.job.request.scene_options.get("large_type", False) for b in blocks]
    assert large == [False, True, True, False], "a formula in a callout or a list; a neuron reads no such option"
    assert blocks[0].job.request.out_dir != blocks[1].job.request.out_dir, "two different renders"


def test_a_block_in_a_callout_keeps_its_prefix_and_a_bom_is_kept(tmp_path):
    copy, note = copy_of(tmp_path, "\ufeff---\nnnanim: {theme: light}\n---\n> [!tip] Look\n> ```nnanim\n> neuron\n> ```\n")
    assert '> <video data-autoplay muted playsinline preload="auto" width="1280"><source src="media/s4-0.mp4" ' \
           'type="video/mp4"></video>\n' in copy and copy.startswith("---\nnnanim:")
    assert note.bom and "theme: light" in note.front_matter()


@pytest.mark.parametrize("matter, message", [
    ("nnanim: {quality: [1]}", "the front matter's nnanim: quality is [1], not one of l, m, h, k"),
    ("nnanim: {theme: {a: 1}}", "the front matter's nnanim: theme is {'a': 1}, not one of dark, light"),
    ("nnanim: {trace: [1, 2]}", "the front matter's nnanim: trace is [1, 2], not a path from the deck's folder"),
    ("nnanim: 3", "the front matter's nnanim: takes trace, quality, theme"),
])
def test_front_matter_of_the_wrong_type_is_one_line(tmp_path, matter, message):
    from nnanim.obsidian import read_note
    from nnanim.own_deck import DeckError, front_matter

    (tmp_path / "d.md").write_text(f"---\n{matter}\n---\n# A\n")
    with pytest.raises(DeckError, match=re.escape(message)):
        front_matter(read_note(tmp_path / "d.md"))
    (tmp_path / "d.md").write_text("---\ntitle: null\nnnanim: {trace: null, theme: light}\n---\n# A\n")
    assert front_matter(read_note(tmp_path / "d.md"))[1] == {"theme": "light"}


@pytest.mark.parametrize("content, out, message", [
    (b"# caf\xe9\n", "out", "d.md is not UTF-8 text (byte 5)"),
    (b"---\ntitle: x\n---\n", "out", "d.md has no slides"),
    (b"# A\n", ".", "the output folder is d.md's own folder: the deck would be overwritten"),
])
def test_a_deck_that_cannot_be_built_is_one_line(tmp_path, content, out, message):
    (tmp_path / "d.md").write_bytes(content)
    result = CliRunner().invoke(main, ["deck", "build", str(tmp_path / "d.md"), "-o", str(tmp_path / out)])
    assert_one_error_line(result, message)
    assert result.output.startswith("Error: ")
    assert (tmp_path / "d.md").read_bytes() == content


def test_pictures_are_found_in_the_vault_and_never_copied_from_outside_it(tmp_path):
    vault = tmp_path / "vault"
    (vault / ".obsidian").mkdir(parents=True)
    (vault / "attachments").mkdir()
    (vault / "attachments" / "kept.svg").write_text(SVG)
    (tmp_path / "secret.png").write_bytes(b"not for the page")
    (vault / "decks").mkdir()
    deck = vault / "decks" / "d.md"
    deck.write_text("# A\n\n![[kept.svg|300]] ![[../../secret.png]] ![](/etc/hostname.png) ![[note]] ![[gone.png]]\n")
    result = CliRunner().invoke(main, ["deck", "build", str(deck)])
    assert result.exit_code == 0, result.output
    page = (vault / "decks" / "build" / "d.html").read_text()
    assert 'src="pictures/kept.svg" width="300"' in page and (vault / "decks" / "build" / "pictures" / "kept.svg").is_file()
    assert not (vault / "decks" / "build" / "pictures" / "secret.png").exists() and "not for the page" not in page
    assert "1 picture outside the deck's folder" in result.output and "../../secret.png" in result.output
    assert "2 pictures not found" in result.output and "gone.png" in result.output and "/etc/hostname.png" in result.output
    assert "1 picture not pictures" in result.output
