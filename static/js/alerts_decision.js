// Decision form on the escalation page: show the response-action rows only for a declaration of imminent
// risk, and let the Focal Point add rows. Without JavaScript every row stays visible and the server validates.
(function () {
  "use strict";
  var form = document.getElementById("decision-form");
  if (!form) return;
  var fieldset = document.getElementById("response-actions");
  var rows = document.getElementById("action-rows");
  var template = document.getElementById("action-row-template");
  var addButton = document.getElementById("add-action-row");
  var total = form.querySelector('input[name="actions-TOTAL_FORMS"]');

  function chosenDecision() {
    var checked = form.querySelector('input[name="decision"]:checked');
    return checked ? checked.value : "";
  }

  function update() {
    fieldset.hidden = chosenDecision() !== fieldset.dataset.showFor;
  }

  addButton.hidden = false;
  addButton.addEventListener("click", function () {
    var index = parseInt(total.value, 10);
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    rows.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    var first = rows.lastElementChild.querySelector("select, input");
    if (first) first.focus();
  });
  form.addEventListener("change", function (event) {
    if (event.target.name === "decision") update();
  });
  update();
})();
