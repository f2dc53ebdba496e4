// The page `nnanim explore` writes: its run is the JSON in #nnanim-run; the explorer fills the page, keeps
// its state in the URL and takes the keyboard at once.

import { mount } from "./explorer.js";

const source = document.getElementById("nnanim-run");
const where = document.getElementById("nnanim-explorer");
try {
  const payload = JSON.parse(source.textContent);
  const theme = document.documentElement.dataset.theme || "dark";
  await mount(where, payload, { theme, hash: true, focus: true });
} catch (error) {
  where.textContent = `This page cannot show its run: ${error.message}`;
  throw error;
}
