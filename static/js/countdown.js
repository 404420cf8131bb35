// The mock interview's countdown. The server enforces the deadline; this only shows it, and reloads the
// attempt when it passes so the server can submit it. Reads data-deadline and data-now (server time, so a
// wrong local clock does not matter) from the .countdown element.
(function () {
  "use strict";
  var el = document.querySelector(".countdown[data-deadline]");
  if (!el) return;
  var value = el.querySelector(".countdown-value");
  var deadline = Date.parse(el.dataset.deadline);
  var skew = Date.parse(el.dataset.now) - Date.now();
  var reloaded = false;

  function tick() {
    var left = Math.max(0, Math.round((deadline - (Date.now() + skew)) / 1000));
    value.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
    el.classList.toggle("is-low", left <= 60);
    if (left === 0 && !reloaded) {
      reloaded = true;
      window.location.assign(el.dataset.expiredUrl);
      return;
    }
    window.setTimeout(tick, 250);
  }
  tick();
})();
