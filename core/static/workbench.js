/* The workbench's progressive enhancement; every page works without it.
   - Intake: show only the chosen case type's details (the others are disabled, so they are
     neither validated nor sent), and show party rows one by one with "Add a party". */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function showTypeDetails(select) {
    var chosen = select.value;
    document.querySelectorAll(".type-details").forEach(function (section) {
      var mine = section.getAttribute("data-case-type") === chosen;
      section.hidden = !mine;
      section.querySelectorAll("input, select, textarea").forEach(function (el) {
        el.disabled = !mine;
      });
    });
  }

  function spareParties() {
    return Array.prototype.filter.call(
      document.querySelectorAll(".party[data-spare]"), function (row) { return row.hidden; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var typeSelect = document.getElementById("f-case_type");
    if (typeSelect && document.querySelector(".type-details")) {
      showTypeDetails(typeSelect);
      typeSelect.addEventListener("change", function () { showTypeDetails(typeSelect); });
    }
    var add = document.querySelector("[data-add-party]");
    if (add) {
      document.querySelectorAll(".party[data-spare]").forEach(function (row) { row.hidden = true; });
      add.addEventListener("click", function () {
        var next = spareParties()[0];
        if (!next) { return; }
        next.hidden = false;
        var first = next.querySelector("select, input");
        if (first) { first.focus(); }
        if (!spareParties().length) { add.disabled = true; }
      });
    }
  });
})();
