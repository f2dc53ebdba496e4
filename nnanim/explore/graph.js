// A step's graph as the scenes draw it (scenes/graph_view.py): a rounded box per value or unit (its name in
// bold, `data 1.234`, `grad −0.5` in its sign's colour, `grad ?` until the gradient reaches it), leaves on
// the background, computed values on a panel, an op circle in front of each computed value, arrows from a
// box's right side to the op that reads it. Placed where the view says (nnanim computes the layout once,
// scenes/graph_layout.py), at a readable size in a panel that scrolls. The elements are made once per
// view; a new step or event changes texts and colours only.

import { number } from "./numbers.js";
import { svg, set, textWidth, FONT } from "./svg.js";

const LINE_GAP = 0.2, PAD = 0.4; // graph_view.py, in line heights
const OP = 1.7; // an op circle's diameter, in line heights
const MARGIN = 1; // around the drawing, in line heights
let made = 0; // for ids unique on a page with several explorers

export function gradText(grad) {
  return grad === null ? "grad ?" : `grad ${number(grad)}`;
}

export function signColour(theme, grad) {
  if (grad === null) return theme.muted;
  return grad > 0 ? theme.positive : grad < 0 ? theme.negative : theme.text;
}

export class GraphPanel {
  constructor(container, { onHover, onPick, unit = 23 }) {
    this.container = container;
    this.unit = unit; // px per line height: text at 0.83 of it (19 px at 23) stays above 18 px
    this.onHover = onHover;
    this.onPick = onPick;
    this.id = `nnanim-graph-${++made}`;
    this.root = svg("svg", { class: "nnanim-graph", role: "img" });
    container.replaceChildren(this.root);
    this.fit = false;
    this.pan();
  }

  pan() {
    // drag the drawing to move around it (a click that does not move still clicks)
    let from = null;
    this.container.addEventListener("pointerdown", (e) => {
      if (e.button !== 0) return;
      from = { x: e.clientX, y: e.clientY, left: this.container.scrollLeft, top: this.container.scrollTop, moved: false };
    });
    this.container.addEventListener("pointermove", (e) => {
      if (!from) return;
      const dx = e.clientX - from.x, dy = e.clientY - from.y;
      if (Math.abs(dx) + Math.abs(dy) > 4) from.moved = true;
      if (from.moved) {
        this.container.scrollLeft = from.left - dx;
        this.container.scrollTop = from.top - dy;
      }
    });
    const end = () => { this.dragged = from?.moved; from = null; };
    this.container.addEventListener("pointerup", end);
    this.container.addEventListener("pointerleave", () => { from = null; });
  }

  // Build the elements of `view` (boxes, op circles, edges) of `graph`.
  setView(graph, view, theme) {
    this.graph = graph;
    this.view = view;
    this.theme = theme;
    const u = this.unit;
    const [bw, bh] = view.box;
    this.size = [bw, bh];
    const W = view.width + 2 * MARGIN, H = view.height + 2 * MARGIN;
    this.px = (x) => (x + view.width / 2 + MARGIN) * u;
    this.py = (y) => (view.height / 2 - y + MARGIN) * u;
    this.W = W * u;
    this.H = H * u;
    const root = this.root;
    root.replaceChildren();
    root.setAttribute("viewBox", `0 0 ${this.W} ${this.H}`);
    this.zoom(this.fit);
    const font = +(u * 0.83).toFixed(2);
    root.setAttribute("font-family", FONT);
    root.setAttribute("font-size", font);
    const defs = root.appendChild(svg("defs"));
    this.markers = {};
    for (const kind of ["idle", "active"]) {
      const marker = defs.appendChild(svg("marker", { id: `${this.id}-${kind}`, viewBox: "0 0 10 10", refX: 9, refY: 5,
        markerWidth: 5, markerHeight: 5, orient: "auto-start-reverse" }));
      this.markers[kind] = marker.appendChild(svg("path", { d: "M0,0 L10,5 L0,10 z" }));
    }
    const edgeLayer = root.appendChild(svg("g"));
    const boxLayer = root.appendChild(svg("g"));
    const opLayer = root.appendChild(svg("g"));
    this.boxes = new Map();
    this.unitOf = new Map(); // node -> the key of the box that shows it
    const xs = [...new Set(view.boxes.map((b) => b.x))].sort((a, b) => a - b);
    const pitch = Math.min(...xs.slice(1).map((x, i) => x - xs[i]));
    const gap = Number.isFinite(pitch) && pitch > bw ? pitch - bw : 2.4;
    for (const b of view.boxes) {
      const key = String(b.key);
      for (const m of b.members) this.unitOf.set(m, key);
      const left = this.px(b.x - bw / 2), top = this.py(b.y + bh / 2);
      const g = boxLayer.appendChild(svg("g", { class: "nnanim-box", "data-key": key }));
      const frame = g.appendChild(svg("rect", { x: left, y: top, width: bw * u, height: bh * u, rx: u * 0.5,
        "stroke-width": 2 }));
      const row = (k) => top + (PAD + 0.5 + k * (1 + LINE_GAP)) * u;
      const cx = this.px(b.x);
      const at = { x: cx, "text-anchor": "middle", "dominant-baseline": "central" };
      const name = g.appendChild(svg("text", { ...at, y: row(0), "font-weight": "bold" }, b.name));
      const data = g.appendChild(svg("text", { ...at, y: row(1) }));
      const grad = g.appendChild(svg("text", { ...at, y: row(2) }));
      const box = { b, key, g, frame, name, data, grad, shown: {}, op: null };
      if (b.op) box.op = this.makeOp(opLayer, b, this.px(b.x - bw / 2 - gap / 2), this.py(b.y), font);
      this.boxes.set(key, box);
      for (const el of [g, box.op?.g].filter(Boolean)) {
        el.addEventListener("pointerenter", () => this.onHover(key));
        el.addEventListener("pointerleave", () => this.onHover(null));
        el.addEventListener("click", () => { if (!this.dragged) this.onPick(key); });
      }
    }
    this.edges = [];
    this.into = new Map(); // a box key -> the edges its gradient travels back along
    for (const [tail, head] of view.edges) {
      const edge = this.makeEdge(edgeLayer, String(tail), String(head));
      if (!edge) continue;
      this.edges.push(edge);
      const box = String(head).replace(/^op:/, "");
      if (!this.into.has(box)) this.into.set(box, []);
      this.into.get(box).push(edge);
    }
    this.fan();
    this.paint();
  }

  makeOp(layer, b, x, y, font) {
    const u = this.unit;
    const h = OP * u;
    const w = Math.max(h, textWidth(b.op, font) + 0.9 * u);
    const g = layer.appendChild(svg("g", { class: "nnanim-op" }));
    const ring = g.appendChild(w <= h * 1.05
      ? svg("circle", { cx: x, cy: y, r: h / 2, "stroke-width": 2 })
      : svg("rect", { x: x - w / 2, y: y - h / 2, width: w, height: h, rx: h / 2, "stroke-width": 2 }));
    const label = g.appendChild(svg("text", { x, y, "text-anchor": "middle", "dominant-baseline": "central" }, b.op));
    return { g, ring, label, x, y, rx: w / 2, ry: h / 2 };
  }

  end(key) {
    // where an edge meets a part: [x, y, rx, ry, isOp]
    if (key.startsWith("op:")) {
      const op = this.boxes.get(key.slice(3))?.op;
      return op && { x: op.x, y: op.y, rx: op.rx, ry: op.ry, op: true };
    }
    const box = this.boxes.get(key);
    if (!box) return null;
    const [bw, bh] = this.size;
    return { x: this.px(box.b.x), y: this.py(box.b.y), rx: (bw * this.unit) / 2, ry: (bh * this.unit) / 2, op: false };
  }

  makeEdge(layer, tail, head) {
    const a = this.end(tail), b = this.end(head);
    if (!a || !b) return null;
    const start = [a.x + a.rx, a.y];
    let stop;
    if (b.op) { // the point of the op's outline that faces the start
      const dx = start[0] - b.x, dy = start[1] - b.y, n = Math.hypot(dx, dy) || 1;
      const s = 1 / Math.sqrt((dx / n / b.rx) ** 2 + (dy / n / b.ry) ** 2);
      stop = [b.x + (dx / n) * s, b.y + (dy / n) * s];
    } else {
      stop = [b.x - b.rx, b.y];
    }
    const buff = this.unit * 0.12;
    const d = Math.hypot(stop[0] - start[0], stop[1] - start[1]) || 1;
    const ux = (stop[0] - start[0]) / d, uy = (stop[1] - start[1]) / d;
    const line = layer.appendChild(svg("line", { x1: start[0] + ux * buff, y1: start[1] + uy * buff,
      x2: stop[0] - ux * buff, y2: stop[1] - uy * buff, "stroke-width": 2.5 }));
    return { tail, head, line, toBox: !b.op };
  }

  fan() {
    // arrows into the left side of one box are spread over its height, so their heads do not pile up
    const byHead = new Map();
    for (const e of this.edges) if (e.toBox && !e.tail.startsWith("op:")) {
      if (!byHead.has(e.head)) byHead.set(e.head, []);
      byHead.get(e.head).push(e);
    }
    const bh = this.size[1] * this.unit;
    for (const group of byHead.values()) {
      if (group.length < 2) continue;
      const y0 = +group[0].line.getAttribute("y2");
      group.sort((p, q) => +p.line.getAttribute("y1") - +q.line.getAttribute("y1"));
      group.forEach((e, i) => e.line.setAttribute("y2", y0 + (i / (group.length - 1) - 0.5) * bh * 0.6));
    }
  }

  zoom(fit) {
    this.fit = fit;
    if (fit) {
      set(this.root, { width: "100%", height: "100%", preserveAspectRatio: "xMidYMid meet" });
    } else {
      set(this.root, { width: this.W, height: this.H });
    }
  }

  setTheme(theme) {
    this.theme = theme;
    this.paint();
  }

  // Texts and colours for `state`: {data, grads, reached (per node), marked (the node whose rule runs),
  // warned (a Set of nodes whose step is wrong)}; only what changed is written.
  update(state) {
    this.state = state;
    this.paint();
  }

  paint() {
    const t = this.theme, s = this.state;
    if (!t || !this.boxes) return;
    this.markers.idle.setAttribute("fill", t.rule);
    this.markers.active.setAttribute("fill", t.accent);
    const marked = s && s.marked !== null ? this.unitOf.get(s.marked) : undefined;
    const warned = new Set([...(s?.warned || [])].map((n) => this.unitOf.get(n)));
    for (const box of this.boxes.values()) {
      const i = box.b.key;
      const grad = s && s.reached[i] ? s.grads[i] : null;
      const active = box.key === marked, wrong = warned.has(box.key);
      write(box, "name", wrong ? `\u26a0 ${box.b.name}` : box.b.name); // marked as the scene marks what is wrong
      write(box, "data", s ? `data ${number(s.data[i])}` : "");
      write(box, "grad", s ? gradText(grad) : "");
      paintIf(box, "frame", { fill: box.b.leaf ? t.background : t.panel,
        stroke: wrong ? t.warning : active ? t.accent : t.rule, "stroke-width": active || wrong ? 5 : 2 });
      paintIf(box, "name", { fill: wrong ? t.warning : t.text });
      paintIf(box, "data", { fill: t.text });
      paintIf(box, "grad", { fill: signColour(t, grad) });
      if (box.op) {
        const lit = active && s.marked === i;
        set(box.op.ring, { fill: t.background, stroke: lit ? t.accent : t.rule, "stroke-width": lit ? 4 : 2 });
        box.op.label.setAttribute("fill", lit ? t.accent : t.text);
      }
    }
    const hot = new Set(marked !== undefined && s.marked === +marked ? this.into.get(marked) || [] : []);
    for (const e of this.edges) {
      const on = hot.has(e);
      set(e.line, { stroke: on ? t.accent : t.rule, "stroke-width": on ? 4 : 2.5,
        "marker-end": `url(#${this.id}-${on ? "active" : "idle"})` });
    }
  }

  // Scroll so that the box `key` (and room around it) is in view, as the scene's camera follows the pass.
  follow(node) {
    const key = this.unitOf.get(node);
    const box = key && this.boxes.get(key);
    if (!box || this.fit) return;
    const c = this.container;
    const x = this.px(box.b.x), y = this.py(box.b.y);
    const [bw, bh] = this.size.map((v) => v * this.unit);
    const inside = x - bw > c.scrollLeft && x + bw / 2 < c.scrollLeft + c.clientWidth &&
      y - bh > c.scrollTop && y + bh < c.scrollTop + c.clientHeight;
    if (!inside) c.scrollTo({ left: x - c.clientWidth / 2, top: y - c.clientHeight / 2, behavior: "smooth" });
  }

  centre() {
    const c = this.container;
    c.scrollTo({ left: (this.W - c.clientWidth) / 2, top: (this.H - c.clientHeight) / 2 });
  }
}

function write(box, part, text) {
  if (box.shown[part] !== text) {
    box[part].textContent = text;
    box.shown[part] = text;
  }
}

function paintIf(box, part, attrs) {
  const key = JSON.stringify(attrs);
  if (box.shown[`@${part}`] !== key) {
    set(box[part], attrs);
    box.shown[`@${part}`] = key;
  }
}
