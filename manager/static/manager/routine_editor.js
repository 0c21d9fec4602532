// The routine editor (/manage/routines/<slug>/), without inline handlers (the
// Content-Security-Policy allows scripts from files only).
//
// Without this script the page works through its submit buttons (Move up,
// Move down, Remove, Keep, Add a step), which the server carries out and shows
// again unsaved. With it the same buttons work in the page, steps can also be
// dragged by their handle, and the typical length and booking slot follow
// what is typed. Each step's place is its hidden "order" field, renumbered
// here after every change; its "key" never changes, so "repeats step" keeps
// naming the same step wherever it moves.
(function () {
  "use strict";

  const editor = document.querySelector("[data-routine-editor]");
  if (!editor) return;

  // Words from Django's JavaScript catalogue (/jsi18n/), in the reader's
  // language; English as written here if the catalogue did not load.
  const gettext = window.gettext || ((text) => text);
  const interpolate = window.interpolate
    || ((text, values) => text.replace(/%\((\w+)\)s/g, (match, name) => String(values[name])));
  editor.classList.add("js");

  const list = editor.querySelector("[data-steps]");
  const pattern = editor.querySelector("template[data-step-template]");
  const totalForms = editor.querySelector('input[name="steps-TOTAL_FORMS"]');
  const status = editor.querySelector("[data-editor-status]");
  const totalText = editor.querySelector("[data-total]");
  const slotText = editor.querySelector("[data-slot]");
  const turnover = editor.querySelector('[name="turnover_minutes"]');
  const grid = Number(editor.dataset.grid) || 15;

  const steps = () => Array.from(list.querySelectorAll(":scope > [data-step]"));
  const input = (step, name) => step.querySelector(`[name="${step.dataset.prefix}-${name}"]`);
  const isRemoved = (step) => step.querySelector("[data-delete]").value === "on";
  const kept = () => steps().filter((step) => !isRemoved(step));

  function whole(element) {
    const text = element ? element.value.trim() : "";
    return /^\d+$/.test(text) ? Number(text) : null;
  }

  function title(step) {
    const select = input(step, "technique");
    return select && select.value ? select.selectedOptions[0].textContent.trim() : gettext("New step");
  }

  function doseKind(step) {
    const chosen = step.querySelector(`[name="${step.dataset.prefix}-dose_kind"]:checked`);
    return chosen ? chosen.value : "";
  }

  // The same arithmetic as StepSpec.typical_minutes (routines/specs.py):
  // the middle of a minute range, or the count turned into time plus the
  // stroking alternated with it, in whole minutes; null while incomplete.
  function typicalMinutes(step) {
    const kind = doseKind(step);
    if (kind === "duration") {
      const least = whole(input(step, "min_minutes"));
      const most = whole(input(step, "max_minutes"));
      return least && most && most >= least ? Math.ceil((least + most) / 2) : null;
    }
    if (kind === "count") {
      const count = whole(input(step, "count"));
      const seconds = whole(input(step, "seconds_per_unit"));
      if (!count || !seconds) return null;
      const sides = input(step, "per_side").checked ? 2 : 1;
      const alternating = whole(input(step, "alternating_minutes")) || 0;
      return Math.ceil((count * seconds * sides) / 60) + alternating * sides;
    }
    return null;
  }

  // -- saying what happened, politely and not at every keystroke ---------------

  let spokenTotals = "";
  let totalsTimer = null;

  function say(text) {
    // Emptied first, so the same words twice are read twice.
    status.textContent = "";
    window.setTimeout(() => { status.textContent = text; }, 50);
  }

  function totalsWords() {
    return interpolate(gettext("Typical length %(total)s minutes, booking slot %(slot)s minutes."), {
      total: totalText.textContent, slot: slotText.textContent,
    }, true);
  }

  function announceTotalsSoon() {
    window.clearTimeout(totalsTimer);
    totalsTimer = window.setTimeout(() => {
      const words = totalsWords();
      if (words !== spokenTotals) {
        spokenTotals = words;
        say(words);
      }
    }, 1200);
  }

  // -- the totals --------------------------------------------------------------

  function updateTotals() {
    let total = 0;
    steps().forEach((step) => {
      const minutes = typicalMinutes(step);
      step.querySelector("[data-step-minutes]").textContent = minutes === null ? gettext("– min") : interpolate(gettext("%(minutes)s min"), { minutes }, true);
      if (!isRemoved(step) && minutes !== null) total += minutes;
    });
    const slot = Math.ceil((total + (whole(turnover) || 0)) / grid) * grid;
    totalText.textContent = String(total);
    slotText.textContent = String(slot);
    announceTotalsSoon();
  }

  // -- numbers, titles and "repeats step" ---------------------------------------

  function renumber() {
    let number = 0;
    steps().forEach((step, place) => {
      input(step, "order").value = String(place + 1);
      const removed = isRemoved(step);
      if (!removed) number += 1;
      step.querySelectorAll("[data-step-number]").forEach((element) => {
        element.textContent = removed ? "" : String(number);
      });
      step.querySelector("[data-step-word]").textContent = removed ? gettext("Removed") : `${gettext("Step")} `;
      step.querySelectorAll("[data-step-title]").forEach((element) => { element.textContent = title(step); });
    });
    offerRepeats();
  }

  function offerRepeats() {
    let number = 0;
    const offered = steps().map((step) => {
      const removed = isRemoved(step);
      if (!removed) number += 1;
      return { key: step.dataset.key, label: removed
        ? interpolate(gettext("Removed · %(title)s"), { title: title(step) }, true)
        : interpolate(gettext("Step %(number)s · %(title)s"), { number, title: title(step) }, true) };
    });
    steps().forEach((step) => {
      const select = input(step, "repeat_of");
      const chosen = select.value;
      const options = [new Option(gettext("No, a step of its own"), "")];
      offered.filter((entry) => entry.key !== step.dataset.key)
        .forEach((entry) => options.push(new Option(entry.label, entry.key)));
      select.replaceChildren(...options);
      select.value = chosen;
      if (select.value !== chosen) select.value = "";
    });
  }

  function showDose(step) {
    const kind = doseKind(step);
    step.querySelectorAll("[data-dose]").forEach((group) => {
      group.hidden = Boolean(kind) && group.dataset.dose !== kind;
    });
  }

  function changed() {
    renumber();
    updateTotals();
  }

  // -- moving, removing, keeping, adding ------------------------------------------

  function move(step, direction) {
    const others = kept();
    const place = others.indexOf(step);
    const neighbour = others[direction === "up" ? place - 1 : place + 1];
    if (!neighbour) {
      say(interpolate(direction === "up" ? gettext("%(title)s is already the first step.") : gettext("%(title)s is already the last step."), {
        title: title(step),
      }, true));
      return;
    }
    list.insertBefore(step, direction === "up" ? neighbour : neighbour.nextSibling);
    changed();
    say(interpolate(gettext("%(title)s moved to step %(number)s of %(count)s."), {
      title: title(step), number: kept().indexOf(step) + 1, count: kept().length,
    }, true));
  }

  function setRemoved(step, removed) {
    step.querySelector("[data-delete]").value = removed ? "on" : "";
    step.classList.toggle("is-removed", removed);
    step.querySelector("[data-step-body]").hidden = removed;
    step.querySelector("[data-removed-note]").hidden = !removed;
    step.querySelectorAll("[data-move], [data-remove]").forEach((button) => { button.hidden = removed; });
    changed();
    (removed ? step.querySelector("[data-keep]") : step.querySelector("[data-remove]")).focus();
    say(removed
      ? interpolate(gettext("%(title)s will be removed when you save."), { title: title(step) }, true)
      : interpolate(gettext("%(title)s is kept, as step %(number)s."), { title: title(step), number: kept().indexOf(step) + 1 }, true));
  }

  let added = 0;

  function addStep() {
    const index = Number(totalForms.value);
    list.insertAdjacentHTML("beforeend", pattern.innerHTML.replaceAll("__prefix__", String(index)));
    const step = list.lastElementChild;
    totalForms.value = String(index + 1);
    added += 1;
    step.dataset.key = `added-${Date.now().toString(36)}-${added}`;
    input(step, "key").value = step.dataset.key;
    showDose(step);
    changed();
    input(step, "technique").focus();
    say(interpolate(gettext("Step %(number)s added at the end."), { number: kept().length }, true));
  }

  editor.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (!button || !editor.contains(button)) return;
    const step = button.closest("[data-step]");
    if (button.matches("[data-move]") && step) {
      event.preventDefault();
      move(step, button.dataset.move);
      button.focus(); // moving the step took the focus away from its button
      button.scrollIntoView({ block: "nearest" });
    } else if (button.matches("[data-remove]") && step) {
      event.preventDefault();
      setRemoved(step, true);
    } else if (button.matches("[data-keep]") && step) {
      event.preventDefault();
      setRemoved(step, false);
    } else if (button.matches("[data-add-step]")) {
      event.preventDefault();
      addStep();
    }
  });

  editor.addEventListener("input", (event) => {
    if (event.target.closest("[data-step]") || event.target === turnover) updateTotals();
  });

  editor.addEventListener("change", (event) => {
    const step = event.target.closest("[data-step]");
    if (!step) return;
    if (event.target.name === `${step.dataset.prefix}-dose_kind`) showDose(step);
    if (event.target.name === `${step.dataset.prefix}-technique`) renumber();
    updateTotals();
  });

  // -- dragging by the handle ---------------------------------------------------------

  let dragged = null;

  function clearDropMarks() {
    list.querySelectorAll(".drop-before, .drop-after").forEach((step) => {
      step.classList.remove("drop-before", "drop-after");
    });
  }

  list.addEventListener("dragstart", (event) => {
    const handle = event.target.closest && event.target.closest(".drag-handle");
    if (!handle) return;
    dragged = handle.closest("[data-step]");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragged.dataset.key);
    event.dataTransfer.setDragImage(dragged, 24, 24);
    dragged.classList.add("dragging");
  });

  list.addEventListener("dragover", (event) => {
    if (!dragged) return;
    const over = event.target.closest("[data-step]");
    if (!over || over === dragged) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    const box = over.getBoundingClientRect();
    clearDropMarks();
    over.classList.add(event.clientY > box.top + box.height / 2 ? "drop-after" : "drop-before");
  });

  list.addEventListener("drop", (event) => {
    if (!dragged) return;
    event.preventDefault();
    const target = list.querySelector(".drop-before, .drop-after");
    if (target) {
      list.insertBefore(dragged, target.classList.contains("drop-after") ? target.nextSibling : target);
      changed();
      say(interpolate(gettext("%(title)s moved to step %(number)s of %(count)s."), {
        title: title(dragged), number: kept().indexOf(dragged) + 1, count: kept().length,
      }, true));
    }
    clearDropMarks();
  });

  list.addEventListener("dragend", () => {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
    clearDropMarks();
  });

  // -- the preview, announced in one line once it arrives --------------------------------

  document.body.addEventListener("htmx:afterSwap", (event) => {
    if (event.detail.target.id !== "plan-preview") return;
    const summary = event.detail.target.querySelector("[data-preview-summary]");
    if (summary) say(summary.dataset.previewSummary);
  });

  steps().forEach(showDose);
  renumber();
  updateTotals();
  spokenTotals = totalsWords(); // what the page said when it opened is not news
  window.clearTimeout(totalsTimer);
})();
