/* nnanim's steps: a reveal.js plugin that plays a scene one step at a time.
 *
 * A scene's slide holds one clip per step, stacked (.r-stack); every clip but the first is a reveal.js
 * fragment. So every way reveal.js moves (Space, PageDown, N, arrows, controls, touch, the speaker view,
 * the overview, the URL) moves one step, and this plugin only plays what is shown:
 *   - a step reached going forward plays its clip from the start, then holds its last frame;
 *   - a step reached any other way (back, a jump, a reload, the overview) shows its last frame;
 *   - "next" while a clip is still playing does not move: it shows the end of that clip first;
 *   - in the overview, while paused (B) and in the speaker view's previews, nothing plays.
 * A held step shows its last frame as an image over its clip: nothing is ever sought, so the page works
 * from file:// and from any static server, byte ranges or not.
 */
window.NnanimSteps = function () {
  let deck = null;
  let last = { slide: null, step: -1 };
  let pending = null;
  const preview = /receiver/i.test(window.location.search);

  const stepsOf = slide => slide ? Array.from(slide.querySelectorAll(".nnanim-step")) : [];
  const mediaOf = step => step.querySelector("video");

  function currentStep(slide) {
    let current = 0;
    stepsOf(slide).forEach((step, k) => {
      if (step.classList.contains("visible")) { current = k; }
    });
    return current;
  }

  function playingStep() {
    const slide = deck.getCurrentSlide();
    const step = stepsOf(slide)[currentStep(slide)];
    const video = step && mediaOf(step);
    return video && !video.paused && !video.ended && !step.classList.contains("nnanim-held") ? step : null;
  }

  function hold(step) {
    // the step's last frame (its image over the clip), where the step ends
    step.classList.add("nnanim-held");
    const video = mediaOf(step);
    if (video) { video.pause(); }
  }

  function play(step) {
    const video = mediaOf(step);
    if (!video) { return; }
    step.classList.remove("nnanim-held");
    if (video.currentTime > 0 || video.ended) { video.load(); }  // from the start again, without seeking
    const started = video.play();
    if (started) { started.catch(() => {}); }  // the browser may refuse until a click: the step still shows
  }

  function sync() {
    pending = null;
    const slide = deck.getCurrentSlide();
    const k = currentStep(slide);
    const forward = slide === last.slide ? k === last.step + 1 : k === 0;
    const quiet = preview || deck.isOverview() || deck.isPaused();
    stepsOf(slide).forEach((step, j) => {
      if (j === k && forward && !quiet) {
        play(step);
      } else if (j <= k) {
        hold(step);  // the current step reached another way, and the steps under it
      } else {
        const video = mediaOf(step);
        if (video) { video.pause(); }
      }
    });
    last = { slide, step: k };
  }

  // Several events follow one move (slidechanged, then fragmentshown...): act once, after the last.
  function later() {
    if (pending === null) { pending = setTimeout(sync, 0); }
  }

  return {
    id: "nnanim-steps",
    init(reveal) {
      deck = reveal;
      if (preview) { document.documentElement.classList.add("nnanim-preview"); }
      if (preview && deck.getConfig().postMessageEvents) {
        // The speaker view's "current" preview opens at the slide without its step (#/h/v), and would
        // send that back to the deck, which then went back to the slide's first step. Quiet until ready.
        deck.getConfig().postMessageEvents = false;
        deck.on("ready", () => { deck.getConfig().postMessageEvents = true; });
      }
      // reveal.js's keyboard, controls, touch and pointer all move through these methods of the deck.
      for (const name of ["next", "right", "down", "navigateNext", "navigateRight", "navigateDown"]) {
        const move = deck[name];
        if (typeof move !== "function") { continue; }
        deck[name] = function (...args) {
          const step = deck.isOverview() ? null : playingStep();
          if (step) { hold(step); return; }
          return move.apply(this, args);
        };
      }
      for (const event of ["ready", "slidechanged", "fragmentshown", "fragmenthidden", "overviewhidden"]) {
        deck.on(event, later);
      }
      deck.on("overviewshown", () => document.querySelectorAll(".nnanim-step video").forEach(v => v.pause()));
      deck.on("paused", () => {
        const step = playingStep();
        if (step) { mediaOf(step).pause(); step.dataset.resume = "yes"; }
      });
      deck.on("resumed", () => {
        document.querySelectorAll('.nnanim-step[data-resume]').forEach(step => {
          delete step.dataset.resume;
          mediaOf(step).play().catch(() => {});
        });
      });
    },
  };
};
