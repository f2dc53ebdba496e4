"""Running the programs nnanim drives (ffmpeg, ffprobe, graphviz's dot, LaTeX, Chromium): one way.

Every run has a time limit, reads nothing from a terminal, dies if nnanim dies, and fails as a ToolError
(an NnanimError) whose one line names the program and what it said last, never as a traceback:
`ffmpeg failed making the GIF: Invalid data found when processing input`.
"""

import ctypes
import os
import resource
import signal
import subprocess

from nnanim.errors import NnanimError


class ToolError(NnanimError):
    """An external program that is missing, ran out of time, or failed."""


def run(command, what, timeout, *, input=None, cwd=None, env=None, cpu_limit=False, explain=None):
    """Run `command` (a list; command[0] is the program) to do `what` (for messages: "making the GIF")
    within `timeout` seconds; returns its stdout (bytes). `input` (bytes) is fed to it; `cpu_limit` also
    limits its CPU time to `timeout` (for input that came from a file someone shared). On failure,
    `explain(stderr)` may say why better than the last line of its stderr (LaTeX writes a log)."""
    program = os.path.basename(str(command[0]))
    try:
        process = subprocess.Popen([str(c) for c in command], cwd=cwd, env=env,
                                   stdin=subprocess.PIPE if input is not None else subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   preexec_fn=_confined(timeout if cpu_limit else None))
    except FileNotFoundError:
        raise ToolError(f"{program} is not installed (make setup installs it)") from None
    except OSError as e:
        raise ToolError(f"cannot run {program}: {e.strerror or e}") from None
    try:
        stdout, stderr = process.communicate(input, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise ToolError(f"{program} ran out of time ({timeout:g} s) {what}") from None
    finally:  # a time limit, Ctrl-C, SIGTERM: the program does not outlive the call
        if process.poll() is None:
            process.kill()
            process.wait()
    if process.returncode != 0:
        if process.returncode in (-signal.SIGXCPU, -signal.SIGKILL):
            raise ToolError(f"{program} ran out of time ({timeout:g} s) {what}")
        said = explain(stderr) if explain else last_line(stderr)
        raise ToolError(f"{program} failed {what}: {said or f'exit status {process.returncode}'}")
    return stdout


def last_line(output):
    """The last line of a program's output that says something."""
    text = output.decode(errors="replace") if isinstance(output, bytes) else (output or "")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


def _confined(cpu_seconds):
    """What the child does before the program starts: die with nnanim, and (if asked) a CPU limit."""
    def confine():
        if cpu_seconds:
            seconds = int(cpu_seconds) + 1
            resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds + 1))
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    return confine
