/* nnanim's page: a reveal.js plugin for a teacher's own deck (nnanim deck build).
 *
 *   - typesets math with KaTeX, shipped with the page: `$…$` is in <span class="math inline">, `$$…$$` in
 *     a .math.display (the markdown was read by markdown-it-py and mdit-py-plugins' dollarmath);
 *   - fits every slide: a slide whose content is taller or wider than the slide (a long code block, a big
 *     picture) is zoomed out until it fits, as a teacher would shrink it by hand. Fitted again once the
 *     fonts and every picture have loaded. A slide of several blocks (code, callouts, pictures) that would
 *     have to shrink much is tried with its blocks side by side, kept if that shows them larger. A scene
 *     inside text (a callout) is sized so that it still shows INLINE_HEIGHT once the slide is zoomed.
 */
window.NnanimPage = function () {
  let deck = null;
  // The least height, on the 720 px slide, of a scene inside text: a formula there is rendered with
  // --large-type (an em is 1.6/25 of its height), so its em is at least 24 px.
  const INLINE_HEIGHT = 375;

  function typeset() {
    document.querySelectorAll(".reveal .math").forEach(element => {
      katex.render(element.textContent, element, {
        displayMode: !element.classList.contains("inline"), throwOnError: false,
      });
    });
  }

  // The zoom that fits `box` into the slide.
  function zoomToFit(box) {
    const { width, height } = deck.getConfig();
    let zoom = 1;
    box.style.zoom = "";
    for (let pass = 0; pass < 4; pass++) {  // text wraps differently once zoomed: measure again
      const over = Math.max(box.scrollHeight * zoom / height, box.scrollWidth * zoom / width);
      if (over <= 1.001) { break; }
      zoom = zoom / over * 0.99;
      box.style.zoom = zoom;
    }
    return zoom;
  }

  // Scenes inside text (16:9 kept): smaller while the slide would have to be zoomed, but never below
  // INLINE_HEIGHT; on a slide full of text, larger, so that once the slide is zoomed they still show
  // INLINE_HEIGHT (the text around them gives up its size first).
  function sizeInline(box) {
    const stages = [...box.querySelectorAll(".nnanim-stage.nnanim-inline")];
    stages.forEach(stage => { stage.style.width = ""; stage.style.maxWidth = ""; });
    box.style.zoom = "";
    const { width, height } = deck.getConfig();
    const over = box.scrollHeight - height;
    if (!stages.length || over <= 0) {
      return;
    }
    stages.forEach(stage => {
      const shrunk = Math.max(INLINE_HEIGHT, stage.offsetHeight - over / stages.length);
      stage.style.width = `${Math.min(stage.offsetWidth, shrunk * 16 / 9)}px`;
    });
    for (let pass = 0; pass < 8; pass++) {
      const zoom = Math.min(1, 0.99 * height / box.scrollHeight, 0.99 * width / box.scrollWidth);  // as zoomToFit's
      const shown = Math.min(...stages.map(stage => stage.offsetHeight)) * zoom;
      if (shown >= INLINE_HEIGHT) {
        return;
      }
      stages.forEach(stage => {
        stage.style.maxWidth = "none";
        stage.style.width = `${stage.offsetWidth * (INLINE_HEIGHT + 2) / shown}px`;
      });
    }
  }

  function fit(box) {
    const section = box.closest("section");
    const shown = section.style.display;
    section.style.display = "block";  // reveal.js hides slides far from the current one: measure them shown
    box.classList.remove("nnanim-side");
    sizeInline(box);
    const stacked = zoomToFit(box);
    const blocks = box.querySelectorAll(":scope > :is(pre, .callout, img, video, .nnanim-missing)").length;
    if (stacked < 0.8 && blocks >= 2) {
      box.classList.add("nnanim-side");
      sizeInline(box);
      if (zoomToFit(box) < stacked * 1.1) {
        box.classList.remove("nnanim-side");
        sizeInline(box);
        zoomToFit(box);
      }
    }
    section.style.display = shown;
  }

  function fitAll() {
    document.querySelectorAll(".reveal .nnanim-fit").forEach(fit);
    deck.layout();
  }

  return {
    id: "nnanim-page",
    init(reveal) {
      deck = reveal;
      typeset();
      deck.on("ready", () => {
        fitAll();
        document.fonts.ready.then(fitAll);
        document.querySelectorAll(".reveal .nnanim-fit img").forEach(img => {
          if (!img.complete) {
            img.addEventListener("load", () => { fit(img.closest(".nnanim-fit")); deck.layout(); });
          }
        });
      });
    },
  };
};
