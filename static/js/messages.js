// Order threads: the Messages panel (live refresh without losing a draft, Ctrl+Enter,
// the internal-note switch), and the Inbox (read badges, opening a thread's order).
(function () {
  "use strict";

  var POLL_SECONDS = 30; // the order page has no live socket: it checks this often
  var focusOrder = null; // an order opened from the Inbox, to show on its messages

  function panelOf(orderId) {
    return document.querySelector('[data-thread-panel][data-order-id="' + orderId + '"]');
  }

  // Fetch the panel again and replace all but the composer, so a half-written
  // reply survives a customer's new message arriving.
  function refresh(panel) {
    if (!panel || panel.dataset.refreshing) return;
    panel.dataset.refreshing = "1";
    fetch(panel.dataset.refreshUrl, { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-thread-panel]");
        if (!fresh || !document.contains(panel)) return;
        var list = panel.querySelector(".thread");
        var atBottom = list && list.scrollHeight - list.scrollTop - list.clientHeight < 40;
        ["thread-head", "thread"].forEach(function (name) {
          var old = panel.querySelector("." + name);
          var now = fresh.querySelector("." + name);
          if (old && now) old.replaceWith(now);
        });
        var more = panel.querySelector(".thread-more");
        if (more) more.remove();
        if (window.htmx) htmx.process(panel);
        if (atBottom) scrollThread(panel, false);
      })
      .catch(function () { /* the next update or poll tries again */ })
      .then(function () { delete panel.dataset.refreshing; });
  }

  // Show the first unread message, else the newest.
  function scrollThread(panel, toUnread) {
    var list = panel.querySelector(".thread");
    if (!list) return;
    var divider = toUnread && list.querySelector(".thread-divider");
    list.scrollTop = divider ? divider.offsetTop - list.offsetTop - 8 : list.scrollHeight;
  }

  // live.js announces order changes; a thread on screen is refreshed instead of
  // a toast about it.
  document.addEventListener("performile:order-message", function (event) {
    var panel = panelOf(event.detail.orderId);
    if (!panel) return;
    event.preventDefault();
    refresh(panel);
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var panel = event.detail.elt && event.detail.elt.closest && event.detail.elt.closest("[data-thread-panel]");
    if (!panel && event.detail.elt && event.detail.elt.matches && event.detail.elt.matches("[data-thread-panel]")) {
      panel = event.detail.elt;
    }
    if (!panel && event.detail.elt && event.detail.elt.id === "inbox-pane") {
      panel = event.detail.elt.querySelector("[data-thread-panel]");
    }
    if (!panel) return;
    scrollThread(panel, true);
    syncComposer(panel.querySelector("[data-composer-form]"));
    var wanted = focusOrder === panel.dataset.orderId || location.hash === "#messages";
    if (wanted) {
      focusOrder = null;
      var section = panel.closest("#messages") || panel;
      section.scrollIntoView({ block: "start" });
    }
  });

  // --- The composer --------------------------------------------------------------
  function syncComposer(form) {
    if (!form) return;
    var note = form.querySelector('input[name="internal"]');
    var isNote = Boolean(note && note.checked);
    form.classList.toggle("composer--note", isNote);
    var channel = form.querySelector('select[name="channel"]');
    if (channel) channel.disabled = isNote;
    var button = form.querySelector("button[type=submit]");
    var text = button && button.querySelector("[data-submit-text]");
    if (text) text.textContent = isNote ? button.dataset.noteLabel : button.dataset.sendLabel;
    var body = form.querySelector("textarea");
    if (body) body.placeholder = isNote ? "Write a note for your team…" : "Write a reply…";
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches('[data-composer-form] input[name="internal"]')) {
      syncComposer(event.target.closest("[data-composer-form]"));
    }
    if (event.target.matches("[data-canned-reply]")) insertCanned(event.target);
  });

  // A canned reply, its variables filled in for this order by the server, goes
  // into the reply box (after what is written there), ready to edit and send.
  function insertCanned(select) {
    var option = select.selectedOptions[0];
    var form = select.closest("[data-composer-form]");
    var body = form && form.querySelector("textarea");
    if (!option || !option.dataset.text || !body) return;
    body.value = body.value.trim() ? body.value.replace(/\s+$/, "") + "\n\n" + option.dataset.text : option.dataset.text;
    select.value = "";
    body.focus();
    body.setSelectionRange(body.value.length, body.value.length);
  }

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) return;
    var form = event.target.closest && event.target.closest("[data-composer-form]");
    if (!form) return;
    event.preventDefault();
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  });

  // --- The Inbox -----------------------------------------------------------------
  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-open-thread]");
    if (link) focusOrder = link.dataset.openThread;
  });

  // The panel marked a thread read: its Inbox row and the nav count follow.
  document.body.addEventListener("performile:thread-read", function (event) {
    var orderId = event.detail && String(event.detail.order);
    var row = document.querySelector('[data-thread-row="' + orderId + '"]');
    if (row && row.classList.contains("is-unread")) {
      row.classList.remove("is-unread");
      var badge = row.querySelector("[data-unread-badge]");
      if (badge) badge.remove();
    }
    var count = document.querySelector("[data-inbox-count]");
    if (count) {
      var left = Number(count.dataset.inboxCount) - 1;
      count.dataset.inboxCount = left;
      var text = count.querySelector("[data-inbox-count-text]");
      if (text && left > 0 && left < 100) text.textContent = left;
      if (left <= 0) count.remove();
    }
  });

  // --- The order page: no socket, so poll while it is in view --------------------
  if (!document.querySelector("[data-live]")) {
    setInterval(function () {
      if (document.visibilityState !== "visible") return;
      document.querySelectorAll("[data-thread-panel]").forEach(refresh);
    }, POLL_SECONDS * 1000);
  }

  window.PerformileMessages = { refresh: refresh };
})();
