import { test } from "node:test";
import assert from "node:assert/strict";
import { parseHash } from "../../nnanim/explore/explorer.js";
import { gradText, signColour } from "../../nnanim/explore/graph.js";

test("the URL hash holds the view: #step=500 and #step=500&event=12", () => {
  assert.deepEqual(parseHash("#step=500"), { step: 500 });
  assert.deepEqual(parseHash("#step=500&event=12"), { step: 500, event: 12 });
  assert.deepEqual(parseHash("#event=3&step=7"), { step: 7, event: 3 });
  assert.deepEqual(parseHash("#step=-1&event=x&other=2"), {}); // what is not a step or an event is ignored
  assert.deepEqual(parseHash(""), {});
});

test("a box's grad row: `grad ?` until the gradient reaches it, then the number in its sign's colour", () => {
  const theme = { positive: "blue", negative: "red", text: "white", muted: "grey" };
  assert.equal(gradText(null), "grad ?");
  assert.equal(gradText(-0.5), "grad \u22120.5");
  assert.deepEqual([null, 2, -2, 0].map((g) => signColour(theme, g)), ["grey", "blue", "red", "white"]);
});
