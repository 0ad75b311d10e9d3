/* The field record on a phone: keeps working when the connection drops.

   Every edit is written at once to localStorage (the draft survives a closed tab, a flat battery, a dead
   network) and sent to the server when there is a connection: debounced after typing, every 15 s while
   something is unsent, on the "online" event and when the page is hidden. The server numbers each change
   of content (revision). Every phone of the team edits the one draft: a save sends the form and, as "base",
   what this phone last had from the server (state.origin); the server stores the fields this phone changed,
   keeps a team mate's newer values of the others and answers with the stored draft, which the page then shows
   (the fields being typed in stay as typed). Only a field both changed differently is refused (409, naming it),
   and the page then asks whether to load the server's version or to keep the local one.

   Signatures are drawn on a canvas and sent as PNG with the revision they sign. A signature drawn offline
   waits in localStorage; if the record is edited after it was drawn, it no longer covers the content and is
   dropped. Photos taken offline wait in IndexedDB and are uploaded when the connection is back.
   No third-party code: the page's only other script is Bootstrap. */
(function () {
  "use strict";
  const form = document.getElementById("record-form");
  if (!form) return;
  document.documentElement.classList.add("fw-js");
  const text = JSON.parse(document.getElementById("fw-text").textContent);
  const key = form.dataset.key;
  const revisionInput = document.getElementById("id_revision");
  const csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  const banner = document.getElementById("fw-banner");
  const net = document.getElementById("fw-net");
  const savedLine = document.getElementById("fw-saved");
  // confirm: the box 确认提交并封存 says yes to one post, it is no part of the draft
  const SKIP = new Set(["csrfmiddlewaretoken", "revision", "action", "base", "confirm"]);
  let syncing = null;
  let timer = null;
  let conflicted = false;  // the server holds a team mate's newer version: nothing is posted until he chooses
  let unreachable = false;  // the last sync got no answer: the phone says it is online, the server is not there
  let stopped = false;  // the task was withdrawn or he left its team (live.js, or a save refused so): no more saves

  // The status box sticks to the top and grows with its banners: a jump to a field (the list of what to correct,
  // fieldwork.css's scroll-margin-top) lands below it, not under it.
  const statusBox = document.getElementById("fw-status");
  function statusHeight() {
    document.documentElement.style.setProperty("--fw-status-height", `${statusBox.offsetHeight}px`);
  }
  if (statusBox) {
    statusHeight();
    if (window.ResizeObserver) new ResizeObserver(statusHeight).observe(statusBox);
  }

  // --- local state --------------------------------------------------------------------------------------
  function load() {
    try { return JSON.parse(localStorage.getItem(key)) || null; } catch (e) { return null; }
  }
  function store(state) {
    try { localStorage.setItem(key, JSON.stringify(state)); } catch (e) { showBanner(String(e), "danger"); }
  }
  function fields(source = form) {
    const entries = [];
    for (const [name, value] of source instanceof FormData ? source : new FormData(source)) {
      if (!SKIP.has(name) && typeof value === "string") entries.push([name, value]);
    }
    return entries;
  }
  function sameFields(a, b) { return JSON.stringify(a) === JSON.stringify(b); }
  // The same values, whatever the order of the fields (the server lists them in its own order).
  function sameValues(a, b) {
    const [x, y] = [grouped(a), grouped(b)];
    return [...new Set([...x.keys(), ...y.keys()])].every((name) => JSON.stringify(x.get(name) || []) === JSON.stringify(y.get(name) || []));
  }
  // On a slow connection the form is on screen before this script has arrived, and what is typed then reaches
  // no listener. The page's markup still says what the server sent (serialising writes attributes, not what
  // was typed), so the form read from it again is the server's version; any difference is an edit.
  // It is also the base of this phone's edits: what it had from the server, not what was typed into it.
  function servedFields() {
    const page = new DOMParser().parseFromString(document.documentElement.outerHTML, "text/html");
    const served = page.getElementById(form.id);
    return served === null ? null : fields(served);
  }
  function typedBeforeScript(served) {
    return served !== null && !sameFields(served, fields());
  }
  function restore(entries) {
    const values = new Map();
    for (const [name, value] of entries) {
      if (!values.has(name)) values.set(name, []);
      values.get(name).push(value);
    }
    for (const element of form.elements) {
      if (!element.name || SKIP.has(element.name) || element.type === "file") continue;
      const wanted = values.get(element.name) || [];
      if (element.type === "radio" || element.type === "checkbox") {
        element.checked = wanted.includes(element.value === undefined ? "on" : element.value);
      } else if (element.value !== (wanted.length ? wanted[0] : "")) {
        element.value = wanted.length ? wanted[0] : "";
      }
    }
    refreshVisibility();
  }

  // --- the phone's clock --------------------------------------------------------------------------------
  // The server reads the record's times as wall times of its own zone (Beijing), and 开始/结束：现在 read the
  // phone's clock: a clock hours or a day off, or a phone set to another zone, wrote wrong times into a record
  // that is then sealed, unseen. The page and every autosave's reply carry the server's time, so the phone
  // knows its clock's error: the buttons fill the server's time, and a warning stays in the status box while
  // the phone shows another time than the server.
  const serverZone = Number(form.dataset.serverZone) * 60000;
  const tolerance = Number(form.dataset.clockTolerance) * 60000;
  let clockError = 0;  // the phone's clock minus the server's, in ms (network delays of seconds aside)
  let clockDismissed = false;
  const clockBox = document.getElementById("fw-clock");
  const pad = (n) => String(n).padStart(2, "0");
  // A moment as a wall clock shows it: a Date whose UTC fields are that clock's.
  function serverWall() { return new Date(Date.now() - (Math.abs(clockError) > tolerance ? clockError : 0) + serverZone); }
  function phoneWall() { return new Date(Date.now() - new Date().getTimezoneOffset() * 60000); }
  function dayTime(d) { return `${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`; }
  function learnClock(serverNow, phoneNow) {
    if (!Number.isFinite(serverNow) || !Number.isFinite(phoneNow)) return;
    clockError = phoneNow - serverNow;
    const server = new Date(phoneNow - clockError + serverZone);
    const phone = new Date(phoneNow - new Date(phoneNow).getTimezoneOffset() * 60000);
    const off = phone - server;  // what the phone shows minus what the server's clock shows, zone and all
    if (Math.abs(off) <= tolerance) { clockBox.hidden = true; return; }
    const [hours, minutes] = [Math.floor(Math.round(Math.abs(off) / 60000) / 60), Math.round(Math.abs(off) / 60000) % 60];
    const diff = (hours && minutes ? text.hoursMinutes : hours ? text.hours : text.minutes)
      .replace("%(hours)s", hours).replace("%(minutes)s", minutes);
    clockBox.replaceChildren(document.createTextNode((off > 0 ? text.clockAhead : text.clockBehind)
      .replace("%(diff)s", diff).replace("%(phone)s", dayTime(phone)).replace("%(server)s", dayTime(server))));
    const button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-sm btn-outline-dark ms-2 mt-1";
    button.textContent = text.dismiss;
    button.addEventListener("click", () => { clockDismissed = true; clockBox.hidden = true; });
    clockBox.append(button);
    clockBox.hidden = clockDismissed;
  }
  // The page says when the server made it; the phone's clock at that moment is when its answer began to
  // arrive (a page from the browser's cache says an old time, and is not read).
  (function clockOfPage() {
    const nav = performance.getEntriesByType ? performance.getEntriesByType("navigation")[0] : null;
    if (nav && nav.transferSize === 0 && nav.decodedBodySize > 0) return;
    const arrived = Date.now() - (nav ? performance.now() - nav.responseStart : 0);
    learnClock(Number(form.dataset.serverNow), arrived);
  })();
  function now() {
    const d = serverWall();
    return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  }
  function clock() { const d = serverWall(); return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`; }

  // --- what is shown --------------------------------------------------------------------------------------
  function checkedValue(scope, name) {
    const checked = scope.querySelector(`input[name="${name}"]:checked`);
    return checked ? checked.value : "";
  }
  // The conditional sections are shown and hidden by fieldwork.css, from the choices themselves (CSS :has()), with
  // or without this script. A browser without :has() ignores those rules: this does the same, by the sections'
  // hidden attribute — a section holding an error stays in sight there too.
  const cssShows = Boolean(window.CSS && CSS.supports && CSS.supports("selector(:has(a))"));
  const named = (list, value) => list.split(" ").includes(value);
  function show(el, wanted) {
    el.hidden = !wanted && !el.classList.contains("fw-has-error") && !el.querySelector(".fw-has-error");
  }
  // A 整改期限 must be later than the day of the inspection (its end's, else its start's, else today by the
  // server's clock: services.inspection_day): the phone's date picker offers no earlier day. The form is posted
  // novalidate, so a day typed earlier is still saved with the draft and refused, said at the box, on submitting.
  function deadlineFloor() {
    const ended = document.getElementById("id_ended_at");
    const started = document.getElementById("id_started_at");
    const day = ((ended && ended.value) || (started && started.value) || now()).slice(0, 10);
    const next = new Date(`${day}T00:00:00Z`);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(next.getTime())) return;
    next.setUTCDate(next.getUTCDate() + 1);
    const min = next.toISOString().slice(0, 10);
    form.querySelectorAll('input[type="date"][name$="-deadline"]').forEach((box) => { box.min = min; });
  }
  function refreshVisibility() {
    const mode = checkedValue(form, "mode");
    const refused = document.getElementById("id_site_manager_refused");
    const isRefused = Boolean(refused && refused.checked);
    // The asterisks of what the refusal makes optional (his name, the unit's opinion): the server hides them on a
    // page shown refused; their hidden attribute is kept right here, whatever the style sheet does with :has().
    // Their boxes say the same to a screen reader (aria-required), the asterisk being hidden from it.
    form.querySelectorAll("label > [data-hide-when-refused]").forEach((mark) => {
      mark.hidden = isRefused;
      const box = document.getElementById(mark.parentElement.htmlFor);
      if (box) box.setAttribute("aria-required", String(!isRefused));
    });
    // The place is asked of an on-site check only: its box says so as its asterisk (data-show-when-mode) shows it.
    form.querySelectorAll("label > [data-show-when-mode]").forEach((mark) => {
      const box = document.getElementById(mark.parentElement.htmlFor);
      if (box) box.setAttribute("aria-required", String(named(mark.dataset.showWhenMode, mode)));
    });
    deadlineFloor();
    if (cssShows) return;
    document.querySelectorAll("[data-show-when-mode]").forEach((el) => {
      show(el, named(el.dataset.showWhenMode, mode) && !(el.dataset.hideWhenRefused && isRefused));
    });
    document.querySelectorAll("[data-show-when-refused]").forEach((el) => show(el, isRefused));
    document.querySelectorAll(".fw-item").forEach((item) => {
      const prefix = item.dataset.item;
      const outcome = checkedValue(item, `${prefix}-outcome`);
      const handling = (item.querySelector(`select[name="${prefix}-handling"]`) || {}).value || "";
      item.querySelectorAll("[data-show-when-outcome]").forEach((el) => show(el, named(el.dataset.showWhenOutcome, outcome)));
      item.querySelectorAll("[data-show-when-handling]").forEach((el) => show(el, named(el.dataset.showWhenHandling, handling)));
    });
  }

  // The banner sits in the sticky status box, seen while typing anywhere on the form: one that asks for a choice
  // stays until it is made; one that only tells something can be put away.
  function showBanner(message, kind, actions) {
    banner.className = `alert alert-${kind || "warning"}`;
    banner.replaceChildren(document.createTextNode(message));
    for (const [label, handler] of (actions && actions.length ? actions : [[text.dismiss, hideBanner]])) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-sm btn-outline-dark ms-2 mt-1";
      button.textContent = label;
      button.addEventListener("click", handler);
      banner.append(button);
    }
  }
  function hideBanner() { banner.className = "alert d-none"; banner.replaceChildren(); }
  function setOnline(online) {
    net.textContent = online ? form.dataset.online : form.dataset.offline;
    net.className = `badge flex-shrink-0 ${online ? "text-bg-success" : "text-bg-secondary"}`;
  }
  // The status line tells where the draft is, always: edits not yet on the server (kept on the phone), being saved,
  // saved (which version, when), or not saved and why. "草稿已保存（版本N）", said after 【保存草稿】, goes as soon as
  // it is no longer true (an edit, a save, a failure): it stayed above a form that had moved on.
  const savedMessages = document.querySelectorAll("[data-fw-draft-saved]");
  const servedRevision = revisionInput.value;
  function setStatus(kind, detail) {
    const local = `${text.local} ${clock()}`;
    savedLine.dataset.state = kind;
    savedLine.textContent = {
      unsaved: () => `${text.unsaved} · ${local}`,
      saving: () => text.saving,
      saved: () => `${text.revision} ${revisionInput.value} · ${text.saved} ${detail}`,
      failed: () => `${text.failed}${detail} · ${local}`,
    }[kind]();
    if (kind !== "saved" || revisionInput.value !== servedRevision) savedMessages.forEach((el) => el.remove());
  }
  function setSaved(state, serverTime) {
    if (state.dirty) setStatus("unsaved");
    else if (serverTime) setStatus("saved", serverTime);
  }
  // Not saved: said only while there is something unsaved (a poll's or an idle sync's failure changes nothing).
  function saveFailed(why) {
    const state = load();
    if (state && (state.dirty || (state.signatures || []).length)) setStatus("failed", why);
  }
  function managerName() {
    const input = document.getElementById("id_site_manager_name");
    const li = document.querySelector('.fw-signer[data-signer="site_manager"] .fw-signer-name');
    if (input && li && input.value.trim()) li.textContent = input.value.trim();
  }
  function setSigners(signers) {
    for (const row of signers || []) {
      const li = document.querySelector(`.fw-signer[data-signer="${row.key}"]`);
      if (!li) continue;
      li.dataset.state = row.state;
      const at = li.querySelector(".fw-signed-at");
      if (at) at.textContent = row.signed_at;
    }
    const pending = (load() || { signatures: [] }).signatures || [];
    for (const sig of pending) {
      const li = document.querySelector(`.fw-signer[data-signer="${sig.signer}"]`);
      if (li) li.dataset.state = "pending";
    }
  }

  // The draft's signatures as the server holds them (live.js's poll: "fw:signatures", keyed as the rows are): a team
  // mate's new signature shows with its image link, a removed one goes, without a reload and without touching the
  // fields. A signature drawn here and not yet sent stays "pending"; one this phone's unsent edit made stale stays
  // stale (the server does not know the edit yet).
  function signaturesFromServer(held) {
    const state = load() || {};
    const pending = new Set((state.signatures || []).map((sig) => sig.signer));
    for (const li of document.querySelectorAll(".fw-signer")) {
      const key = li.dataset.signer;
      if (pending.has(key)) continue;
      const sig = held[key];
      let shown = sig ? sig.state : "missing";
      if (shown === "ok" && state.dirty && li.dataset.state === "stale") shown = "stale";
      li.dataset.state = shown;
      const at = li.querySelector(".fw-signed-at");
      if (at) at.textContent = sig ? sig.signed_at : "";
      let link = li.querySelector(".fw-signature-image");
      if (!sig) { if (link) link.remove(); continue; }
      if (!link) {
        link = document.createElement("a");
        link.className = "btn btn-sm btn-link px-1 fw-signature-image";
        link.target = "_blank";
        link.title = text.viewSignature;
        const icon = document.createElement("i");
        icon.className = "bi bi-image";
        link.append(icon);
        li.querySelector(".fw-signer-actions").prepend(link);
      }
      link.href = form.dataset.signatureUrl.replace("/0.png", `/${sig.id}.png`);
    }
  }
  document.addEventListener("fw:signatures", (event) => signaturesFromServer(event.detail || {}));

  // --- edits and sync -----------------------------------------------------------------------------------
  function edited() {
    const state = load() || { base: Number(revisionInput.value), seq: 0, signatures: [] };
    state.seq += 1;
    state.dirty = true;
    state.fields = fields();
    if ((state.signatures || []).length) {
      state.signatures = [];
      showBanner(text.signStale, "warning");
    }
    store(state);
    document.querySelectorAll('.fw-signer[data-state="ok"], .fw-signer[data-state="pending"]').forEach((li) => {
      li.dataset.state = li.dataset.state === "pending" ? "missing" : "stale";
    });
    setSaved(state);
    clearTimeout(timer);
    timer = setTimeout(sync, 2000);
  }

  async function post(url, body) {
    body.set("csrfmiddlewaretoken", csrf);
    const response = await fetch(url, { method: "POST", body, credentials: "same-origin",
                                        headers: { "X-CSRFToken": csrf, Accept: "application/json" } });
    let data = {};
    try { data = await response.json(); } catch (e) { data = { message: response.statusText }; }
    return { response, data };
  }

  // The session ended (401) or the password must be changed first (403 with the page to go to): nothing sent
  // is lost — the draft, signatures and photos stay on the phone and go out after signing in again.
  function needsSignIn(response, data) {
    if (!((response.status === 401 || response.status === 403) && data.url)) return false;
    showBanner(data.message || response.statusText, "warning", [[text.signIn, () => { location.href = data.url; }]]);
    return true;
  }

  // What this phone changed since the version it last had from the server (state.origin), laid over the
  // server's newer version: a team mate's edits of the other fields are kept, not overwritten by the stale
  // values this page still shows for them.
  function grouped(entries) {
    const map = new Map();
    for (const [name, value] of entries || []) {
      if (!map.has(name)) map.set(name, []);
      map.get(name).push(value);
    }
    return map;
  }
  function merged(mine, origin, server) {
    const [m, o, s] = [grouped(mine), grouped(origin), grouped(server)];
    const entries = [];
    for (const name of new Set([...s.keys(), ...m.keys(), ...o.keys()])) {
      const ours = JSON.stringify(m.get(name) || []) !== JSON.stringify(o.get(name) || []);
      for (const value of (ours ? m.get(name) : s.get(name)) || []) entries.push([name, value]);
    }
    return entries;
  }
  function conflict(data) {
    conflicted = true;
    // The fields both changed are marked, so he sees what to compare before choosing.
    for (const field of data.fields || []) {
      for (const element of form.querySelectorAll(`[name="${CSS.escape(field.key)}"]`)) {
        const wrap = element.closest(".fw-field") || element.closest("[id^='wrap-']") || element.closest(".fw-item");
        if (wrap) wrap.classList.add("fw-collision");
      }
    }
    showBanner(`${text.conflict} ${data.message || ""}`, "warning", [
      [text.loadServer, () => { localStorage.removeItem(key); location.reload(); }],
      [text.keepMine, () => {
        // Load the server's version and put this phone's own changes on it (start() does, after the reload).
        const state = load();
        state.merge = true;
        store(state);
        location.reload();
      }],
    ]);
  }

  // A save whose reply never came (the connection dropped on the way back) may have been stored. Until the
  // server has answered it, it stays in state.inflight, and the next sync sends it again first, unchanged and
  // on the revision it was typed on: the server takes a save that holds what it stores as no conflict and
  // answers with the revision. Sent on that old revision, anything newer would find the phone's own save on
  // the server and be refused as a team mate's newer draft.
  // With the fields goes what this phone had of them from the server before its edits (origin): the server
  // takes a field whose value differs from it as this phone's edit, one equal to it as not edited here.
  function draftBody(entries, base, origin) {
    const body = new FormData();
    for (const [name, value] of entries) body.append(name, value);
    body.set("revision", String(base));
    if (origin) body.set("base", JSON.stringify(origin));
    return body;
  }
  async function postDraft(entries, base, seq, origin) {
    const sending = load();
    sending.inflight = { base, seq, fields: entries, origin };
    store(sending);
    setStatus("saving");
    const { response, data } = await post(form.dataset.draftUrl, draftBody(entries, base, origin));
    const fresh = load();
    // Answered (stored, refused as a conflict or as invalid): the server's decision is known. A sign-in page or a
    // proxy's error decided nothing, and the save may still be the one stored before.
    if (response.ok || response.status === 409 || response.status === 400) delete fresh.inflight;
    store(fresh);
    if (response.status === 409 && data.sealed) { localStorage.removeItem(key); location.href = data.url; return false; }
    if (response.status === 409) { conflict(data); return false; }
    if (needsSignIn(response, data)) { saveFailed(data.message || response.statusText); return false; }
    if (data.stopped) stop();
    if (!response.ok) {
      showBanner(data.message || response.statusText, "danger");
      saveFailed(data.message || response.statusText);
      return false;
    }
    learnClock(data.now, Date.now());
    fresh.base = data.revision;
    if (fresh.seq === seq) fresh.dirty = false;
    fresh.origin = data.fields || entries;
    if (data.fields) {
      // The stored draft, with a team mate's edits: shown in every field not typed in since this save was sent.
      const current = fields();
      const shown = merged(current, entries, data.fields);
      if (!sameValues(shown, current)) {
        restore(shown);
        managerName();
      }
      fresh.fields = fields();
    }
    store(fresh);
    revisionInput.value = data.revision;
    setSaved(fresh, data.saved_at);
    setSigners(data.signers);
    const theirs = [...(data.theirs || [])];
    const photos = data.attachments ? showAttachments(data.attachments) : 0;
    if (photos) theirs.push(text.photos.replace("%(count)s", photos));
    if (theirs.length && !conflicted) showBanner(`${text.theirs}${theirs.join("、")}`, "info");
    return true;
  }
  async function sendDraft(state) {
    if (state.inflight) {
      const { fields: sent, base, seq, origin } = state.inflight;
      if (!(await postDraft(sent, base, seq, origin))) return false;
      state = load();
      if (!state.dirty) return true;
    }
    return postDraft(fields(), state.base, state.seq, state.origin);
  }

  async function sendSignatures() {
    let state = load();
    for (const sig of [...(state.signatures || [])]) {
      state = load();
      if (state.dirty) return;
      const body = new FormData();
      body.set("signer", sig.signer);
      body.set("png", sig.png);
      body.set("revision", String(state.base));
      body.set("signed_at", sig.signedAt);
      body.set("sent_at", new Date().toISOString());  // the phone's clock now: signed_at is corrected by its error
      const { response, data } = await post(form.dataset.signUrl, body);
      if (needsSignIn(response, data)) return;
      if (data.stopped) { stop(); showBanner(data.message, "danger"); return; }
      const after = load();
      after.signatures = (after.signatures || []).filter((s) => s.id !== sig.id);
      store(after);
      if (response.ok) {
        revisionInput.value = data.revision;
        setSaved(load(), clock());  // a signature is a new version of the draft
        setSigners(data.signers);
      } else {
        showBanner(data.message || response.statusText, response.status === 409 ? "warning" : "danger");
        setSigners([{ key: sig.signer, state: "missing", signed_at: "" }]);
      }
    }
  }

  // The server refuses every save of a draft whose task was withdrawn or whose team he left, and says why: the
  // page stops sending (what he typed stays on the phone) and its buttons stop offering what would be refused.
  function stop() {
    stopped = true;
    clearTimeout(timer);
    for (const element of form.elements) element.disabled = true;
    document.querySelectorAll(".fw-sign-button, #fw-file").forEach((el) => { el.disabled = true; });
  }
  document.addEventListener("fw:stopped", stop);

  function sync() {
    if (stopped) return Promise.resolve(false);
    if (syncing) return syncing;
    if (!navigator.onLine) { setOnline(false); saveFailed(text.offline); return Promise.resolve(false); }
    syncing = (async () => {
      unreachable = false;
      try {
        // A photo whose reply was lost may be stored, and the server's revision moved on with it: sent again first
        // (the server knows it by its hash and answers with the revision), the draft goes on the revision that
        // has it. Sent first on the old one, it was refused as a team mate's newer draft.
        if ((load() || {}).uploading) await flushUploads();
        const state = load();
        if (state && state.dirty && !(await sendDraft(state))) return false;
        await sendSignatures();
        await flushUploads();
        setOnline(true);
        return true;
      } catch (e) {
        unreachable = true;
        setOnline(false);
        saveFailed(text.unreachable);
        return false;
      } finally {
        syncing = null;
      }
    })();
    return syncing;
  }

  // --- photos -------------------------------------------------------------------------------------------
  const uploadState = document.getElementById("fw-upload-state");
  const uploadError = document.getElementById("fw-upload-error");
  function openQueue() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open("fieldwork-uploads", 1);
      request.onupgradeneeded = () => request.result.createObjectStore("files", { keyPath: "id", autoIncrement: true });
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }
  async function queueOp(mode, op) {
    const db = await openQueue();
    return new Promise((resolve, reject) => {
      const tx = db.transaction("files", mode);
      const result = op(tx.objectStore("files"));
      tx.oncomplete = () => resolve(result.result);
      tx.onerror = () => reject(tx.error);
    });
  }
  async function queued() {
    const all = await queueOp("readonly", (s) => s.getAll());
    return (all || []).filter((entry) => entry.record === key);
  }
  async function showQueue() {
    if (!window.indexedDB) return;
    const waiting = await queued();
    uploadState.textContent = waiting.length ? `${waiting.length} ${text.queued}` : "";
  }
  // The row the server renders for a photo (record_edit.html), trash button included: its form, like the
  // server's, is marked data-confirm, so it asks 确认删除？ (js/confirm.js) before the photo is removed.
  function addAttachmentRow(data) {
    if (document.querySelector(`#fw-attachments li[data-sha256="${CSS.escape(data.sha256)}"]`)) return;  // shown already
    const empty = document.getElementById("fw-no-attachments");
    if (empty) empty.remove();
    const li = document.createElement("li");
    li.className = "list-group-item d-flex gap-2 align-items-center";
    li.dataset.sha256 = data.sha256;
    const link = Object.assign(document.createElement("a"), { href: data.url, target: "_blank" });
    const img = Object.assign(document.createElement("img"), { src: data.url, alt: data.name, className: "fw-thumb" });
    img.onerror = () => link.replaceWith(Object.assign(document.createElement("i"), { className: "bi bi-file-earmark fs-3" }));
    link.append(img);
    const label = document.createElement("div");
    label.className = "flex-grow-1 min-w-0 small";
    const name = Object.assign(document.createElement("div"), { className: "text-truncate", textContent: data.name });
    const about = Object.assign(document.createElement("div"), { className: "text-secondary" });
    if (data.taken_at) about.append(`${text.taken} ${data.taken_at} · `);
    about.append(Object.assign(document.createElement("span"), { className: "font-monospace",
                                                                 textContent: `${data.sha256.slice(0, 12)}…` }));
    label.append(name, about);
    // a HEIC photo is kept as the JPEG it was converted to: said as the server's row says it (_converted.html)
    if (data.converted) label.append(Object.assign(document.createElement("div"), { className: "text-secondary fw-converted",
                                                                                   textContent: data.converted }));
    li.append(link, label);
    if (data.delete_url) {
      const detach = Object.assign(document.createElement("form"), { id: `detach-${data.id}`, method: "post",
                                                                     action: data.delete_url });
      detach.dataset.confirm = "fw-detach-modal";
      detach.dataset.confirmName = data.name;
      detach.append(Object.assign(document.createElement("input"), { type: "hidden", name: "csrfmiddlewaretoken",
                                                                     value: csrf }));
      document.getElementById("fw-detach-forms").append(detach);
      const trash = Object.assign(document.createElement("button"), { className: "btn btn-sm btn-outline-danger",
                                                                      title: text.remove });
      trash.setAttribute("form", detach.id);
      trash.setAttribute("aria-label", text.removeNamed.replace("%(name)s", data.name));
      trash.append(Object.assign(document.createElement("i"), { className: "bi bi-trash" }));
      li.append(trash);
    }
    document.getElementById("fw-attachments").append(li);
  }
  // The photos the server holds (a team mate's too): the list shows them, and no longer one he removed.
  // Returns how many a team mate added (this inspector's own, sent again after a lost reply, are not his).
  function showAttachments(list) {
    const held = new Set(list.map((a) => a.sha256));
    document.querySelectorAll("#fw-attachments li[data-sha256]").forEach((li) => { if (!held.has(li.dataset.sha256)) li.remove(); });
    const shown = new Set([...document.querySelectorAll("#fw-attachments li[data-sha256]")].map((li) => li.dataset.sha256));
    const added = list.filter((a) => !shown.has(a.sha256));
    added.forEach(addAttachmentRow);
    return added.filter((a) => !a.ours).length;
  }
  async function upload(file, lastModified) {
    const state = load() || { base: Number(revisionInput.value), seq: 0, dirty: false, fields: fields(), signatures: [] };
    state.uploading = true;  // until answered: the server may store it (a new revision) without the phone hearing
    store(state);
    const body = new FormData();
    body.set("file", file, file.name);
    body.set("taken_at", String(lastModified || file.lastModified || ""));
    body.set("sent_at", new Date().toISOString());  // the phone's clock now: taken_at is corrected by its error
    const { response, data } = await post(form.dataset.uploadUrl, body);
    const answered = load() || state;
    delete answered.uploading;
    store(answered);
    if (needsSignIn(response, data)) return false;  // stays queued
    if (data.stopped) { stop(); showBanner(data.message, "danger"); return false; }
    if (!response.ok) {
      // Said beside the upload button and naming the photo: of several chosen at once, which one, and why
      // (the banner alone said "文件内容不是图片" with the other photos' rows appearing, and "已上传" under them).
      const line = document.createElement("div");
      const message = data.message || response.statusText;
      // a refusal of the file's type names it already ("不能上传“x.exe”：…"): not twice
      line.textContent = message.includes(`“${file.name}”`) ? message : `“${file.name}”${text.notUploaded}${message}`;
      uploadError.append(line);
      return true;
    }
    const fresh = load() || state;
    // Our upload moved the revision on by one; anything else means a team mate saved meanwhile.
    if (data.revision === fresh.base + 1) fresh.base = data.revision;
    store(fresh);
    revisionInput.value = data.revision;
    setSaved(fresh, clock());
    setSigners(data.signers);
    addAttachmentRow(data);
    return true;
  }
  async function flushUploads() {
    if (!window.indexedDB) return;
    for (const entry of await queued()) {
      const file = new File([entry.blob], entry.name, { type: entry.type, lastModified: entry.lastModified });
      if (await upload(file, entry.lastModified)) await queueOp("readwrite", (s) => s.delete(entry.id));
    }
    await showQueue();
  }
  document.getElementById("fw-file").addEventListener("change", async (event) => {
    const files = [...event.target.files];
    event.target.value = "";
    uploadState.textContent = text.uploading;
    uploadError.replaceChildren();
    if (navigator.onLine && (await sync()) !== false) {
      const before = document.querySelectorAll("#fw-attachments li[data-sha256]").length;
      for (const file of files) {
        // false: not taken for now (sign in again first); it waits in the queue like an offline photo
        try { if (!(await upload(file, file.lastModified))) await enqueue(file); } catch (e) { await enqueue(file); }
      }
      uploadState.textContent = text.uploaded;
      // A refused photo changed nothing: the signatures stand unless one was taken.
      if (document.querySelectorAll("#fw-attachments li[data-sha256]").length > before) {
        document.querySelectorAll('.fw-signer[data-state="ok"]').forEach((li) => { li.dataset.state = "stale"; });
      }
    } else {
      for (const file of files) await enqueue(file);
    }
    await showQueue();
  });
  async function enqueue(file) {
    await queueOp("readwrite", (s) => s.add({ record: key, name: file.name, type: file.type,
                                              lastModified: file.lastModified, blob: file }));
    edited();
  }

  // --- signatures ---------------------------------------------------------------------------------------
  const modalElement = document.getElementById("fw-sign-modal");
  const modal = window.bootstrap ? new bootstrap.Modal(modalElement) : null;
  const canvas = document.getElementById("fw-canvas");
  const pen = canvas.getContext("2d");
  const signError = document.getElementById("fw-sign-error");
  let signer = null;
  let ink = 0;
  let last = null;
  function resizeCanvas() {
    const scale = Math.min(window.devicePixelRatio || 1, 2);
    canvas.width = Math.round(canvas.clientWidth * scale);
    canvas.height = Math.round(canvas.clientHeight * scale);
    pen.setTransform(scale, 0, 0, scale, 0, 0);
    pen.lineWidth = 2.6;
    pen.lineCap = "round";
    pen.lineJoin = "round";
    pen.strokeStyle = "#111";
    ink = 0;
    canvas.dataset.ready = "1";  // sized to the shown modal: strokes from here on are kept
  }
  function point(event) {
    const box = canvas.getBoundingClientRect();
    return { x: event.clientX - box.left, y: event.clientY - box.top };
  }
  canvas.addEventListener("pointerdown", (event) => {
    event.preventDefault();
    canvas.setPointerCapture(event.pointerId);
    last = point(event);
    pen.beginPath();
    pen.arc(last.x, last.y, 1.2, 0, Math.PI * 2);
    pen.fillStyle = "#111";
    pen.fill();
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!last) return;
    const next = point(event);
    pen.beginPath();
    pen.moveTo(last.x, last.y);
    pen.lineTo(next.x, next.y);
    pen.stroke();
    ink += Math.hypot(next.x - last.x, next.y - last.y);
    last = next;
  });
  const lift = () => { last = null; };
  canvas.addEventListener("pointerup", lift);
  canvas.addEventListener("pointercancel", lift);
  modalElement.addEventListener("shown.bs.modal", resizeCanvas);
  modalElement.addEventListener("hidden.bs.modal", () => { delete canvas.dataset.ready; });
  document.getElementById("fw-sign-clear").addEventListener("click", resizeCanvas);
  document.querySelectorAll(".fw-sign-button").forEach((button) => button.addEventListener("click", async () => {
    // Sign what the server holds: unsent edits go first.
    await sync();
    signer = button.dataset.signer;
    const nameBox = document.getElementById("id_site_manager_name");
    const name = signer === "site_manager" ? nameBox.value.trim() : button.dataset.name;
    // The server takes the site manager's signature under the name in the record, and refuses it without one:
    // his name first, or he would draw on the pad for nothing and be asked to sign again.
    if (signer === "site_manager" && !name) {
      showBanner(text.signNameFirst, "warning");
      // in the middle of the screen: scrolled only into view, the box sat under the sticky status box
      nameBox.scrollIntoView({ block: "center" });
      nameBox.focus({ preventScroll: true });
      return;
    }
    document.getElementById("fw-sign-name").textContent = name;
    signError.textContent = "";
    if (modal) modal.show();
  }));
  document.getElementById("fw-sign-ok").addEventListener("click", () => {
    if (ink < 20) { signError.textContent = text.signEmpty; return; }
    const state = load() || { base: Number(revisionInput.value), seq: 0, dirty: false, fields: fields() };
    state.signatures = (state.signatures || []).filter((s) => s.signer !== signer);
    state.signatures.push({ id: `${signer}-${Date.now()}`, signer, png: canvas.toDataURL("image/png"),
                            signedAt: new Date().toISOString(), seq: state.seq });
    store(state);
    setSigners([{ key: signer, state: "pending", signed_at: "" }]);
    if (modal) modal.hide();
    sync();
  });

  // --- the form -----------------------------------------------------------------------------------------
  // Inputs of the upload and approval forms sit inside this form's markup but belong to those forms.
  const ours = (event) => event.target.form === form && !SKIP.has(event.target.name);
  form.addEventListener("input", (event) => { if (ours(event)) { refreshVisibility(); managerName(); edited(); } });
  // The place follows a switch of 检查方式 the team makes here (services._prefill): an off-site check went
  // nowhere, so the firm's address standing in the box is taken out rather than sealed as a place nobody
  // visited; back on site, an empty box gets the firm's address (from 地址) to correct. A place typed for
  // either (a workshop, the monitoring centre) stays as typed. Only a tapped radio does this, not a draft loaded.
  function placeFollowsMode(mode) {
    const place = document.getElementById("id_place");
    const address = document.getElementById("id_address");
    if (!place || !address) return;
    const firm = address.value.trim();
    if (mode === "off_site" && firm && place.value.trim() === firm) place.value = "";
    else if (mode === "on_site" && firm && !place.value.trim()) place.value = firm;
  }
  form.addEventListener("change", (event) => {
    if (!ours(event)) return;
    if (event.target.name === "mode" && event.target.checked) placeFollowsMode(event.target.value);
    refreshVisibility();
    edited();
  });
  document.querySelectorAll("[data-now]").forEach((button) => button.addEventListener("click", () => {
    const input = document.getElementById(button.dataset.now);
    input.value = now();
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }));
  // Whether the form may be posted now: the phone's edits, signatures and photos have reached the server.
  async function readyToPost(button) {
    const offline = () => showBanner(button && button.value === "submit" ? text.offlineSubmit : `${text.local} ${clock()}`,
                                     "secondary");
    if (!navigator.onLine) { offline(); return false; }
    showBanner(text.syncing, "info");
    const state = load();
    const photos = async () => (window.indexedDB ? (await queued()).length : 0);
    const unsent = (state && (state.dirty || (state.signatures || []).length)) || (await photos());
    const sent = unsent ? await sync() : true;
    // No answer (a dead zone the phone takes for a connection, or a reply lost on the way back): the form posted
    // now would end on the browser's error page, and 提交 would seal the record without the photos still queued.
    // The edits stay on the phone; pressed again where the signal is, the save goes through.
    if (!sent && unreachable) { offline(); return false; }
    // A photo the server has not taken yet (sign in again first: the banner says so) is not left out of the seal.
    if (button && button.value === "submit" && (await photos())) return false;
    // A team mate saved a newer version: posting now would take his for ours (or be refused, and the page
    // that says so would show this phone's edits as saved). The conflict banner stays until he chooses.
    if (conflicted) return false;
    const fresh = load();
    if (fresh && (fresh.signatures || []).length) return false;  // a signature could not be sent: the banner says why
    // Clean only once the server holds the edits: a refused draft stays this phone's unsent edit, whatever
    // the page posted next makes of it.
    if (fresh && sent) { fresh.dirty = false; store(fresh); }
    return true;
  }
  let confirmed = false;
  let checking = false;
  // 提交并封存 cannot be undone: the inspector says so once more, after the sync (so a refusal for a conflict or
  // the network comes first, without asking). The dialog answered 确认提交并封存 ticks the box the server asks for,
  // shown only to a phone without the dialog (no JavaScript, or no Bootstrap: then the box is the question).
  const sealElement = document.getElementById("fw-seal-modal");
  // The dialog is asked by js/dialog.js (loaded before this script by base.html), as js/confirm.js asks its own.
  const sealModal = window.bootstrap && window.askDialog && sealElement ? new bootstrap.Modal(sealElement) : null;
  const sealBox = document.getElementById("fw-seal-box");
  if (sealModal && sealBox) sealBox.closest(".fw-seal-box").hidden = true;
  function sealConfirmed() {
    if (!sealModal) return Promise.resolve(true);
    return askDialog(sealElement, document.getElementById("fw-seal-confirm"));
  }
  form.addEventListener("submit", async (event) => {
    if (confirmed) return;
    const button = event.submitter;
    event.preventDefault();
    if (checking) return;  // a second tap while the first waits for the sync: one post
    checking = true;
    try {
      if (!(await readyToPost(button))) return;
      // Synced: "正在同步…" is over, and would stay on the screen of one who goes back to check the record.
      if (banner.firstChild && banner.firstChild.textContent === text.syncing) hideBanner();
      if (button && button.value === "submit") {
        if (!(await sealConfirmed())) return;
        if (sealModal && sealBox) sealBox.checked = true;
      }
    } finally {
      checking = false;
    }
    confirmed = true;
    // The post is saved field by field too: a team mate's edit since the sync is kept, not overwritten.
    const origin = (load() || {}).origin;
    let baseInput = form.querySelector("input[name=base]");
    if (origin && !baseInput) {
      baseInput = Object.assign(document.createElement("input"), { type: "hidden", name: "base" });
      form.append(baseInput);
    }
    if (baseInput) baseInput.value = origin ? JSON.stringify(origin) : "";
    // Outside this submit event: a form ignores requestSubmit() while it is dispatching one.
    setTimeout(() => form.requestSubmit(button), 0);
  });
  // With no network this page cannot be loaded again: a reload (a pull-down on the phone's screen) or a link
  // would leave the inspector on the browser's error page until the signal is back. His draft stays on the phone
  // and comes back with the page, but in the dead zone he could not go on with it: the browser asks first.
  window.addEventListener("beforeunload", (event) => {
    if (confirmed) return;
    const state = load();
    if (navigator.onLine && !(unreachable && state && state.dirty)) return;
    event.preventDefault();
    event.returnValue = "";
  });
  // Back on this page from the browser's history (after a post whose answer never came): its buttons check again.
  window.addEventListener("pageshow", (event) => {
    if (!event.persisted) return;
    confirmed = false;
    if (sealModal && sealBox) sealBox.checked = false;  // asked again, by the dialog
  });
  // Back online: "现在没有网络……联网后再提交" would stay on a screen that says 在线, and keep him from pressing
  // 提交 again; once what the phone kept has reached the server, the banner says he may submit now.
  window.addEventListener("online", async () => {
    setOnline(true);
    const synced = await sync();
    if (synced && banner.firstChild && banner.firstChild.textContent === text.offlineSubmit) {
      showBanner(text.onlineSubmit, "success");
    }
  });
  window.addEventListener("offline", () => setOnline(false));
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "hidden") sync(); });
  setInterval(() => { const s = load(); if (s && (s.dirty || (s.signatures || []).length)) sync(); }, 15000);

  // --- start --------------------------------------------------------------------------------------------
  (function start() {
    setOnline(navigator.onLine);
    const server = Number(revisionInput.value);
    const state = load();
    // The server refused what this page shows (it answers a post with the typed values): nothing stored them.
    const unsaved = "unsaved" in form.dataset;
    // A post the server refused because a team mate saved first: the page shows what was posted, which this
    // phone still has to send, on the version it was typed on.
    if ("conflictBase" in form.dataset && !(state && state.dirty && state.base !== server)) {
      store({ base: Number(form.dataset.conflictBase), seq: state ? state.seq + 1 : 1, dirty: true,
              fields: fields(), origin: state && state.origin, signatures: [] });
      conflict({ revision: server, message: "" });
    } else if (state && state.merge) {
      const mine = merged(state.fields, state.origin, fields());
      store({ base: server, seq: state.seq, dirty: false, fields: fields(), origin: servedFields() || fields(),
              signatures: [] });
      restore(mine);
      if (!sameFields(fields(), load().fields)) edited();
      showBanner(text.merged, "info");
    } else if (!unsaved && state && state.dirty && !sameFields(state.fields, fields())) {
      // A newer revision may be this phone's own save whose reply was lost (state.inflight): the sync below sends
      // it again first and finds out, showing a conflict only when the server holds someone else's.
      if (state.base === server || state.inflight) {
        restore(state.fields);
        showBanner(text.restored, "info");
      } else if (state.origin) {
        // A team mate saved meanwhile: his fields as the server has them, this phone's edits on top; the sync
        // below sends them on the version they were typed on, and the server says if one collides with his.
        restore(merged(state.fields, state.origin, fields()));
        state.fields = fields();
        store(state);
        showBanner(text.restored, "info");
      } else {
        restore(state.fields);
        conflict({ revision: server, message: "" });
      }
    } else {
      const served = servedFields();
      const fresh = { base: server, seq: state ? state.seq : 0, dirty: false, fields: fields(),
                      // a refused post's page shows what was posted: its base is what the phone had before, if known
                      origin: unsaved ? (state && state.origin) || null : served || fields(),
                      signatures: state && state.base === server ? state.signatures || [] : [] };
      store(fresh);
      if (unsaved || typedBeforeScript(served)) edited();
    }
    refreshVisibility();
    managerName();
    setSigners([]);
    showQueue();
    // edits kept on the phone and not on the server (restored, or refused): the line does not say "saved"
    if ((load() || {}).dirty && !conflicted) setStatus("unsaved");
    sync();
  })();
})();
