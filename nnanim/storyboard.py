"""`nnanim storyboard`: a scene's frame at every stop, and its last frame, on one sheet (PNG or PDF).

Teachers preview a scene with it and hand it out; reviewers look at a scene without playing it. The
scene is rendered as for `nnanim render` (into a temporary folder), then the frames at the stops are
read back from the video with PyAV and laid out with Pillow, each labelled with its time.
"""

import math
import tempfile
from dataclasses import replace
from pathlib import Path

from nnanim import sidecar, tools
from nnanim.engine.atomic import atomic_path
from nnanim.render import RenderError, render
from nnanim.scenes.theme import THEMES

COLUMNS = 3
GAP = 24  # pixels between frames


def storyboard(request, output):
    """Render `request` and write its storyboard to `output` (.png or .pdf); returns the number of frames."""
    kind = output.suffix.lower()
    if kind not in (".png", ".pdf"):
        raise RenderError("a storyboard is a .png or .pdf file")
    with tempfile.TemporaryDirectory(prefix="nnanim-storyboard-") as work:
        movie = render(replace(request, out_dir=Path(work), fmt="mp4", transparent=False))
        stops = _stops(movie)
        frames = frames_at(movie, stops)
    theme = THEMES[request.theme]
    sheet = _sheet(frames, [label for label, _ in stops], theme, f"{request.scene}"
                   + (f" · {request.trace.name}" if request.trace else ""))
    with atomic_path(output) as tmp:
        if kind == ".pdf":
            sheet.save(tmp, "PDF", resolution=150)
        else:
            sheet.save(tmp, "PNG")
    return len(frames)


def _stops(movie):
    times = sidecar.read(movie).stops
    labelled = [(f"stop {k + 1} · {_clock(t)}", t) for k, t in enumerate(times)]
    return labelled + [(f"end · {_clock(math.inf)}", math.inf)]


def _clock(t):
    return "last frame" if math.isinf(t) else f"{int(t // 60)}:{t % 60:04.1f}"


def frames_at(movie, stops):
    """The frame on screen when each stop is reached: the last one before its time (a frame stamped with
    the stop's own time is the first of what comes next); the last frame for inf."""
    import av

    times = [t for _, t in stops]
    chosen = [None] * len(times)
    with av.open(str(movie)) as container:
        stream = container.streams.video[0]
        for frame in container.decode(stream):
            at = float(frame.pts * stream.time_base)
            image = None
            for k, t in enumerate(times):
                if at < t - 1e-3 or math.isinf(t) or (chosen[k] is None and at <= 1e-3):
                    image = image or frame.to_image()
                    chosen[k] = image
    first = next(img for img in chosen if img is not None)
    return [img or first for img in chosen]


def _sheet(frames, labels, theme, title):
    from PIL import Image, ImageDraw

    w, h = frames[0].size
    columns = min(COLUMNS, len(frames))
    rows = math.ceil(len(frames) / columns)
    label_h = max(18, h // 9)
    font, title_font = _font(int(label_h * 0.75)), _font(int(label_h * 0.95))
    top = label_h + GAP
    sheet = Image.new("RGB", (columns * w + (columns + 1) * GAP, top + rows * (h + label_h + GAP) + GAP),
                      theme.background)
    draw = ImageDraw.Draw(sheet)
    draw.text((GAP, GAP // 2), title, fill=theme.text, font=title_font)
    for k, (frame, label) in enumerate(zip(frames, labels)):
        x = GAP + (k % columns) * (w + GAP)
        y = top + (k // columns) * (h + label_h + GAP)
        sheet.paste(frame.convert("RGB"), (x, y))
        draw.rectangle((x - 1, y - 1, x + w, y + h), outline=theme.rule)
        draw.text((x, y + h + label_h // 6), label, fill=theme.muted, font=font)
    return sheet


def _font(size):
    from PIL import ImageFont

    try:
        path = tools.run(["fc-match", "-f", "%{file}", "DejaVu Sans"], "finding a font", 10).decode().strip()
        return ImageFont.truetype(path, size)
    except (OSError, tools.ToolError):
        return ImageFont.load_default(size=size)
