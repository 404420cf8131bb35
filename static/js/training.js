// Training demos: a started run's panel opens its event stream (server-sent events) and swaps in each
// server-rendered update. Closing the page closes the stream, and the server then cancels the run.
(function () {
  "use strict";

  function follow(panel) {
    if (panel.dataset.following) return;
    panel.dataset.following = "true";
    var view = panel.querySelector('[data-role="view"]');
    var queue = panel.querySelector('[data-role="queue"]');
    var demo = panel.closest(".training-demo");
    var start = demo && demo.querySelector('[data-role="start"]');
    var source = new EventSource(panel.dataset.trainingStream);
    var finished = false;
    if (start) start.disabled = true;

    function finish(message) {
      finished = true;
      source.close();
      panel.classList.add("is-finished");
      queue.textContent = message || "";
      if (start) start.disabled = false;
    }

    source.addEventListener("queued", function (e) {
      var data = JSON.parse(e.data);
      queue.textContent = "Waiting for a free trainer: number " + data.position + " in the queue (" +
        data.running + " training now).";
    });
    source.addEventListener("progress", function (e) {
      queue.textContent = "";
      view.innerHTML = JSON.parse(e.data).html;
    });
    source.addEventListener("end", function (e) {
      var data = JSON.parse(e.data);
      if (data.html) view.innerHTML = data.html;
      panel.dataset.reason = data.reason;
      finish(data.reason === "stopped" ? "Cancelled." : "");
    });
    source.addEventListener("failed", function (e) {
      finish(JSON.parse(e.data).message);
    });
    source.onerror = function () {
      if (!finished) finish("The connection to this run was lost, which cancels it. Start it again.");
    };
  }

  function scan(root) {
    if (root.matches && root.matches("[data-training-stream]")) follow(root);
    if (root.querySelectorAll) root.querySelectorAll("[data-training-stream]").forEach(follow);
  }

  document.addEventListener("htmx:load", function (event) {
    scan(event.detail.elt);
  });
})();
