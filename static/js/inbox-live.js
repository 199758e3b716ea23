// The Inbox list, live: when a conversation changes (a customer writes, someone
// replies, a thread is closed or reopened) the list is fetched again as the page's
// filters show it (htmx, the same request as a filter change, without touching the
// address). The socket, the feed reads and the indicator are static/js/live-core.js;
// the feed holds no messages, so every read of it refreshes the list too (after a
// reconnect, every two minutes while connected, every 30 s while offline).
(function () {
  "use strict";

  var root = document.querySelector("[data-inbox-live]");
  if (!root || !window.WebSocket || !window.PerformileLiveCore || !window.htmx) return;

  var timer = null;

  function aboutConversations(kinds) {
    return (kinds || []).some(function (kind) {
      return kind.indexOf("message") === 0 || kind === "thread";
    });
  }

  // Several changes in a row (a bulk close, a burst of messages): one request.
  function refresh() {
    clearTimeout(timer);
    timer = setTimeout(function () {
      if (!document.getElementById("inbox-results")) return;
      window.htmx.ajax("GET", location.pathname + location.search, {
        target: "#inbox-results",
        swap: "outerHTML",
      });
    }, 300);
  }

  window.PerformileLiveCore.start(root, {
    offlineText: function (live) {
      return "Offline · checking every " + live.pollSeconds + " s";
    },
    title: function (mode, live) {
      return mode === "live"
        ? "New messages appear as they arrive."
        : "Checking for new messages every " + live.pollSeconds + " seconds.";
    },
    onMessage: function (message) {
      if (message.type === "order" && aboutConversations(message.kinds)) refresh();
    },
    onPage: function () {
      refresh();
    },
  });
})();
