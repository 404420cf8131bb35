// Tokenizer widgets: a 413 or 422 answer to an htmx request is an HTML message meant for the widget,
// so it replaces the widget's result (the form stays usable) instead of being dropped by htmx.
// Each token view is one tab stop: the arrow keys, Home and End move focus between its tokens.
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

  var MOVES = {
    ArrowRight: function (tok) { return tok.nextElementSibling; },
    ArrowDown: function (tok) { return tok.nextElementSibling; },
    ArrowLeft: function (tok) { return tok.previousElementSibling; },
    ArrowUp: function (tok) { return tok.previousElementSibling; },
    Home: function (tok) { return tok.parentElement.firstElementChild; },
    End: function (tok) { return tok.parentElement.lastElementChild; }
  };

  function tokenOf(element) {
    var tok = element && element.closest ? element.closest("li.tok") : null;
    return tok && tok.parentElement.hasAttribute("data-token-view") ? tok : null;
  }

  // The token that last had focus stays the view's tab stop, so Tab returns to it.
  function makeTabStop(tok) {
    var current = tok.parentElement.querySelector('li.tok[tabindex="0"]');
    if (current && current !== tok) {
      current.setAttribute("tabindex", "-1");
    }
    tok.setAttribute("tabindex", "0");
  }

  document.addEventListener("focusin", function (event) {
    var tok = tokenOf(event.target);
    if (tok) {
      makeTabStop(tok);
    }
  });

  document.addEventListener("keydown", function (event) {
    var tok = tokenOf(event.target);
    var move = MOVES[event.key];
    if (!tok || !move || event.altKey || event.ctrlKey || event.metaKey) {
      return;
    }
    event.preventDefault(); // the arrows would otherwise scroll the page
    var next = move(tok);
    if (next && next !== tok) {
      makeTabStop(next);
      next.focus();
    }
  });
})();
