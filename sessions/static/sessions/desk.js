// The front desk's grid: arrow keys move between cells (one cell is in the
// Tab order at a time), a booking dragged onto a cell asks to move there,
// today's grid scrolls to now, and whatever htmx puts in the panel or the
// grid that asks for focus (a refusal, the client search) gets it.
(function () {
  "use strict";

  let activeRow = null; // the row the arrow keys are on, inside a tall booking too

  function cellsOf(table) {
    const map = new Map();
    let rows = 0, columns = 0;
    for (const element of table.querySelectorAll("[data-cell]")) {
      const column = Number(element.dataset.col), row = Number(element.dataset.row);
      const span = Number(element.dataset.span || 1);
      for (let offset = 0; offset < span; offset++) map.set(column + ":" + (row + offset), element);
      rows = Math.max(rows, row + span);
      columns = Math.max(columns, column + 1);
    }
    return { map, rows, columns };
  }

  function activate(table, element, focus) {
    for (const other of table.querySelectorAll('[data-cell][tabindex="0"]')) other.tabIndex = -1;
    element.tabIndex = 0;
    if (focus) {
      element.focus();
      element.scrollIntoView({ block: "nearest", inline: "nearest" });
    }
  }

  function setUp(root) {
    const table = root.querySelector("#desk-table");
    if (!table) return;
    const start = table.querySelector("tr[data-now] [data-cell]") || table.querySelector(".fits [data-cell]")
      || table.querySelector("[data-cell]");
    if (start) activate(table, start, false);
    activeRow = null;
    const now = table.querySelector("tr[data-now]");
    const scroller = root.querySelector("#desk-scroll");
    if (now && scroller) {
      const head = table.tHead ? table.tHead.offsetHeight : 0;
      scroller.scrollTop = Math.max(0, now.offsetTop - head - 2 * now.offsetHeight);
    }
  }

  document.addEventListener("focusin", function (event) {
    const table = event.target.closest && event.target.closest("#desk-table");
    if (!table) return;
    if (event.target === table) {
      // Reached by "Skip to the grid": go on to the cell in the Tab order.
      const current = table.querySelector('[data-cell][tabindex="0"]');
      if (current) current.focus();
      return;
    }
    if (event.target.hasAttribute("data-cell")) activate(table, event.target, false);
  });

  document.addEventListener("keydown", function (event) {
    const element = event.target;
    if (!element.hasAttribute || !element.hasAttribute("data-cell")) return;
    const table = element.closest("#desk-table");
    if (!table) return;
    const { map, rows, columns } = cellsOf(table);
    const column = Number(element.dataset.col), top = Number(element.dataset.row);
    const span = Number(element.dataset.span || 1);
    let row = activeRow !== null && activeRow >= top && activeRow < top + span ? activeRow : top;
    let target = null;
    switch (event.key) {
      case "ArrowUp": row = top - 1; target = map.get(column + ":" + row); break;
      case "ArrowDown": row = top + span; target = map.get(column + ":" + row); break;
      case "ArrowLeft": target = map.get(column - 1 + ":" + row); break;
      case "ArrowRight": target = map.get(column + 1 + ":" + row); break;
      case "Home": target = map.get("0:" + row); break;
      case "End": target = map.get(columns - 1 + ":" + row); break;
      case "PageUp": row = Math.max(0, top - 8); target = map.get(column + ":" + row); break;
      case "PageDown": row = Math.min(rows - 1, top + span + 7); target = map.get(column + ":" + row); break;
      case "Enter": case " ":
        if (element.tagName === "BUTTON") return;
        event.preventDefault();
        // A booking is a draggable element with the button role (Chromium drags no <button>).
        if (element.getAttribute("role") === "button") element.click();
        return;
      default: return;
    }
    event.preventDefault();
    if (target) {
      activeRow = row;
      activate(table, target, true);
    }
  });

  // Drag a booking onto another time; the desk checks it and asks to confirm.
  let dragged = null;
  document.addEventListener("dragstart", function (event) {
    const booking = event.target.closest && event.target.closest(".booking[data-move]");
    if (!booking) return;
    dragged = booking.dataset.move;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragged);
    // After the browser has taken its picture of the booking: let the cells under it take the drop.
    setTimeout(function () { document.body.classList.add("dragging"); }, 0);
  });
  document.addEventListener("dragend", function () {
    dragged = null;
    document.body.classList.remove("dragging");
    for (const cell of document.querySelectorAll(".drop-here")) cell.classList.remove("drop-here");
  });
  document.addEventListener("dragover", function (event) {
    const cell = dragged && event.target.closest && event.target.closest("td[data-drop]");
    if (!cell) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    for (const other of document.querySelectorAll(".drop-here")) if (other !== cell) other.classList.remove("drop-here");
    cell.classList.add("drop-here");
  });
  document.addEventListener("drop", function (event) {
    const cell = dragged && event.target.closest && event.target.closest("td[data-drop]");
    if (!cell) return;
    event.preventDefault();
    const query = new URLSearchParams({ start: cell.dataset.drop });
    if (cell.dataset.therapist) query.set("therapist", cell.dataset.therapist);
    if (cell.dataset.room) query.set("room", cell.dataset.room);
    htmx.ajax("GET", dragged + "?" + query.toString(), { target: "#panel" });
    dragged = null;
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    const swapped = event.detail.elt;
    if (!swapped || !swapped.id) return;
    if (swapped.id === "desk-grid") setUp(swapped);
    const panel = document.getElementById("panel");
    const focus = swapped.querySelector("[data-focus-me]")
      || (swapped.id === "desk-grid" && panel && panel.querySelector("[data-focus-me]"));
    if (swapped.id === "panel" || swapped.id === "desk-grid") {
      if (swapped.id === "panel") swapped.scrollIntoView({ block: "nearest" });
      if (focus) focus.focus();
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { setUp(document); });
  } else {
    setUp(document);
  }
})();
