"""What every scene benchmark measures against: the encode floor (the same frames, encoded alone with
the encoder settings Manim uses), and a scene rendered with the settings `nnanim render` uses."""

import tempfile
import time
from pathlib import Path

import av


def encode_floor(movie):
    """Seconds to encode the movie's frames again, alone, with Manim's settings; and the frame count."""
    frames = [f.to_ndarray(format="rgba") for f in av.open(str(movie)).decode(video=0)]
    height, width = frames[0].shape[:2]
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        with av.open(str(Path(tmp) / "floor.mp4"), "w") as out:
            stream = out.add_stream("libx264", rate=30, options={"crf": "23"})
            stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
            for pixels in frames:
                out.mux(stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgba")))
            out.mux(stream.encode())
        return time.perf_counter() - start, len(frames)


def timed_scene(scene_class, work, size=(1920, 1080), fps=30, **scene_arguments):
    """Render a scene at 1080p30 MP4 (or `size` and `fps`) with the settings `nnanim render` uses;
    (seconds, movie). An nnanim scene takes `options=SceneOptions(...)`."""
    from manim import tempconfig

    settings = {"pixel_width": size[0], "pixel_height": size[1], "frame_rate": fps, "disable_caching": True,
                "media_dir": str(work), "verbosity": "WARNING", "progress_bar": "none", "format": "mp4",
                "max_inflight_encoders": 2}
    with tempconfig(settings):
        start = time.perf_counter()
        scene = scene_class(**scene_arguments)
        scene.render()
        return time.perf_counter() - start, Path(scene.renderer.file_writer.movie_file_path)
