// The live Orders view. The websocket brings each change as it happens (with the
// row's tracking, status and courier cells rendered by the server); the change feed brings
// whatever a dropped socket missed: after every (re)connect, and every 30 seconds
// while the socket is down (both in static/js/live-core.js, loaded before this).
// Applying the same change twice is harmless.
(function () {
  "use strict";

  var root = document.querySelector("[data-live]");
  if (!root || !window.WebSocket || !window.fetch || !window.PerformileLiveCore) return;

  var TROUBLE = ["attempt_failed", "exception", "returned", "expired"];
  var MOVING_TEXT = {
    in_transit: "is in transit",
    out_for_delivery: "is out for delivery",
    available_for_pickup: "is ready for pickup",
  };
  var MAX_TOASTS = 3;
  var IDLE_POLL_SECONDS = 120; // offline with no parcel on the move: read less often

  // The socket, the feed and the indicator: static/js/live-core.js.
  var live = window.PerformileLiveCore.start(root, {
    offlineText: function (live) {
      return "Offline · checking every " + live.pollSeconds + " s";
    },
    title: function (mode) {
      return mode === "live"
        ? "Changes appear as they happen."
        : "The live connection is down; Performile keeps checking for changes and reconnects by itself.";
    },
    onMessage: function (message) {
      if (message.type === "order") applyChanges([message]);
    },
    onPage: function (page) {
      var kinds = {};
      page.changes.forEach(function (change) {
        (kinds[change.order_id] = kinds[change.order_id] || []).push(change.kind);
      });
      return applyChanges(page.orders.map(function (order) {
        return { order: order, kinds: kinds[order.id] || [], cells: null };
      }));
    },
    pollSeconds: function (live) {
      var hasActive = document.querySelector("tr.order-row .flag--live");
      return hasActive ? live.pollSeconds : IDLE_POLL_SECONDS;
    },
  });
  window.PerformileLive = live;

  // --- Applying changes -------------------------------------------------------
  function rowOf(id) {
    return document.getElementById("order-" + id);
  }

  // messages: [{order, kinds, cells}]; cells null means "fetch the rendered row".
  function applyChanges(messages) {
    var notes = [];
    var fetchIds = [];
    messages.forEach(function (message) {
      var order = message.order;
      var row = rowOf(order.id);
      if (order.deleted) {
        if (row) {
          row.remove();
          notes.push([order.order_number + " was deleted.", "info"]);
        }
        return;
      }
      var kinds = announceMessages(order, message.kinds);
      var isNew = message.kinds.indexOf("created") >= 0;
      if (!row) {
        if (isNew) fetchIds.push(order.id);
        return;
      }
      var note = describe(order, row, kinds);
      if (note) notes.push(note);
      if (message.cells) {
        patchRow(row, order, message.cells);
      } else {
        fetchIds.push(order.id);
      }
    });
    return insertRows(fetchIds, messages).then(function (added) {
      added.forEach(function (order) { notes.push(["New order " + order.order_number + ".", "info"]); });
      announce(notes);
    });
  }

  // A thread on screen (static/js/messages.js) refreshes itself on a change of its
  // messages ("message": the customer wrote; "message_reply", "message_system",
  // a note...) or of the thread, and cancels the event: then no toast about it.
  function announceMessages(order, kinds) {
    var talk = kinds.some(function (kind) {
      return kind.indexOf("message") === 0 || kind === "thread" || kind === "read";
    });
    if (!talk) return kinds;
    var shown = !document.dispatchEvent(new CustomEvent("performile:order-message", {
      detail: { orderId: order.id, kinds: kinds }, cancelable: true,
    }));
    return shown ? kinds.filter(function (kind) { return kind !== "message"; }) : kinds;
  }

  // What the user should hear about, comparing the row as shown with the order now.
  function describe(order, row, kinds) {
    var number = order.order_number;
    var before = row.dataset.trackingStatus;
    var now = order.tracking_status;
    if (now && now !== before) {
      if (now === "delivered") return [number + " was delivered.", "success"];
      if (TROUBLE.indexOf(now) >= 0) return [number + " needs attention: " + order.badge.label + ".", "error"];
      if (MOVING_TEXT[now]) return [number + " " + MOVING_TEXT[now] + ".", "info"];
    }
    if (order.status !== row.dataset.status &&
        ["delivered", "complete", "cancelled", "on_hold"].indexOf(order.status) >= 0) {
      return [number + " is now " + order.status_label.toLowerCase() + ".",
        order.status === "on_hold" ? "error" : "info"];
    }
    if (kinds.indexOf("message") >= 0) return ["New customer message on " + number + ".", "info"];
    return null;
  }

  function patchRow(row, order, cells) {
    Object.keys(cells).forEach(function (name) {
      var cell = row.querySelector('[data-cell="' + name + '"]');
      if (cell) cell.innerHTML = cells[name];
    });
    row.dataset.status = order.status;
    row.dataset.trackingStatus = order.tracking_status;
    row.querySelectorAll("[data-when]").forEach(function (item) {
      item.hidden = !order.flags[item.dataset.when];
    });
    // A menu item's link comes with the order (tracking_url, label_url); one the
    // message does not carry keeps the link the row was rendered with.
    row.querySelectorAll("[data-href]").forEach(function (item) {
      if (!(item.dataset.href in order)) return;
      var href = order[item.dataset.href] || "";
      var safe = /^https?:\/\//i.test(href) || /^\/(?!\/)/.test(href);
      if (safe) item.setAttribute("href", href);
      item.hidden = item.hidden || !safe;
    });
    if (window.htmx) htmx.process(row);
    highlight(row);
  }

  function highlight(row) {
    row.classList.remove("is-updated");
    void row.offsetWidth; // restart the animation
    row.classList.add("is-updated");
  }

  // Fetch the rows (rendered for this user, under the page's filters) and put them
  // in place: new orders on top of the first page, known ones where they are.
  function insertRows(ids, messages) {
    if (!ids.length) return Promise.resolve([]);
    var params = new URLSearchParams(location.search);
    var firstPage = !params.get("before") && !params.get("after");
    params.delete("before");
    params.delete("after");
    params.set("ids", ids.join(","));
    return fetch(root.dataset.rowsUrl + "?" + params.toString(), { credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.text();
      })
      .then(function (html) {
        var parsed = new DOMParser().parseFromString(html, "text/html");
        var body = document.querySelector("#orders-table tbody");
        var added = [];
        parsed.querySelectorAll("tr.order-row").forEach(function (fresh) {
          var old = document.getElementById(fresh.id);
          if (old) {
            var box = old.querySelector("[data-select-row]");
            if (box && box.checked) fresh.querySelector("[data-select-row]").checked = true;
            old.replaceWith(fresh);
          } else if (body && firstPage) {
            body.insertBefore(fresh, body.firstChild);
            added.push(byId(messages, Number(fresh.dataset.orderId)));
          } else {
            return;
          }
          if (window.htmx) htmx.process(fresh);
          highlight(fresh);
        });
        if (!body && firstPage && ids.length && window.htmx) {
          // The table was empty: show it again, now with the new orders.
          htmx.ajax("GET", location.pathname + location.search,
            { target: "#orders-table", swap: "outerHTML" });
        }
        return added.filter(Boolean);
      })
      .catch(function () { return []; });
  }

  function byId(messages, id) {
    for (var i = 0; i < messages.length; i++) {
      if (messages[i].order.id === id) return messages[i].order;
    }
    return null;
  }

  function announce(notes) {
    if (!window.Performile) return;
    notes.slice(0, MAX_TOASTS).forEach(function (note) {
      window.Performile.toast(note[0], note[1]);
    });
    if (notes.length > MAX_TOASTS) {
      window.Performile.toast((notes.length - MAX_TOASTS) + " more orders changed.", "info");
    }
  }
})();
