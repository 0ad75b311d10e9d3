/* Choices that follow another field of the form, without a reload: on the 用户管理 form, the 科室 and 执法人员档案
   selects offer the departments and officers of the jurisdiction chosen on it (past a few hundred, only that
   jurisdiction's: registry/forms.py offer_departments_of_jurisdiction). Without this, picking another
   jurisdiction left the old jurisdiction's officers offered until the form was sent once, and a sent form
   comes back with its password boxes empty.

   <form data-choices-url="…" data-choices-follow="jurisdiction" data-choices-fields="department inspector"
         data-choices-done="…" data-choices-failed="…">
   When the followed field changes, GET data-choices-url?jurisdiction=…&department=…&inspector=… answers
   {"department": [{"value", "label"}, …], "inspector": […]}: the server's own form's choices, scoped to the
   admin, the ones chosen so far included. Only the <option>s are replaced; nothing typed is touched. If the
   answer does not come, the selects stay as they were and the form still sends: the server checks the choice
   against the jurisdiction anyway. Without JavaScript the form works as before (send it to see the list). */
(function () {
  "use strict";
  const form = document.querySelector("form[data-choices-url]");
  if (!form) return;
  const followed = form.elements.namedItem(form.dataset.choicesFollow);
  const names = form.dataset.choicesFields.split(" ");
  const status = document.getElementById("choices-status");
  if (!followed || followed.disabled) return;  // one's own account: its scope is not his to change
  let asked = 0;  // a later change wins over an answer still on its way

  function say(message, failed) {
    if (!status) return;
    status.textContent = message;
    status.className = failed ? "alert alert-warning small mt-3 mb-0" : "visually-hidden";
  }

  function replace(select, options) {
    const kept = select.value;
    select.replaceChildren(...options.map((option) => new Option(option.label, option.value)));
    // the server offers what was chosen even when it is of another jurisdiction (it says so when sent)
    select.value = options.some((option) => option.value === kept) ? kept : "";
  }

  async function refresh() {
    const ticket = ++asked;
    const query = new URLSearchParams();
    for (const name of [form.dataset.choicesFollow, ...names]) {
      const field = form.elements.namedItem(name);
      if (field) query.set(name, field.value);
    }
    const selects = names.map((name) => form.elements.namedItem(name)).filter((s) => s && !s.disabled);
    for (const select of selects) select.setAttribute("aria-busy", "true");
    try {
      const response = await fetch(`${form.dataset.choicesUrl}?${query}`, {
        headers: {Accept: "application/json"}, credentials: "same-origin", redirect: "error"});
      if (!response.ok) throw new Error(String(response.status));
      const choices = await response.json();
      if (ticket !== asked) return;
      for (const select of selects) if (choices[select.name]) replace(select, choices[select.name]);
      say(form.dataset.choicesDone, false);
    } catch (error) {
      if (ticket === asked) say(form.dataset.choicesFailed, true);
    } finally {
      if (ticket === asked) for (const select of selects) select.removeAttribute("aria-busy");
    }
  }

  followed.addEventListener("change", refresh);
})();
