/* nnanim's page: a reveal.js plugin for a teacher's own deck (nnanim deck build).
 *
 *   - typesets math with KaTeX, shipped with the page: `$…$` is in <span class="math inline">, `$$…$$` in
 *     a .math.display (the markdown was read by markdown-it-py and mdit-py-plugins' dollarmath);
 *   - fits every slide: a slide whose content is taller or wider than the slide (a long code block, a big
 *     picture) is zoomed out until it fits, as a teacher would shrink it by hand. Fitted again once the
 *     fonts and every picture have loaded. A slide of several blocks (code, callouts, pictures) that would
 *     have to shrink much is tried with its blocks side by side, kept if that shows them larger.
 */
window.NnanimPage = function () {
  let deck = null;

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

  function fit(box) {
    const section = box.closest("section");
    const shown = section.style.display;
    section.style.display = "block";  // reveal.js hides slides far from the current one: measure them shown
    box.classList.remove("nnanim-side");
    const stacked = zoomToFit(box);
    const blocks = box.querySelectorAll(":scope > :is(pre, .callout, img, video, .nnanim-missing)").length;
    if (stacked < 0.8 && blocks >= 2) {
      box.classList.add("nnanim-side");
      if (zoomToFit(box) < stacked * 1.1) {
        box.classList.remove("nnanim-side");
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
