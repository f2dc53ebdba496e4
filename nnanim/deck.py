"""The deck: every scene of the workshop, in the workshop's order, rendered in parallel processes.

An output is up to date when a small record beside it (renders/.nnanim/<file>.json) says it was made
from the same trace (by content), scene, options and nnanim version, and its sidecar (nnanim/sidecar.py)
is there; `--force` renders it anyway.
"""

import hashlib
import json
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from nnanim import sidecar
from nnanim.engine.atomic import write_atomically
from nnanim.engine.tracefile import nnanim_version
from nnanim.scenes.registry import SCENES


@dataclass(frozen=True)
class Slide:
    """One slide of the deck: a scene, its title, its options, and whether it replays the deck's trace
    (scenes that read no trace never do)."""

    scene: str
    title: str
    trace: bool = True
    options: tuple = ()

    @property
    def uses_trace(self):
        return self.trace and SCENES[self.scene].needs != "nothing"


DECK = [
    Slide("neuron", "A mathematician's neuron"),
    Slide("layer", "Layers"),
    Slide("mlp", "MLP (a.k.a. \"vanilla\", \"fully connected\")"),
    Slide("formula", "What is a neural network? Just a function"),
    Slide("forward", "Representations: one input through the random network"),
    Slide("representations", "Representations: random, then trained", options=("--compare", "--step", "-1")),
    Slide("loss-formula", "The loss function is a function of parameters"),
    Slide("derivative", "Derivatives 101"),
    Slide("descent", "Leveraging derivatives"),
    Slide("backprop", "Backpropagation", trace=False),  # the workshop's L = (a*b + c)*f
    Slide("gradient-rules", "Operations and flow of gradients"),
    Slide("backprop", "Backpropagation through one neuron of the network", options=("--neuron", "0,3")),
    Slide("loss", "The training loop"),
    Slide("training", "The network learning"),
    Slide("boundary", "What a classifier learns"),
]


@dataclass
class Job:
    slide: Slide
    output: Path
    command: list
    key: dict
    status: str = "pending"  # done, skipped, failed, up to date
    message: str = ""
    seconds: float = 0.0
    size: int = 0


def plan(trace_path, trace, out_dir, quality, fmt, theme, size=None, fps=None):
    """The render jobs of the deck for one trace; slides the trace cannot make come back as skipped."""
    digest = file_digest(trace_path)
    jobs = []
    for slide in DECK:
        entry = SCENES[slide.scene]
        uses = slide.uses_trace
        output = out_dir / entry.output_name(trace_path.stem if uses else None, fmt)
        args = [slide.scene, *([str(trace_path)] if uses else []), *slide.options, "--format", fmt, "-o", str(out_dir)]
        job = render_job(slide, output, args, quality, theme, size, fps, digest if uses else None)
        reason = entry.refuses(trace) if uses else None
        if reason:
            job.status, job.message = "skipped", reason
        jobs.append(job)
    return jobs


def render_job(slide, output, args, quality, theme, size=None, fps=None, trace_digest=None):
    """A Job running `nnanim render ARGS` (scene, trace, its options, -o) in its own process at the given
    quality and theme (after ARGS: they win over the scene's own), up to date while its key holds: nnanim's
    version, the command, the trace's digest."""
    command = [sys.executable, "-m", "nnanim", "render", *args, "-q", quality, "--theme", theme]
    if size:
        command += ["--size", f"{size[0]}x{size[1]}"]
    if fps:
        command += ["--fps", str(fps)]
    return Job(slide, output, command, {"nnanim": nnanim_version(), "command": command[3:], "trace": trace_digest})


def file_digest(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


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
    running = _Running()
    pool = ThreadPoolExecutor(max_workers=max(workers, 1))
    try:
        for future in as_completed([pool.submit(_render, job, running) for job in pending]):
            job = future.result()
            on_done and on_done(job)
    except BaseException:
        running.stop()
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return jobs


class _Running:
    """The render processes under way, so that an interruption can stop them (each cleans up after itself
    on SIGTERM)."""

    def __init__(self):
        self.processes, self.stopped, self.lock = set(), False, threading.Lock()

    def start(self, command):
        with self.lock:
            if self.stopped:
                return None
            process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                       stdin=subprocess.DEVNULL, text=True)
            self.processes.add(process)
            return process

    def finish(self, process):
        with self.lock:
            self.processes.discard(process)

    def stop(self):
        with self.lock:
            self.stopped = True
            for process in self.processes:
                process.terminate()


def _render(job, running):
    start = time.perf_counter()
    process = running.start(job.command)
    if process is None:
        job.status, job.message = "failed", "interrupted"
        return job
    try:
        stdout, stderr = process.communicate()
    finally:
        running.finish(process)
    job.seconds = time.perf_counter() - start
    if process.returncode == 0 and job.output.exists():
        job.status, job.size = "done", job.output.stat().st_size
        record = _record(job)
        record.parent.mkdir(exist_ok=True)
        write_atomically(record, json.dumps(job.key))
    else:
        lines = [line for line in (stderr + stdout).splitlines() if line.strip()]
        errors = [line for line in lines if line.startswith("Error")]
        job.status, job.message = "failed", (errors or lines or ["no output"])[-1][:300]
    return job
