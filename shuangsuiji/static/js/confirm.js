/* A step that cannot be undone asks first, as 提交并封存 does (fieldwork/record.js): a form marked
   data-confirm="<modal id>" opens that Bootstrap dialog when it is sent; the dialog's [data-confirm-ok] button
   sends it with confirm=1, its other ways out (返回/保留, ×, Esc, a tap beside it) send nothing. The dialog names
   what is at stake in its [data-confirm-name] (the form's data-confirm-name: a photo's file name).
   The server asks too: a form without confirm=1 is answered with a confirmation page, or refused with its box
   确认… to tick, so a phone without this script (or without Bootstrap) loses nothing to one tap either. With the
   script the box is hidden: the dialog ticks it. */
(function () {
  "use strict";
  if (!window.bootstrap || !window.askDialog) return;  // js/dialog.js asks

  function say(form) {
    const box = form.elements.namedItem("confirm");
    if (box && box.type === "checkbox") {
      box.checked = true;
    } else if (box) {
      box.value = "1";
    } else {
      form.append(Object.assign(document.createElement("input"), { type: "hidden", name: "confirm", value: "1" }));
    }
  }

  for (const form of document.querySelectorAll("form[data-confirm]")) {
    const box = form.elements.namedItem("confirm");
    if (box && box.type === "checkbox") {
      // The column the form's include put it in, with its label and any error: the dialog says it instead.
      (box.closest("[class*='col-']") || box.parentElement).hidden = true;
    }
  }
  // Listened for on the document: a form the page adds later (the trash button of a photo just uploaded,
  // fieldwork/record.js) asks as the server's do.
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!form.matches("form[data-confirm]") || form.dataset.confirmed || event.defaultPrevented) return;
    const dialog = document.getElementById(form.dataset.confirm);
    if (!dialog) return;
    event.preventDefault();
    const submitter = event.submitter;
    for (const slot of dialog.querySelectorAll("[data-confirm-name]")) slot.textContent = form.dataset.confirmName || "";
    askDialog(dialog, dialog.querySelector("[data-confirm-ok]")).then((yes) => {
      if (!yes) return;
      say(form);
      form.dataset.confirmed = "1";
      form.requestSubmit(submitter && submitter.form === form ? submitter : null);
    });
  });
  // Back on the page from the browser's history: it asks again.
  window.addEventListener("pageshow", (event) => {
    if (!event.persisted) return;
    for (const form of document.querySelectorAll("form[data-confirmed]")) delete form.dataset.confirmed;
  });
})();
