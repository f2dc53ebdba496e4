// The page's numbers (docs/explore.md, "blobs"): base64 of zlib-compressed float64s, little-endian and
// byte-shuffled (the first bytes of all numbers, then the second bytes, ...), which compresses a column
// of slowly changing numbers to about half.

export async function decode(blob) {
  const n = blob.n;
  const packed = Uint8Array.from(atob(blob.b64), (c) => c.charCodeAt(0));
  const bytes = await inflate(packed);
  if (bytes.length !== 8 * n) throw new Error(`a blob says ${n} numbers but holds ${bytes.length} bytes`);
  const plain = new Uint8Array(8 * n);
  for (let j = 0; j < 8; j++) {
    const plane = j * n;
    for (let i = 0; i < n; i++) plain[8 * i + j] = bytes[plane + i];
  }
  const view = new DataView(plain.buffer);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = view.getFloat64(8 * i, true);
  return out;
}

async function inflate(bytes) {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
