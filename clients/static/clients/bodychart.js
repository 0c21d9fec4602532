// Tapping a region of the body chart fills the next free row of the pain list
// (the list works on its own without this script).
(function () {
  // What the chart says after a tap comes with the page, in the page's
  // language (a client's page speaks the client's, which the browser's
  // request for the JavaScript catalog would not know); "%s" is the place.
  function said(form, name, place) {
    const chart = form.querySelector("[data-body-chart]");
    return chart.dataset[name].replace("%s", place || "");
  }
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
  function regionsFor(form, area, side) {
    return Array.from(form.querySelectorAll(".region")).filter(
      (region) => region.dataset.area === area && region.dataset.side === side
    );
  }
  function clear(region) {
    // A second tap takes the place off the list again.
    const form = region.closest("form");
    const status = form.querySelector("[data-body-chart-status]");
    const row = rows(form).find((candidate) =>
      candidate.querySelector("[name^=pain_area_]").value === region.dataset.area &&
      candidate.querySelector("[name^=pain_side_]").value === region.dataset.side);
    if (row) {
      row.querySelectorAll("select, input").forEach((input) => { input.value = ""; });
    }
    regionsFor(form, region.dataset.area, region.dataset.side).forEach((each) => {
      each.classList.remove("marked");
      Array.from(each.classList).filter((name) => name.startsWith("level-")).forEach((name) => each.classList.remove(name));
      each.setAttribute("aria-pressed", "false");
    });
    status.textContent = said(form, "saidRemoved", region.getAttribute("aria-label"));
  }
  function toggle(region) {
    if (region.getAttribute("aria-pressed") === "true") clear(region);
    else mark(region);
  }
  function mark(region) {
    const form = region.closest("form");
    const status = form.querySelector("[data-body-chart-status]");
    const area = region.dataset.area;
    const side = region.dataset.side;
    const row = rowFor(form, area, side);
    if (!row) {
      status.textContent = said(form, "saidFull");
      return;
    }
    row.querySelector("[name^=pain_area_]").value = area;
    row.querySelector("[name^=pain_side_]").value = side;
    const intensity = row.querySelector("[name^=pain_intensity_]");
    if (!intensity.value) intensity.value = "5";
    regionsFor(form, area, side).forEach((each) => {
      each.classList.add("marked");
      each.setAttribute("aria-pressed", "true");
    });
    status.textContent = said(form, "saidAdded", region.getAttribute("aria-label"));
    row.classList.add("just-added");
  }
  document.addEventListener("click", (event) => {
    const region = event.target.closest(".body-chart.interactive .region");
    if (region) toggle(region);
  });
  document.addEventListener("keydown", (event) => {
    const region = event.target.closest && event.target.closest(".body-chart.interactive .region");
    if (region && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      toggle(region);
    }
  });
  // Follow-up questions show when the answer they follow needs them; without
  // this script they are simply all shown.
  function follow(form) {
    form.querySelectorAll("[data-follows]").forEach((block) => {
      const answer = form.querySelector(`[name="${block.dataset.follows}"]`);
      if (!answer) return;
      // A question with an error or an answer in it stays in sight.
      const holdsSomething = () =>
        block.querySelector(".errorlist, .field-error") ||
        Array.from(block.querySelectorAll("input, select, textarea")).some((input) =>
          input.type === "checkbox" || input.type === "radio" ? input.checked : input.value);
      const update = () => { block.hidden = !answer.checked && !holdsSomething(); };
      answer.addEventListener("change", update);
      update();
    });
  }
  document.querySelectorAll(".intake form").forEach(follow);
  const summary = document.getElementById("form-errors");
  if (summary) summary.focus();
})();
