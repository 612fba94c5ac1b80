// The expectation grid, by keyboard: one cell in the tab order (roving tabindex), the
// arrow keys (and Home/End) move between cells, Enter opens the cell's editor with the
// focus in its input, Escape cancels; Save and Cancel bring the focus back to the cell
// and say what happened in a polite live region. The impact preview shows beside the
// open cell. Without this script the grid still works: every cell is a link to its page.
(function () {
  "use strict";

  var grid = null;

  function links() {
    return Array.prototype.slice.call(grid.querySelectorAll("td.cell .cell-link"));
  }

  function cellOf(element) {
    return element && element.closest ? element.closest("td.cell") : null;
  }

  // The one cell in the tab order: `td`'s link (or the first cell's).
  function makeCurrent(td) {
    var all = links();
    var chosen = td ? td.querySelector(".cell-link") : null;
    if (!chosen && all.length && !grid.querySelector(".cell-link[tabindex='0']")) {
      chosen = all[0];
    }
    if (!chosen) return null;
    all.forEach(function (link) {
      link.setAttribute("tabindex", link === chosen ? "0" : "-1");
    });
    return chosen;
  }

  function rows() {
    return Array.prototype.slice.call(grid.querySelectorAll("tbody tr[data-skill]"));
  }

  function cellsOf(row) {
    return Array.prototype.slice.call(row.querySelectorAll("td.cell"));
  }

  function target(td, key) {
    var row = td.parentElement;
    var cells = cellsOf(row);
    var column = cells.indexOf(td);
    var all = rows();
    var index = all.indexOf(row);
    switch (key) {
      case "ArrowLeft": return cells[column - 1];
      case "ArrowRight": return cells[column + 1];
      case "Home": return cells[0];
      case "End": return cells[cells.length - 1];
      case "ArrowUp": return all[index - 1] ? cellsOf(all[index - 1])[column] : null;
      case "ArrowDown": return all[index + 1] ? cellsOf(all[index + 1])[column] : null;
      default: return null;
    }
  }

  function announce(text) {
    var status = document.getElementById("grid-status");
    if (!status) return;
    // Emptied first, so that the same words said twice are announced twice.
    status.textContent = "";
    window.setTimeout(function () { status.textContent = text; }, 50);
  }

  function impactRegion() {
    return document.querySelector(".impact-region");
  }

  // The preview beside the open cell, so that the page never scrolls away from it.
  function placeImpact() {
    var region = impactRegion();
    var td = grid.querySelector("td.cell.editing");
    if (!region || !td) return;
    region.classList.add("beside-cell");
    var parent = region.offsetParent;
    // Positioned against the page itself unless an ancestor is positioned.
    var origin = parent && parent !== document.body
      ? parent.getBoundingClientRect()
      : { left: -window.scrollX, top: -window.scrollY };
    var box = td.getBoundingClientRect();
    var width = region.offsetWidth;
    var room = document.documentElement.clientWidth;
    var left = box.right + 8;
    var top = box.top;
    if (left + width > room - 8) {
      // No room on the right: below the cell, inside the viewport.
      left = Math.max(8, Math.min(box.left, room - width - 8));
      top = box.bottom + 4;
    }
    region.style.left = (left - origin.left) + "px";
    region.style.top = (top - origin.top) + "px";
  }

  function dockImpact() {
    var region = impactRegion();
    if (!region) return;
    region.classList.remove("beside-cell");
    region.style.left = "";
    region.style.top = "";
  }

  // A save makes the preview of an unsaved level stale: say what is stored instead.
  function clearPreview(text) {
    var impact = document.getElementById("impact");
    if (!impact || !impact.querySelector(".impact-change")) return;
    var note = document.createElement("p");
    note.className = "muted impact-saved";
    note.textContent = text + ". Open a cell and press “Preview impact” to preview another change.";
    impact.replaceChildren(note);
  }

  function onKey(event) {
    var link = event.target.closest ? event.target.closest(".cell-link") : null;
    if (link && grid.contains(link)) {
      var next = target(cellOf(link), event.key);
      if (event.key === " ") {
        event.preventDefault();
        link.click();
        return;
      }
      if (!next) {
        if (/^Arrow|^Home$|^End$/.test(event.key)) event.preventDefault();
        return;
      }
      event.preventDefault();
      var moved = makeCurrent(next);
      if (moved) moved.focus();
      return;
    }
    if (event.key === "Escape") {
      var editing = cellOf(event.target);
      var cancel = editing && editing.classList.contains("editing")
        ? editing.querySelector(".cell-cancel") : null;
      if (cancel) {
        event.preventDefault();
        cancel.click();
      }
    }
  }

  // Every cell htmx swaps in: an editor takes the focus in its input; a cell back from
  // Save or Cancel takes the focus and its message goes to the live region.
  function onLoad(event) {
    var td = event.target;
    if (!grid || !td.matches || !td.matches("td.cell")) return;
    if (td.classList.contains("editing")) {
      var input = td.querySelector("input[name='level']");
      if (input) {
        input.focus();
        input.select();
      }
      return;
    }
    var message = td.getAttribute("data-announce");
    td.removeAttribute("data-announce");
    var link = makeCurrent(td);
    if (!grid.querySelector("td.cell.editing")) dockImpact();
    if (message) {
      if (message.indexOf("Saved") === 0) clearPreview(message);
      announce(message);
    }
    if (link) link.focus();
  }

  function onSwap(event) {
    if (event.detail && event.detail.target && event.detail.target.id === "impact") {
      placeImpact();
    }
  }

  function start() {
    grid = document.querySelector(".expectation-grid");
    if (!grid) return;
    var keys = document.getElementById("grid-keys");
    if (keys) keys.hidden = false;
    var current = window.location.hash ? document.getElementById(window.location.hash.slice(1)) : null;
    makeCurrent(current && current.matches("td.cell") ? current : null);
    grid.addEventListener("keydown", onKey);
    grid.addEventListener("focusin", function (event) {
      var td = cellOf(event.target);
      if (td && event.target.classList.contains("cell-link")) makeCurrent(td);
    });
    document.body.addEventListener("htmx:load", onLoad);
    document.body.addEventListener("htmx:afterSwap", onSwap);
    window.addEventListener("resize", function () {
      if (impactRegion() && impactRegion().classList.contains("beside-cell")) placeImpact();
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
