// The customer directory (templates/workspace/customers/): the selection for
// "Invite selected to portal", the portal-access filter (applied when chosen), and
// a question before revoking or merging.
(function () {
  "use strict";

  function boxes() {
    return Array.prototype.slice.call(
      document.querySelectorAll('input[type="checkbox"][name="customer"]')
    );
  }

  function refresh() {
    var bar = document.querySelector("[data-customers-bulk]");
    if (!bar) return;
    var all = boxes();
    var chosen = all.filter(function (box) { return box.checked; }).length;
    bar.querySelector("[data-bulk-count]").textContent = String(chosen);
    bar.querySelector("[data-bulk-invite]").disabled = chosen === 0;
    bar.classList.toggle("is-empty", chosen === 0);
    var master = document.querySelector("[data-select-all]");
    if (master) {
      master.checked = all.length > 0 && chosen === all.length;
      master.indeterminate = chosen > 0 && chosen < all.length;
    }
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches("[data-select-all]")) {
      boxes().forEach(function (box) { box.checked = target.checked; });
    }
    if (target.matches("[data-select-all], input[name='customer']")) refresh();
    if (target.matches("[data-submit-on-change]")) target.form.requestSubmit();
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-clear-selection]")) {
      boxes().forEach(function (box) { box.checked = false; });
      refresh();
    }
  });

  document.addEventListener("DOMContentLoaded", refresh);
})();
