"""What a render says about itself, in a small JSON file beside it (`loss-default.mp4.json`).

`nnanim render` writes it; `nnanim slides` and `nnanim storyboard` read it. It holds the scene, the
trace's name, the theme, the natural pauses (stops, in seconds) and a speaker's note for every step: step
k plays up to stop k, and the last step plays from the last stop to the end, so there is one note more
than there are stops. A renders folder may come from anywhere: what is read is checked.

    {"format": "nnanim-render/1", "scene": "loss", "trace": "default", "theme": "dark",
     "stops": [1.2, 3.4], "notes": ["…", "…", "…"]}
"""

import json
import math
from dataclasses import dataclass, field

from nnanim.engine.atomic import write_atomically
from nnanim.errors import NnanimError

FORMAT = "nnanim-render/1"
MAX_BYTES = 4 * 1024 * 1024
MAX_NOTE = 4000  # characters


class SidecarError(NnanimError, ValueError):
    """A sidecar that cannot be read; one line for the user."""


@dataclass(frozen=True)
class RenderInfo:
    scene: str | None = None
    trace: str | None = None
    theme: str | None = None  # None: not known (a render from before themes were recorded)
    stops: tuple = ()
    notes: tuple = field(default_factory=tuple)

    @property
    def steps(self):
        return len(self.stops) + 1


def path_of(output):
    """The sidecar of a rendered file: beside it, its name plus .json."""
    return output.with_name(output.name + ".json")


def write(output, scene, trace, theme, stops, notes):
    """Write the sidecar of `output`: `notes` has one note per stop, then the end's. Stops are sorted, and
    two stops at the same time become one step (their notes joined)."""
    notes = list(notes)
    if len(notes) != len(stops) + 1:
        raise ValueError(f"{scene}: {len(stops)} stops need {len(stops) + 1} notes, not {len(notes)}")
    by_time = {}
    for t, note in sorted(zip(stops, notes), key=lambda pair: pair[0]):
        by_time[t] = f"{by_time[t]}\n{note}" if t in by_time and note else note or by_time.get(t, "")
    stops, notes = list(by_time), list(by_time.values()) + notes[-1:]
    write_atomically(path_of(output), json.dumps({"format": FORMAT, "scene": scene, "trace": trace, "theme": theme,
                                                  "stops": stops, "notes": notes}, ensure_ascii=False, indent=1))


def read(media):
    """The RenderInfo of a rendered file; an empty one if it has no sidecar; SidecarError if it is not one."""
    path = path_of(media)
    if not path.exists():
        return RenderInfo()
    try:
        if path.stat().st_size > MAX_BYTES:
            raise ValueError("too large")
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or data.get("format") != FORMAT:
            raise ValueError("not a render sidecar")
        stops = data["stops"]
        if not isinstance(stops, list) or not all(_seconds(t) for t in stops) or stops != sorted(stops):
            raise ValueError("stops")
        notes = data["notes"]
        if not isinstance(notes, list) or len(notes) != len(stops) + 1 or not all(
                isinstance(n, str) and len(n) <= MAX_NOTE for n in notes):
            raise ValueError("notes")
        strings = [data.get(k) for k in ("scene", "trace", "theme")]
        if not all(s is None or (isinstance(s, str) and len(s) < 256) for s in strings):
            raise ValueError("names")
        if data.get("theme") not in (None, "dark", "light"):
            raise ValueError("theme")
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        raise SidecarError(f"{path} is not what `nnanim render` writes beside a render: delete it or render "
                           "the scene again") from None
    return RenderInfo(data.get("scene"), data.get("trace"), data.get("theme"), tuple(stops), tuple(notes))


def _seconds(t):
    return isinstance(t, (int, float)) and not isinstance(t, bool) and math.isfinite(t) and 0 <= t < 1e6
