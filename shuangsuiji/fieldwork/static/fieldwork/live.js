/* An inspector's open page learns that his tasks changed, with no push service (docs/guide/inspector.md,
   "页面上的任务有变化").

   While the page is visible it asks the server every data-every seconds (fieldwork.views.task_changes) with the
   version it knows in If-None-Match; the server answers 304 while nothing changed, else the new snapshot. Hidden
   (the phone locked, another tab), it asks nothing; visible again, it asks at once if a turn was missed. A failed
   or refused question waits longer each time (up to 10 minutes; a 429's Retry-After is kept).

   The list page (data-mode="list") then says what changed against what it shows and offers a reload — it never
   reloads by itself. The record form (data-mode="record") says at once when its task was withdrawn, he was
   replaced, a re-draw took the visit from his team, a team mate submitted the record, his login lost its officer
   record or its inspector role, or the task left his view for any other reason — a re-check's form (data-recheck)
   when a team mate submitted it or it was cancelled — and tells record.js to save no more ("fw:stopped"): the
   server refuses those saves anyway. The form's poll names its draft (record=…): the answer holds the draft's
   signatures, handed to record.js ("fw:signatures"), so a team mate's signature shows without a reload.
   No third-party code. */
(function () {
  "use strict";
  const box = document.getElementById("fw-live");
  if (!box || !window.fetch) return;
  const every = Number(box.dataset.every) * 1000;
  if (!(every > 0)) return;
  const text = JSON.parse(document.getElementById("fw-live-text").textContent);
  const first = JSON.parse(document.getElementById("fw-live-state").textContent);
  const mode = box.dataset.mode;
  let version = first.version;
  let wait = every;
  let timer = null;
  let last = Date.now();
  let asking = false;
  let over = false;  // the record form said its task is gone: nothing more to learn

  // A task's state in a snapshot: what the list shows of it, or why it left the list.
  function stateOf(snapshot, id) {
    if (snapshot.tasks[id]) return JSON.stringify(snapshot.tasks[id]);
    return snapshot.gone[id] ? `gone:${snapshot.gone[id]}` : "";
  }

  function changes(now) {
    const counts = { withdrawn: 0, reassigned: 0, redrawn: 0, sealed: 0, cancelled: 0, unbound: 0, added: 0,
                     updated: 0, other: 0 };
    const ids = new Set([...Object.keys(first.tasks), ...Object.keys(first.gone), ...Object.keys(now.tasks),
                         ...Object.keys(now.gone)]);
    for (const id of ids) {
      const [before, after] = [stateOf(first, id), stateOf(now, id)];
      if (before === after) continue;
      if (now.gone[id]) counts[now.gone[id] in counts ? now.gone[id] : "other"] += 1;
      else if (!now.tasks[id]) counts.other += 1;
      else if (!before) counts.added += 1;
      else counts.updated += 1;
    }
    // a re-check: new, submitted by the team, or its draft begun
    const rechecks = new Set([...Object.keys(first.rechecks), ...Object.keys(now.rechecks)]);
    for (const id of rechecks) {
      const [before, after] = [first.rechecks[id], now.rechecks[id]];
      if (JSON.stringify(before) === JSON.stringify(after)) continue;
      if (!before) counts.added += 1;
      else if (now.rechecks_gone[id]) counts[now.rechecks_gone[id]] += 1;
      else if (!after) counts.other += 1;
      else counts.updated += 1;
    }
    return Object.entries(counts).filter(([, n]) => n > 0)
      .map(([kind, n]) => text[kind].replace("%(n)s", String(n)));
  }

  function show(message, linkText, href, kind) {
    const alert = document.createElement("div");
    alert.className = `alert alert-${kind} d-flex flex-wrap align-items-center column-gap-2 row-gap-1 mb-2 fw-live-alert`;
    const icon = document.createElement("i");
    icon.className = "bi bi-arrow-repeat me-1";
    icon.setAttribute("aria-hidden", "true");
    const words = document.createElement("span");
    words.append(icon, document.createTextNode(message));
    const link = document.createElement("a");
    link.className = "btn btn-sm btn-dark fw-live-reload";
    link.href = href;
    link.textContent = linkText;
    alert.append(words, link);
    box.replaceChildren(alert);
  }

  function listChanged(now) {
    const parts = changes(now);
    if (!parts.length) { box.replaceChildren(); return; }  // changed, and back as the page shows it
    show(`${text.changed}${parts.join(text.separator)}`, text.reload, location.href, "warning");
  }

  // Why the form's task or re-check is no longer his to write, or "" while it is. A task neither among his open
  // ones nor named in "gone" is out of his reach for a reason the answer may not name (it is no longer visible to
  // him at all): the form says so rather than go on saving a draft that can no longer be submitted.
  function whyStopped(now) {
    const task = box.dataset.task;
    if (task) return now.gone[task] || (now.tasks[task] ? "" : "other");
    const id = box.dataset.recheck;
    // a re-check is neither withdrawn nor reassigned (fieldwork/live.py): submitted by his team mate, cancelled
    // by an amendment of its source record, or out of his reach altogether
    return now.rechecks_gone[id] || (now.rechecks[id] ? "" : "other");
  }

  function recordChanged(now, refused) {
    const why = refused || whyStopped(now);
    if (!why) return;
    over = true;
    const sealed = why === "sealed";
    const message = { withdrawn: text.recordWithdrawn, reassigned: text.recordReassigned, sealed: text.recordSealed,
                      cancelled: text.recheckCancelled, redrawn: text.recordRedrawn, unbound: text.recordUnbound }[why]
      || why.message || (box.dataset.recheck ? text.recheckOther : text.recordOther);
    // reloaded, the form of a task no longer his is refused: he goes back to his list instead
    show(message, sealed ? text.view : text.toList, sealed ? box.dataset.recordUrl : box.dataset.listUrl,
         sealed ? "info" : "danger");
    document.dispatchEvent(new CustomEvent("fw:stopped", { detail: refused ? "refused" : why }));
  }

  async function ask() {
    if (asking || over) return;
    asking = true;
    last = Date.now();
    try {
      const response = await fetch(box.dataset.url, {
        credentials: "same-origin", cache: "no-store",
        headers: { Accept: "application/json", "If-None-Match": `"${version}"`, "X-Background": "poll" },
      });
      if (response.status === 304) { wait = every; return; }
      if (response.status === 403 && mode === "record") {
        // no longer an inspector's login (his role changed): no task is his to write; the server says why
        let data = {};
        try { data = await response.json(); } catch (e) { data = {}; }
        if (data.message) { recordChanged(null, { message: data.message }); return; }
      }
      if (!response.ok) {
        // signed out, refused or unavailable: ask less often; a later answer puts it right
        const after = Number(response.headers.get("Retry-After")) * 1000;
        wait = Math.min(Math.max(wait * 2, after || 0), 600000);
        return;
      }
      const now = await response.json();
      wait = every;
      version = now.version;
      if (mode === "record") {
        // a team mate signed, re-signed or removed his signature: record.js shows it where he is, nothing reloads
        if (now.signatures) document.dispatchEvent(new CustomEvent("fw:signatures", { detail: now.signatures }));
        recordChanged(now);
      } else listChanged(now);
    } catch (e) {
      wait = Math.min(wait * 2, 600000);  // no network: the record form says so itself
    } finally {
      asking = false;
      schedule();
    }
  }

  function schedule() {
    clearTimeout(timer);
    if (over || document.visibilityState !== "visible") return;
    // a tenth at random either side: the phones of a whole office do not ask in the same second
    timer = setTimeout(ask, wait * (0.9 + Math.random() * 0.2));
  }

  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState !== "visible") { clearTimeout(timer); return; }
    if (Date.now() - last >= wait) ask();
    else schedule();
  });
  schedule();
})();
