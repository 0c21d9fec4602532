// Tapping a region of the body chart fills the next free row of the pain list
// (the list works on its own without this script).
(function () {
  function rows(form) {
    return Array.from(form.querySelectorAll("[data-pain-row]"));
  }
  function rowFor(form, area, side) {
    const all = rows(form);
    return (
      all.find((row) => row.querySelector("[name^=pain_area_]").value === area &&
                        row.querySelector("[name^=pain_side_]").value === side) ||
      all.find((row) => !row.querySelector("[name^=pain_area_]").value)
    );
  }
  function mark(region) {
    const form = region.closest("form");
    const status = form.querySelector("[data-body-chart-status]");
    const area = region.dataset.area;
    const side = region.dataset.side;
    const row = rowFor(form, area, side);
    if (!row) {
      status.textContent = "All rows are used; clear one in the list to add another place.";
      return;
    }
    row.querySelector("[name^=pain_area_]").value = area;
    row.querySelector("[name^=pain_side_]").value = side;
    const intensity = row.querySelector("[name^=pain_intensity_]");
    if (!intensity.value) intensity.value = "5";
    region.classList.add("marked");
    region.setAttribute("aria-pressed", "true");
    status.textContent = region.getAttribute("aria-label") + " added to your list; set how strong it is.";
    row.classList.add("just-added");
  }
  document.addEventListener("click", (event) => {
    const region = event.target.closest(".body-chart.interactive .region");
    if (region) mark(region);
  });
  document.addEventListener("keydown", (event) => {
    const region = event.target.closest && event.target.closest(".body-chart.interactive .region");
    if (region && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      mark(region);
    }
  });
})();
