/* What a field record's draft leaves on the phone (fieldwork/record.js keeps it in localStorage under
   "fieldwork-record-<id>"): the whole record, statements and phone numbers included. It is needed only while
   it holds something the server does not have yet. A phone is often shared by a team, and phones get lost, so:
   - a page that shows a sealed record names its draft (data-forget-draft) and the draft is dropped;
   - signing out drops every draft the server already holds. One with edits or signatures not yet sent stays:
     it is work nobody else has, and only the record's team can open the page that brings it back. */
(function () {
  "use strict";
  const PREFIX = "fieldwork-record-";

  function forget(key) {
    try { localStorage.removeItem(key); } catch (e) { /* storage blocked: nothing was kept either */ }
  }

  function sent(key) {
    try {
      const state = JSON.parse(localStorage.getItem(key));
      return !state || (!state.dirty && !(state.signatures || []).length);
    } catch (e) {
      return true;  // unreadable: record.js could not restore it either
    }
  }

  for (const element of document.querySelectorAll("[data-forget-draft]")) forget(element.dataset.forgetDraft);

  const logout = document.getElementById("app-logout");
  if (logout) {
    logout.addEventListener("submit", () => {
      const keys = [];
      try {
        for (let i = 0; i < localStorage.length; i++) keys.push(localStorage.key(i));
      } catch (e) {
        return;
      }
      for (const key of keys) if (key && key.startsWith(PREFIX) && sent(key)) forget(key);
    });
  }
})();
