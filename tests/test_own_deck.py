"""`nnanim deck build` (issue 15, first part): a teacher's markdown deck with ```nnanim blocks rendered and
put in place, every other line as written; a failing block is one line naming the deck's line."""

import textwrap

import pytest
from click.testing import CliRunner

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
def talk(tmp_path):
    assert CliRunner().invoke(main, ["trace", "--steps", "3", "-o", str(tmp_path / "run.nntrace")]).exit_code == 0
    (tmp_path / "talk.md").write_text(DECK)
    return tmp_path / "talk.md"


def build(deck, *more):
    return CliRunner().invoke(main, ["deck", "build", str(deck), *TINY, "-o", str(deck.parent / "out"), *more])


def test_blocks_become_their_animations_and_every_other_line_stays(talk):
    result = build(talk)
    assert result.exit_code == 0, result.output
    written = (talk.parent / "out" / "talk.md").read_text()
    original = DECK.splitlines()
    block_lines = {9, 10, 11, 21, 22, 23}  # the two ```nnanim blocks, fences included (0-based)
    kept = [line for k, line in enumerate(original) if k not in block_lines]
    lines = written.splitlines()
    assert all(line in lines for line in kept) and written.startswith(DECK[:DECK.index("```nnanim")])
    assert written.endswith("![[media/" + written.rsplit("![[media/", 1)[1]), "the last block's animation ends the deck"
    embeds = [line[3:].split("|")[0] for line in lines if line.startswith("![[media/")]
    assert embeds and all((talk.parent / "out" / e).is_file() for e in embeds)
    assert sum("formula-run.step-" in e for e in embeds) >= 2, "a stepped scene is a slide per step"
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
    assert result.exit_code == 1 and "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error")]
    assert len(errors) == 1 and errors[0].startswith(f"Error: {message}"), result.output
    assert not (talk.parent / "out" / "talk.md").exists()


def test_a_block_may_ask_for_a_gif(talk):
    talk.write_text(DECK.replace("formula run.nntrace --values", "loss run.nntrace --format gif"))
    result = build(talk)
    assert result.exit_code == 0, result.output
    written = (talk.parent / "out" / "talk.md").read_text()
    gif = next(line for line in written.splitlines() if ".gif" in line)
    assert gif.startswith("![[media/loss-") and gif.endswith("/loss-run.gif|1280]]")
