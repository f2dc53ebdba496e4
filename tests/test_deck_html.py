"""A teacher's own HTML in a deck (issue 22, "Safe to share"): what Obsidian would show stays, nothing in it
runs or loads from the network (nnanim/safe_html.py); and no teacher's text runs on `nnanim slides`' page."""

import http.server
import re
import subprocess
import threading
import time

import pytest
from click.testing import CliRunner

from browser import browser, needs_browser, press, wait_for
from nnanim import sidecar
from nnanim.cli import main
from nnanim.obsidian import markdown
from nnanim.safe_html import clean

RAN = "window.ran=1"
HOSTILE = [  # each would run RAN, or load from REMOTE, in a page that kept it
    f"<script>{RAN}</script>",
    f'<img class="hostile" src="x" onerror="{RAN}">',
    f'<a class="js" href="javascript:{RAN}">a link</a>',
    f'<a class="js" href=" JaVaScRiPt:{RAN}">another</a>',
    '<iframe src="REMOTE/frame.html"></iframe><iframe srcdoc="<script>parent.ran=1</script>"></iframe>',
    f'<form action="REMOTE/form"><input autofocus onfocus="{RAN}"><button formaction="javascript:{RAN}">go</button></form>',
    f'<details open ontoggle="{RAN}"><summary>toggled</summary>x</details>',
    f'<video poster="REMOTE/poster.png" src="REMOTE/clip.mp4"><source src="REMOTE/s.mp4" onerror="{RAN}"></video>',
    '<img src="REMOTE/pixel.png"><img src="//REMOTE_HOST/p.png"><audio src="REMOTE/a.mp3" autoplay></audio>',
    '<div style="background: url(REMOTE/bg.png); position: fixed; color: tomato">styled</div>',
    '<style>@import url("REMOTE/style.css"); body { display: none }</style><link rel="stylesheet" href="REMOTE/l.css">',
    '<base href="REMOTE/"><meta http-equiv="refresh" content="0; url=REMOTE/moved">',
    '<object data="REMOTE/o.swf"></object><embed src="REMOTE/e.swf">',
    f'<span class="fragment" data-notes="&lt;img src=x onerror={RAN}&gt;">reveal.js speaker notes</span>',
    '<img data-src="REMOTE/lazy.png"><video data-src="REMOTE/lazy.mp4"></video>',
    f'<noscript><p title="</noscript><img src=x onerror={RAN}>"></noscript>',
    f'<math><mtext><table><mglyph><style><img src=x onerror="{RAN}"></style></mglyph></table></mtext></math>',
    f'<svg><animate onbegin="{RAN}" attributeName="x"/><a href="javascript:{RAN}"><text>svg</text></a></svg>',
]
SAFE = ('<b>bold</b> H<sub>2</sub>O x<sup>2</sup> <mark>marked</mark> <kbd>Ctrl</kbd>\n\n'
        '<details><summary>Answer</summary>It is a function.</details>\n\n'
        '<table><tr><th>w</th><th>b</th></tr><tr><td>0.5</td><td style="text-align: right">-1</td></tr></table>\n\n'
        '<div class="x" style="color: tomato; text-align: center">a teacher\'s div</div>\n\n'
        '<img src="pic.png" width="40" alt="a picture"> <video src="clip%201.mp4" controls muted></video>\n\n'
        '<a href="https://example.org/">a link out</a> <aside class="notes">said, not shown</aside>\n')


# ----- the sanitiser

def kept(html):  # a bare file name is the deck's; a URL or a path is not
    return clean(html, local_media=lambda url: f"pictures/{url}" if "/" not in url else None)


@pytest.mark.parametrize("hostile", HOSTILE)
def test_nothing_that_runs_or_loads_is_kept(hostile):
    out = kept(hostile.replace("REMOTE_HOST", "example.org").replace("REMOTE", "https://example.org"))
    lowered = out.lower()
    assert "example.org" not in lowered and "javascript" not in lowered, out
    assert not re.search(r"<(script|style|iframe|form|input|button|object|embed|link|meta|base|svg|math|noscript)\b",
                         lowered), out
    assert not re.search(r"\s(on\w+|srcdoc|formaction|data-notes|data-src)=", lowered), out
    assert "position" not in lowered and "url(" not in lowered, out


def test_what_a_teacher_writes_for_a_class_stays():
    out = kept(SAFE)
    for tag in ("<b>bold</b>", "<sub>2</sub>", "<sup>2</sup>", "<mark>", "<kbd>", "<details><summary>Answer</summary>",
                '<td style="text-align:right">', '<div class="x" style="color:tomato;text-align:center">',
                '<img src="pictures/pic.png" width="40" alt="a picture">', '<aside class="notes">',
                '<a href="https://example.org/" rel="noopener noreferrer">'):
        assert tag in out, (tag, out)
    assert '<video src="pictures/clip%201.mp4" controls="" muted="">' in out, "media through local_media"
    assert clean('<img src="pic.png"><source src="a.mp3">') == '<img><source>', "no local_media: no media"


def test_a_failure_to_copy_a_picture_is_raised_not_passed_over():
    def full_disk(url):
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space left"):
        clean('<p><img src="pic.png"></p>', local_media=full_disk)


def test_nnanims_own_markup_survives_unchanged():
    deck = ("# A\n\n| a | b |\n|:--|--:|\n| 1 | 2 |\n\n> [!success]- Answer\n> $$f(x)$$ and $a<b$ ~~no~~  \n> [[Note|shown]]\n\n"
            "> [!tip]+ Open\n> text\n\n3. three\n\n```python\nx = \"<b>\" & 1\n```\n\n[l](https://a.b \"t\") [rel](other.md)\n")
    html = markdown().render(deck, {})
    assert "data-callout" in html and 'class="s2"' in html and "math inline" in html and 'style="text-align:right"' in html
    serialised = html.replace("<br />", "<br>").replace("&quot;", '"')  # as an HTML5 serialiser writes them
    assert clean(html) == re.sub(r'(<a href="[^"]*"(?: title="[^"]*")?)>', r'\1 rel="noopener noreferrer">', serialised)


# ----- the deck page

@pytest.fixture
def remote():
    """Another server, the network a page must never reach: what was asked of it."""
    asked = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            asked.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"127.0.0.1:{server.server_address[1]}", asked
    server.shutdown()


def hostile_deck(folder, host):
    from PIL import Image

    Image.new("RGB", (40, 20), "navy").save(folder / "pic.png")
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=s=64x36:r=10:d=1", "-pix_fmt", "yuv420p",
                    str(folder / "clip 1.mp4")], check=True)
    hostile = "\n\n".join(HOSTILE).replace("REMOTE_HOST", host).replace("REMOTE", f"http://{host}")
    deck = folder / "talk.md"
    deck.write_text(f"# Safe <img src=x onerror=\"{RAN}\"> H<sub>2</sub>O\n\n{SAFE}\n---\n\n"
                    f"> [!tip] <svg onload=\"{RAN}\"></svg> A title <b>in bold</b>\n> Body $\\href{{javascript:{RAN}}}{{x}}$\n\n"
                    f"---\n\n## Hostile <script>{RAN}</script>\n\n{hostile}\n\n![[pic.png|30]]\n")
    return deck


def test_the_page_keeps_what_a_slide_shows_and_names_what_it_left_out(tmp_path):
    deck = hostile_deck(tmp_path, "example.org")
    result = CliRunner().invoke(main, ["deck", "build", str(deck)])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "build" / "talk.html").read_text()
    slides = page[page.index('<div class="slides">'):page.rindex("</div></div>")]
    assert "example.org" not in slides.replace('href="https://example.org/"', "") and "onerror" not in slides
    assert "<script" not in slides and "javascript:" not in re.sub(r'<span class="math.*?</span>', "", slides).lower()
    assert 'data-title="Safe H2O"' in page and "<title>Safe H2O</title>" in page, "a title is its text"
    assert '<img src="pictures/pic.png" width="40" alt="a picture">' in slides and (tmp_path / "build/pictures/pic.png").is_file()
    assert '<video src="pictures/clip%201.mp4"' in slides and (tmp_path / "build/pictures/clip 1.mp4").is_file()
    assert 'class="nnanim-picture" src="pictures/pic.png" width="30"' in slides, "the deck's own embed, as before"
    assert re.search(r"pictures online, not loaded.*example\.org/clip\.mp4", result.output)
    assert "picture not pictures, not shown on the page: x" in result.output


def test_a_scene_or_picture_swallowed_by_an_unclosed_script_is_named(tmp_path):
    from PIL import Image

    Image.new("RGB", (4, 4)).save(tmp_path / "pic.png")
    (tmp_path / "d.md").write_text("# A\n\nText <script>lost\n\n![[pic.png]]\n\n---\n\n# B\n\n![[pic.png]]\n")
    result = CliRunner().invoke(main, ["deck", "build", str(tmp_path / "d.md")])
    assert result.exit_code == 0, result.output
    assert "warning: not shown, inside HTML of d.md that a page does not keep (an unclosed <script> or <style>?): " \
           "pic.png" in result.output
    assert (tmp_path / "build" / "d.html").read_text().count('class="nnanim-picture"') == 1, "the next slide's is"


@needs_browser
def test_in_chromium_nothing_runs_nothing_is_fetched_and_the_safe_html_shows(tmp_path, remote):
    host, asked = remote
    deck = hostile_deck(tmp_path, host)
    assert CliRunner().invoke(main, ["deck", "build", str(deck)]).exit_code == 0
    with browser(tmp_path / "build", "http", tmp_path, page="talk.html") as driver:
        wait_for(driver, "return document.readyState === 'complete'")
        shown = driver.execute_script("""
            const s = document.querySelector('.reveal .slides'), q = sel => s.querySelectorAll(sel).length;
            s.querySelectorAll('a.js, summary').forEach(a => a.click());
            const img = s.querySelector('img[src="pictures/pic.png"]');
            return {b: q('b'), sub: q('sub'), details: q('details > summary'), table: q('table td'), div: q('div.x'),
                    img: img && img.complete && img.naturalWidth, video: q('video[src="pictures/clip%201.mp4"]'),
                    dangerous: [...s.querySelectorAll('script, iframe, form, input, button, object, embed, svg, math, '
                                + 'base, meta, link, style')].filter(e => !e.closest('.katex')).length,  // KaTeX's own
                    handlers: [...s.querySelectorAll('*')].flatMap(e => [...e.attributes].map(a => a.name))
                              .filter(n => n.startsWith('on') || n === 'data-notes' || n === 'data-src').length,
                    katex: q('.katex'), jsLinks: q('a[href^="javascript" i]')}""")
        time.sleep(0.5)  # what a handler would have run by now (a click, a toggle, an error) has run
        assert driver.execute_script("return window.ran") is None
        assert shown == {"b": 2, "sub": 2, "details": 2, "table": 2, "div": 1, "img": 40, "video": 1, "dangerous": 0,
                         "handlers": 0, "katex": 1, "jsLinks": 0}, shown
        origin = driver.execute_script("return location.origin")
        assert all(r.startswith(origin) for r in driver.execute_script(
            "return performance.getEntriesByType('resource').map(e => e.name)"))
    assert asked == [], "nothing asked of another host"


# ----- `nnanim slides`: the teacher's notes file and the renders' notes

NOTES = f"""## derivative
<script>{RAN}</script> <img src=x onerror="{RAN}"> [a link](javascript:{RAN}) **said**

### step 1
<details open ontoggle="{RAN}">x</details>
"""


def slides_with_hostile_notes(tmp_path):
    from PIL import Image

    renders = tmp_path / "renders"
    renders.mkdir()
    Image.new("RGB", (16, 9), "navy").save(renders / "derivative.gif")
    sidecar.write(renders / "derivative.gif", "derivative", None, "dark", [], [f"<b onclick={RAN}>"])
    (tmp_path / "notes.md").write_text(NOTES)
    result = CliRunner().invoke(main, ["slides", str(renders), "--notes", str(tmp_path / "notes.md")])
    assert result.exit_code == 0, result.output
    return renders / "slides"


def test_the_slides_pages_notes_are_text(tmp_path):
    page = (slides_with_hostile_notes(tmp_path) / "slides.html").read_text()
    notes = page[page.index('<aside class="notes">'):page.index("</aside>")]
    assert "<strong>said</strong>" in notes and "&lt;script&gt;" in notes and "&lt;b onclick" in notes
    assert not re.search(r"<(script|img|details|a|b)\b", notes), notes


@needs_browser
def test_in_chromium_neither_the_slides_page_nor_its_speaker_view_runs_a_note(tmp_path):
    deck = slides_with_hostile_notes(tmp_path)
    with browser(deck, "http", tmp_path) as driver:
        main_window = driver.current_window_handle
        driver.execute_script("Reveal.slide(1, 0, 0)")
        press(driver, "s")
        deadline = time.time() + 15
        while len(driver.window_handles) < 2 and time.time() < deadline:
            time.sleep(0.1)
        driver.switch_to.window(next(w for w in driver.window_handles if w != main_window))
        wait_for(driver, "const n = document.querySelector('.speaker-controls-notes .value');"
                         "return n && n.textContent.includes('said')")
        text = driver.execute_script("return document.querySelector('.speaker-controls-notes .value').textContent")
        assert "<script>window.ran=1</script>" in text and "<b onclick=" in text, "shown as the text it is"
        assert driver.execute_script("return window.ran") is None
        driver.switch_to.window(main_window)
        assert driver.execute_script("return window.ran") is None
