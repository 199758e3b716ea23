// Portal messages: "Contact support" opens as a dialog (the link is the page
// without script), the thread shows its newest message, Ctrl+Enter sends.
(function () {
  "use strict";

  const dialog = document.getElementById("contact-dialog");
  const showClose = () => {
    if (!dialog) return;
    dialog.querySelectorAll("[data-contact-close]").forEach((button) => { button.hidden = false; });
  };

  document.addEventListener("click", (event) => {
    const open = event.target.closest("[data-contact-open]");
    if (open && dialog && typeof dialog.showModal === "function") {
      event.preventDefault();
      showClose();
      dialog.showModal();
      const field = dialog.querySelector("textarea");
      if (field) field.focus();
      return;
    }
    if (event.target.closest("[data-contact-close]") && dialog) dialog.close();
  });
  document.addEventListener("htmx:afterSwap", () => { showClose(); scrollThread(); });

  document.addEventListener("keydown", (event) => {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) return;
    const form = event.target.closest && event.target.closest("form.composer, form.pm-contact");
    if (form) { event.preventDefault(); form.requestSubmit(); }
  });

  function scrollThread() {
    const last = document.querySelector(".pm-thread .thread > li:last-child");
    if (last) last.scrollIntoView({ block: "nearest" });
  }
  scrollThread();
})();
