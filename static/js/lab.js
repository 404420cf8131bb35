// Small page behaviours htmx does not cover. Loaded with `defer`; no inline script anywhere (strict CSP).
(function () {
  "use strict";

  // Show a failed htmx request's message (4xx/5xx) in the flash region instead of failing silently.
  document.addEventListener("htmx:responseError", function (event) {
    var flash = document.getElementById("flash");
    if (!flash) return;
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
    var form = event.detail.elt && event.detail.elt.closest && event.detail.elt.closest("form");
    var slot = form && form.querySelector(".field-error");
    if (slot) {
      slot.textContent = message;
      return;
    }
    flash.textContent = message;
    flash.classList.add("is-visible");
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var flash = document.getElementById("flash");
    if (flash && event.detail.successful) {
      flash.textContent = "";
      flash.classList.remove("is-visible");
      var form = event.detail.elt && event.detail.elt.closest && event.detail.elt.closest("form");
      var slot = form && form.querySelector(".field-error");
      if (slot) slot.textContent = "";
    }
  });
})();
