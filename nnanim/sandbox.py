"""A script someone else wrote (a student's, a shared example), run where it cannot hurt nnanim.

`nnanim trace SCRIPT` and `nnanim check SCRIPT` run the script in a child process (`python -P -m
nnanim.sandbox`) with a time limit and a memory limit, so an endless loop, a memory bomb, `os._exit`, a
fork, a closed stdout or a replaced `open` ends as one line about the script, never as a hung or
crashed nnanim. The child gets its job as JSON on stdin and leaves its result in a folder the parent
made before the script ran: the trace (a .nntrace file, checked again when the parent reads it) or
check's report (JSON). What the script prints goes to the terminal as it would.

This is a fence for mistakes, not a security boundary: the script still runs as the user, with the
user's files (docs/security.md).
"""

import builtins
import collections
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from nnanim.errors import NnanimError, said
from nnanim.runs import RunError

SECONDS = 600  # a script's time limit, by default
MEGABYTES = 4096  # its memory (address space), by default
_RESULT = "result.json"


def trace_script(script, output, value=None, seconds=SECONDS, megabytes=MEGABYTES):
    """`script`'s run recorded (runs.script_run) in a child process into `output` (a path fixed before the
    script runs; written whole or not at all); returns the Trace, read back from it."""
    from nnanim.engine import load_trace
    from nnanim.engine.atomic import atomic_path

    with tempfile.TemporaryDirectory(prefix="nnanim-script-") as work:
        _run({"job": "trace", "script": str(Path(script).resolve()), "value": value}, Path(work), seconds, megabytes,
             Path(script).name)
        made = Path(work) / "run.nntrace"
        load_trace(made)  # what the child wrote is read as any shared trace is: checked
        try:
            with atomic_path(output) as tmp:
                shutil.move(made, tmp)
        except OSError as e:
            raise NnanimError(f"cannot write {output}: {e.strerror or e}") from None
    return load_trace(output)


def check_script(script, value=None, seconds=SECONDS, megabytes=MEGABYTES, prints_to=None):
    """`script`'s own backward() checked (check.check_script) in a child process: the Report. What the
    script prints goes to `prints_to` (default: stdout; stderr when stdout is for machines)."""
    from nnanim.check import Finding, Report

    with tempfile.TemporaryDirectory(prefix="nnanim-script-") as work:
        _run({"job": "check", "script": str(Path(script).resolve()), "value": value}, Path(work), seconds, megabytes,
             Path(script).name, prints_to)
        data = json.loads((Path(work) / "report.json").read_text())
    return Report(steps=data["steps"], nnanim_steps=data["nnanim_steps"], notes=data["notes"],
                  findings=[Finding(**f) for f in data["findings"]])


def _run(job, work, seconds, megabytes, name, prints_to=None):
    """Run `job` in a child, relaying what the script prints; RunError in one line if it did not end well."""
    job = {**job, "work": str(work), "megabytes": megabytes}
    process = subprocess.Popen([sys.executable, "-P", "-m", "nnanim.sandbox"], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    said_last = collections.deque(maxlen=5)
    relays = [threading.Thread(target=_relay, args=(process.stdout, prints_to or sys.stdout, None), daemon=True),
              threading.Thread(target=_relay, args=(process.stderr, sys.stderr, said_last), daemon=True)]
    for relay in relays:
        relay.start()
    timed_out = False
    try:
        process.stdin.write(json.dumps(job).encode())
        process.stdin.close()
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        timed_out = True
    except BrokenPipeError:
        pass
    finally:  # the time limit, Ctrl-C, SIGTERM: the script and whatever it started end with it
        _kill_group(process.pid)
        process.wait()
        for relay in relays:
            relay.join(5)
    if timed_out:
        raise RunError(f"{name} ran for more than {seconds:g} s and was stopped (an endless loop? --timeout "
                       "gives it longer)")
    result = _read_result(work)
    if result is None:
        if process.returncode < 0:
            raise RunError(f"{name} was killed by {signal.Signals(-process.returncode).name}")
        if any("MemoryError" in line for line in said_last):
            raise RunError(f"{name} used more than {megabytes:g} MB of memory and was stopped (--memory gives it more)")
        raise RunError(f"{name} ended (exit status {process.returncode}) before nnanim could take its run: does "
                       "it end with os._exit()?")
    if result["status"] != "ok":
        raise RunError(result["message"])


def _relay(source, target, keep):
    """Pass what the script prints on to nnanim's own stream (a terminal, or a test's capture)."""
    for line in iter(source.readline, b""):
        text = line.decode(errors="replace")
        if keep is not None:
            keep.append(text)
        try:
            target.write(text)
            target.flush()
        except (OSError, ValueError):
            pass


def _kill_group(pid):
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _read_result(work):
    try:
        return json.loads((work / _RESULT).read_text())
    except (OSError, ValueError):
        return None


# ----- the child
def main():
    job = json.loads(sys.stdin.buffer.read())
    stdin = open(os.devnull)  # noqa: SIM115 -- the script's stdin: nothing, as under a grader
    os.dup2(stdin.fileno(), 0)
    work, me = Path(job["work"]), os.getpid()
    write = _writer(work)  # taken now: the script may replace open() or close stdout
    limit = job["megabytes"] * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    from dataclasses import asdict

    from nnanim.check import check_script as check
    from nnanim.runs import script_run

    nnanim_builtins = dict(builtins.__dict__)
    try:
        if job["job"] == "trace":
            trace = script_run(job["script"], job["value"])
            _restore(nnanim_builtins)  # a script that replaced open() has ended
            trace.save(work / "run.nntrace")
        else:
            report = check(job["script"], job["value"])
            _restore(nnanim_builtins)
            write("report.json", json.dumps({"steps": report.steps, "nnanim_steps": report.nnanim_steps,
                                             "notes": report.notes,
                                             "findings": [asdict(f) for f in report.findings]}))
        outcome = {"status": "ok"}
    except MemoryError:
        outcome = {"status": "failed", "message": f"{Path(job['script']).name} used more than {job['megabytes']:g} MB "
                                                  "of memory and was stopped (--memory gives it more)"}
    except NnanimError as e:
        outcome = {"status": "failed", "message": said(e)}
    except BaseException as e:  # noqa: BLE001 -- whatever the script raised, it is the script's
        outcome = {"status": "failed", "message": f"{Path(job['script']).name} raised {type(e).__name__}: {e}"}
    if os.getpid() == me:  # a process the script forked says nothing
        write(_RESULT, json.dumps(outcome))
    os._exit(0)


def _restore(saved):
    builtins.__dict__.clear()
    builtins.__dict__.update(saved)


def _writer(work):
    """A function writing a file into `work` with the os module's own calls, bound now."""
    flags, fd_open, fd_write, fd_close, rename = os.O_WRONLY | os.O_CREAT | os.O_TRUNC, os.open, os.write, os.close, os.replace

    def write(name, text):
        tmp = str(work / (name + ".part"))
        fd = fd_open(tmp, flags, 0o600)
        try:
            fd_write(fd, text.encode())
        finally:
            fd_close(fd)
        rename(tmp, str(work / name))
    return write


if __name__ == "__main__":
    main()
