// Decision form on the escalation page: show the response-action rows only for a declaration of imminent
// risk, and let the Focal Point add and remove rows. Without JavaScript every row stays visible and the server validates.
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
  // A row is removed before saving by emptying and hiding it: the formset ignores an untouched extra row, so the
  // form numbering stays as the server expects.
  rows.querySelectorAll(".remove-action-row").forEach(function (button) { button.hidden = false; });
  rows.addEventListener("click", function (event) {
    var button = event.target.closest(".remove-action-row");
    if (!button) return;
    var row = button.closest(".aw-action-row");
    row.querySelectorAll("input, select, textarea").forEach(function (field) {
      if (field.tagName === "SELECT") {
        field.selectedIndex = 0;
      } else {
        field.value = "";
      }
    });
    row.hidden = true;
    addButton.focus();
  });
  form.addEventListener("change", function (event) {
    if (event.target.name === "decision") update();
  });
  update();
})();
