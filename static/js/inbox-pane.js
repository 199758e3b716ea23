// The Inbox's conversation pane: a conversation picked in the list opens beside
// it (htmx swaps it into #inbox-pane); on a narrow screen the pane covers the list
// until "Back". The list marks the open conversation, also after a live refresh,
// and a live change of that conversation refreshes its messages.
(function () {
  "use strict";

  var layout = document.querySelector("[data-inbox-layout]");
  var pane = document.getElementById("inbox-pane");
  if (!layout || !pane) return;

  function openId() {
    var article = pane.querySelector("[data-conversation]");
    return article ? article.dataset.conversation : null;
  }

  function markCurrent() {
    var id = openId();
    document.querySelectorAll("#inbox-results .inbox-row").forEach(function (row) {
      row.classList.toggle("is-current", row.dataset.threadRow === id);
    });
  }

  document.body.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target === pane || (target && target.closest && target.closest("#inbox-pane"))) {
      layout.classList.toggle("has-pane", Boolean(openId()));
      markCurrent();
      if (target === pane) {
        var title = pane.querySelector("#conversation-title");
        if (title) title.focus({ preventScroll: true });
      }
    } else if (target && target.id === "inbox-results") {
      markCurrent();
    }
  });

  document.addEventListener("click", function (event) {
    if (!event.target.closest("[data-pane-close]")) return;
    var id = openId();
    layout.classList.remove("has-pane");
    var url = new URL(location.href);
    url.searchParams.delete("open");
    history.replaceState(history.state, "", url.pathname + url.search);
    var link = id && document.querySelector('[data-open-pane="' + id + '"]');
    if (link) link.focus();
  });

  // The Inbox's live updates (static/js/inbox-live.js) name the orders changed.
  document.addEventListener("performile:inbox-changed", function (event) {
    var id = openId();
    if (!id || (event.detail.orderIds || []).map(String).indexOf(id) < 0) return;
    var panel = pane.querySelector("[data-thread-panel]");
    if (panel && window.PerformileMessages) window.PerformileMessages.refresh(panel);
  });

  markCurrent();
})();
