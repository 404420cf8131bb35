// Small page behaviours htmx does not cover. Loaded with `defer`; no inline script anywhere (strict CSP).
(function () {
  "use strict";

  // Where a widget's request says something: the message slot of its form, else the page's flash region.
  function showMessage(elt, message) {
    var form = elt && elt.closest && elt.closest("form");
    var slot = form && form.querySelector(".field-error");
    if (slot) {
      slot.textContent = message;
      return;
    }
    var flash = document.getElementById("flash");
    if (!flash) return;
    flash.textContent = message;
    flash.classList.add("is-visible");
  }

  // A 503 (the models are busy) or 429 (too many requests) with Retry-After did no work: say so, and send
  // the same request again (with the widget's current values) once the server says there may be room.
  var MAX_RETRIES = 20;
  var retries = new WeakMap();
  var pending = new WeakMap();

  function retryLater(event) {
    var xhr = event.detail.xhr;
    var config = event.detail.requestConfig;
    var seconds = parseInt(xhr.getResponseHeader("Retry-After"), 10);
    if ((xhr.status !== 503 && xhr.status !== 429) || !(seconds >= 0) || !config || !config.elt) return false;
    var elt = config.elt;
    var tries = (retries.get(elt) || 0) + 1;
    if (tries > MAX_RETRIES) {
      retries.delete(elt);
      return false;
    }
    retries.set(elt, tries);
    var why = xhr.status === 503 ? "The lab is busy, retrying" : "Too many requests, retrying";
    showMessage(elt, why + " in " + Math.max(seconds, 1) + " s\u2026");
    clearTimeout(pending.get(elt));
    pending.set(elt, setTimeout(function () {
      pending.delete(elt);
      if (elt.isConnected) htmx.ajax(config.verb, config.path, { source: elt, target: config.target });
    }, Math.max(seconds, 1) * 1000));
    return true;
  }

  // A newer request from the same widget (the learner moved on) replaces a retry still waiting.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    if (elt && pending.has(elt)) {
      clearTimeout(pending.get(elt));
      pending.delete(elt);
    }
  });

  // Show a failed htmx request's message (4xx/5xx) in the flash region instead of failing silently.
  document.addEventListener("htmx:responseError", function (event) {
    if (retryLater(event)) return;
    var xhr = event.detail.xhr;
    var message = "The request failed (" + xhr.status + ").";
    try {
      var body = JSON.parse(xhr.responseText);
      if (body && body.detail) message = Array.isArray(body.detail) ? body.detail.join("; ") : String(body.detail);
    } catch (e) {
      var doc = new DOMParser().parseFromString(xhr.responseText, "text/html");
      var found = doc.querySelector(".error-message");
      if (found) message = found.textContent;
    }
    // A widget keeps its last good state and shows the message next to its controls.
    showMessage(event.detail.elt, message);
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var flash = document.getElementById("flash");
    if (event.detail.successful && event.detail.elt) retries.delete(event.detail.elt);
    if (flash && event.detail.successful) {
      flash.textContent = "";
      flash.classList.remove("is-visible");
      var form = event.detail.elt && event.detail.elt.closest && event.detail.elt.closest("form");
      var slot = form && form.querySelector(".field-error");
      if (slot) slot.textContent = "";
    }
  });
})();
