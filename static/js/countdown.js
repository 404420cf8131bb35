// The mock interview's countdown. The server enforces the deadline; this only shows it, and reloads the
// attempt when it passes so the server can submit it. Reads data-deadline and data-now (server time, so a
// wrong local clock does not matter) from the .countdown element. Two seconds before the end it asks the
// interview answer's textarea ([data-draft], autosaved by htmx) to save its draft once more, so text typed
// in the last second is kept too.
(function () {
  "use strict";
  var el = document.querySelector(".countdown[data-deadline]");
  if (!el) return;
  var value = el.querySelector(".countdown-value");
  var deadline = Date.parse(el.dataset.deadline);
  var skew = Date.parse(el.dataset.now) - Date.now();
  var reloaded = false;
  var flushed = false;

  function tick() {
    var left = Math.max(0, Math.round((deadline - (Date.now() + skew)) / 1000));
    value.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
    el.classList.toggle("is-low", left <= 60);
    if (left <= 2 && !flushed) {
      flushed = true;
      var draft = document.querySelector("textarea[data-draft]");
      if (draft && draft.value) draft.dispatchEvent(new Event("draft-flush"));
    }
    if (left === 0 && !reloaded) {
      reloaded = true;
      window.location.assign(el.dataset.expiredUrl);
      return;
    }
    window.setTimeout(tick, 250);
  }
  tick();
})();
