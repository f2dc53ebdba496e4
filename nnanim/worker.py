"""A render server, as the deck runs them (several at once; Manim's configuration is one per process).

`python -P -m nnanim.worker` imports Manim and the scenes once, then renders one RenderRequest (JSON) per
line of stdin, each in a child forked from that clean state (a fresh configuration, nothing of the last
render), and answers each with one JSON line: {"status": 0, or 1 for a person's mistake, "stdout": the
file's path, "stderr": `Error: <line>` for a mistake}. SIGTERM stops the render under way (it cleans up as
on Ctrl-C) and the server; it ends when its stdin does. A deck of 14 scenes pays Manim's import (about 1.2 s
of CPU) once a server instead of once a scene.
"""

import atexit
import json
import os
import signal
import sys
import tempfile
import threading

from nnanim.errors import NnanimError, said
from nnanim.render import RenderRequest, render


def stop_on_sigterm():
    """SIGTERM unwinds like Ctrl-C, so temporary folders are removed and encoders stopped."""
    signal.signal(signal.SIGTERM, _interrupt)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def render_one(text):
    """Render the request `text` (JSON): its path on stdout, 0; a person's mistake on stderr, 1."""
    try:
        print(render(RenderRequest.from_json(text)))
        return 0
    except NnanimError as e:
        print(f"Error: {said(e)}", file=sys.stderr)
        return 1


# ----- the server: Manim imported once, a child forked for each render
def serve():
    import importlib

    from nnanim.scenes.registry import SCENES

    for entry in SCENES.values():  # Manim and every scene: what each render would import again
        importlib.import_module(entry.module)

    child = None

    def forward(signum, frame):
        if child:
            os.kill(child, signal.SIGTERM)  # the render cleans up, then the server ends
            os.waitpid(child, 0)
        raise SystemExit(143)

    signal.signal(signal.SIGTERM, forward)
    for line in sys.stdin:
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            sys.stdout.flush()
            sys.stderr.flush()
            child = os.fork()
            if child == 0:
                _child(line, out, err)  # never returns
            _, status = os.waitpid(child, 0)
            child = None
            answer = {"status": os.waitstatus_to_exitcode(status), "stdout": _text(out), "stderr": _text(err)}
        print(json.dumps(answer), flush=True)


def _child(line, out, err):
    """In the forked child: render with stdout and stderr into `out` and `err`, then leave as an ending
    interpreter would (encoder threads joined, exit handlers run), never returning into the server's loop."""
    code = 1
    try:
        os.dup2(out.fileno(), 1)
        os.dup2(err.fileno(), 2)
        stop_on_sigterm()
        signal.signal(signal.SIGINT, signal.default_int_handler)
        code = render_one(line)
    except BaseException:  # a traceback, as an ending interpreter prints it
        import traceback

        traceback.print_exc()
    finally:
        for thread in threading.enumerate():
            if thread is not threading.main_thread() and not thread.daemon:
                thread.join()
        atexit._run_exitfuncs()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _text(file):
    file.seek(0)
    return file.read().decode(errors="replace")


if __name__ == "__main__":
    serve()
