// A countdown per step on the session page; the page works without it.
// Pressure feedback is swapped in beside it (htmx), so a running timer keeps
// running. A file, not an inline script: the Content-Security-Policy allows
// scripts from files only.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-timer-start]");
  if (!button) return;
  const label = button.parentElement.querySelector("[data-timer]");
  let left = parseInt(button.closest("[data-minutes]").dataset.minutes, 10) * 60;
  clearInterval(button._tick);
  button._tick = setInterval(() => {
    left = Math.max(0, left - 1);
    label.textContent = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}`;
    if (!left) clearInterval(button._tick);
  }, 1000);
});
