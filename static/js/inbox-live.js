// The Inbox list, live: when a conversation changes (a customer writes, someone
// replies, a thread is closed or reopened) the list is fetched again as the page's
// filters show it (htmx, the same request as a filter change, without touching the
// address). The socket, the feed reads and the indicator are static/js/live-core.js;
// the feed names the conversations' changes as the socket does, so a page that was
// offline catches up on what it missed with the same refresh.
(function () {
  "use strict";

  var root = document.querySelector("[data-inbox-live]");
  if (!root || !window.WebSocket || !window.PerformileLiveCore || !window.htmx) return;

  var timer = null;

  function aboutConversations(kinds) {
    return (kinds || []).some(function (kind) {
      return kind.indexOf("message") === 0 || ["thread", "assigned", "labels", "snooze", "escalated"].indexOf(kind) >= 0;
    });
  }

  // Someone read a conversation: its "Seen by" changes, not the list.
  function wasRead(kinds) {
    return (kinds || []).indexOf("read") >= 0;
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

  // The open conversation (static/js/inbox-pane.js) refreshes itself.
  function changed(orderIds) {
    document.dispatchEvent(new CustomEvent("performile:inbox-changed", { detail: { orderIds: orderIds } }));
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
      if (message.type !== "order") return;
      if (aboutConversations(message.kinds)) refresh();
      if (aboutConversations(message.kinds) || wasRead(message.kinds)) {
        changed([message.order && message.order.id]);
      }
    },
    onPage: function (page) {
      var changes = page.changes || [];
      if (aboutConversations(changes.map(function (change) { return change.kind; }))) refresh();
      changed(changes.filter(function (change) {
        return aboutConversations([change.kind]) || wasRead([change.kind]);
      }).map(function (change) { return change.order_id; }));
    },
  });
})();
