// A run followed while it trains (a notebook's `--live` cell): its loss so far, as the explorer draws it;
// the step and its loss; and the network's weights and biases as a strip of cells on the theme's diverging
// scale (scenes/theme.py: colour is sign, strength is size). The explorer takes its place when the run ends.

import { Curve, valueText } from "./curve.js";
import { number } from "./numbers.js";

const LIMIT = 1e100, SMALLEST = 1e-100; // scenes/drawable.py: what is drawn of a number
const MOST_CELLS = 2000; // weights shown as cells; a larger network shows its first ones and says so

// Python's round(): a tie goes to the even neighbour (255 * c is a tie only for a few colours, but then
// the same colour as the scenes').
function roundEven(x) {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function rgb(hex) {
  return [0, 2, 4].map((i) => parseInt(hex.slice(1 + i, 3 + i), 16) / 255);
}

// Where the colour scale saturates: scenes/drawable.py's scale_of, for one array.
export function scaleOf(values) {
  let largest = -1;
  for (const v of values) {
    const a = Math.abs(v);
    if (Number.isFinite(a)) largest = Math.max(largest, a < SMALLEST ? 0 : Math.min(a, LIMIT));
  }
  if (largest < 0) largest = 1;
  return Math.min(Math.max(Math.ceil(largest * 2) / 2, 0.5), LIMIT);
}

// `value`'s colour on `theme`'s diverging scale saturating at ±`scale`: Theme.diverging_hex, number for number.
export function diverging(theme, value, scale) {
  scale = scale > 0 ? Math.min(Math.max(scale, SMALLEST), LIMIT) : 1;
  let v = value;
  if (Number.isFinite(v)) v = Math.abs(v) < SMALLEST ? 0 : Math.min(Math.max(v, -LIMIT), LIMIT);
  let t = Math.min(Math.max(v / scale, -1), 1);
  if (Number.isNaN(t)) t = 0;
  const weight = Math.sqrt(Math.abs(t));
  const end = rgb(t >= 0 ? theme.fill_positive : theme.fill_negative), zero = rgb(theme.fill_zero);
  return "#" + zero.map((z, i) => roundEven(255 * ((1 - weight) * z + weight * end[i]))
    .toString(16).padStart(2, "0")).join("");
}

export class Live {
  constructor(element, { themes, theme = "dark", title = "" }) {
    this.theme = themes[theme] || Object.values(themes)[0];
    this.themeName = themes[theme] ? theme : Object.keys(themes)[0];
    const el = (tag, className, parent, text) => {
      const e = document.createElement(tag);
      if (className) e.className = className;
      if (text !== undefined) e.textContent = text;
      if (parent) parent.appendChild(e);
      return e;
    };
    const root = el("div", "nnanim-explorer nx-live");
    root.dataset.theme = this.themeName;
    for (const k of ["background", "text", "muted", "accent", "positive", "negative", "panel", "rule", "warning", "band"]) {
      root.style.setProperty(`--nx-${k}`, this.theme[k]);
    }
    const bar = el("header", "nx-bar", root);
    el("span", "nx-title", bar, title || "nnanim");
    this.readout = el("span", "nx-readout", bar, "waiting for the first step");
    this.status = el("span", "nx-status", bar);
    this.curveBox = el("div", "nx-live-curve", root);
    this.curveSvg = this.curveBox.appendChild(document.createElementNS("http://www.w3.org/2000/svg", "svg"));
    this.curveSvg.setAttribute("role", "img");
    this.curveSvg.setAttribute("aria-label", "the loss of every step so far");
    this.curve = new Curve(this.curveSvg, new Float64Array(0), { onPick: () => {} });
    const weights = el("section", "nx-weights", root);
    this.caption = el("div", "nx-muted", weights);
    this.strip = el("div", "nx-strip", weights);
    this.root = root;
    element.replaceChildren(root);
    this.resize = new ResizeObserver(() => this.drawCurve());
    this.resize.observe(this.curveBox);
  }

  drawCurve() {
    const w = Math.floor(this.curveBox.clientWidth), h = Math.floor(this.curveBox.clientHeight);
    if (w > 0 && h > 0 && this.curve.losses.length) {
      this.curve.draw(w, h, this.theme, 18);
      this.curve.show(this.curve.losses.length - 1);
    }
  }

  // losses: every step's so far (Float64Array); weights: the parameters at the last step shown; labels:
  // their names (may be empty); status: a word on what the run is doing.
  update({ losses, weights, labels = [], status = "" }) {
    const k = losses.length - 1;
    if (k >= 0) this.readout.textContent = `step ${k}  \u00b7  loss ${valueText(losses[k])}`;
    this.status.textContent = status;
    this.curve.setLosses(losses);
    this.drawCurve();
    this.showWeights(weights, labels);
  }

  showWeights(weights, labels) {
    const n = Math.min(weights.length, MOST_CELLS);
    if (!weights.length) {
      this.caption.textContent = "the weights appear from the second step on";
      this.strip.replaceChildren();
      return;
    }
    const scale = scaleOf(weights);
    this.caption.textContent = `the ${weights.length} weights and biases: blue positive, red negative, ` +
      `full colour at \u00b1${number(scale)}` + (n < weights.length ? ` (the first ${n} shown)` : "");
    while (this.strip.children.length > n) this.strip.lastChild.remove();
    while (this.strip.children.length < n) this.strip.appendChild(document.createElement("span")).className = "nx-cell";
    for (let i = 0; i < n; i++) {
      const cell = this.strip.children[i];
      cell.style.background = diverging(this.theme, weights[i], scale);
      cell.title = `${labels[i] || `#${i}`} = ${number(weights[i])}`;
    }
  }

  destroy() {
    this.resize.disconnect();
    this.root.remove();
  }
}
