// Weeks of times per day (rotas, opening hours): add and remove a day's rows
// in place. Without this script the same buttons submit the form and the page
// comes back with the row added or removed, so nothing depends on it. Loaded
// from a file: the Content-Security-Policy allows no inline script.
(function () {
  const MAX_ROWS = 6;
  const FIELD = /-\d+-(from|to)$/;

  function renumber(list) {
    list.querySelectorAll("[data-row]").forEach((row, index) => {
      const number = String(index + 1);
      row.querySelectorAll("input").forEach((input) => {
        input.name = input.name.replace(FIELD, `-${number}-$1`);
        input.id = input.name;
      });
      row.querySelectorAll("label").forEach((label) => {
        label.htmlFor = label.htmlFor.replace(FIELD, `-${number}-$1`);
      });
      row.querySelectorAll("[data-label]").forEach((span) => {
        span.textContent = span.dataset.label.replace("#", number);
      });
      const remove = row.querySelector("[data-remove]");
      if (remove) remove.value = remove.value.replace(/-\d+$/, `-${number}`);
    });
  }

  // Tells htmx (hx-trigger="change") that the rota changed, for the preview.
  function changed(form) {
    if (form) form.dispatchEvent(new Event("change", { bubbles: true }));
  }

  document.addEventListener("click", (event) => {
    const add = event.target.closest("button[data-add]");
    if (add) {
      event.preventDefault();
      const list = add.closest("[data-day]").querySelector("[data-rows]");
      const rows = list.querySelectorAll("[data-row]");
      if (rows.length >= MAX_ROWS) return;
      const row = rows[rows.length - 1].cloneNode(true);
      row.querySelectorAll("input").forEach((input) => {
        input.value = "";
        input.removeAttribute("aria-invalid");
        input.removeAttribute("aria-describedby");
      });
      list.appendChild(row);
      renumber(list);
      row.querySelector("input").focus();
      return;
    }
    const remove = event.target.closest("button[data-remove]");
    if (remove) {
      event.preventDefault();
      const row = remove.closest("[data-row]");
      const day = row.closest("[data-day]");
      const list = row.closest("[data-rows]");
      if (list.querySelectorAll("[data-row]").length > 1) {
        row.remove();
        renumber(list);
        day.querySelector("button[data-add]").focus();
      } else {
        // The last row stays, empty: a day with no times is a day off.
        row.querySelectorAll("input").forEach((input) => { input.value = ""; });
        row.querySelector("input").focus();
      }
      changed(day.closest("form"));
    }
  });
})();
