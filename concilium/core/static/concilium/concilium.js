// Concilium's small progressive enhancements; no inline scripts (the Content-Security-Policy forbids them).
document.addEventListener("change", (event) => {
  const target = event.target;
  if ((target instanceof HTMLSelectElement || target instanceof HTMLInputElement) && target.hasAttribute("data-autosubmit")) {
    target.form.submit();
  }
});
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (button) {
    const source = document.getElementById(button.getAttribute("data-copy"));
    if (source) {
      navigator.clipboard.writeText(source.textContent.trim());
      button.textContent = button.getAttribute("data-copied") || "Copied";
    }
  }
});
// Registration: a country select narrows the hospital select to that country's group, and choosing a hospital
// selects its country. Hospitals are grouped in <optgroup>s labelled with the country's name.
document.addEventListener("change", (event) => {
  const target = event.target;
  if (!(target instanceof HTMLSelectElement)) {
    return;
  }
  if (target.dataset.hospitalField) {
    const hospitals = document.getElementById(target.dataset.hospitalField);
    const countryName = target.value ? target.selectedOptions[0].text : "";
    if (hospitals) {
      for (const group of hospitals.querySelectorAll("optgroup")) {
        group.hidden = Boolean(countryName) && group.label !== countryName;
      }
      const chosen = hospitals.selectedOptions[0];
      if (chosen && chosen.parentElement instanceof HTMLOptGroupElement && chosen.parentElement.hidden) {
        hospitals.value = "";
      }
    }
  }
  if (target.dataset.countryField) {
    const country = document.getElementById(target.dataset.countryField);
    const chosen = target.selectedOptions[0];
    const group = chosen && chosen.parentElement instanceof HTMLOptGroupElement ? chosen.parentElement.label : "";
    if (country && group) {
      const match = Array.from(country.options).find((option) => option.text === group);
      if (match) {
        country.value = match.value;
      }
    }
  }
});
// Case discussion: a suggested panel member replaces the "@name" being typed with "@Full Name ".
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-mention-insert]");
  if (!button) {
    return;
  }
  const form = button.closest("form");
  const input = form ? form.querySelector("[data-mention-input]") : null;
  if (!input) {
    return;
  }
  const caret = input.selectionStart ?? input.value.length;
  const before = input.value.slice(0, caret);
  const at = before.lastIndexOf("@");
  const start = at >= 0 ? at : caret;
  const inserted = `@${button.getAttribute("data-mention-insert")} `;
  input.value = input.value.slice(0, start) + inserted + input.value.slice(caret);
  const position = start + inserted.length;
  input.focus();
  input.setSelectionRange(position, position);
  const suggestions = button.closest("[aria-live]");
  if (suggestions) {
    suggestions.textContent = "";
  }
});
