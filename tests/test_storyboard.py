"""`nnanim storyboard`: the frames at a scene's stops on one sheet, as PNG or PDF."""

import json

from click.testing import CliRunner
from PIL import Image

from nnanim.cli import main
from nnanim.storyboard import COLUMNS, GAP


def test_a_storyboard_has_a_frame_per_stop_and_the_last(deck_renders, tmp_path):
    runner = CliRunner()
    stops = json.loads((deck_renders.folder / "backprop.mp4.json").read_text())["stops"]  # rendered 160x90
    result = runner.invoke(main, ["storyboard", "backprop", "--size", "160x90", "-o", str(tmp_path / "sb.png")])
    assert result.exit_code == 0, result.output
    assert f"({len(stops) + 1} frames)" in result.output
    sheet = Image.open(tmp_path / "sb.png")
    columns = min(COLUMNS, len(stops) + 1)
    assert sheet.width == columns * 160 + (columns + 1) * GAP
    rows = -(-(len(stops) + 1) // columns)
    assert sheet.height > rows * 90

    def panel(k, label_h=18):
        x, y = GAP + (k % columns) * (160 + GAP), label_h + GAP + (k // columns) * (90 + label_h + GAP)
        return sheet.crop((x, y, x + 160, y + 90)).convert("RGB")

    first, last = panel(0), panel(len(stops))
    assert len(first.getcolors(10_000)) > 10, "a frame, not an empty panel"
    assert first.tobytes() != last.tobytes(), "each stop shows its own frame"


def test_a_pdf_storyboard_and_bad_requests(tmp_path):
    runner = CliRunner()
    result = runner.invoke(main, ["storyboard", "derivative", "--size", "160x90", "-o", str(tmp_path / "d.pdf")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "d.pdf").read_bytes().startswith(b"%PDF")
    bad = runner.invoke(main, ["storyboard", "derivative", "-o", str(tmp_path / "d.gif")])
    assert bad.exit_code != 0 and ".png or .pdf" in bad.output
    bad = runner.invoke(main, ["storyboard", "mlp", "--log", "-o", str(tmp_path / "m.png")])
    assert bad.exit_code != 0 and "mlp does not read --log" in bad.output
