// Numbers as the scenes write them (engine/numbers.py): Python's f"{x:.4g}" with a real minus sign, so a
// number on the page reads exactly as the same number in a video. JavaScript rounds a tie away from zero
// and Python to even, so a tie (a double whose exact decimal ends in a 5 just past the last digit) is
// settled from its exact digits.

export const MINUS = "\u2212";

export function number(x, digits = 4) {
  return formatted(x, digits).replaceAll("-", MINUS);
}

export function factor(x) {
  // A number as a factor: negative ones in parentheses, so `1 · (−2)` and `(−0.81)²` read right.
  return x < 0 ? `(${number(x)})` : number(x);
}

function formatted(x, digits) {
  const p = Math.max(1, digits);
  if (Number.isNaN(x)) return "nan";
  const sign = x < 0 || Object.is(x, -0) ? "-" : "";
  const a = Math.abs(x);
  if (a === Infinity) return `${sign}inf`;
  let [mantissa, e] = a.toExponential(p - 1).split("e");
  let exponent = Number(e);
  let kept = mantissa.replace(".", "");
  const tie = halfEvenDown(a, p);
  if (tie) [kept, exponent] = tie;
  if (exponent >= -4 && exponent < p) return sign + stripped(fixedFrom(kept, exponent));
  const m = stripped(kept.length > 1 ? `${kept[0]}.${kept.slice(1)}` : kept);
  const ee = Math.abs(exponent).toString().padStart(2, "0");
  return `${sign}${m}e${exponent < 0 ? "-" : "+"}${ee}`;
}

function fixedFrom(kept, exponent) {
  // `kept` (the significant digits) with the point placed for a number of this exponent.
  if (exponent < 0) return `0.${"0".repeat(-exponent - 1)}${kept}`;
  const whole = kept.slice(0, exponent + 1).padEnd(exponent + 1, "0");
  const rest = kept.slice(exponent + 1);
  return rest ? `${whole}.${rest}` : whole;
}

function stripped(s) {
  return s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s;
}

function halfEvenDown(a, p) {
  // [digits, exponent] when `a` is exactly halfway between two p-digit numbers and Python rounds it down
  // (to the even one) where toExponential rounded up; else null.
  const [longer] = a.toExponential(p).split("e");
  if (!longer.endsWith("5")) return null;
  const [exact, exponent] = exactDecimal(a);
  if (exact.length !== p + 1 || !exact.endsWith("5")) return null;
  if (Number(exact[p - 1]) % 2 === 1) return null;
  return [exact.slice(0, p), exponent];
}

function exactDecimal(a) {
  // The exact decimal digits of a finite positive double (no trailing zeros) and its exponent.
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, a);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  let m = bits & ((1n << 52n) - 1n);
  let q = biased - 1075;
  if (biased === 0) q = -1074;
  else m |= 1n << 52n;
  let digits, shift;
  if (q >= 0) [digits, shift] = [(m << BigInt(q)).toString(), 0];
  else [digits, shift] = [(m * 5n ** BigInt(-q)).toString(), q];
  const exponent = digits.length - 1 + shift;
  return [digits.replace(/0+$/, ""), exponent];
}
