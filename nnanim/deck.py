"""The deck: every scene of the workshop, in the workshop's order, rendered in parallel processes.

Each render is a RenderRequest handed to a process of its own, forked by a render server (nnanim.worker,
one per render under way) that imported Manim once: Manim's configuration is one per process. An
output is up to date when a small record beside it (renders/.nnanim/<file>.json) says it was made from the
same request, trace (by content) and nnanim version, and its sidecar (nnanim/sidecar.py)
is there; `--force` renders it anyway.
"""

import json
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass

from nnanim import sidecar
from nnanim.engine import tracefile
from nnanim.engine.atomic import real_folder, write_atomically
from nnanim.engine.tracefile import nnanim_version
from nnanim.render import RenderRequest
from nnanim.scenes.registry import SCENES

# A render server: Python with no folder of the caller's on its import path (-P), so a `click.py` or
# `numpy.py` beside a shared deck is never imported; it reads RenderRequests as JSON lines (nnanim.worker).
SERVER = [sys.executable, "-P", "-m", "nnanim.worker"]


@dataclass(frozen=True)
class Slide:
    """One slide of the deck: a scene, its title, its step and options (nnanim.render's), and whether it
    replays the deck's trace (scenes that read no trace never do)."""

    scene: str
    title: str
    trace: bool = True
    options: tuple = ()  # (name, value) pairs, e.g. (("neuron", (0, 3)),)

    @property
    def uses_trace(self):
        return self.trace and SCENES[self.scene].needs != "nothing"


DECK = [
    Slide("neuron", "A mathematician's neuron"),
    Slide("layer", "Layers"),
    Slide("mlp", "MLP (a.k.a. \"vanilla\", \"fully connected\")"),
    Slide("formula", "What is a neural network? Just a function"),
    Slide("forward", "Representations: one input through the random network"),
    Slide("representations", "Representations: random, then trained", options=(("compare", True), ("step", -1))),
    Slide("loss-formula", "The loss function is a function of parameters"),
    Slide("derivative", "Derivatives 101"),
    Slide("descent", "Leveraging derivatives"),
    Slide("backprop", "Backpropagation", trace=False),  # the workshop's L = (a*b + c)*f
    Slide("gradient-rules", "Operations and flow of gradients"),
    Slide("backprop", "Backpropagation through one neuron of the network", options=(("neuron", (0, 3)),)),
    Slide("loss", "The training loop"),
    Slide("training", "The network learning"),
    Slide("boundary", "What a classifier learns"),
]


@dataclass
class Job:
    """A render of the deck: its RenderRequest, and what became of it."""

    slide: Slide
    request: RenderRequest
    key: dict  # what the render was made from: nnanim's version, the request, the trace's content
    status: str = "pending"  # done, skipped, failed, up to date
    message: str = ""
    seconds: float = 0.0
    size: int = 0

    @property
    def output(self):
        return self.request.target()


def plan(trace_path, trace, out_dir, quality, fmt, theme, size=None, fps=None):
    """The render jobs of the deck for one trace; slides the trace cannot make come back as skipped."""
    digest = tracefile.digest(trace_path)
    jobs = []
    for slide in DECK:
        uses = slide.uses_trace
        options = dict(slide.options)
        request = RenderRequest(slide.scene, trace_path if uses else None, step=options.pop("step", 0),
                                quality=quality, fmt=fmt, theme=theme, out_dir=out_dir, size=size, fps=fps,
                                scene_options=options)
        job = render_job(slide, request, digest if uses else None)
        reason = SCENES[slide.scene].refuses(trace) if uses else None
        if reason:
            job.status, job.message = "skipped", reason
        jobs.append(job)
    return jobs


def render_job(slide, request, trace_digest=None):
    """A Job rendering `request` in its own process, up to date while its key holds."""
    return Job(slide, request, {"nnanim": nnanim_version(), "request": request.as_json(), "trace": trace_digest})


def _record(job):
    return job.output.parent / ".nnanim" / (job.output.name + ".json")


def up_to_date(job):
    record = _record(job)
    try:
        return job.output.exists() and sidecar.path_of(job.output).exists() and \
            json.loads(record.read_text()) == job.key
    except (OSError, ValueError):
        return False


def run(jobs, workers, force=False, on_done=None):
    """Render the pending jobs, `workers` at a time; each finished job is passed to on_done. Interrupted
    (Ctrl-C, SIGTERM), it starts nothing more, stops the renders under way and re-raises."""
    pending = []
    for job in jobs:
        if job.status == "skipped":
            on_done and on_done(job)
        elif not force and up_to_date(job):
            job.status = "up to date"
            on_done and on_done(job)
        else:
            pending.append(job)
    servers = _Servers()
    pool = ThreadPoolExecutor(max_workers=max(workers, 1))
    try:
        for future in as_completed([pool.submit(_render, job, servers) for job in pending]):
            job = future.result()
            on_done and on_done(job)
    except BaseException:
        servers.stop()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        servers.close()
    return jobs


class _Servers:
    """The render servers of a run: one more each time every one is busy, each given the next job when it
    is done (Manim imported once a server); an interruption stops them, each stopping its render first."""

    def __init__(self):
        self.idle, self.started, self.stopped, self.lock = [], [], False, threading.Lock()

    def take(self):
        with self.lock:
            if self.stopped:
                return None
            if self.idle:
                return self.idle.pop()
            errors = tempfile.TemporaryFile()  # what a server says itself (a failed start), read if it ends
            server = subprocess.Popen(SERVER, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=errors, text=True)
            server.errors = errors
            self.started.append(server)
            return server

    def give_back(self, server):
        with self.lock:
            self.idle.append(server)

    def stop(self):
        with self.lock:
            self.stopped = True
            for server in self.started:
                server.terminate()

    def close(self):
        """Every server told there is no more (its stdin closed) and waited for."""
        for server in self.started:
            try:
                server.stdin.close()
            except OSError:
                pass
            server.wait()
            server.errors.close()


def _render(job, servers):
    start = time.perf_counter()
    server = servers.take()
    if server is None:
        job.status, job.message = "failed", "interrupted"
        return job
    try:
        server.stdin.write(job.request.as_json() + "\n")
        server.stdin.flush()
        line = server.stdout.readline()
    except OSError:
        line = ""
    if line:
        answer = json.loads(line)
        returncode, stdout, stderr = answer["status"], answer["stdout"], answer["stderr"]
        servers.give_back(server)
    else:  # the server ended (stopped, or it could not start)
        returncode, stdout = server.wait(), ""
        server.errors.seek(0)
        stderr = server.errors.read().decode(errors="replace")
    job.seconds = time.perf_counter() - start
    if returncode == 0 and job.output.exists():
        job.status, job.size = "done", job.output.stat().st_size
        record = _record(job)
        real_folder(job.request.out_dir, record.parent)
        write_atomically(record, json.dumps(job.key))
    else:
        lines = [line for line in (stderr + stdout).splitlines() if line.strip()]
        errors = [line for line in lines if line.startswith("Error")]
        job.status, job.message = "failed", (errors or lines or ["no output"])[-1][:300]
    return job
