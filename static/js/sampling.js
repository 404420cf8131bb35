// Sampling lab: "Generate" streams tokens from the server over an EventSource (server-sent events).
(function () {
  "use strict";

  function messageOf(form, text) {
    var slot = form.querySelector(".field-error");
    if (slot) slot.textContent = text;
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest('button[data-action="generate"]');
    if (!button) return;
    var form = button.closest("form");
    var out = form.querySelector('[data-role="generation"]');
    var params = new URLSearchParams(new FormData(form));
    var source = new EventSource(form.dataset.streamUrl + "?" + params.toString());
    var finished = false;
    button.disabled = true;
    out.textContent = "";
    out.classList.remove("is-done");
    messageOf(form, "");
    var text = document.createElement("span");
    text.className = "generated-text";
    out.appendChild(text);

    source.addEventListener("start", function (e) {
      var data = JSON.parse(e.data);
      if (data.truncated) messageOf(form, "The prompt was cut to the context: " + data.truncated + " tokens dropped.");
    });
    source.addEventListener("token", function (e) {
      text.textContent += JSON.parse(e.data).text;
    });
    source.addEventListener("end", function (e) {
      var data = JSON.parse(e.data);
      finished = true;
      source.close();
      button.disabled = false;
      var reason = document.createElement("span");
      reason.className = "finish-reason";
      reason.dataset.finishReason = data.finish_reason;
      reason.textContent = " [finish_reason: " + data.finish_reason +
        (data.stop_sequence ? ", stopped at " + JSON.stringify(data.stop_sequence) : "") +
        ", " + data.tokens + " tokens]";
      out.appendChild(reason);
      out.classList.add("is-done");
    });
    source.onerror = function () {
      source.close();
      button.disabled = false;
      if (!finished) messageOf(form, "Generation failed: check the parameters (for example max tokens).");
    };
  });
})();
