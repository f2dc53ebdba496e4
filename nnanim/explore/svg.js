// Making SVG elements, and measuring text before it is drawn. Text from the run (labels, names) is only
// ever set as text (textContent), never parsed as markup: the run's data is untrusted.

const NS = "http://www.w3.org/2000/svg";
export const FONT = '"DejaVu Sans", Verdana, "Bitstream Vera Sans", sans-serif';

export function svg(tag, attrs = {}, text) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  if (text !== undefined) el.textContent = text;
  return el;
}

export function set(el, attrs) {
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  return el;
}

let context = null;

// The width of `text` at `size` px (bold if asked), measured with the page's font; estimated (DejaVu
// Sans is wide: about 0.62 em a character) where there is no canvas.
export function textWidth(text, size, bold = false) {
  if (typeof document !== "undefined") {
    context ??= document.createElement("canvas").getContext("2d");
    context.font = `${bold ? "bold " : ""}${size}px ${FONT}`;
    return context.measureText(text).width;
  }
  return [...text].length * size * (bold ? 0.68 : 0.62);
}
