/* askDialog(dialog, ok) → a promise of the answer of a Bootstrap dialog that asks before a step that cannot be
   undone: true when its button `ok` was tapped, false when it was closed any other way (its 返回/保留 button, ×,
   Esc, a tap beside it). Shared by js/confirm.js (forms marked data-confirm) and fieldwork/record.js (提交并封存),
   so both are loaded after this file (base.html).
   Bootstrap ignores hide() while the dialog is still fading in: a quick tap on the button was lost, the button
   (listened to once) went dead, and the way out tapped next did what it was tapped to avoid. The tap counts, and
   the dialog closes once it is fully shown; the button answers every tap until it closes. A quick tap on the way
   back (返回检查, 保留, ×: the dialog's data-bs-dismiss buttons) was lost the same way and left the dialog open over
   the page: it too closes the dialog once shown, answering no. */
(function () {
  "use strict";
  if (!window.bootstrap) return;  // no dialogs: the pages' boxes and the server ask instead

  window.askDialog = function (dialog, ok) {
    const modal = bootstrap.Modal.getOrCreateInstance(dialog);
    return new Promise((resolve) => {
      let yes = false;
      let leaving = false;  // an answer was tapped, yes or no: the dialog closes as soon as Bootstrap lets it
      const agree = () => { yes = true; leaving = true; modal.hide(); };
      const decline = () => { if (!yes) leaving = true; };  // Bootstrap's own handler hides it, if it can yet
      const back = dialog.querySelectorAll("[data-bs-dismiss=modal]");
      const shown = () => { if (leaving) modal.hide(); };
      ok.addEventListener("click", agree);
      for (const button of back) button.addEventListener("click", decline);
      dialog.addEventListener("shown.bs.modal", shown, { once: true });
      dialog.addEventListener("hidden.bs.modal", () => {
        ok.removeEventListener("click", agree);
        for (const button of back) button.removeEventListener("click", decline);
        dialog.removeEventListener("shown.bs.modal", shown);
        resolve(yes);
      }, { once: true });
      modal.show();
    });
  };
})();
