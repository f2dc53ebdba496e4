// The explorer as a notebook widget (anywidget's `render({model, el})`; nnanim/widget.py is its Python
// side): a run's explorer (`nnanim.explore(x)`), or a run followed while it trains (`--live`), which
// becomes its explorer when the cell ends. Everything but this file is the page's own modules.

import { mount } from "./explorer.js";
import { Live } from "./live.js";

// A Bytes trait as it arrives (a DataView, or an ArrayBuffer) as float64s, little-endian.
export function floats(value) {
  if (!value) return new Float64Array(0);
  const bytes = ArrayBuffer.isView(value) ? new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
    : new Uint8Array(value);
  const copy = bytes.slice(0, bytes.length - (bytes.length % 8)); // aligned, and ours
  return new Float64Array(copy.buffer);
}

function render({ model, el }) {
  el.classList.add("nnanim-widget");
  el.dataset.lmSuppressShortcuts = "true"; // JupyterLab: the explorer's keys move the explorer, not the notebook
  let view = null, mounted = "", frame = 0;
  const options = () => ({ theme: model.get("theme"), title: model.get("title"), themes: model.get("themes") });

  async function explorer(payload) {
    mounted = payload;
    try {
      const shown = await mount(el, JSON.parse(payload), { theme: model.get("theme"), step: model.get("step") });
      if (mounted !== payload) return shown.destroy();
      view?.destroy();
      view = shown;
    } catch (error) {
      el.textContent = `nnanim cannot show this run: ${error.message}`;
    }
  }

  function live() {
    frame = 0;
    if (model.get("payload")) return;
    if (!(view instanceof Live)) {
      view?.destroy();
      view = new Live(el, options());
    }
    view.update({ losses: floats(model.get("losses")), weights: floats(model.get("weights")),
      labels: model.get("weight_labels"), status: model.get("status") });
  }

  function changed() {
    const payload = model.get("payload");
    if (payload) {
      if (payload !== mounted) explorer(payload);
    } else if (!frame) frame = requestAnimationFrame(live); // one redraw a frame, whatever arrives
  }

  for (const name of ["payload", "losses", "weights", "status"]) model.on(`change:${name}`, changed);
  if (model.get("payload")) changed();
  else live();
  return () => {
    cancelAnimationFrame(frame);
    mounted = "";
    view?.destroy();
    for (const name of ["payload", "losses", "weights", "status"]) model.off(`change:${name}`, changed);
  };
}

export default { render };
