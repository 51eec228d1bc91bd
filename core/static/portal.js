// Progressive enhancement for the portal; every page works without it.
(function () {
  "use strict";
  // A form that came back with errors: move the focus to its summary, which links each field.
  var summary = document.getElementById("form-errors");
  if (summary) { summary.focus(); }
  // The review request only makes sense with the rating "unsatisfied".
  var review = document.getElementById("f-review");
  if (review) {
    var radios = document.querySelectorAll('input[name="rating"]');
    var sync = function () {
      var chosen = document.querySelector('input[name="rating"]:checked');
      var unsatisfied = chosen && chosen.value === "unsatisfied";
      review.disabled = !unsatisfied;
      if (!unsatisfied) { review.checked = false; }
    };
    for (var i = 0; i < radios.length; i++) { radios[i].addEventListener("change", sync); }
    sync();
  }
})();
