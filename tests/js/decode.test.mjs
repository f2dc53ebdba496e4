import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { decode } from "../../nnanim/explore/decode.js";

// blobs.json: blobs written by numpy + zlib as the explore payload writes them, with the numbers they hold
const cases = JSON.parse(readFileSync(new URL("./blobs.json", import.meta.url)));
const parsed = (s) => ({ inf: Infinity, "-inf": -Infinity, nan: NaN })[s] ?? Number(s);

for (const [name, { blob, values }] of Object.entries(cases)) {
  test(`decode gives back every number bit for bit: ${name}`, async () => {
    const got = await decode(blob);
    assert.ok(got instanceof Float64Array);
    assert.equal(got.length, values.length);
    values.forEach((v, i) => assert.ok(Object.is(got[i], parsed(v)), `${name}[${i}]: ${got[i]} vs ${v}`));
  });
}

test("a blob whose count does not match its bytes is refused, not misread", async () => {
  await assert.rejects(decode({ ...cases.mixed.blob, n: 3 }), /says 3 numbers/);
});
