// "My day" and its day sheet, without inline handlers (the Content-Security-Policy
// allows scripts from files only). Listeners sit on the document, so parts
// swapped in by htmx behave the same.
(function () {
  // Picking another therapist shows their day at once.
  document.addEventListener("change", (event) => {
    const select = event.target.closest("select[data-submit-on-change]");
    if (select) select.form.submit();
  });
  // The calendar address is selected whole, ready to copy.
  document.addEventListener("focusin", (event) => {
    const input = event.target.closest("input[data-select-on-focus]");
    if (input) input.select();
  });
  // A form that cannot be undone asks first (its data-confirm says what happens).
  document.addEventListener("submit", (event) => {
    const form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
  });
  document.addEventListener("click", (event) => {
    if (event.target.closest("[data-print]")) window.print();
  });
})();
