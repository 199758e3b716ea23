// The customer portal's idle-session warning: portal.session signs a customer out
// after PORTAL_SESSION_IDLE_SECONDS without a request (live status: portal-live.js).
(function () {
  "use strict";

  // Forms that ask first (data-confirm): no inline handlers under our CSP.
  document.addEventListener("submit", (event) => {
    const question = event.target.dataset && event.target.dataset.confirm;
    if (question && !window.confirm(question)) { event.preventDefault(); }
  });

  // --- Session: warn two minutes before the sign-out, and offer to stay -----------
  const body = document.body;
  // The server notes activity at most every `sessionTouch` seconds: count from the
  // earliest moment it may have noted, so the page never promises more than it has.
  const idle = (parseInt(body.dataset.sessionIdle || "0", 10)
    - parseInt(body.dataset.sessionTouch || "0", 10)) * 1000;
  const warning = document.getElementById("session-warning");
  if (idle && warning) {
    const WARN_BEFORE = Math.min(120000, idle / 2);
    const countdown = warning.querySelector("[data-session-countdown]");
    let lastActivity = Date.now();
    let timer = null;

    const restart = () => { lastActivity = Date.now(); warning.hidden = true; };
    // Any request the page makes (htmx, fetch) keeps the session alive on the server.
    document.addEventListener("htmx:afterRequest", restart);

    warning.querySelector("[data-session-stay]").addEventListener("click", () => {
      fetch(body.dataset.sessionUrl, {
        method: "POST",
        headers: { "X-CSRFToken": csrfToken() },
        credentials: "same-origin",
      }).then((response) => {
        if (response.status === 401) { signedOut(); } else { restart(); }
      });
    });

    const tick = () => {
      const left = idle - (Date.now() - lastActivity);
      if (left <= 0) { signedOut(); return; }
      if (left <= WARN_BEFORE) {
        const seconds = Math.ceil(left / 1000);
        countdown.textContent = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
        warning.hidden = false;
      }
    };
    timer = setInterval(tick, 1000);

    function signedOut() {
      clearInterval(timer);
      window.location.assign(body.dataset.loginUrl);
    }
  }

  function csrfToken() {
    const match = document.cookie.match(/(?:^|; )csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    try { return JSON.parse(body.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (e) { return ""; }
  }
})();
