// A button with data-copy="<selector>" copies that field's value. The clipboard API needs a secure context (https
// or localhost), which an intranet server on plain http is not: then the field's text is selected and copied the
// old way, and if that fails too it stays selected, and the button says to copy it by hand.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const field = document.querySelector(button.dataset.copy);
  if (!field) return;
  const label = button.querySelector("span") || button;
  let copied = false;
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(field.value);
      copied = true;
    } catch (error) {
      copied = false;
    }
  }
  if (!copied) {
    field.focus();
    field.select();
    try {
      copied = document.execCommand("copy");
    } catch (error) {
      copied = false;
    }
  }
  label.textContent = copied ? button.dataset.copied : button.dataset.failed;
});
