// citelog's pages: sortable tables, the Law page's passage panel, expand/collapse of proofs, and a
// scenario list that asks again as soon as another example is picked. Every page works without it.
"use strict";

function sortTable(header) {
  const table = header.closest("table");
  const column = [...header.parentNode.children].indexOf(header);
  const ascending = header.getAttribute("aria-sort") !== "ascending";
  const key = (row) => {
    const cell = row.children[column];
    return cell.dataset.sort !== undefined ? cell.dataset.sort : cell.textContent.trim();
  };
  const compare = (a, b) => {
    const x = key(a), y = key(b);
    const numbers = x !== "" && y !== "" && !isNaN(x) && !isNaN(y);
    return numbers ? Number(x) - Number(y) : x.localeCompare(y, "en", {numeric: true});
  };
  const body = table.tBodies[0];
  const rows = [...body.rows].sort((a, b) => (ascending ? compare(a, b) : compare(b, a)));
  rows.forEach((row) => body.appendChild(row));
  header.parentNode.querySelectorAll("th").forEach((th) => th.removeAttribute("aria-sort"));
  header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
}

// A passage opens the panel of the provisions that transcribe it, and the focus goes there, so
// that a keyboard or a screen reader follows what the click showed.
function showPassage(span, focus) {
  document.querySelectorAll("a.q.selected").forEach((a) => a.classList.remove("selected"));
  document.querySelectorAll(".cover.shown").forEach((c) => c.classList.remove("shown"));
  span.classList.add("selected");
  const panel = document.getElementById(span.dataset.panel);
  if (panel) {
    panel.classList.add("shown");
    if (focus) panel.focus();
  }
  const hint = document.getElementById("panel-hint");
  if (hint) hint.hidden = true;
}

document.addEventListener("click", (event) => {
  const sorter = event.target.closest("th button.sort");
  if (sorter) { sortTable(sorter.closest("th")); return; }
  const span = event.target.closest("a.q");
  if (span) {
    event.preventDefault();
    showPassage(span, true);
    history.replaceState(null, "", "#" + span.id);
    return;
  }
  const toggle = event.target.closest("button[data-details]");
  if (toggle) {
    const open = toggle.dataset.details === "open";
    document.querySelectorAll("details.step").forEach((d) => { d.open = open; });
  }
});

document.addEventListener("change", (event) => {
  const select = event.target.closest("select[data-submit]");
  if (select && select.form) select.form.requestSubmit();
});

window.addEventListener("DOMContentLoaded", () => {
  const target = location.hash ? document.getElementById(decodeURIComponent(location.hash.slice(1))) : null;
  if (target && target.matches("a.q")) showPassage(target, false);
});
