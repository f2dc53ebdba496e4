import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { linearTicks, logTicks, logLabel, stepTicks, logView, valueText } from "../../nnanim/explore/curve.js";

// ticks.json: what scenes/training_plan.py gives for the same axes (made with the repo's Python)
const table = JSON.parse(readFileSync(new URL("./ticks.json", import.meta.url)));
const near = (a, b) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

test("linear axes: the loss scene's round ticks, from 0", () => {
  for (const [lo, hi, count, bottom, top, ticks] of table.linear) {
    const [b, t, got] = linearTicks(lo, hi, count);
    assert.equal(got.length, ticks.length, `${lo}..${hi} (${count}): ${got} vs ${ticks}`);
    got.forEach((x, i) => assert.ok(near(x, ticks[i]), `${lo}..${hi}: ${got} vs ${ticks}`));
    assert.ok(near(b, bottom) && near(t, top));
  }
});

test("log axes: decades (or 1, 2, 5 times them), labelled as the scene labels them", () => {
  for (const [lo, hi, most, bottom, top, ticks, labels] of table.log) {
    const [b, t, got] = logTicks(lo, hi, most);
    assert.equal(got.length, ticks.length, `${lo}..${hi}: ${got} vs ${ticks}`);
    got.forEach((x, i) => assert.ok(near(x, ticks[i])));
    assert.deepEqual(got.map(logLabel), labels);
    assert.ok(near(b, bottom) && near(t, top));
  }
});

test("step ticks are whole steps", () => {
  for (const [last, count, ticks] of table.steps) assert.deepEqual(stepTicks(last, count), ticks);
});

test("a loss spanning two decades is drawn on a log axis; NaN steps do not decide it", () => {
  assert.equal(logView([1, 0.5, 0.01]), true);
  assert.equal(logView([1, 0.5, 0.011]), false);
  assert.equal(logView([1, NaN, 0.001]), true);
  assert.equal(logView([1, 0, 0.001]), false);
  assert.equal(valueText(NaN), "NaN");
  assert.equal(valueText(-Infinity), "\u2212\u221e");
});
