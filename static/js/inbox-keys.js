// Keyboard shortcuts of the Inbox: j / k move between conversations, Enter opens
// one, x ticks it for a bulk action, r goes to the open conversation's reply box,
// / goes to the search. Keys typed into a field are left alone.
(function () {
  "use strict";

  if (!document.getElementById("inbox-results")) return;

  function links() {
    return Array.prototype.slice.call(document.querySelectorAll("#inbox-results .inbox-link"));
  }

  function move(step) {
    var all = links();
    if (!all.length) return;
    var at = all.indexOf(document.activeElement.closest && document.activeElement.closest(".inbox-link"));
    var next = all[Math.min(Math.max(at + step, 0), all.length - 1)];
    if (at === -1) next = all[0];
    next.focus();
    next.scrollIntoView({ block: "nearest" });
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    if (target.matches && target.matches("input, textarea, select, [contenteditable]")) return;
    var row = target.closest && target.closest(".inbox-row");
    switch (event.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "x":
        var box = row && row.querySelector(".inbox-select");
        if (box) box.checked = !box.checked;
        break;
      case "r":
        var reply = document.querySelector("#inbox-pane [data-composer-form] textarea");
        if (reply) reply.focus();
        break;
      case "/":
        var search = document.getElementById("inbox_q");
        if (search) search.focus();
        break;
      default:
        return;
    }
    event.preventDefault();
  });
})();
