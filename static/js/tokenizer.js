// Tokenizer widgets: a 413 or 422 answer to an htmx request is an HTML message meant for the widget,
// so it replaces the widget's result (the form stays usable) instead of being dropped by htmx.
(function () {
  "use strict";

  document.addEventListener("htmx:beforeSwap", function (event) {
    var xhr = event.detail.xhr;
    var target = event.detail.target;
    var html = (xhr.getResponseHeader("content-type") || "").indexOf("text/html") === 0;
    if ((xhr.status === 413 || xhr.status === 422) && html && target && target.closest("[data-swap-errors]")) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
