// Sampling lab: "Generate" streams tokens from the server as server-sent events, read with fetch() so a
// busy server's 503 (or a 429) is seen with its Retry-After: the widget says so and tries again.
(function () {
  "use strict";

  var MAX_RETRIES = 20;

  function messageOf(form, text) {
    var slot = form.querySelector(".field-error");
    if (slot) slot.textContent = text;
  }

  // Read a text/event-stream body, calling onEvent(name, data) for each event (comments are keep-alives).
  function readEvents(response, onEvent) {
    var reader = response.body.getReader();
    var decoder = new TextDecoder();
    var buffer = "";
    function dispatch(block) {
      var name = "message", data = [];
      block.split(/\r?\n/).forEach(function (line) {
        if (line.indexOf("event:") === 0) name = line.slice(6).trim();
        else if (line.indexOf("data:") === 0) data.push(line.slice(5).replace(/^ /, ""));
      });
      if (data.length) onEvent(name, data.join("\n"));
    }
    function pump() {
      return reader.read().then(function (chunk) {
        if (chunk.done) {
          if (buffer.trim()) dispatch(buffer);
          return;
        }
        buffer += decoder.decode(chunk.value, { stream: true });
        var blocks = buffer.split(/\r?\n\r?\n/);
        buffer = blocks.pop();
        blocks.forEach(dispatch);
        return pump();
      });
    }
    return pump();
  }

  function generate(form, button, attempt) {
    var out = form.querySelector('[data-role="generation"]');
    var params = new URLSearchParams(new FormData(form));
    var finished = false;
    var text = null;
    function fail() {
      button.disabled = false;
      if (!finished) messageOf(form, "Generation failed: check the parameters (for example max tokens).");
    }
    fetch(form.dataset.streamUrl + "?" + params.toString(), { headers: { Accept: "text/event-stream" } })
      .then(function (response) {
        var seconds = parseInt(response.headers.get("Retry-After"), 10);
        if ((response.status === 503 || response.status === 429) && seconds >= 0 && attempt < MAX_RETRIES) {
          var wait = Math.max(seconds, 1);
          messageOf(form, (response.status === 503 ? "The lab is busy, retrying" : "Too many requests, retrying") +
            " in " + wait + " s\u2026");
          setTimeout(function () { generate(form, button, attempt + 1); }, wait * 1000);
          return;
        }
        if (!response.ok || !response.body) return fail();
        messageOf(form, "");
        text = document.createElement("span");
        text.className = "generated-text";
        out.appendChild(text);
        return readEvents(response, function (name, raw) {
          var data = JSON.parse(raw);
          if (name === "start" && data.truncated) {
            messageOf(form, "The prompt was cut to the context: " + data.truncated + " tokens dropped.");
          } else if (name === "token") {
            text.textContent += data.text;
          } else if (name === "end") {
            finished = true;
            button.disabled = false;
            var reason = document.createElement("span");
            reason.className = "finish-reason";
            reason.dataset.finishReason = data.finish_reason;
            reason.textContent = " [finish_reason: " + data.finish_reason +
              (data.stop_sequence ? ", stopped at " + JSON.stringify(data.stop_sequence) : "") +
              ", " + data.tokens + " tokens]";
            out.appendChild(reason);
            out.classList.add("is-done");
          }
        }).then(function () { if (!finished) fail(); });
      })
      .catch(fail);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest('button[data-action="generate"]');
    if (!button) return;
    var form = button.closest("form");
    var out = form.querySelector('[data-role="generation"]');
    button.disabled = true;
    out.textContent = "";
    out.classList.remove("is-done");
    messageOf(form, "");
    generate(form, button, 0);
  });
})();
