// Live order status in the customer portal (dashboard, order list, order detail).
// The websocket (/ws/orders/, the customer's own group) says which order changed;
// the page then re-fetches that order's fragment as the server renders it and
// swaps it in. While the socket is down the change feed is read every 30 s, and
// after every (re)connect once, so nothing a dropped socket missed stays stale.
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

  if (!root || !window.WebSocket || !window.fetch) return;

  var PING_SECONDS = 25;
  var SWEEP_EVERY_PINGS = 4; // read the feed every ~2 minutes even while connected
  var live = {
    cursor: root.dataset.cursor,
    pollSeconds: Number(root.dataset.pollSeconds || 30),
    socket: null,
    attempts: 0,
    pings: 0,
    reconnectTimer: null,
    pollTimer: null,
    keepAlive: null,
    catching: null,
  };

  var indicator = document.querySelector("[data-live-status]");
  var indicatorText = indicator && indicator.querySelector("[data-live-text]");

  function setMode(mode) {
    if (!indicator) return;
    indicator.dataset.mode = mode;
    indicatorText.textContent = {
      connecting: "Connecting…",
      live: "Live",
      offline: "Updating every " + live.pollSeconds + " s",
    }[mode];
    indicator.title = mode === "live"
      ? "Status changes appear as they happen."
      : "Checking for status changes every " + live.pollSeconds + " seconds.";
  }

  // --- The socket -----------------------------------------------------------
  function connect() {
    clearTimeout(live.reconnectTimer);
    if (live.socket) return;
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket;
    try {
      socket = new WebSocket(scheme + location.host + root.dataset.socketUrl);
    } catch (error) {
      offline();
      return;
    }
    live.socket = socket;
    socket.onopen = function () {
      live.attempts = 0;
      setMode("live");
      stopPolling();
      catchUp();
      clearInterval(live.keepAlive);
      live.keepAlive = setInterval(function () {
        if (socket.readyState !== WebSocket.OPEN) return;
        socket.send(JSON.stringify({ type: "ping" }));
        live.pings += 1;
        if (live.pings % SWEEP_EVERY_PINGS === 0) catchUp();
      }, PING_SECONDS * 1000);
    };
    socket.onmessage = function (event) {
      var message;
      try { message = JSON.parse(event.data); } catch (error) { return; }
      if (message.type === "order" && message.order) refresh([message.order.id]);
    };
    socket.onclose = function () {
      if (live.socket !== socket) return;
      clearInterval(live.keepAlive);
      live.socket = null;
      offline();
    };
  }

  function offline() {
    setMode("offline");
    startPolling();
    var delay = Math.min(30000, 1000 * Math.pow(2, live.attempts));
    live.attempts += 1;
    clearTimeout(live.reconnectTimer);
    live.reconnectTimer = setTimeout(connect, delay * (0.5 + Math.random() / 2));
  }

  // --- The feed -------------------------------------------------------------
  function startPolling() {
    if (live.pollTimer) return;
    live.pollTimer = setTimeout(function () {
      live.pollTimer = null;
      catchUp().then(function () { if (!live.socket) startPolling(); });
    }, live.pollSeconds * 1000);
  }

  function stopPolling() {
    clearTimeout(live.pollTimer);
    live.pollTimer = null;
  }

  function catchUp() {
    if (live.catching) return live.catching;
    var url = root.dataset.feedUrl + "?since=" + encodeURIComponent(live.cursor);
    live.catching = fetch(url, { credentials: "same-origin", headers: { Accept: "application/json", "X-Portal-Live": "1" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (page) {
        live.cursor = page.next;
        refresh(page.orders.map(function (order) { return order.id; }));
        return page.has_more;
      })
      .then(function (more) {
        live.catching = null;
        if (more) return catchUp();
      }, function () {
        live.catching = null; // the next poll or reconnect tries again
      });
    return live.catching;
  }

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
        var changed = fresh.dataset.status !== element.dataset.status;
        element.replaceWith(fresh);
        if (changed) {
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

  function wake() {
    if (document.visibilityState === "hidden" || live.socket) return;
    live.attempts = 0;
    connect();
  }
  document.addEventListener("visibilitychange", wake);
  window.addEventListener("online", wake);

  setMode("connecting");
  connect();
})();
