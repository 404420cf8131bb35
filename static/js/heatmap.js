// Attention heatmap: read a cell's query, key and weight on hover, or with the arrow keys once focused.
(function () {
  "use strict";

  function readout(svg) {
    var figure = svg.closest("figure");
    return figure ? figure.querySelector(".heatmap-readout") : null;
  }

  function show(svg, rect) {
    var out = readout(svg);
    if (!out || !rect) return;
    var tokens = JSON.parse(out.dataset.tokens || "[]");
    var q = Number(rect.dataset.q), k = Number(rect.dataset.k);
    svg.querySelectorAll("rect.is-current").forEach(function (r) { r.classList.remove("is-current"); });
    rect.classList.add("is-current");
    svg.dataset.q = q;
    svg.dataset.k = k;
    out.textContent = "Query " + (q + 1) + " “" + tokens[q] + "” → key " + (k + 1) + " “" + tokens[k] +
      "”: weight " + rect.dataset.w;
  }

  document.addEventListener("mouseover", function (event) {
    var rect = event.target.closest && event.target.closest("svg.heatmap rect[data-q]");
    if (rect) show(rect.closest("svg"), rect);
  });

  document.addEventListener("keydown", function (event) {
    var svg = event.target.closest && event.target.closest("svg.heatmap");
    if (!svg) return;
    var moves = { ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1] };
    var move = moves[event.key];
    if (!move) return;
    event.preventDefault();
    var q = Number(svg.dataset.q || 0) + move[0];
    var k = Number(svg.dataset.k || 0) + move[1];
    var size = svg.querySelectorAll("text.query-label").length;
    q = Math.max(0, Math.min(size - 1, q));
    // A causal (decoder) map has cells on or below the diagonal only; an encoder's map has every cell.
    k = Math.max(0, Math.min(svg.dataset.causal === "false" ? size - 1 : q, k));
    show(svg, svg.querySelector('rect[data-q="' + q + '"][data-k="' + k + '"]'));
  });

  document.addEventListener("focusin", function (event) {
    var svg = event.target.closest && event.target.closest("svg.heatmap");
    if (svg && svg.dataset.q === undefined) show(svg, svg.querySelector('rect[data-q="0"][data-k="0"]'));
  });
})();
