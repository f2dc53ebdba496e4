"""`nnanim slides --pdf`: a handout, one page per step: the step's last frame, its title and its notes.

The pages are an HTML page printed to PDF by headless Chromium (the browser the slides are tested in):
real text a student can select and search, typeset by the same engine as the slides. The frames are the
steps' last frames the slides hold (nnanim.segments.last_frame).
"""

import html
import shutil
import tempfile
from pathlib import Path

from nnanim import tools
from nnanim.assets import fill
from nnanim.engine.atomic import atomic_path
from nnanim.errors import NnanimError
from nnanim.speaker_notes import plain_html

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
TIMEOUT = 300  # seconds for Chromium to print


class HandoutError(NnanimError):
    """A handout that cannot be made; one line for the user."""


def browser():
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    raise HandoutError("the PDF handout is printed by Chromium, which is not installed: apt-get install "
                       "chromium (make test installs it), or leave out --pdf")


def handout(title, slides, target):
    """Write the handout of `slides` (nnanim.slides.Slide) to `target`; returns it."""
    chromium = browser()
    with tempfile.TemporaryDirectory(prefix="nnanim-handout-") as work:
        work = Path(work)
        pages = []
        for s, slide in enumerate(slides):
            for k, step in enumerate(slide.steps, start=1):
                image = work / f"{s:03d}-{k:03d}{step.still.suffix}"
                shutil.copy(step.still, image)
                where = f" <small>step {k} of {len(slide.steps)}</small>" if len(slide.steps) > 1 else ""
                notes = plain_html(step.note) + step.teacher
                pages.append(f'<section class="page"><h1>{html.escape(slide.render.title)}{where}</h1>'
                             f'<img src="{image.name}" alt=""><div class="notes">{notes}</div></section>')
        page = work / "handout.html"
        page.write_text(fill("handout.html", title=html.escape(title), pages="\n".join(pages)), encoding="utf-8")
        printed = work / "handout.pdf"
        command = [chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                   "--disable-background-networking", "--disable-component-update", "--disable-sync",
                   f"--user-data-dir={work / 'profile'}", "--no-pdf-header-footer",
                   f"--print-to-pdf={printed}", page.as_uri()]
        tools.run(command, "printing the handout", TIMEOUT)
        if not printed.is_file() or printed.stat().st_size == 0:
            raise HandoutError("Chromium printed no handout")
        with atomic_path(target) as tmp:
            shutil.move(printed, tmp)
    return target
