// Sections below the fold (a country's indicators by risk factor) come after the page has loaded: each
// [data-deferred] box holds a link to the section's own page, replaced here by the section fetched from that address,
// so the page's first paint never waits for it and the link still works without JavaScript.
(function () {
  "use strict";

  function fill(box) {
    fetch(box.dataset.deferred, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        box.innerHTML = html; // our own server's rendering of the section, escaped as every template is
        box.dataset.state = "loaded";
      })
      .catch(function () {
        box.dataset.state = "failed"; // the link to the section's page stays
      });
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-deferred]"), fill);
  }

  if (document.readyState === "complete") {
    start();
  } else {
    window.addEventListener("load", start);
  }
})();
