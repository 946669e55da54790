// After assessments are recorded, asks the server whether the country's scores have been recomputed (every half
// second at first, since the first recompute starts at once, then every two seconds; #score-status carries the
// status URL and the moment of recording). Once they are, it reloads the page into its "changes" view, which shows
// the new scores, charts included, and what the entries changed.
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

  function show(text, state) {
    box.textContent = text;
    box.dataset.state = state;
  }

  function poll() {
    attempts += 1;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.json();
      })
      .then(function (body) {
        if (body.state === "ready") {
          show("New scores are ready; updating the page…", "ready");
          // Reload into the "changes" view: the new scores, and what the entries changed, without a manual reload.
          var params = new URLSearchParams(window.location.search);
          params.delete("recorded");
          params.set("changes", box.dataset.since);
          window.location.replace(window.location.pathname + "?" + params.toString() + "#what-changed");
        } else if (body.state === "failed") {
          show("The recompute failed: " + (body.run && body.run.error ? body.run.error : "see the score runs") + ".", "failed");
        } else if (attempts >= maxAttempts) {
          show("Scores are still being recomputed; reload the page later to see them.", "slow");
        } else {
          window.setTimeout(poll, attempts < quickAttempts ? 500 : 2000);
        }
      })
      .catch(function () {
        show("Could not check whether the new scores are ready; reload the page to see them.", "unknown");
      });
  }

  poll();
})();
