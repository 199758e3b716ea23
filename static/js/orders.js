// The Orders view and the order page: the order drawer, the action dialog, and
// selecting rows.
(function () {
  "use strict";

  var drawer = document.getElementById("drawer");
  var drawerBody = document.getElementById("drawer-body");
  var backdrop = document.querySelector(".drawer-backdrop");
  var opener = null;

  function isOpen() {
    return drawer && drawer.classList.contains("is-open");
  }

  function openDrawer() {
    if (!drawer || isOpen()) return;
    opener = document.activeElement;
    drawer.classList.add("is-open");
    drawer.setAttribute("aria-hidden", "false");
    backdrop.hidden = false;
    document.body.classList.add("has-drawer");
  }

  function closeDrawer() {
    if (!isOpen()) return;
    drawer.classList.remove("is-open");
    drawer.setAttribute("aria-hidden", "true");
    backdrop.hidden = true;
    document.body.classList.remove("has-drawer");
    if (opener && document.contains(opener)) opener.focus();
  }

  function showLoading() {
    drawerBody.innerHTML =
      '<div class="drawer-loading" aria-busy="true" aria-label="Loading order">' +
      '<div class="skeleton" style="width:40%"></div>' +
      '<div class="skeleton" style="width:70%;height:22px"></div>' +
      '<div class="skeleton" style="width:90%"></div>' +
      '<div class="skeleton" style="width:80%"></div></div>';
  }

  // Keep Tab inside the open drawer (it is a modal dialog).
  function trapFocus(event) {
    var focusable = drawer.querySelectorAll(
      'a[href], button:not([disabled]), select, textarea, input:not([type="hidden"])'
    );
    if (!focusable.length) return;
    var first = focusable[0];
    var last = focusable[focusable.length - 1];
    if (event.shiftKey && document.activeElement === first) {
      last.focus();
      event.preventDefault();
    } else if (!event.shiftKey && document.activeElement === last) {
      first.focus();
      event.preventDefault();
    }
  }

  document.addEventListener("click", function (event) {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    if (drawer && event.target.closest("[data-open-drawer]")) {
      window.Performile.closeMenus();
      showLoading();
      openDrawer();
    } else if (event.target.closest("[data-drawer-close]")) {
      closeDrawer();
    }
  });

  // The action dialog (book, claim, notify, edit, delete): opened when its content
  // arrives, closed by its buttons or by a response that says the work is done.
  var dialog = document.getElementById("action-dialog");
  var dialogBody = document.getElementById("action-dialog-body");
  document.addEventListener("click", function (event) {
    if (dialog && event.target.closest("[data-open-dialog]")) window.Performile.closeMenus();
  });
  document.addEventListener("htmx:afterSwap", function (event) {
    if (!dialog || event.detail.target !== dialogBody) return;
    var title = dialogBody.querySelector("h2[id]");
    if (title) dialog.setAttribute("aria-labelledby", title.id);
    if (!dialog.open) dialog.showModal();
  });
  document.addEventListener("click", function (event) {
    if (dialog && event.target.closest("[data-dialog-close]")) dialog.close();
  });
  document.body.addEventListener("performile:dialog-done", function () {
    if (dialog && dialog.open) dialog.close();
  });

  // When the dialog closes, the order on screen (the order page, or the open
  // drawer) is read again, so the header's actions and the panels show what the
  // dialog did. An order that is gone (deleted) closes the drawer or leaves the
  // page for the list.
  function refreshDetail() {
    var detail = document.getElementById("order-detail");
    if (!detail || !window.htmx || !detail.dataset.refreshUrl) return;
    if (detail.closest("#drawer") && !isOpen()) return;
    htmx.ajax("GET", detail.dataset.refreshUrl, { target: detail, swap: "outerHTML" });
  }
  if (dialog) dialog.addEventListener("close", refreshDetail);
  document.addEventListener("htmx:responseError", function (event) {
    var target = event.detail.target;
    if (!target || target.id !== "order-detail" || event.detail.xhr.status !== 404) return;
    if (target.closest("#drawer")) {
      closeDrawer();
    } else {
      location.assign(target.dataset.listUrl);
    }
  });

  // A click anywhere on a row (but its links, buttons and inputs) opens the order.
  document.addEventListener("click", function (event) {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    var row = event.target.closest("tr.order-row");
    if (!row || event.target.closest("a, button, input, label, details, summary")) return;
    var link = row.querySelector("[data-open-drawer]");
    if (link) link.click();
  });

  document.addEventListener("keydown", function (event) {
    if (!isOpen()) return;
    if (event.key === "Escape") closeDrawer();
    if (event.key === "Tab") trapFocus(event);
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.detail.target === drawerBody) {
      var title = drawerBody.querySelector("#order-title");
      if (title) title.focus({ preventScroll: true });
    }
    refreshSelection();
  });

  document.addEventListener("htmx:responseError", function (event) {
    if (event.detail.target === drawerBody) closeDrawer();
  });

  // History snapshots should not remember an open drawer.
  document.addEventListener("htmx:beforeHistorySave", function () {
    closeDrawer();
    if (drawerBody) drawerBody.innerHTML = "";
  });

  // --- Selection ------------------------------------------------------------
  function rowBoxes() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-select-row]"));
  }

  function selected() {
    return rowBoxes().filter(function (box) { return box.checked; });
  }

  function refreshSelection() {
    var boxes = rowBoxes();
    var picked = selected();
    boxes.forEach(function (box) {
      box.closest("tr").classList.toggle("is-selected", box.checked);
    });
    var bar = document.querySelector("[data-bulk-bar]");
    if (bar) {
      bar.hidden = picked.length === 0;
      bar.querySelector("[data-bulk-count]").textContent = picked.length;
    }
    var all = document.querySelector("[data-select-all]");
    if (all) {
      all.checked = picked.length > 0 && picked.length === boxes.length;
      all.indeterminate = picked.length > 0 && picked.length < boxes.length;
    }
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-select-all]")) {
      rowBoxes().forEach(function (box) { box.checked = event.target.checked; });
      refreshSelection();
    } else if (event.target.matches("[data-select-row]")) {
      refreshSelection();
    }
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-clear-selection]")) {
      rowBoxes().forEach(function (box) { box.checked = false; });
      refreshSelection();
    }
    var bookButton = event.target.closest("[data-book-selected]");
    if (bookButton && window.htmx) {
      var ids = selected().map(function (box) { return box.value; });
      htmx.ajax("GET", bookButton.dataset.url + "?orders=" + ids.join(","),
        { target: "#action-dialog-body" });
    }
    if (event.target.closest("[data-copy-selected]")) {
      var numbers = selected().map(function (box) {
        return box.closest("tr").dataset.orderNumber;
      });
      var done = function () {
        window.Performile.toast("Copied " + numbers.length + " order number" +
          (numbers.length === 1 ? "" : "s") + ".", "success");
      };
      var failed = function () {
        window.Performile.toast("The clipboard is not available in this browser.", "error");
      };
      if (navigator.clipboard) {
        navigator.clipboard.writeText(numbers.join("\n")).then(done, failed);
      } else {
        failed();
      }
    }
  });
})();
