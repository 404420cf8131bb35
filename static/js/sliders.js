// Range inputs show their value in the <output> beside them while they move.
(function () {
  "use strict";
  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || input.type !== "range" || !input.id) return;
    var output = document.querySelector('output[for="' + input.id + '"]');
    if (output) output.textContent = input.value;
  });
})();
