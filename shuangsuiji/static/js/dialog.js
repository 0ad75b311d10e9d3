/* askDialog(dialog, ok) → a promise of the answer of a Bootstrap dialog that asks before a step that cannot be
   undone: true when its button `ok` was tapped, false when it was closed any other way (its 返回/保留 button, ×,
   Esc, a tap beside it). Shared by js/confirm.js (forms marked data-confirm) and fieldwork/record.js (提交并封存),
   so both are loaded after this file (base.html).
   Bootstrap ignores hide() while the dialog is still fading in: a quick tap on the button was lost, the button
   (listened to once) went dead, and the way out tapped next did what it was tapped to avoid. The tap counts, and
   the dialog closes once it is fully shown; the button answers every tap until it closes. */
(function () {
  "use strict";
  if (!window.bootstrap) return;  // no dialogs: the pages' boxes and the server ask instead

  window.askDialog = function (dialog, ok) {
    const modal = bootstrap.Modal.getOrCreateInstance(dialog);
    return new Promise((resolve) => {
      let yes = false;
      const agree = () => { yes = true; modal.hide(); };
      const shown = () => { if (yes) modal.hide(); };
      ok.addEventListener("click", agree);
      dialog.addEventListener("shown.bs.modal", shown, { once: true });
      dialog.addEventListener("hidden.bs.modal", () => {
        ok.removeEventListener("click", agree);
        dialog.removeEventListener("shown.bs.modal", shown);
        resolve(yes);
      }, { once: true });
      modal.show();
    });
  };
})();
