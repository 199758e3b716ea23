// What the live pages share (static/js/live.js, the staff Orders view, and
// static/js/portal-live.js, the customer portal): the websocket with its ping and
// its reconnects with backoff, the change feed read after every (re)connect, every
// few pings and, while the socket is down, on a timer; and the live indicator.
// What a change does to the page is the caller's: PerformileLiveCore.start(root,
// options) with
//   offlineText(live)     the indicator's words while the socket is down;
//   title(mode, live)     its tooltip, for "connecting", "live" and "offline";
//   onMessage(message)    a socket message, parsed;
//   onPage(page)          a page of the feed (may return a promise);
//   headers               extra headers of the feed's requests (optional);
//   pollSeconds(live)     seconds to the next feed read while offline (optional).
// It returns the state (cursor, pollSeconds, socket, ...), with connect() and
// catchUp().
(function () {
  "use strict";

  var PING_SECONDS = 25; // keeps proxies from closing an idle socket
  var SWEEP_EVERY_PINGS = 4; // read the feed every ~2 minutes even while connected

  function start(root, options) {
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
      indicatorText.textContent = mode === "offline"
        ? options.offlineText(live)
        : { connecting: "Connecting…", live: "Live" }[mode];
      indicator.title = options.title(mode, live);
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
          // A message dropped on a busy server is still in the feed: read it now
          // and then even while the socket is up.
          live.pings += 1;
          if (live.pings % SWEEP_EVERY_PINGS === 0) catchUp();
        }, PING_SECONDS * 1000);
      };
      socket.onmessage = function (event) {
        var message;
        try { message = JSON.parse(event.data); } catch (error) { return; }
        options.onMessage(message);
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
      var seconds = options.pollSeconds ? options.pollSeconds(live) : live.pollSeconds;
      live.pollTimer = setTimeout(function () {
        live.pollTimer = null;
        catchUp().then(function () { if (!live.socket) startPolling(); });
      }, seconds * 1000);
    }

    function stopPolling() {
      clearTimeout(live.pollTimer);
      live.pollTimer = null;
    }

    function catchUp() {
      if (live.catching) return live.catching;
      var url = root.dataset.feedUrl + "?since=" + encodeURIComponent(live.cursor);
      var headers = Object.assign({ Accept: "application/json" }, options.headers);
      live.catching = fetch(url, { credentials: "same-origin", headers: headers })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        })
        .then(function (page) {
          live.cursor = page.next;
          return Promise.resolve(options.onPage(page)).then(function () {
            return page.has_more;
          });
        })
        .then(function (more) {
          live.catching = null;
          if (more) return catchUp();
        }, function () {
          live.catching = null; // the next poll or reconnect tries again
        });
      return live.catching;
    }

    // A laptop waking up or a network coming back: reconnect and catch up now.
    function wake() {
      if (document.visibilityState === "hidden" || live.socket) return;
      live.attempts = 0;
      connect();
    }
    document.addEventListener("visibilitychange", wake);
    window.addEventListener("online", wake);

    live.connect = connect;
    live.catchUp = catchUp;
    setMode("connecting");
    connect();
    return live;
  }

  window.PerformileLiveCore = { start: start };
})();
