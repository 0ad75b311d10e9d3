/* Keeps a signed-in session alive while its user is working on the page, and says so when it has ended.

   Sessions end after a short idle time (settings.SESSION_COOKIE_AGE), counted from the last request. Someone
   typing a long form for longer than that sends no request, and his work would be refused when he submits
   it. So while he types, clicks or touches the page, this asks the server at most every few minutes
   (GET account/alive/), which counts as a request. If the session has already ended (401), a banner says
   so before he submits: what is on the page is not saved, and signing in again makes its form stale. */
(function () {
  "use strict";
  const me = document.currentScript;
  const url = me.dataset.url;
  const every = Number(me.dataset.every) * 1000;
  let last = Date.now();
  let asking = false;
  let ended = false;

  function showEnded(data) {
    if (ended) return;
    ended = true;
    const banner = document.createElement("div");
    banner.className = "alert alert-warning m-0 rounded-0 text-center sticky-top app-session-ended";  // seen wherever he scrolled
    banner.setAttribute("role", "alert");
    banner.append(document.createTextNode(`${me.dataset.ended} `));
    const link = document.createElement("a");
    link.className = "alert-link";
    link.href = data.url || me.dataset.login;
    link.textContent = me.dataset.signIn;
    banner.append(link);
    document.body.prepend(banner);
  }

  async function ask() {
    if (asking || ended) return;
    asking = true;
    last = Date.now();
    try {
      const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (response.status === 401) showEnded(await response.json().catch(() => ({})));
    } catch (e) {
      // offline: nothing to keep alive now; the next activity asks again
    } finally {
      asking = false;
    }
  }

  function active() {
    if (Date.now() - last >= every) ask();
  }
  for (const type of ["keydown", "input", "pointerdown", "touchstart"]) {
    document.addEventListener(type, active, { passive: true, capture: true });
  }
  // back to a tab left open: say at once whether its session is still there
  document.addEventListener("visibilitychange", () => { if (!document.hidden) active(); });
})();
