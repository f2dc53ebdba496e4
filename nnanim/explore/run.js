// A recorded run as the page reads it (docs/explore.md, version 1): the losses, each carried step's graph
// with its data and grads, and its backward pass event by event, replayed as the engine replays it
// (engine/steps.py, Step.backward_events) or as a class's own backward ran (`recorded`). The local rules
// are engine/value.py's, in the same order of operations, so a replayed grad is the engine's to the bit.

import { decode } from "./decode.js";
import { number, factor } from "./numbers.js";

export const WARN = "\u26a0 "; // a line that says what is wrong: drawn in the theme's warning colour
const TOLERANCE = 1e-6; // as scenes/backprop_plan.py: relative, with an absolute floor of the same size

export function close(a, b) {
  if (a === b) return true;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return false;
  return Math.abs(a - b) <= Math.max(TOLERANCE * Math.max(Math.abs(a), Math.abs(b)), TOLERANCE);
}

export async function load(payload) {
  if (payload.format !== "nnanim-explore" || payload.version !== 1) {
    throw new Error(`not an nnanim explore payload of version 1 (format ${payload.format}, version ${payload.version})`);
  }
  const [losses, graphs, recorded] = await Promise.all([
    decode(payload.losses),
    Promise.all(payload.graphs.map(loadGraph)),
    loadRecorded(payload.recorded || {}),
  ]);
  return new Run(payload, losses, graphs, recorded);
}

async function loadGraph(g) {
  const [data, grad, gradBefore] = await Promise.all([decode(g.data), decode(g.grad),
    g.grad_before ? decode(g.grad_before) : null]);
  return new Graph(g, data, grad, gradBefore);
}

async function loadRecorded(recorded) {
  const out = new Map();
  await Promise.all(Object.entries(recorded).map(async ([k, r]) => {
    const [grads, amounts] = await Promise.all([decode(r.grads), decode(r.amounts)]);
    out.set(Number(k), { nodes: r.nodes, grads, amounts });
  }));
  return out;
}

export class Graph {
  constructor(g, data, grad, gradBefore) {
    Object.assign(this, { ops: g.ops, labels: g.labels, names: g.names, inputs: g.inputs, rules: g.rules,
      view: g.view, opened: g.opened || {}, steps: g.steps });
    this.size = g.ops.length;
    this.root = this.size - 1; // created last: it depends on everything else
    this.columns = { data, grad, gradBefore };
  }

  // node-major: node i's numbers over the graph's steps
  column(blob, at) {
    const out = new Float64Array(this.size);
    if (!blob) return out;
    const s = this.steps.length;
    for (let i = 0; i < this.size; i++) out[i] = blob[i * s + at];
    return out;
  }
}

export class Run {
  constructor(payload, losses, graphs, recorded) {
    this.title = payload.title;
    this.themes = payload.themes;
    this.count = payload.steps;
    this.losses = losses;
    this.graphs = graphs;
    this.recorded = recorded;
    this.findings = payload.findings || [];
    this.where = new Map(); // step -> [graph, its column]
    graphs.forEach((g) => g.steps.forEach((k, at) => this.where.set(k, [g, at])));
    this.carried = [...this.where.keys()].sort((a, b) => a - b);
    this.cache = new Map();
  }

  // The carried step nearest to k (at or before it when there is one): the graph shown for step k.
  nearest(k) {
    const c = this.carried;
    if (!c.length) return null;
    let lo = 0, hi = c.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (c[mid] <= k) lo = mid; else hi = mid - 1;
    }
    return c[lo] <= k ? c[lo] : c[0];
  }

  step(k) {
    if (!this.cache.has(k)) {
      const found = this.where.get(k);
      if (!found) return null;
      if (this.cache.size > 32) this.cache.delete(this.cache.keys().next().value);
      this.cache.set(k, new Step(this, k, ...found));
    }
    return this.cache.get(k);
  }
}

export class Step {
  constructor(run, k, graph, at) {
    this.k = k;
    this.graph = graph;
    this.data = graph.column(graph.columns.data, at);
    this.grad = graph.column(graph.columns.grad, at);
    this.gradBefore = graph.column(graph.columns.gradBefore, at);
    this.recorded = run.recorded.get(k) || null;
    this.findings = run.findings.filter((f) => f.step === k);
    this._replay();
  }

  // `events`: the backward events in the order they ran, each {node, op, grad, inputs, received, before,
  // after, sent, warnings, sources}; `start`: what holds before the first (the grads, the root's set, and
  // what is wrong with it); `final`: the grads at the end; `closing`: what is wrong only at the end.
  _replay() {
    const g = this.graph;
    const derived = derive(g, this.data, this.gradBefore);
    let events = derived.events, rootGrad = 1;
    let truth = null;
    if (this.recorded) {
      truth = derived;
      ({ events, rootGrad } = replayRecorded(g, this.recorded, this.gradBefore));
    }
    const grads = Float64Array.from(this.gradBefore);
    grads[g.root] = rootGrad;
    const start = { grads: Float64Array.from(grads), warnings: [] };
    if (truth && !close(rootGrad, 1)) {
      start.warnings.push(`${WARN}${g.names[g.root]}.grad is ${number(rootGrad)} when backward begins: should be 1`);
    }
    const runs = new Map(), sources = new Map();
    for (const e of events) {
      runs.set(e.node, (runs.get(e.node) || 0) + 1);
      e.before = [];
      e.after = [];
      e.inputs.forEach((i, k) => {
        e.before.push(grads[i]);
        grads[i] += e.received[k];
        e.after.push(grads[i]);
      });
      e.sources = e.inputs.map((i) => [...(sources.get(i) || [])]);
      e.inputs.forEach((i) => sources.set(i, [...(sources.get(i) || []), e.node]));
      [e.warnings, e.sent] = truth ? wrong(g, truth, e, runs.get(e.node)) : [[], null];
      e.held = held(e);
    }
    this.final = grads;
    this.sources = sources;
    this.start = start;
    this.closing = [];
    if (truth && !events.some((e) => e.warnings.length) && !start.warnings.length) {
      const leaves = [...g.inputs.keys()].filter((i) => !g.inputs[i].length);
      this.closing = leaves.filter((i) => !close(grads[i], truth.final[i])).slice(0, 2).map((i) =>
        `${WARN}backward is done, but ${g.names[i]}.grad is ${number(grads[i])}: should be ${number(truth.final[i])}`);
    }
    this.truth = truth;
    this.events = events;
  }

  // The grads (and which have been reached) once the first `count` events have run.
  gradsAt(count) {
    const events = this.events;
    const grads = Float64Array.from(this.start.grads);
    const reached = new Uint8Array(grads.length);
    reached[this.graph.root] = 1;
    grads.forEach((x, i) => { if (x !== 0) reached[i] = 1; });
    for (let n = 0; n < Math.min(count, events.length); n++) {
      const e = events[n];
      e.inputs.forEach((i, k) => { grads[i] = e.after[k]; reached[i] = 1; });
    }
    return { grads, reached };
  }

  // Where the replay's grads disagree with the grads the trace carries: [{node, replayed, carried}].
  check() {
    const final = this.final;
    const out = [];
    for (let i = 0; i < final.length; i++) {
      if (!close(final[i], this.grad[i]) && !(Number.isNaN(final[i]) && Number.isNaN(this.grad[i]))) {
        out.push({ node: i, replayed: final[i], carried: this.grad[i] });
      }
    }
    return out;
  }

  // The lines the backprop scene writes for an event: one per input from the graph's rule templates,
  // an accumulation line where an input already held a grad, and what is wrong with it.
  lines(e) {
    const g = this.graph;
    const amounts = e.sent || e.received;
    const out = (g.rules[e.node] || []).map((tokens) => written(tokens, e, this.data, amounts));
    e.inputs.forEach((i, k) => {
      if (e.before[k] === 0 || e.inputs.indexOf(i) !== k) return;
      const from = e.sources[k].map((s) => g.names[s]);
      const origin = from.length ? ` (from ${listed(from)})` : "";
      out.push(`${g.names[i]}.grad = ${number(e.before[k])}${origin} + ${factor(e.received[k])} = ${number(e.after[k])}`);
    });
    return [...out, ...e.warnings];
  }
}

function written(tokens, e, data, amounts) {
  return tokens.map((t) => {
    if (typeof t === "string") return t;
    if ("grad" in t) return factor(e.held(t.grad));
    if ("data" in t) return factor(data[t.data]);
    if ("bit" in t) return data[t.bit] > 0 ? "1" : "0";
    if ("received" in t) return number(amounts[t.received]);
    return "";
  }).join("");
}

function held(e) {
  // grads as the rule ran, for the nodes a rule template names: the event's node and its inputs
  const held = new Map([[e.node, e.grad]]);
  e.inputs.forEach((i, k) => { if (!held.has(i) && e.inputs.indexOf(i) === k) held.set(i, e.before[k]); });
  return (i) => (held.has(i) ? held.get(i) : NaN);
}

function listed(items) {
  items = [...new Set(items)];
  return items.length <= 4 ? items.join(", ") : `${items[0]} \u2026 ${items[items.length - 1]}`;
}

// ----- the engine's own backward (engine/value.py's rules, engine/steps.py's order)

export function exponent(op) {
  const text = op.slice(2);
  return /^-?\d+$/.test(text) ? parseInt(text, 10) : parseFloat(text);
}

// What each input of node `i` receives for its grad g: engine/value.py's BACKWARD_RULES, operation for
// operation; null for an op without a rule.
export function rule(op, inputs, data, i, g) {
  const out = data[i];
  const a = data[inputs[0]];
  if (op === "+") return [g, g];
  if (op === "*") return [data[inputs[1]] * g, a * g];
  if (op.startsWith("**")) {
    const n = exponent(op);
    return [(n * Math.pow(a, n - 1)) * g];
  }
  if (op === "tanh") return [g * (1 - out * out)];
  if (op === "exp") return [out * g];
  if (op === "log") return [g / a];
  if (op === "relu") return [(out > 0 ? 1 : 0) * g];
  return null;
}

export function derive(g, data, gradBefore) {
  const grads = Float64Array.from(gradBefore);
  grads[g.root] = 1;
  const events = [];
  const gradWhenRun = new Map();
  for (let i = g.size - 1; i >= 0; i--) {
    const inputs = g.inputs[i];
    if (!inputs.length) continue;
    const received = rule(g.ops[i], inputs, data, i, grads[i]);
    if (!received) continue;
    gradWhenRun.set(i, grads[i]);
    events.push({ node: i, op: g.ops[i], grad: grads[i], inputs, received });
    inputs.forEach((j, k) => { grads[j] += received[k]; });
  }
  return {
    events, final: grads, gradWhenRun,
    sends: (i, grad) => rule(g.ops[i], g.inputs[i], data, i, grad),
  };
}

function replayRecorded(g, { nodes, grads, amounts }, gradBefore) {
  const rootGrad = nodes.length && nodes[0] === g.root ? grads[0] : 1;
  const events = [];
  let at = 0;
  nodes.forEach((node, n) => {
    const inputs = g.inputs[node];
    const received = Array.from(amounts.subarray(at, at + inputs.length));
    at += inputs.length;
    events.push({ node, op: g.ops[node], grad: grads[n], inputs, received });
  });
  return { events, rootGrad };
}

// What is wrong with one event of a class's own backward, held against the chain rule (as
// scenes/backprop_plan.py's _wrong): [warning lines, the amounts the chain rule sends or null].
function wrong(g, truth, e, run) {
  const name = g.names;
  if (run > 1) {
    const times = run === 2 ? "twice" : `${run} times`;
    return [[`${WARN}${name[e.node]}'s backward runs again (${times} this pass): its inputs get its gradient again`], null];
  }
  const should = truth.gradWhenRun.get(e.node);
  if (should !== undefined && !close(e.grad, should)) {
    return [[`${WARN}${name[e.node]}.grad is ${number(e.grad)} when its backward runs: should be ${number(should)}`], null];
  }
  const sent = truth.sends(e.node, e.grad);
  if (!sent) return [[], null];
  const got = new Map(), want = new Map(), first = new Map();
  e.inputs.forEach((i, k) => {
    got.set(i, (got.get(i) || 0) + e.received[k]);
    want.set(i, (want.get(i) || 0) + sent[k]);
    if (!first.has(i)) first.set(i, e.before[k]);
  });
  for (const [i, amount] of got) {
    if (!close(amount, want.get(i))) {
      return [[`${WARN}the class's backward made ${name[i]}.grad ${number(first.get(i) + amount)}: should be ` +
        `${number(first.get(i) + want.get(i))}`], sent];
    }
  }
  return [[], null];
}
