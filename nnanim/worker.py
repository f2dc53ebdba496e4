"""One render in a process of its own, as the deck runs them (several at once; Manim's configuration is
one per process): `python -P -m nnanim.worker` reads a RenderRequest as JSON on stdin, writes the file and
prints its path; a person's mistake is `Error: <line>` on stderr and exit status 1."""

import signal
import sys

from nnanim.errors import NnanimError, said
from nnanim.render import RenderRequest, render


def stop_on_sigterm():
    """SIGTERM unwinds like Ctrl-C, so temporary folders are removed and encoders stopped."""
    signal.signal(signal.SIGTERM, _interrupt)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main():
    stop_on_sigterm()
    try:
        print(render(RenderRequest.from_json(sys.stdin.read())))
    except NnanimError as e:
        print(f"Error: {said(e)}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
