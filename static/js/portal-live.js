// Live order status in the customer portal (dashboard, order list, order detail)
// and a conversation's messages (the order's thread page).
// The websocket (/ws/orders/, the customer's own group) says which order changed;
// the page then re-fetches that order's fragment as the server renders it and
// swaps it in. While the socket is down the change feed is read every 30 s, and
// after every (re)connect once, so nothing a dropped socket missed stays stale
// (both in static/js/live-core.js, loaded before this).
// Applying the same change twice is harmless (it only re-renders). Its requests
// carry X-Portal-Live: 1, so the idle sign-out can tell them from the customer's.
(function () {
  "use strict";

  var root = document.querySelector("[data-portal-live]");

  // Print-friendly summary: ?print=1 opens the print dialog; the Print button too.
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  if (document.querySelector("[data-print-on-load]")) {
    window.addEventListener("load", function () { window.print(); });
  }

  if (!root || !window.WebSocket || !window.fetch || !window.PerformileLiveCore) return;

  // The socket, the feed and the indicator: static/js/live-core.js.
  window.PerformileLiveCore.start(root, {
    offlineText: function (live) {
      return "Updating every " + live.pollSeconds + " s";
    },
    title: function (mode, live) {
      return mode === "live"
        ? "Status changes appear as they happen."
        : "Checking for status changes every " + live.pollSeconds + " seconds.";
    },
    onMessage: function (message) {
      // The team reading the conversation changes nothing the customer sees.
      var kinds = message.kinds || [];
      if (kinds.length && kinds.every(function (kind) { return kind === "read"; })) return;
      if (message.type === "order" && message.order) refresh([message.order.id]);
    },
    onPage: function (page) {
      refresh(page.orders.map(function (order) { return order.id; }));
    },
    headers: { "X-Portal-Live": "1" },
  });

  // --- Swapping fragments ---------------------------------------------------
  function fragmentUrl(id, part) {
    return root.dataset.fragmentUrl.replace(/\/0\/live\/$/, "/" + id + "/live/") + "?part=" + part;
  }

  function refresh(ids) {
    var seen = {};
    ids.forEach(function (id) {
      if (seen[id]) return;
      seen[id] = true;
      document.querySelectorAll('[data-live-order="' + Number(id) + '"]').forEach(swap);
    });
  }

  function swap(element) {
    var url = fragmentUrl(element.dataset.liveOrder, element.dataset.livePart);
    fetch(url, { credentials: "same-origin", headers: { "X-Portal-Live": "1" } })
      .then(function (response) {
        if (response.status === 404) return null; // gone from this customer's view
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.text();
      })
      .then(function (html) {
        if (html === null || !element.isConnected) return;
        var template = document.createElement("template");
        template.innerHTML = html.trim();
        var fresh = template.content.firstElementChild;
        if (!fresh) return;
        var written = element.dataset.livePart === "messages" &&
          fresh.querySelectorAll(".msg").length > element.querySelectorAll(".msg").length;
        var changed = fresh.dataset.status !== element.dataset.status;
        element.replaceWith(fresh);
        if (written) {
          var newest = fresh.querySelector(".msg:last-child");
          if (newest) {
            newest.classList.add("is-updated");
            newest.scrollIntoView({ block: "nearest" });
          }
        } else if (changed) {
          fresh.classList.add("is-updated");
          announce(fresh);
        }
      })
      .catch(function () { /* the next change or feed read tries again */ });
  }

  function announce(element) {
    if (!window.Performile || !window.Performile.toast) return;
    var badge = element.querySelector("[data-badge]");
    var number = element.querySelector(".order-link");
    if (badge && number) {
      window.Performile.toast(number.textContent + ": " + badge.textContent + ".", "info");
    }
  }
})();
