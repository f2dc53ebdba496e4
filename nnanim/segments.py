"""A stepped video cut at its stops into clips, one per step, frame-exact.

A stop at t seconds starts a new step at frame round(t · fps): the frame stamped t is the first of what
comes next, the one before it is the last frame of the step that ends there (as in the storyboard). So
step k holds frames [cut_k, cut_k+1), the last step runs to the end, and every frame of the video is in
exactly one step. One ffmpeg pass re-encodes the video with a keyframe forced at every cut and ffmpeg's
segment muxer splits it there. Played one after another, the clips are the video; none needs seeking,
which is what lets the slides step from `file://` and from a static server without byte ranges.

Clips are named `<video stem>.step-01.mp4`, … beside where they are written, and made again only when the
video or its stops change (a small `<video stem>.steps.json` says what they were cut from).
"""

import glob
import json
from bisect import bisect_right
import shutil
import tempfile
from fractions import Fraction
from pathlib import Path

from nnanim import tools
from nnanim.engine.atomic import atomic_path, write_atomically
from nnanim.errors import NnanimError

ENCODERS = {
    ".mp4": ["-c:v", "libx264", "-preset", "veryfast", "-crf", "18", "-pix_fmt", "yuv420p",
             "-movflags", "+faststart"],
    ".webm": ["-c:v", "libvpx-vp9", "-b:v", "0", "-crf", "30", "-deadline", "realtime", "-cpu-used", "8",
              "-row-mt", "1"],
}
TIMEOUT = 600  # seconds for one video's cut


class SegmentError(NnanimError):
    """A video that cannot be cut; one line for the user."""


def probe(video):
    """(frames per second as a Fraction, number of frames) of a video, read by ffprobe."""
    try:
        said = tools.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-count_packets", "-show_entries",
                          "stream=r_frame_rate,nb_read_packets", "-of", "json", str(video)],
                         f"reading {Path(video).name}", 120)
        stream = json.loads(said)["streams"][0]
        return Fraction(stream["r_frame_rate"]), int(stream["nb_read_packets"])
    except (tools.ToolError, ValueError, KeyError, IndexError, ZeroDivisionError):
        raise SegmentError(f"{video} is not a video ffprobe can read") from None


def cut_frames(stops, fps, frames):
    """The first frame of every step but the first: one per stop inside the video, each at most once.
    A stop at 0 or at (or past) the end starts no step."""
    cuts = sorted({round(t * fps) for t in stops})
    return [c for c in cuts if 0 < c < frames]


def clip_of_step(stops, fps, frames):
    """For each step (one per stop, then the end), the clip that shows it. A step with no frame of its own
    (a stop at 0, two stops in one frame, a stop at the very end) goes with the clip on screen as it ends."""
    cuts = cut_frames(stops, fps, frames)
    ends = [min(max(round(t * fps), 0), frames) for t in sorted(stops)] + [frames]
    owners, start = [], 0
    for end in ends:
        frame = start if end > start else max(start - 1, 0)
        owners.append(bisect_right(cuts, frame))
        start = max(start, end)
    return owners


def step_clips(video, stops, out_dir):
    """Cut `video` at `stops` into out_dir; returns (the clips in order, clip_of_step). A video with no cut
    is its own only clip."""
    video, out_dir = Path(video), Path(out_dir)
    if video.suffix not in ENCODERS:
        raise SegmentError(f"{video.name}: only MP4 and WebM videos are cut into steps")
    fps, frames = probe(video)
    cuts = cut_frames(stops, fps, frames)
    owners = clip_of_step(stops, fps, frames)
    if not cuts:
        return [video], owners
    stem = video.name.removesuffix(video.suffix)
    names = [f"{stem}.step-{k + 1:02d}{video.suffix}" for k in range(len(cuts) + 1)]
    record = {"source": video.name, "size": video.stat().st_size, "mtime_ns": video.stat().st_mtime_ns,
              "cuts": cuts, "clips": names}
    manifest = out_dir / f"{stem}.steps.json"
    clips = [out_dir / n for n in names]
    if _read(manifest) == record and all(c.is_file() for c in clips):
        return clips, owners
    _remove_stale(out_dir, stem, video.suffix, keep=set(names))
    with tempfile.TemporaryDirectory(prefix=".steps-", dir=out_dir) as work:
        pattern = str(Path(work) / f"%02d{video.suffix}")
        keyframes = "expr:" + "+".join(f"eq(n,{c})" for c in cuts)
        command = ["ffmpeg", "-v", "error", "-nostdin", "-y", "-i", str(video), "-an", "-map", "0:v:0",
                   *ENCODERS[video.suffix], "-force_key_frames", keyframes,
                   "-f", "segment", "-segment_frames", ",".join(map(str, cuts)),
                   "-reset_timestamps", "1", "-segment_format", video.suffix.lstrip("."), pattern]
        tools.run(command, f"cutting {video.name} into steps", TIMEOUT)
        made = sorted(Path(work).glob(f"*{video.suffix}"))
        if len(made) != len(clips):
            raise SegmentError(f"cutting {video.name} gave {len(made)} clips, not {len(clips)}")
        for piece, clip in zip(made, clips):
            piece.replace(clip)
    write_atomically(manifest, json.dumps(record))
    return clips, owners


def _read(manifest):
    try:
        return json.loads(manifest.read_text())
    except (OSError, ValueError):
        return None


def _remove_stale(out_dir, stem, suffix, keep):
    for old in out_dir.glob(f"{glob.escape(stem)}.step-*{suffix}"):
        if old.name not in keep:
            old.unlink(missing_ok=True)



def last_frame(clip, out_dir):
    """The clip's last frame as a PNG beside the clip (`….end.png`): what a step shows when it is held,
    without seeking (a static server without byte ranges cannot seek)."""
    target = Path(out_dir) / (clip.name.removesuffix(clip.suffix) + ".end.png")
    if target.exists() and target.stat().st_mtime_ns >= clip.stat().st_mtime_ns:
        return target
    with atomic_path(target) as tmp:
        # decode only the last second, keep overwriting one image: the last frame stays
        tools.run(["ffmpeg", "-v", "error", "-nostdin", "-y", "-sseof", "-1", "-i", str(clip),
                   "-update", "1", "-f", "image2", "-c:v", "png", str(tmp)], f"reading the last frame of {clip.name}", 120)
        if tmp.stat().st_size == 0:
            raise SegmentError(f"{clip.name} has no frame")
    return target


def gif_of(clip, out_dir):
    """A GIF of one clip (for vaults that prefer GIFs), made as `nnanim render --format gif` makes one."""
    from nnanim.render import GIF_MAX_FPS, GIF_MAX_WIDTH, gif_from

    target = Path(out_dir) / (clip.name.removesuffix(clip.suffix) + ".gif")
    if target.exists() and target.stat().st_mtime_ns >= clip.stat().st_mtime_ns:
        return target
    with tempfile.TemporaryDirectory(prefix=".gif-", dir=out_dir) as work:
        made = gif_from(clip, Path(work), GIF_MAX_WIDTH, GIF_MAX_FPS)
        with atomic_path(target) as tmp:
            shutil.move(made, tmp)
    return target
