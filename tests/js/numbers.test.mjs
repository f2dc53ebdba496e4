import { test } from "node:test";
import assert from "node:assert/strict";
import { number, factor } from "../../nnanim/explore/numbers.js";
import { TABLE } from "./number_table.mjs";

test("number writes every value as Python's number() does, ties to even included", () => {
  for (const [x, four, two, six] of TABLE) {
    assert.equal(number(x), four, `number(${x})`);
    assert.equal(number(x, 2), two, `number(${x}, 2)`);
    assert.equal(number(x, 6), six, `number(${x}, 6)`);
  }
});

test("the examples of the contract", () => {
  assert.equal(number(6), "6");
  assert.equal(number(0.12345), "0.1235");
  assert.equal(number(1.5e-05), "1.5e\u221205");
  assert.equal(number(123456), "1.235e+05");
  assert.equal(number(-0.0), "\u22120");
  assert.equal(number(12345), "1.234e+04");
});

test("factor puts negative numbers in parentheses", () => {
  assert.equal(factor(-2), "(\u22122)");
  assert.equal(factor(2), "2");
  assert.equal(factor(-0.0), "\u22120");
  assert.equal(factor(NaN), "nan");
});
