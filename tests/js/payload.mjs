// Payloads made in JavaScript as nnanim explore writes them in Python (docs/explore.md, version 1).

export async function blob(values) {
  const numbers = Float64Array.from(values);
  const n = numbers.length;
  const plain = new Uint8Array(numbers.buffer);
  const shuffled = new Uint8Array(8 * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < 8; j++) shuffled[j * n + i] = plain[8 * i + j];
  const stream = new Blob([shuffled]).stream().pipeThrough(new CompressionStream("deflate"));
  const packed = new Uint8Array(await new Response(stream).arrayBuffer());
  return { b64: btoa(String.fromCharCode(...packed)), n };
}

const D = (name) => `\u2202L/\u2202${name}`;

// L = (a*b + c)*f, the micrograd example: a=2, b=−3, c=10, f=−2 over two steps (the second with c=11).
export const TINY = {
  names: ["a", "b", "e", "c", "d", "f", "L"],
  ops: ["", "", "*", "", "+", "", "*"],
  inputs: [[], [], [0, 1], [], [2, 3], [], [4, 5]],
  rules: [null, null,
    [[`${D("a")} = ${D("e")} \u00b7 b = `, { grad: 2 }, " \u00b7 ", { data: 1 }, " = ", { received: 0 }],
     [`${D("b")} = ${D("e")} \u00b7 a = `, { grad: 2 }, " \u00b7 ", { data: 0 }, " = ", { received: 1 }]],
    null,
    [[`${D("e")} = ${D("d")} \u00b7 1 = `, { grad: 4 }, " \u00b7 1 = ", { received: 0 }],
     [`${D("c")} = ${D("d")} \u00b7 1 = `, { grad: 4 }, " \u00b7 1 = ", { received: 1 }]],
    null,
    [[`${D("d")} = ${D("L")} \u00b7 f = `, { grad: 6 }, " \u00b7 ", { data: 5 }, " = ", { received: 0 }],
     [`${D("f")} = ${D("L")} \u00b7 d = `, { grad: 6 }, " \u00b7 ", { data: 4 }, " = ", { received: 1 }]]],
  data: [[2, -3, -6, 10, 4, -2, -8], [2, -3, -6, 11, 5, -2, -10]],
  grad: [[6, -4, -2, -2, -2, 4, 1], [6, -4, -2, -2, -2, 5, 1]],
};

export async function tinyPayload({ recorded = {}, findings = [], graph = TINY, grad = graph.grad } = {}) {
  const TINY = graph;
  const nodeMajor = (rows) => rows[0].map((_, i) => rows.map((r) => r[i])).flat();
  const boxes = TINY.names.map((name, i) => ({ key: i, name, leaf: !TINY.inputs[i].length,
    op: { "*": "\u00d7" }[TINY.ops[i]] || TINY.ops[i], members: [i], x: i * 4 - 12, y: (i % 2) * 6 - 3 }));
  const edges = TINY.inputs.flatMap((ins, i) => (ins.length ? [...ins.map((j) => [j, `op:${i}`]), [`op:${i}`, i]] : []));
  const encoded = {};
  for (const [k, r] of Object.entries(recorded)) {
    encoded[k] = { nodes: r.nodes, grads: await blob(r.grads), amounts: await blob(r.amounts) };
  }
  return {
    format: "nnanim-explore", version: 1, title: "tiny", themes: {}, steps: graph.data.length,
    losses: await blob(TINY.data.map((row) => row[row.length - 1])),
    graphs: [{
      ops: TINY.ops, labels: TINY.names, names: TINY.names, inputs: TINY.inputs, rules: TINY.rules,
      view: { boxes, edges, width: 40, height: 16, box: [6, 4.2] }, opened: {}, steps: TINY.data.map((_, k) => k),
      data: await blob(nodeMajor(TINY.data)), grad: await blob(nodeMajor(grad)), grad_before: null,
    }],
    recorded: encoded, findings,
  };
}
