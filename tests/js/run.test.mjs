import { test } from "node:test";
import assert from "node:assert/strict";
import { load, rule } from "../../nnanim/explore/run.js";
import { tinyPayload, TINY } from "./payload.mjs";

const M = "\u2212";

test("a run reads its steps, losses and each step's data and grads", async () => {
  const run = await load(await tinyPayload());
  assert.equal(run.count, 2);
  assert.deepEqual([...run.losses], [-8, -10]);
  const s = run.step(1);
  assert.deepEqual([...s.data], TINY.data[1]);
  assert.deepEqual([...s.grad], TINY.grad[1]);
  assert.equal(run.step(2), null);
  assert.equal(run.nearest(7), 1);
});

test("the backward pass replays as the engine runs it: last node first, inputs in order", async () => {
  const s = (await load(await tinyPayload())).step(0);
  const seen = s.events.map((e) => [e.node, e.grad, e.received, e.before, e.after]);
  assert.deepEqual(seen, [
    [6, 1, [-2, 4], [0, 0], [-2, 4]],
    [4, -2, [-2, -2], [0, 0], [-2, -2]],
    [2, -2, [6, -4], [0, 0], [6, -4]],
  ]);
  assert.deepEqual(s.check(), []);
  const { grads, reached } = s.gradsAt(1);
  assert.deepEqual([...reached], [0, 0, 0, 0, 1, 1, 1]);
  assert.deepEqual([...grads], [0, 0, 0, 0, -2, 4, 1]);
});

test("each event's rule is written from the templates with the numbers, as the backprop scene writes it", async () => {
  const s = (await load(await tinyPayload())).step(0);
  assert.deepEqual(s.lines(s.events[0]), [
    `\u2202L/\u2202d = \u2202L/\u2202L \u00b7 f = 1 \u00b7 (${M}2) = ${M}2`,
    "\u2202L/\u2202f = \u2202L/\u2202L \u00b7 d = 1 \u00b7 4 = 4",
  ]);
  assert.deepEqual(s.lines(s.events[2]), [
    `\u2202L/\u2202a = \u2202L/\u2202e \u00b7 b = (${M}2) \u00b7 (${M}3) = 6`,
    `\u2202L/\u2202b = \u2202L/\u2202e \u00b7 a = (${M}2) \u00b7 2 = ${M}4`,
  ]);
});

test("a grad the trace carries that the replay does not reach is reported, not hidden", async () => {
  const grad = [[6, -4, -2, -2, -2, 4, 1], [6, -4, -2, -2, -2, 4, 1]]; // step 1's f.grad should be 5
  const s = (await load(await tinyPayload({ grad }))).step(1);
  assert.deepEqual(s.check(), [{ node: 5, replayed: 5, carried: 4 }]);
});

test("a class's own backward is replayed as it ran, and its wrong steps say what they should be", async () => {
  const recorded = { 0: { nodes: [6, 4, 2], grads: [1, -2, -2], amounts: [-2, 4, -2, -2, 3, -4] } };
  const s = (await load(await tinyPayload({ recorded }))).step(0);
  assert.deepEqual(s.events.map((e) => e.warnings), [[], [],
    ["\u26a0 the class's backward made a.grad 3: should be 6"]]);
  assert.equal(s.lines(s.events[2])[0], // the rule as the chain rule writes it, then what is wrong
    `\u2202L/\u2202a = \u2202L/\u2202e \u00b7 b = (${M}2) \u00b7 (${M}3) = 6`);
  assert.equal(s.final[0], 3);
});

test("a rule that runs twice, and a backward that never sets the root's grad, are marked", async () => {
  const recorded = { 0: { nodes: [6, 4, 4, 2], grads: [0, 0, 0, 0], amounts: [0, 0, 0, 0, 0, 0, 0, 0] } };
  const s = (await load(await tinyPayload({ recorded }))).step(0);
  assert.deepEqual(s.start.warnings, ["\u26a0 L.grad is 0 when backward begins: should be 1"]);
  assert.match(s.events[2].warnings[0], /d's backward runs again \(twice this pass\)/);
});

test("an input that already holds a grad shows the sum, named by where it came from", async () => {
  // L = a*b + a: a gets 1 from L first, then b·(∂L/∂e) from e
  const graph = {
    names: ["a", "b", "e", "L"], ops: ["", "", "*", "+"], inputs: [[], [], [0, 1], [2, 0]],
    rules: [null, null, [["∂L/∂a = ", { received: 0 }], ["∂L/∂b = ", { received: 1 }]],
      [["∂L/∂e = ", { received: 0 }], ["∂L/∂a = ", { received: 1 }]]],
    data: [[2, -3, -6, -4]], grad: [[-2, 2, 1, 1]],
  };
  const s = (await load(await tinyPayload({ graph }))).step(0);
  assert.deepEqual(s.lines(s.events[1]), ["∂L/∂a = " + M + "3", "∂L/∂b = 2",
    `a.grad = 1 (from L) + (${M}3) = ${M}2`]);
  assert.deepEqual(s.check(), []);
});

test("the local rules compute as engine/value.py's", () => {
  assert.deepEqual(rule("*", [0, 0], [3, 9], 1, 1), [3, 3]);
  assert.deepEqual(rule("**2", [0], [3, 9], 1, 2), [12]);
  assert.deepEqual(rule("**-1", [0], [4, 0.25], 1, 1), [-0.0625]);
  assert.deepEqual(rule("**0.5", [0], [4, 2], 1, 1), [0.25]);
  assert.deepEqual(rule("tanh", [0], [0.5, 0.5], 1, 2), [1.5]);
  assert.deepEqual(rule("relu", [0], [-1, 0], 1, 2), [0]);
  assert.deepEqual(rule("exp", [0], [0, 1], 1, 2), [2]);
  assert.deepEqual(rule("log", [0], [4, Math.log(4)], 1, 2), [0.5]);
});
