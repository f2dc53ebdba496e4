// The explorer: a run's loss curve, the graph of one step and its backward pass event by event, mounted
// into any element (the page, a notebook widget, a slide). State is one object {step, event}; the view is
// a function of it, and on a page the URL hash holds it (#step=500&event=12).

import { load, WARN } from "./run.js";
import { number, factor } from "./numbers.js";
import { Curve, valueText } from "./curve.js";
import { GraphPanel, gradText } from "./graph.js";
import { svg } from "./svg.js";

const HASH_EVERY = 100; // ms: at most 10 writes of the URL a second
const D = (name) => `\u2202L/\u2202${/[+\-−·*/ ]/.test(name) ? `(${name})` : name}`;

// Mount the explorer of `payload` into `element`; options: theme ("dark" or "light"), hash (keep the
// state in the URL: a page does, a widget does not), focus (take the keyboard at once), step (the step
// shown first, when the URL does not say: a live widget ends on the run's last).
export async function mount(element, payload, { theme = "dark", hash = false, focus = false, step = 0 } = {}) {
  const run = await load(payload);
  return new Explorer(element, run, { theme, hash, focus, step });
}

class Explorer {
  constructor(element, run, options) {
    this.run = run;
    this.options = options;
    this.themeName = run.themes[options.theme] ? options.theme : Object.keys(run.themes)[0] || "dark";
    this.state = { step: 0, event: null, opened: null, hovered: null, pinned: null };
    this.timer = null;
    this.hashTimer = null;
    this.hashWritten = -Infinity;
    this.cleanup = [];
    this.build(element);
    const start = options.hash ? parseHash(location.hash) : {};
    this.show(start.step ?? options.step, start.event ?? null);
    if (options.hash) this.listen(window, "hashchange", () => {
      const h = parseHash(location.hash);
      if (h.step !== undefined) this.show(h.step, h.event ?? null);
    });
    if (options.focus) this.root.focus({ preventScroll: true });
  }

  el(tag, className, parent, text) {
    const e = document.createElement(tag);
    if (className) e.className = className;
    if (text !== undefined) e.textContent = text;
    if (parent) parent.appendChild(e);
    return e;
  }

  listen(target, type, handler) {
    target.addEventListener(type, handler);
    this.cleanup.push(() => target.removeEventListener(type, handler));
  }

  build(element) {
    const root = this.el("div", "nnanim-explorer");
    root.tabIndex = 0;
    root.setAttribute("role", "application");
    root.setAttribute("aria-label", "nnanim explorer: \u2190 \u2192 backward events, \u2191 \u2193 training steps, space play");
    this.root = root;
    const bar = this.el("header", "nx-bar", root);
    this.el("span", "nx-title", bar, this.run.title || "nnanim explore");
    this.readout = this.el("span", "nx-readout", bar);
    this.playButton = this.el("button", "nx-button", bar, "\u25b6 play");
    this.playButton.title = "play / pause the backward pass (space)";
    this.themeButton = this.el("button", "nx-button", bar);
    this.themeButton.title = "dark / light";
    const main = this.el("div", "nx-main", root);
    const side = this.el("aside", "nx-side", main);
    this.curveBox = this.el("div", "nx-curve", side);
    this.curveSvg = this.curveBox.appendChild(svg("svg", { role: "img", "aria-label": "the loss of every step" }));
    this.slider = this.el("input", "nx-slider", side);
    Object.assign(this.slider, { type: "range", min: 0, max: Math.max(this.run.count - 1, 0), step: 1 });
    this.slider.setAttribute("aria-label", "training step");
    this.detail = this.el("div", "nx-detail", side);
    const pane = this.el("section", "nx-pane", main);
    const graphBar = this.el("div", "nx-graphbar", pane);
    this.backButton = this.el("button", "nx-button", graphBar, "\u2190 whole step");
    this.where = this.el("span", "nx-where", graphBar);
    this.fitButton = this.el("button", "nx-button", graphBar, "fit");
    this.fitButton.title = "the whole graph at once / readable size";
    this.graphBox = this.el("div", "nx-graph", pane);
    const foot = this.el("footer", "nx-event", root);
    this.eventHead = this.el("div", "nx-eventhead", foot);
    this.lines = this.el("div", "nx-lines", foot);
    element.replaceChildren(root);

    this.curve = new Curve(this.curveSvg, this.run.losses, { onPick: (k) => this.show(k, this.keptEvent()) });
    this.graph = new GraphPanel(this.graphBox, {
      onHover: (key) => { this.state.hovered = key; this.describe(); },
      onPick: (key) => this.pick(key),
    });
    this.listen(this.slider, "input", () => this.show(+this.slider.value, this.keptEvent()));
    this.listen(this.playButton, "click", () => this.toggle());
    this.listen(this.themeButton, "click", () => this.setTheme(this.themeName === "dark" ? "light" : "dark"));
    this.listen(this.backButton, "click", () => this.open(null));
    this.listen(this.fitButton, "click", () => {
      this.graph.zoom(!this.graph.fit);
      this.fitButton.textContent = this.graph.fit ? "readable" : "fit";
      if (!this.graph.fit) this.graph.centre();
    });
    this.listen(root, "keydown", (e) => this.key(e));
    const resize = new ResizeObserver(() => this.drawCurve());
    resize.observe(this.curveBox);
    this.cleanup.push(() => resize.disconnect());
    this.applyTheme();
  }

  get theme() {
    return this.run.themes[this.themeName];
  }

  setTheme(name) {
    this.themeName = name;
    this.applyTheme();
    this.graph.setTheme(this.theme);
    this.render();
  }

  applyTheme() {
    const t = this.theme, s = this.root.style;
    for (const k of ["background", "text", "muted", "accent", "positive", "negative", "panel", "rule", "warning", "band"]) {
      s.setProperty(`--nx-${k}`, t[k]);
    }
    this.root.dataset.theme = this.themeName;
    this.themeButton.textContent = this.themeName === "dark" ? "\u263c light" : "\u263e dark";
    this.drawCurve();
  }

  drawCurve() {
    const w = Math.floor(this.curveBox.clientWidth), h = Math.floor(this.curveBox.clientHeight);
    if (w > 0 && h > 0) this.curve.draw(w, h, this.theme, 18);
  }

  keptEvent() {
    // a new step keeps a walk through its backward pass where it was (a finished pass stays finished)
    return this.state.event;
  }

  // Show step `step` at backward event `event` (how many events have run; null: all of them).
  show(step, event = null) {
    const run = this.run;
    step = Math.min(Math.max(Math.round(step) || 0, 0), Math.max(run.count - 1, 0));
    const carried = run.nearest(step);
    const s = carried === null ? null : run.step(carried);
    const total = s ? s.events.length : 0;
    if (event !== null) event = Math.min(Math.max(Math.round(event) || 0, 0), total);
    if (event === total) event = null;
    const newGraph = s && (!this.shown || this.shown.graph !== s.graph);
    Object.assign(this.state, { step, event });
    this.shown = s;
    if (newGraph) this.open(null, true);
    this.render();
    if (this.options.hash) this.keepInUrl();
  }

  // The URL holds the view, written at most every HASH_EVERY ms (the last view always): Chrome stops
  // honouring history.replaceState past 200 calls in 10 s, as a held key or a drag over the curve makes.
  keepInUrl() {
    if (this.hashTimer) return; // a write is due, and it reads the state when it runs
    const wait = this.hashWritten + HASH_EVERY - performance.now();
    if (wait > 0) {
      this.hashTimer = setTimeout(() => { this.hashTimer = null; this.keepInUrl(); }, wait);
      return;
    }
    this.hashWritten = performance.now();
    const { step, event } = this.state;
    const h = `#step=${step}` + (event === null ? "" : `&event=${event}`);
    if (location.hash !== h) history.replaceState(null, "", h);
  }

  open(key, quiet = false) {
    const s = this.shown;
    if (!s) return;
    const view = key === null ? s.graph.view : s.graph.opened[key];
    if (!view) return;
    this.state.opened = key;
    this.state.pinned = null;
    this.graph.setView(s.graph, view, this.theme);
    this.backButton.hidden = key === null;
    this.graph.centre();
    if (!quiet) this.render();
  }

  pick(key) {
    const s = this.shown;
    if (this.state.opened === null && s.graph.opened[key]) return this.open(key);
    this.state.pinned = this.state.pinned === key ? null : key;
    this.describe();
  }

  render() {
    const { step, event } = this.state;
    const run = this.run, s = this.shown;
    this.slider.value = step;
    this.readout.textContent = `step ${step} of ${run.count}  \u00b7  loss ${valueText(run.losses[step])}`;
    this.curve.show(step);
    if (!s) {
      this.where.textContent = "this run carries no graph";
      return;
    }
    const total = s.events.length, count = event === null ? total : event;
    const g = s.graph;
    const opened = this.state.opened;
    const neuron = opened === null ? "" : `${g.names[+opened]}'s values`;
    const elsewhere = s.k === step ? "" : `the graph of step ${s.k}, the nearest the trace keeps`;
    this.where.textContent = [neuron, elsewhere].filter(Boolean).join(" \u00b7 ") ||
      (g.view.boxes.length < g.size ? "a box per neuron: click one to open it" : "every value of the step");
    // at the end of the pass, the grads the trace carries (the run's own numbers); before, the replay's
    const { grads, reached } = count === total ? { ...s.gradsAt(count), grads: s.grad } : s.gradsAt(count);
    const current = count > 0 ? s.events[count - 1] : null;
    const warnings = current ? this.warningsOf(s, count - 1) : s.start.warnings;
    const warned = new Set(warnings.length ? [current ? current.node : g.root] : []);
    const end = count === total;
    const closing = end ? [...s.closing, ...this.mismatches(s)] : [];
    if (closing.length) for (const f of s.findings) if (f.event === undefined || f.event === null) warned.add(f.node);
    this.graph.update({ data: s.data, grads, reached, marked: current ? current.node : g.root, warned });
    const moved = this.followed !== `${s.k}:${count}:${opened}`;
    if (moved && (event !== null || this.playing)) this.graph.follow(current ? current.node : g.root);
    this.followed = `${s.k}:${count}:${opened}`;
    this.grads = grads;
    this.reached = reached;
    this.count = count;
    // the event and its rule, as the backprop scene writes it
    const root = g.names[g.root];
    let head, lines;
    if (current) {
      head = `event ${count} of ${total}: ${g.names[current.node]} passes its grad back (${current.op})`;
      lines = s.lines(current).filter((l) => !l.startsWith(WARN));
    } else {
      head = `event 0 of ${total}: backward begins at ${root}`;
      lines = [`${D(root)} = 1`];
    }
    this.eventHead.textContent = `${head}${end ? "  \u00b7  done" : ""}`;
    this.lines.replaceChildren();
    for (const line of lines) this.el("div", "nx-line", this.lines, line);
    for (const line of [...warnings, ...closing]) this.el("div", "nx-line nx-warning", this.lines, line);
    this.describe();
  }

  warningsOf(s, index) {
    // what nnanim found wrong there (the backprop scene's ⚠ lines, in the names on screen), else the page's
    // own replay's (a payload without findings)
    const found = s.findings.filter((f) => f.event === index).flatMap((f) => f.lines || []);
    return found.length ? [...new Set(found)] : s.events[index].warnings;
  }

  mismatches(s) {
    const g = s.graph;
    return s.check().slice(0, 3).map((m) => `${WARN}the page's replay gives ${g.names[m.node]}.grad ` +
      `${number(m.replayed)}, the trace holds ${number(m.carried)}`);
  }

  // The details of the hovered (or clicked) value: what it is, its numbers, its rule, where its grad came from.
  describe() {
    const s = this.shown;
    const key = this.state.hovered ?? this.state.pinned;
    const d = this.detail;
    d.replaceChildren();
    if (!s || key === null) {
      this.el("div", "nx-hint", d, "Hover or click a value for its numbers and where its grad came from. " +
        "\u2190 \u2192 backward events \u00b7 \u2191 \u2193 steps \u00b7 space play");
      return;
    }
    const g = s.graph, i = +key;
    const box = this.graph.boxes.get(String(key))?.b;
    const members = box ? box.members.length : 1;
    const name = this.el("div", "nx-name", d, g.names[i]);
    name.title = g.labels[i] || "";
    const op = g.ops[i];
    const kind = members > 1 ? `a unit of ${members} values, shown by its output` : op ? `op ${op}` : "a leaf (an input or a parameter)";
    this.el("div", "nx-muted", d, kind);
    this.el("div", null, d, `data ${number(s.data[i])}`);
    const grad = this.reached[i] ? this.grads[i] : null;
    const gl = this.el("div", "nx-grad", d, gradText(grad));
    gl.dataset.sign = grad === null ? "none" : grad > 0 ? "positive" : grad < 0 ? "negative" : "zero";
    if (g.inputs[i].length) {
      this.el("div", null, d, `inputs: ${g.inputs[i].map((j) => `${g.names[j]} (${number(s.data[j])})`).join(", ")}`);
    }
    const own = s.events.findIndex((e) => e.node === i);
    if (own >= 0) {
      this.el("div", "nx-sub", d, own < this.count ? "its rule ran:" : "its rule, when it runs:");
      for (const line of s.lines(s.events[own])) {
        this.el("div", line.startsWith(WARN) ? "nx-line nx-warning" : "nx-line", d, line);
      }
    }
    const from = [];
    s.events.slice(0, this.count).forEach((e) => e.inputs.forEach((j, k) => {
      if (j === i) from.push([e, k]);
    }));
    if (i === g.root) this.el("div", "nx-sub", d, `its grad: ${D(g.names[i])} = 1, where backward begins`);
    else if (from.length) {
      this.el("div", "nx-sub", d, "its grad came from:");
      for (const [e, k] of from) {
        const line = s.lines(e)[k] ?? `${g.names[e.node]}: ${factor(e.received[k])}`;
        this.el("div", "nx-line", d, line);
      }
    } else if (g.size > 1) this.el("div", "nx-muted", d, "no grad has reached it yet");
  }

  key(e) {
    const s = this.shown, total = s ? s.events.length : 0;
    const event = this.state.event === null ? total : this.state.event;
    const step = this.state.step;
    const moves = {
      ArrowLeft: () => this.show(step, event - 1),
      ArrowRight: () => this.show(step, event + 1),
      ArrowUp: () => this.show(step - 1, this.keptEvent()),
      PageUp: () => this.show(step - 1, this.keptEvent()),
      ArrowDown: () => this.show(step + 1, this.keptEvent()),
      PageDown: () => this.show(step + 1, this.keptEvent()),
      Home: () => this.show(0, this.keptEvent()),
      End: () => this.show(this.run.count - 1, this.keptEvent()),
      " ": () => this.toggle(),
    };
    if (e.target === this.slider && !["ArrowLeft", "ArrowRight", " "].includes(e.key)) return;
    const move = moves[e.key];
    if (!move || e.altKey || e.ctrlKey || e.metaKey) return;
    e.preventDefault();
    e.stopPropagation(); // a reveal.js deck around the explorer does not also move
    if (e.key !== " ") this.pause();
    move();
  }

  get playing() {
    return this.timer !== null;
  }

  toggle() {
    if (this.playing) return this.pause();
    const total = this.shown ? this.shown.events.length : 0;
    if (this.state.event === null) this.show(this.state.step, 0);
    const delay = Math.max(150, Math.min(900, 30000 / Math.max(total, 1)));
    this.timer = setInterval(() => {
      const event = this.state.event;
      if (event === null) return this.pause();
      this.show(this.state.step, event + 1);
    }, delay);
    this.playButton.textContent = "\u2016 pause";
    this.render();
  }

  pause() {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.playButton.textContent = "\u25b6 play";
  }

  destroy() {
    this.pause();
    clearTimeout(this.hashTimer);
    this.cleanup.forEach((f) => f());
    this.root.remove();
  }
}

export function parseHash(hash) {
  const out = {};
  for (const part of hash.replace(/^#/, "").split("&")) {
    const [k, v] = part.split("=");
    if ((k === "step" || k === "event") && /^\d+$/.test(v || "")) out[k] = +v;
  }
  return out;
}
