// After assessments are recorded, asks the server whether the country's scores have been recomputed (every half
// second at first, since the first recompute starts at once, then every two seconds), and when they have, puts
// the new score summary in place and says so (#score-status carries the status URL and the moment of recording).
(function () {
  "use strict";
  var box = document.getElementById("score-status");
  if (!box) {
    return;
  }
  var url = box.dataset.url + "?since=" + encodeURIComponent(box.dataset.since);
  var attempts = 0;
  var maxAttempts = 100;
  var quickAttempts = 20;

  function show(text, state, withLink) {
    box.textContent = text;
    box.dataset.state = state;
    if (withLink) {
      var link = document.createElement("a");
      link.href = window.location.pathname;
      link.textContent = "Show the new scores";
      box.appendChild(document.createTextNode(" "));
      box.appendChild(link);
    }
  }

  // The page as it is now, for its score summary; on any failure the link to reload is enough.
  function refreshSummary() {
    var current = document.querySelector(".score-summary");
    if (!current || typeof DOMParser === "undefined") {
      return Promise.resolve();
    }
    return fetch(window.location.pathname, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        return response.ok ? response.text() : "";
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector(".score-summary");
        if (fresh) {
          current.replaceWith(document.importNode(fresh, true));
        }
      })
      .catch(function () {});
  }

  function poll() {
    attempts += 1;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json();
      })
      .then(function (body) {
        if (body.state === "ready") {
          refreshSummary().then(function () {
            show("New scores are ready and shown below; the charts update when you reload.", "ready", true);
          });
        } else if (body.state === "failed") {
          show("The recompute failed: " + (body.run && body.run.error ? body.run.error : "see the score runs") + ".", "failed", false);
        } else if (attempts >= maxAttempts) {
          show("Scores are still being recomputed; reload the page later to see them.", "slow", false);
        } else {
          window.setTimeout(poll, attempts < quickAttempts ? 500 : 2000);
        }
      })
      .catch(function () {
        show("Could not check whether the new scores are ready; reload the page to see them.", "unknown", false);
      });
  }

  poll();
})();
