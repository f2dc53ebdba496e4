// The loss of the whole run as the loss scene draws it (scenes/loss_chart.py): steps across, the loss up,
// linear from 0 or, when the losses span two decades or more, log in decades; round ticks; a marker at
// the step shown. A click (or a drag) on the chart picks a step.

import { number, MINUS } from "./numbers.js";
import { svg, textWidth } from "./svg.js";

const DECADES = 2; // scenes/training_plan.py: a loss spanning this many decades lies on the floor of a linear axis
const LIMIT = 1e100; // scenes/drawable.py: drawn numbers are clamped to ±LIMIT, those below 1/LIMIT are 0
const SUPERSCRIPT = { 0: "\u2070", 1: "\u00b9", 2: "\u00b2", 3: "\u00b3", 4: "\u2074", 5: "\u2075", 6: "\u2076",
  7: "\u2077", 8: "\u2078", 9: "\u2079", ".": "\u00b7", "-": "\u207b", [MINUS]: "\u207b" };

export function superscript(text) {
  return [...text].every((c) => c in SUPERSCRIPT) ? [...text].map((c) => SUPERSCRIPT[c]).join("") : `^(${text})`;
}

export function drawn(x) {
  if (!Number.isFinite(x)) return x;
  if (Math.abs(x) < 1 / LIMIT) return 0;
  return Math.min(Math.max(x, -LIMIT), LIMIT);
}

export function valueText(x) {
  if (Number.isFinite(x)) return number(x);
  return Number.isNaN(x) ? "NaN" : x > 0 ? "\u221e" : `${MINUS}\u221e`;
}

export function logView(losses) {
  const finite = [...losses].map(drawn).filter(Number.isFinite);
  if (!finite.length || finite.some((x) => x <= 0)) return false;
  return Math.max(...finite) >= 10 ** DECADES * Math.min(...finite);
}

export function tickStep(span, ticks) {
  const raw = Math.max(span / ticks, 1e-12);
  const unit = 10 ** Math.floor(Math.log10(raw));
  let best = 1;
  for (const m of [1, 2, 5, 10]) if (Math.abs(m * unit - raw) < Math.abs(best * unit - raw)) best = m;
  return unit * best;
}

// [bottom, top, ticks] of a linear axis from 0 (or below, for negative values) past `hi`: at most
// count + 1 round ticks, 0 among them.
export function linearTicks(lo, hi, count = 4) {
  lo = Math.min(0, lo);
  hi = Math.max(0, hi);
  if (hi - lo <= 0) hi = 1;
  let step = tickStep(hi - lo, count);
  let first, last;
  for (;;) {
    first = Math.floor(lo / step + 1e-9);
    last = Math.max(Math.ceil(hi / step - 1e-9), first + 1);
    if (last - first <= Math.max(count, 1)) break;
    const unit = 10 ** Math.floor(Math.log10(step) + 1e-9);
    step = unit * [2, 5, 10].find((m) => m * unit > step * (1 + 1e-9));
  }
  const ticks = [];
  for (let k = first; k <= last; k++) ticks.push(k * step);
  return [ticks[0], ticks[ticks.length - 1], ticks];
}

const decade = (e) => Number(`1e${e}`);

// [bottom, top, ticks] of a log axis hugging [lo, hi] (bottom and top as log10).
export function logTicks(lo, hi, most = 6) {
  const a = Math.log10(lo), b = Math.log10(hi);
  const middle = (a + b) / 2, half = Math.max((b - a) / 2, 0.2) * 1.06;
  const bottom = middle - half, top = middle + half;
  const first = Math.ceil(bottom - 1e-9), last = Math.floor(top + 1e-9);
  if (last > first) {
    let every = 1;
    while (Math.floor((last - first) / every) + 1 > most) every = { 1: 2, 2: 5 }[every] || every * 2;
    const ticks = [];
    for (let e = Math.ceil(first / every) * every; e <= last; e += every) ticks.push(decade(e));
    return [bottom, top, ticks];
  }
  let ticks = [];
  for (const mantissas of [[1, 2, 5], [1, 2, 3, 4, 5, 6, 7, 8, 9]]) {
    ticks = [];
    for (let e = first - 1; e <= last; e++) {
      for (const m of mantissas) {
        const at = Math.log10(m) + e;
        if (bottom - 1e-9 <= at && at <= top + 1e-9) ticks.push(m * decade(e));
      }
    }
    if (ticks.length >= 2) break;
  }
  const every = Math.ceil(ticks.length / most);
  return [bottom, top, ticks.filter((_, i) => i % every === 0)];
}

export function logLabel(value) {
  const e = Math.floor(Math.log10(value) + 1e-9);
  const mantissa = Math.round(value / 10 ** e);
  if (e >= -3 && e <= 3) return number(value);
  return (mantissa === 1 ? "" : `${mantissa}\u00b7`) + "10" + superscript(String(e));
}

export function stepTicks(last, count = 5) {
  const step = Math.max(1, Math.round(tickStep(Math.max(last, 1), count)));
  const out = [];
  for (let k = 0; k <= Math.max(last, 1); k += step) out.push(k);
  return out;
}

// The chart in an <svg> of `width` x `height` px with text of `font` px: built once per size and theme,
// then `show(k)` moves the marker only.
export class Curve {
  constructor(root, losses, { onPick }) {
    this.root = root;
    this.setLosses(losses);
    this.onPick = onPick;
    this.k = 0;
    root.addEventListener("pointerdown", (e) => {
      root.setPointerCapture(e.pointerId);
      this.pick(e);
    });
    root.addEventListener("pointermove", (e) => { if (root.hasPointerCapture(e.pointerId)) this.pick(e); });
  }

  // New losses (a run that is still training has more each time); drawn at the next draw().
  setLosses(losses) {
    this.losses = losses;
    this.values = Array.from(losses, drawn);
    this.log = logView(losses);
  }

  pick(e) {
    if (!this.plot) return;
    const box = this.root.getBoundingClientRect();
    const x = (e.clientX - box.left) * (this.width / box.width);
    const { left, right } = this.plot;
    const last = Math.max(this.losses.length - 1, 1);
    const k = Math.round(((x - left) / (right - left)) * last);
    this.onPick(Math.min(Math.max(k, 0), this.losses.length - 1));
  }

  draw(width, height, theme, font) {
    Object.assign(this, { width, height, theme, font });
    const root = this.root;
    root.replaceChildren();
    root.setAttribute("viewBox", `0 0 ${width} ${height}`);
    root.setAttribute("width", width);
    root.setAttribute("height", height);
    const muted = { fill: theme.muted, "font-size": font };
    const row = font * 1.45, tick = 6, gap = 6;
    const finite = this.values.map((v, k) => [k, this.log ? Math.log10(v) : v])
      .filter(([, v]) => Number.isFinite(v) && (!this.log || v > -Infinity));
    const vs = finite.map(([, v]) => v);
    const lo = Math.min(...vs), hi = Math.max(...vs);
    const top = row + 4, bottom = height - row - gap - tick;
    const most = Math.min(Math.max(2, Math.floor((bottom - top) / (font * 1.8)) + 1), 6);
    let y0, y1, yTicks;
    if (this.log) {
      const [b, t, ticks] = logTicks(10 ** lo, 10 ** hi, most);
      [y0, y1, yTicks] = [b, t, ticks.map((v) => [Math.log10(v), logLabel(v)])];
    } else {
      const [b, t, ticks] = vs.length ? linearTicks(lo, hi, most - 1) : [0, 1, [0, 1]];
      [y0, y1, yTicks] = [b, t, ticks.map((v) => [v, valueText(v)])];
    }
    const gutter = Math.max(...yTicks.map(([, s]) => textWidth(s, font))) + gap + tick + 2;
    const last = Math.max(this.losses.length - 1, 1);
    const xTicks = stepTicks(last, Math.max(2, Math.floor((width - gutter) / (font * 6))));
    const right = width - textWidth(String(xTicks[xTicks.length - 1]), font) / 2 - 4;
    const plot = { left: gutter, right, top, bottom };
    this.plot = plot;
    const x = (k) => plot.left + (k / last) * (plot.right - plot.left);
    const y = (v) => plot.bottom - ((v - y0) / (y1 - y0)) * (plot.bottom - plot.top);
    this.x = x;
    const axis = { stroke: theme.rule, "stroke-width": 2 };
    const add = (tag, attrs, text) => root.appendChild(svg(tag, attrs, text));
    add("line", { x1: plot.left, y1: plot.bottom, x2: plot.right, y2: plot.bottom, ...axis });
    add("line", { x1: plot.left, y1: plot.bottom, x2: plot.left, y2: plot.top, ...axis });
    for (const [v, label] of yTicks) {
      const at = y(v);
      add("line", { x1: plot.left - tick, y1: at, x2: plot.left, y2: at, ...axis });
      if (at < plot.bottom - 1) {
        add("line", { x1: plot.left, y1: at, x2: plot.right, y2: at, stroke: theme.rule, "stroke-opacity": 0.45 });
      }
      add("text", { x: plot.left - tick - gap, y: at, "text-anchor": "end", "dominant-baseline": "central", ...muted }, label);
    }
    const name = "step \u2192";
    const nameLeft = width - textWidth(name, font);
    const below = plot.bottom + tick + gap + font * 0.5;
    for (const k of xTicks) {
      const at = x(k);
      if (at + textWidth(String(k), font) / 2 > nameLeft - 10) continue; // it would touch the axis's name
      add("line", { x1: at, y1: plot.bottom, x2: at, y2: plot.bottom + tick, ...axis });
      add("text", { x: at, y: below, "text-anchor": "middle", "dominant-baseline": "central", ...muted }, String(k));
    }
    add("text", { x: width, y: below, "text-anchor": "end", "dominant-baseline": "central", ...muted }, name);
    add("text", { x: 0, y: font * 0.6, "dominant-baseline": "central", ...muted },
      "\u2191 loss" + (this.log ? " (log scale)" : ""));
    const points = finite.map(([k, v]) => `${x(k).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
    add("polyline", { points, fill: "none", stroke: theme.accent, "stroke-width": 2.5, "stroke-linejoin": "round" });
    for (let k = 0; k < this.values.length; k++) { // NaN or infinite steps: marked along the axis, not drawn
      if (!Number.isFinite(this.values[k])) {
        add("line", { x1: x(k) - 1.5, y1: plot.bottom, x2: x(k) + 1.5, y2: plot.bottom, stroke: theme.negative, "stroke-width": 8 });
      }
    }
    this.yOf = (k) => {
      const v = this.values[k];
      const w = this.log ? Math.log10(v) : v;
      return Number.isFinite(w) ? y(w) : null;
    };
    this.marker = add("line", { y1: plot.top, y2: plot.bottom, stroke: theme.text, "stroke-width": 1.5, "stroke-dasharray": "4 4" });
    this.head = add("circle", { r: 6, fill: theme.accent, stroke: theme.background, "stroke-width": 2 });
    this.show(this.k);
  }

  show(k) {
    this.k = k;
    if (!this.plot) return;
    const at = this.x(k);
    this.marker.setAttribute("x1", at);
    this.marker.setAttribute("x2", at);
    const y = this.yOf(k);
    this.head.setAttribute("visibility", y === null ? "hidden" : "visible");
    this.head.setAttribute("cx", at);
    if (y !== null) this.head.setAttribute("cy", y);
  }
}
