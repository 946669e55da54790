// Draws every plotly figure on the page: each element with data-figure="<id>" gets the JSON spec held in
// <script type="application/json" id="<id>">. No inline code, so a strict Content-Security-Policy holds.
(function () {
  "use strict";

  var shapesLoading = {};
  var drawing = new WeakMap(); // element -> its latest drawing (a promise), so drawings of one element never overlap

  // A map's country shapes come from the spec's hashed static URL (cached for good, like plotly.js itself) and are
  // handed to plotly through its PlotlyGeoAssets hook, so plotly never fetches them from topojsonURL.
  function geoAssets(spec) {
    if (!spec.topojson) {
      return Promise.resolve();
    }
    window.PlotlyGeoAssets = window.PlotlyGeoAssets || { topojson: {} };
    var assets = window.PlotlyGeoAssets.topojson;
    if (assets[spec.topojson.name]) {
      return Promise.resolve();
    }
    // One fetch per shapes file, shared by every drawing that needs it while it is on its way.
    if (!shapesLoading[spec.topojson.url]) {
      shapesLoading[spec.topojson.url] = fetch(spec.topojson.url, { credentials: "same-origin" })
        .then(function (response) {
          return response.ok ? response.json() : null;
        })
        .then(function (shapes) {
          if (shapes) {
            assets[spec.topojson.name] = shapes;
          }
        })
        .catch(function () {
          // plotly falls back to config.topojsonURL.
        });
    }
    return shapesLoading[spec.topojson.url];
  }

  // Draws the figure the element names now. A layer chosen while an earlier figure (or the map's shapes) is still
  // loading waits its turn, and the earlier drawing, no longer wanted, is skipped: the chart always ends on the
  // figure last chosen, and carries .chart-drawn only while it shows that figure.
  function draw(element) {
    var holder = document.getElementById(element.dataset.figure);
    if (!holder || typeof window.Plotly === "undefined") {
      return;
    }
    var wanted = element.dataset.figure;
    var spec = JSON.parse(holder.textContent);
    element.classList.remove("chart-drawn");
    var done = (drawing.get(element) || Promise.resolve()).then(function () {
      return geoAssets(spec);
    }).then(function () {
      if (element.dataset.figure !== wanted) {
        return null;
      }
      return window.Plotly.newPlot(element, spec.data, spec.layout, spec.config || {}).then(function () {
        drawn(element);
      });
    });
    drawing.set(element, done.catch(function () {}));
  }

  function drawn(element) {
    element.classList.add("chart-drawn");
    // A map with data-click-url="/countries/ISO/" opens the clicked country's page; the table below the map
    // links the same pages for keyboard users.
    var target = element.dataset.clickUrl;
    if (target && element.on) {
      element.on("plotly_click", function (event) {
        var point = event && event.points && event.points[0];
        if (point && point.location) {
          window.location.href = target.replace("ISO", encodeURIComponent(point.location));
        }
      });
    }
  }

  function drawAll() {
    document.querySelectorAll("[data-figure]").forEach(draw);
  }

  // A layer switch: <input type="radio" data-figure-switch="<chart element id>" value="<figure id>"> redraws that
  // chart with another figure of the page, and its data-heading, data-label and data-note replace the texts that
  // describe the chart (the fieldset's data-heading-id and data-note-id name them). Returns the chart to redraw.
  function chooseFigure(input) {
    var element = document.getElementById(input.dataset.figureSwitch);
    if (!element || !input.checked || element.dataset.figure === input.value) {
      return null;
    }
    element.dataset.figure = input.value;
    if (input.dataset.label) {
      element.setAttribute("aria-label", input.dataset.label);
    }
    var fieldset = input.closest("fieldset");
    [["headingId", "heading"], ["noteId", "note"]].forEach(function (pair) {
      var target = fieldset && document.getElementById(fieldset.dataset[pair[0]] || "");
      if (target && input.dataset[pair[1]]) {
        target.textContent = input.dataset[pair[1]];
      }
    });
    return element;
  }

  function start() {
    document.querySelectorAll("[data-figure-switch]").forEach(function (input) {
      input.addEventListener("change", function () {
        var element = chooseFigure(input);
        if (element) {
          draw(element);
        }
      });
      // This script is deferred behind plotly: a layer chosen before it ran (or restored by the browser on going
      // back) is the one drawn, not the page's default.
      chooseFigure(input);
    });
    drawAll();
  }

  // Printing: redraw each figure at the printable width of an A4 page (about 680 CSS pixels inside the margins)
  // so it is not cut at the right edge, and give it back its own width afterwards.
  var PRINT_WIDTH = 680;
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll(".chart-drawn").forEach(function (element) {
      window.Plotly.relayout(element, { width: Math.min(PRINT_WIDTH, element.clientWidth || PRINT_WIDTH), autosize: false });
    });
  });
  window.addEventListener("afterprint", function () {
    document.querySelectorAll(".chart-drawn").forEach(function (element) {
      window.Plotly.relayout(element, { width: null, autosize: true });
    });
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
