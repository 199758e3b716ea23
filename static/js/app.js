// App-wide behaviour: toasts, <details> menus, feedback when an htmx request fails.
(function () {
  "use strict";

  var TOAST_MS = 5000;
  var toasts = document.getElementById("toasts");

  function dismiss(toast) {
    toast.classList.add("is-leaving");
    setTimeout(function () { toast.remove(); }, 200);
  }

  function arm(toast) {
    if (toast.dataset.armed) return;
    toast.dataset.armed = "1";
    var wait = toast.classList.contains("toast--error") ? TOAST_MS * 2 : TOAST_MS;
    var timer = setTimeout(function () { dismiss(toast); }, wait);
    // Reading takes longer than 5 seconds sometimes: hovering keeps it.
    toast.addEventListener("mouseenter", function () { clearTimeout(timer); });
    toast.addEventListener("mouseleave", function () {
      timer = setTimeout(function () { dismiss(toast); }, TOAST_MS / 2);
    });
  }

  function toast(text, level) {
    if (!toasts) return;
    var item = document.createElement("div");
    item.className = "toast toast--" + (level || "info");
    item.setAttribute("role", level === "error" ? "alert" : "status");
    item.innerHTML =
      '<span class="toast-dot" aria-hidden="true"></span><p class="toast-text"></p>' +
      '<button type="button" class="toast-close" aria-label="Dismiss" data-dismiss-toast>&times;</button>';
    item.querySelector(".toast-text").textContent = text;
    toasts.appendChild(item);
  }

  function closeMenus(except) {
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      if (menu !== except) menu.removeAttribute("open");
    });
  }

  if (toasts) {
    toasts.querySelectorAll(".toast").forEach(arm);
    new MutationObserver(function () {
      toasts.querySelectorAll(".toast").forEach(arm);
    }).observe(toasts, { childList: true });
  }

  document.addEventListener("click", function (event) {
    var close = event.target.closest("[data-dismiss-toast]");
    if (close) dismiss(close.closest(".toast"));
    var item = event.target.closest("a.menu-item");
    closeMenus(item ? null : event.target.closest("details.menu"));
  });

  // A list's filters (form[data-filters="<search field>"]) refresh it as each one
  // changes: "filters-changed" on the form, for every field but the search box,
  // which refreshes as it is typed in. An htmx trigger filter would say the same,
  // but htmx compiles those with eval, which the Content-Security-Policy refuses.
  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (!form || !form.hasAttribute("data-filters")) return;
    if (event.target.name === form.getAttribute("data-filters")) return;
    if (window.htmx) window.htmx.trigger(form, "filters-changed");
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && document.querySelector("details.menu[open]")) {
      closeMenus();
      event.stopImmediatePropagation();
    }
  });

  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    var text = {
      403: "You are not allowed to do that.",
      404: "That order is not available any more.",
    }[status] || "Something went wrong (" + status + "). Please try again.";
    toast(text, "error");
  });

  document.addEventListener("htmx:sendError", function () {
    toast("Performile cannot be reached. Check your connection and try again.", "error");
  });

  // A server response can ask for a toast: HX-Trigger: {"performile:toast": {text, level}}.
  document.body.addEventListener("performile:toast", function (event) {
    if (event.detail && event.detail.text) toast(event.detail.text, event.detail.level);
  });

  // Forms that ask first (data-confirm): no inline handlers under our CSP.
  document.addEventListener("submit", function (event) {
    var question = event.target.getAttribute && event.target.getAttribute("data-confirm");
    if (question && !window.confirm(question)) event.preventDefault();
  });

  window.Performile = { toast: toast, closeMenus: closeMenus };
})();
