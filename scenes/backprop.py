"""`backprop`: gradients flowing backward through the computation graph, one event at a time.

The graph is on screen from the first frame, its data known from the forward pass. Then every
backward event of the trace replays in the order it ran: the box lights up, its rule is written out
with its numbers, the gradient travels back along the edges to the inputs as a pulse, and each input's
grad changes to its new value (adding up when a value feeds two places, the earlier part named by
where it came from). A stop falls while the rule and the new grads are on screen; its speaker's note
says the rule in words, with the numbers the screen shows.

A graph that fits the frame at a readable size fills it; a larger one (a neuron of a bigger network,
or a whole training step, a neuron to a box) is laid out at the floor size and the camera follows the
gradient, with only the boxes inside its view in the scene: each camera move costs what it shows, so a
replay costs in proportion to the graph.
"""

import numpy as np
from manim import DOWN, LEFT, MovingCamera, MovingCameraScene, VGroup, config

from nnanim.engine.graph import GraphTooLarge, workshop_expression
from nnanim.engine.steps import Step
from nnanim.scenes.backprop_plan import (WARN, backward_beats, closing_note, moments, neuron_nodes, wave,
                                         wave_closing)
from nnanim.scenes.base import TraceScene, text
from nnanim.scenes.graph_layout import Framing, Tiles, units, values
from nnanim.scenes.graph_view import StillBackground, appear, size_of, vanish, view_of, widest, window
from nnanim.scenes.roles import examples, names, neurons
from nnanim.scenes.tween import fade

DEFAULT_PACE = 2.0  # seconds per backward event: time to read the rule
WAVE_PACE = 1.2  # seconds per neuron when following the wave through a whole large graph
MAX_WHOLE = 40  # values; larger graphs are drawn a neuron to a box
MAX_WAVE = 300  # boxes the camera follows one at a time: over ten minutes of video
LINE_PITCH = 1.3  # of the text under the graph, in line heights
INTRO = 1.0  # seconds the graph is shown before the first event
END = 1.5  # seconds the last stop is held


class Backprop(StillBackground, TraceScene, MovingCameraScene):
    """The backward pass of one step, event by event (the workshop's L = (a·b + c)·f by default)."""

    camera_kind = MovingCamera

    def default_trace_and_step(self):
        """Without a trace: the workshop's L example; for one of its neurons, the workshop's network."""
        if self.options.neuron is not None or self.options.focus is not None:
            return super().default_trace_and_step()
        return None, Step.of(workshop_expression())

    def construct(self):
        step, opts = self.step, self.options
        called = names(step)
        if opts.neuron is not None or opts.focus is not None:
            drawn, active, top = neuron_nodes(step, opts.neuron, opts.focus)
            drawing = values(step, drawn)
            beats = backward_beats(step, drawn, active, top, called)
            story = moments(beats, drawing)
            intro = f"neuron {called[top]} of example {examples(step)[top]}: the gradient arrives at its " \
                    "output and flows back through its ops"
            pace = opts.pace or DEFAULT_PACE
            self.end_note = closing_note(step, beats, [i for i in drawn if i not in active], called, top)
        elif len(step.graph) > MAX_WHOLE:
            by_neuron = any(o is not None for o in neurons(step))
            drawing = units(step)
            story = wave(step, backward_beats(step, called=called), drawing)
            _refuse_if_too_long(story, by_neuron)
            boxes = "a box per neuron" if by_neuron else "a box per part, a value used once inside what uses it"
            intro = f"the whole step, {boxes}: the gradient flows back from {called[step.graph.root]}"
            pace = opts.pace or WAVE_PACE
            self.end_note = wave_closing(step)
        else:
            drawing = values(step, range(len(step.graph)))
            beats = backward_beats(step, called=called)
            story = moments(beats, drawing)
            intro = f"the gradient flows back from {called[step.graph.root]}"
            pace = opts.pace or DEFAULT_PACE
            self.end_note = closing_note(step, beats, step.graph.leaf_list, called)
        self.replay(drawing, story, intro, pace)

    # --- the frame: the text band under the graph, the graph's region above it

    def blocks(self, story, intro):
        """Every moment's text as lines that fit the safe width, at one size: the largest of the type
        scale at which all fit, else the floor (a line too long even then is broken before an `=`)."""
        width = config.frame_width * (1 - 2 * self.theme.safe_margin)
        theme = self.theme
        floor = size_of(theme, theme.min_text)
        all_lines = [intro] + [line for m in story for line in m.lines]
        longest = widest(all_lines, theme, floor) / floor
        sizes = [size_of(theme, s) for s in (theme.heading_size, theme.body_size)]
        size = next((s for s in sizes if longest * s <= width), floor)
        self.measured = {}  # (line, size) -> the Text measured, shown by text_block (made once)
        wrapped = [[piece for line in lines for piece in self.fitted(line, size, width)]
                   for lines in [[intro]] + [m.lines for m in story]]
        return size, wrapped[0], wrapped[1:]

    def fitted(self, line, size, width):
        if len(line) < 40 or self.measure(line, size).width <= width:
            return [line]
        parts = line.split(" = ")
        out = [parts[0]]
        for part in parts[1:]:
            joined = f"{out[-1]} = {part}"
            if self.measure(joined, size).width <= width:
                out[-1] = joined
            else:
                out.append(f"    = {part}")
        return out

    def measure(self, line, size):
        """A line's Text at `size`, kept for text_block to show: a line's Text is made once."""
        self.measured[line, size] = made = text(line, self.theme, size)
        return made

    def line(self, content, size):
        """A line of the text band: the Text made when it was measured, if it was; a warning's in its colour."""
        made = self.measured.pop((content, size), None) or text(content, self.theme, size)
        return made.set_color(self.theme.warning) if content.startswith(WARN) else made

    def text_block(self, lines, size, center):
        """Lines left-aligned at the bottom of the safe area of a view centred at `center`."""
        group = VGroup(*[self.line(line, size) for line in lines])
        group.arrange(DOWN, aligned_edge=LEFT, buff=size * (LINE_PITCH - 1))
        m = self.theme.safe_margin
        corner = center + np.array([-config.frame_width * (0.5 - m), -config.frame_height * (0.5 - m), 0])
        return group.move_to(corner, aligned_edge=DOWN + LEFT)

    # --- the replay

    def replay(self, drawing, story, intro, pace):
        """The graph on screen, then a moment at a time: (the camera moves,) the text is written, the
        gradient travels back, the stop is held."""
        size, intro_lines, blocks = self.blocks(story, intro)
        band = max(len(b) for b in blocks + [intro_lines]) * size * LINE_PITCH + size * 0.6
        m = self.theme.safe_margin
        width, height = config.frame_width * (1 - 2 * m), config.frame_height * (1 - 2 * m) - band
        grads = {}
        for moment in story:
            for k, v in moment.updates.items():
                grads.setdefault(k, []).append(v)
        top = config.frame_height * (0.5 - m)
        view, fits = view_of(drawing, self.theme, (-width / 2, top - height, width / 2, top), grads)
        port = Viewport(view, fits, width, height, band)
        self.view, self.port, self.pace, self.size = view, port, pace, size
        self.center = np.zeros(3) if fits else port.aim(story[0])
        self.camera.frame.move_to(self.center)
        self.shown = port.parts_at(self.center)
        self.on_screen = view.mobjects_for(self.shown)
        self.lines = self.text_block(intro_lines, size, self.center)
        self.add(*self.on_screen, self.lines)
        self.wait(INTRO)
        previous = None
        for moment, block in zip(story, blocks):
            leave = view.settle(*previous, set(self.shown)) if previous is not None else []
            if not port.shows(moment, self.center):
                self.follow(moment, leave)
                leave = []
            self.write(moment, block, leave)
            if previous is not None and previous[1] is not None:
                self.remove(previous[1])  # the last moment's trails, faded out
            previous = self.send_back(moment)
            self.hold(END if moment is story[-1] else 0.2 * pace, moment.note)

    def follow(self, moment, leave):
        """The last moment settles and its text goes; the camera moves to frame this one, the boxes
        it leaves fading out and those it reaches fading in."""
        self.play(fade(self.lines, False), *leave, run_time=self.span(0.1 * self.pace))
        self.remove(self.lines)
        self.lines = None
        self.center = self.port.aim(moment)
        self.shown = self.port.parts_at(self.center)
        now = self.view.mobjects_for(self.shown)
        was, stays = {id(mob) for mob in self.on_screen}, {id(mob) for mob in now}
        entering = [mob for mob in now if id(mob) not in was]
        leaving = [mob for mob in self.on_screen if id(mob) not in stays]
        self.add(*entering)
        self.play(self.camera.frame.animate.move_to(self.center), *[appear(mob) for mob in entering],
                  *[vanish(mob) for mob in leaving], run_time=self.span(0.35 * self.pace))
        self.remove(*leaving)
        self.on_screen = now

    def write(self, moment, block, leave):
        """The last moment settles and its text goes, then this one's text comes and its box lights up."""
        new_lines = self.text_block(block, self.size, self.center)
        self.add(new_lines)
        going = self.lines is not None
        early, later = (window(0, 0.4), window(0.4, 1)) if going else (window(0, 0), window(0, 1))
        self.play(*[timed(a, early) for a in leave], *([fade(self.lines, False, rate_func=early)] if going else []),
                  fade(new_lines, True, rate_func=later),
                  *[timed(a, later) for a in self.view.light(moment.key, self.theme.accent, set(self.shown))],
                  run_time=self.span((0.25 if going else 0.15) * self.pace))
        if going:
            self.remove(self.lines)
        self.lines = new_lines

    def send_back(self, moment):
        """The gradient travels back along the edges on screen, then the grads it reaches change.
        Returns what `GraphView.settle` undoes when the next moment begins."""
        visible = set(self.shown)
        stages = tuple([e for e in stage if set(e) <= visible] for stage in moment.stages)
        updated = {k: v for k, v in moment.updates.items() if k in visible}
        trails, travel = None, []
        if stages[0] or stages[1]:
            travel, trails = self.view.pulse(stages, until=0.65)
            self.add(trails)
        after = window(0.65, 1) if travel else window(0, 1)
        changes = [self.view.set_grad(k, v, self.theme.accent, rate_func=after) for k, v in updated.items()]
        if travel or changes:
            self.play(*travel, *changes, run_time=self.span((0.55 if travel else 0.2) * self.pace))
        for k, v in moment.updates.items():  # off screen: changed without a sound
            if k not in visible:
                self.view.set_grad_unseen(k, v)
        return moment.key, trails, updated

    def span(self, seconds):
        """A play's run time: at least a frame."""
        return max(seconds, 1 / config.frame_rate)


class Viewport:
    """What a view of the graph shows: the safe area above the text band, `width` × `height`, for a
    view (the camera's frame) centred anywhere; where to centre it to show a moment. The parts' extents
    are read once and filed by place, so that following the gradient through a graph of n boxes costs
    in proportion to n, not to n times the moments."""

    def __init__(self, view, fits, width, height, band):
        self.view, self.fits, self.width, self.height = view, fits, width, height
        self.offset = np.array([0, band / 2, 0])  # the region's centre, from the view's
        self.parts = view.parts()
        if not fits:
            self.extents = {k: view.extent(k) for k in self.parts}
            rects = list(self.extents.values())
            self.tiles = Tiles(rects, width, height)
            self.framing = Framing(rects[:len(view.drawing.boxes)], width, height)  # the boxes come first

    def window(self, center):
        """(left, bottom, right, top) of the region of a view centred at `center`."""
        x, y = (center + self.offset)[:2]
        w, h = self.width / 2 + 1e-6, self.height / 2 + 1e-6
        return x - w, y - h, x + w, y + h

    def inside(self, key, center):
        left, bottom, right, top = self.extents[key]
        x0, y0, x1, y1 = self.window(center)
        return x0 <= left and right <= x1 and y0 <= bottom and top <= y1

    def parts_at(self, center):
        """The boxes and op circles whole inside the region of a view centred at `center`."""
        if self.fits:
            return list(self.parts)
        return [self.parts[i] for i in self.tiles.inside(*self.window(center)).tolist()]

    def focus(self, moment):
        """What the view must show: the box, its op, then the boxes it passes its gradient to."""
        boxes = self.view.drawing.boxes
        keys = [k for k in moment.focus if k in boxes]
        op = [("op", moment.key)] if boxes[moment.key].op and moment.stages[1] else []
        return keys[:1] + op + keys[1:]

    def shows(self, moment, center):
        """Whether a view centred at `center` shows the moment's box and its op whole."""
        return self.fits or all(self.inside(k, center) for k in self.focus(moment)[:2])

    def aim(self, moment):
        x, y = self.framing.centre([self.extents[k] for k in self.focus(moment)])
        return np.array([x, y, 0]) - self.offset


def _refuse_if_too_long(story, by_neuron):
    if len(story) > MAX_WAVE:
        advice = ("show a part with --neuron J,L or --focus LABEL" if by_neuron
                  else "label each neuron's output h_jl for a box per neuron")
        raise GraphTooLarge(f"the whole step is {len(story):,} boxes for the camera to follow, one at a time (at "
                            f"most {MAX_WAVE}: over ten minutes of video); {advice}, or render a smaller graph")


def timed(animation, rate):
    """An animation made to run at `rate` (a window of its play)."""
    animation.rate_func = rate
    return animation
