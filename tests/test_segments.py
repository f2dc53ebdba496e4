"""Cutting a stepped video into one clip per step (nnanim/segments.py): the cuts are the stops, and the
clips played one after another are the video, frame for frame."""

import subprocess
from fractions import Fraction

import av
import numpy as np
import pytest

from nnanim.segments import SegmentError, clip_of_step, cut_frames, probe, step_clips

FPS, FRAMES, SHADE = 10, 40, 5  # frame n is a flat grey of luma 16 + 5·n: every frame tells its number


@pytest.fixture(params=["mp4", "webm"])
def video(tmp_path, request):
    path = tmp_path / f"counting.{request.param}"
    codec = ["-c:v", "libx264", "-pix_fmt", "yuv420p"] if request.param == "mp4" else \
        ["-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8"]
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                    f"color=black:s=64x36:r={FPS}:d={FRAMES / FPS},geq=lum='16+N*{SHADE}':cb=128:cr=128",
                    *codec, str(path)], check=True)
    return path


def frame_numbers(path):
    """The number each frame shows, read from its luma plane."""
    with av.open(str(path)) as container:
        return [round((float(np.mean(f.to_ndarray(format="yuv420p")[:f.height])) - 16) / SHADE)
                for f in container.decode(video=0)]


def test_cut_frames_are_the_stops_in_frames():
    assert cut_frames([0.5, 1.23, 2.0], Fraction(10), 40) == [5, 12, 20]
    assert cut_frames([2.0, 0.5, 0.5], Fraction(10), 40) == [5, 20], "sorted, each cut once"
    assert cut_frames([0, 4.0, 9.0], Fraction(10), 40) == [], "a stop at the start or the end starts no step"
    assert cut_frames([1.001, 1.049], Fraction(30000, 1001), 100) == [30, 31]


def test_a_step_without_frames_goes_with_the_clip_on_screen_as_it_ends():
    assert clip_of_step([0.5, 1.23, 2.0], Fraction(10), 40) == [0, 1, 2, 3]
    assert clip_of_step([0, 2.0], Fraction(10), 40) == [0, 0, 1], "a stop at 0: its step is the first clip's"
    assert clip_of_step([2.0, 4.0], Fraction(10), 40) == [0, 1, 1], "a stop at the end: the last clip holds both"
    assert clip_of_step([2.0, 2.01], Fraction(10), 40) == [0, 0, 1], "two stops in one frame"
    assert clip_of_step([], Fraction(10), 40) == [0]


def test_clips_are_the_video_cut_at_the_stops(video, tmp_path):
    out = tmp_path / "steps"
    out.mkdir()
    original = frame_numbers(video)
    assert original == list(range(FRAMES)), "the test video counts its frames"
    clips, owners = step_clips(video, [0, 0.5, 1.23, 2.0, 4.0], out)
    assert owners == [0, 0, 1, 2, 3, 3], "the stops at 0 and at the end start no clip of their own"
    assert [c.name for c in clips] == [f"counting.step-0{k}{video.suffix}" for k in (1, 2, 3, 4)]
    shown = [frame_numbers(c) for c in clips]
    assert [s[0] for s in shown] == [0, 5, 12, 20], "each clip starts at its stop's frame"
    assert [n for s in shown for n in s] == original, "no frame lost or repeated at the cuts"
    assert all(probe(c)[0] == FPS for c in clips)


def test_clips_are_reused_until_the_video_or_its_stops_change(video, tmp_path):
    first, _ = step_clips(video, [1.0, 2.0], tmp_path)
    stamps = [c.stat().st_mtime_ns for c in first]
    assert [c.stat().st_mtime_ns for c in step_clips(video, [1.0, 2.0], tmp_path)[0]] == stamps
    fewer, _ = step_clips(video, [1.0], tmp_path)
    assert len(fewer) == 2 and not first[2].exists(), "a clip of the old cut does not stay behind"
    assert frame_numbers(fewer[1])[0] == 10


def test_a_video_without_cuts_is_its_own_only_step(video, tmp_path):
    assert step_clips(video, [], tmp_path) == ([video], [0])
    assert list(tmp_path.glob("*.step-*")) == []


def test_what_is_not_a_video_is_refused_in_one_line(tmp_path):
    fake = tmp_path / "fake.mp4"
    fake.write_text("not a video")
    with pytest.raises(SegmentError, match="not a video"):
        step_clips(fake, [1.0], tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["fake.mp4"], "nothing half-written"
