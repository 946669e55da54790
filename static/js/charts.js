// Draws every plotly figure on the page: each element with data-figure="<id>" gets the JSON spec held in
// <script type="application/json" id="<id>">. No inline code, so a strict Content-Security-Policy holds.
(function () {
  "use strict";

  function draw(element) {
    var holder = document.getElementById(element.dataset.figure);
    if (!holder || typeof window.Plotly === "undefined") {
      return;
    }
    var spec = JSON.parse(holder.textContent);
    window.Plotly.newPlot(element, spec.data, spec.layout, spec.config || {}).then(function () {
      element.classList.add("chart-drawn");
    });
  }

  function drawAll() {
    document.querySelectorAll("[data-figure]").forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", drawAll);
  } else {
    drawAll();
  }
})();
