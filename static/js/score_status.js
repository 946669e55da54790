// After assessments are recorded, asks the server every few seconds whether the country's scores have been
// recomputed, and says so on the page (#score-status carries the status URL and the moment of recording).
(function () {
  "use strict";
  var box = document.getElementById("score-status");
  if (!box) {
    return;
  }
  var url = box.dataset.url + "?since=" + encodeURIComponent(box.dataset.since);
  var attempts = 0;
  var maxAttempts = 90;

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

  function poll() {
    attempts += 1;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json();
      })
      .then(function (body) {
        if (body.state === "ready") {
          show("New scores are ready.", "ready", true);
        } else if (body.state === "failed") {
          show("The recompute failed: " + (body.run && body.run.error ? body.run.error : "see the score runs") + ".", "failed", false);
        } else if (attempts >= maxAttempts) {
          show("Scores are still being recomputed; reload the page later to see them.", "slow", false);
        } else {
          window.setTimeout(poll, 2000);
        }
      })
      .catch(function () {
        show("Could not check whether the new scores are ready; reload the page to see them.", "unknown", false);
      });
  }

  poll();
})();
