// Adds rows to the batch assessment form: copies the empty row template and keeps the formset's TOTAL_FORMS in step.
(function () {
  "use strict";
  var button = document.getElementById("add-row");
  var template = document.getElementById("empty-row");
  var rows = document.getElementById("batch-rows");
  var total = document.getElementById("id_rows-TOTAL_FORMS");
  var max = document.getElementById("id_rows-MAX_NUM_FORMS");
  if (!button || !template || !rows || !total) {
    return;
  }
  button.hidden = false;

  button.addEventListener("click", function () {
    var index = parseInt(total.value, 10);
    if (max && index >= parseInt(max.value, 10)) {
      button.disabled = true;
      button.textContent = "At most " + max.value + " rows per batch";
      return;
    }
    var html = template.innerHTML.replace(/__prefix__/g, String(index)).replace(/__number__/g, String(index + 1));
    rows.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    var first = rows.lastElementChild.querySelector("select, input, textarea");
    if (first) {
      first.focus();
    }
  });
})();
