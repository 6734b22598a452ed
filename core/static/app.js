// Arkivrutiner: small progressive enhancements. Everything works without this file.
(function () {
  "use strict";

  function focusOn(element) {
    if (!element) return false;
    if (!element.hasAttribute("tabindex")) element.setAttribute("tabindex", "-1");
    element.focus();
    return true;
  }

  // Controls that need JavaScript (for example "select all") carry data-trenger-js and start
  // hidden; show them once the script runs, and in every fragment htmx brings in.
  function showScripted(root) {
    var found = root && root.querySelectorAll ? root.querySelectorAll("[data-trenger-js][hidden]") : [];
    for (var i = 0; i < found.length; i++) found[i].hidden = false;
  }
  // A page that comes back with errors (a form posted without htmx, 422) starts at its error
  // summary, so keyboard and screen-reader users hear what to fix first.
  document.addEventListener("DOMContentLoaded", function () {
    showScripted(document);
    var summary = document.getElementById("feiloppsummering");
    if (summary && summary.querySelector("a, p")) focusOn(summary);
  });
  document.addEventListener("htmx:load", function (event) {
    showScripted((event.detail && event.detail.elt) || document);
  });

  // After an htmx error lands in the message area, move focus there so screen readers hear it.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (target && target.id === "meldinger" && target.querySelector("[role=alert]")) {
      focusOn(target);
    }
  });

  // A region htmx swapped (marked data-focus-region) keeps keyboard and screen-reader focus in
  // place: after an action or a submitted form (also a GET form such as a report's criteria)
  // the error summary, else the message area (what happened), else the region's heading.
  document.addEventListener("htmx:afterSettle", function (event) {
    var region = event.target;
    if (!region || !region.hasAttribute || !region.hasAttribute("data-focus-region")) return;
    var config = event.detail && event.detail.requestConfig;
    var fromForm = config && config.elt && config.elt.tagName === "FORM";
    if (config && (config.verb === "post" || fromForm)) {
      var messages = document.getElementById("meldinger");
      if (focusOn(region.querySelector("#feiloppsummering"))) return;
      if (messages && messages.querySelector(".message") && focusOn(messages)) return;
    }
    focusOn(region.querySelector("h2"));
  });

  // The header's menu button (narrow screens): folds the menus and the user box behind it.
  // Without this script the button stays hidden and everything shows.
  function setUpMenu() {
    var button = document.querySelector("[data-menu-button]");
    var header = button && button.closest(".site-header");
    if (!header || button.hasAttribute("data-menu-ready")) return;
    button.setAttribute("data-menu-ready", "");
    function fold(folded) {
      header.classList.toggle("site-header--folded", folded);
      button.setAttribute("aria-expanded", folded ? "false" : "true");
    }
    fold(true);
    button.addEventListener("click", function () {
      fold(!header.classList.contains("site-header--folded"));
    });
    header.addEventListener("keydown", function (event) {
      if (event.key !== "Escape" || header.classList.contains("site-header--folded")) return;
      if (button.offsetParent === null) return; // wide screen: no button, nothing folds
      fold(true);
      button.focus();
    });
  }

  // Lists that turn into cards on narrow screens (table.table-stack, see app.css) keep their
  // table semantics through explicit roles: some browsers drop them for display: block.
  function addTableRoles(root) {
    var tables = root && root.querySelectorAll ? root.querySelectorAll("table.table-stack:not([role])") : [];
    for (var i = 0; i < tables.length; i++) {
      var table = tables[i];
      table.setAttribute("role", "table");
      table.querySelectorAll(":scope > thead, :scope > tbody, :scope > tfoot").forEach(function (group) {
        group.setAttribute("role", "rowgroup");
        group.querySelectorAll(":scope > tr").forEach(function (row) {
          row.setAttribute("role", "row");
          row.querySelectorAll(":scope > td, :scope > th").forEach(function (cell) {
            var role = cell.tagName === "TD" ? "cell" : cell.getAttribute("scope") === "row" ? "rowheader" : "columnheader";
            cell.setAttribute("role", role);
          });
        });
      });
    }
  }

  // Bulk action bars: <div class="bulk-bar" data-bulk-bar="name"> in a form with checkboxes of
  // that name. While some are ticked the bar is active (sticky, app.css) and its
  // [data-bulk-count] (aria-live) says how many, from data-en / data-flere ("#" is the number).
  function updateBulkBars(root) {
    var bars = (root || document).querySelectorAll ? (root || document).querySelectorAll("[data-bulk-bar]") : [];
    for (var i = 0; i < bars.length; i++) {
      var bar = bars[i];
      var form = bar.closest("form") || document;
      var name = bar.getAttribute("data-bulk-bar");
      var ticked = form.querySelectorAll('input[type=checkbox][name="' + name + '"]:checked').length;
      var count = bar.querySelector("[data-bulk-count]");
      if (count) {
        var text = ticked ? count.getAttribute(ticked === 1 ? "data-en" : "data-flere") || "" : "";
        text = text.replace("#", String(ticked));
        if (count.textContent !== text) count.textContent = text;
      }
      bar.classList.toggle("bulk-bar--active", ticked > 0);
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpMenu();
    addTableRoles(document);
    updateBulkBars(document);
  });
  document.addEventListener("htmx:load", function () {
    addTableRoles(document);
    updateBulkBars(document);
  });

  // Lists with a bulk action bar: ArrowDown / ArrowUp on a row's checkbox move to the next /
  // previous row's checkbox of the same name (Space ticks it, as always); Enter moves to the
  // bar's first button or link (Avskriv valgte, Velg saksbehandler og fordel), however far
  // down the list the bar is. Enter on a checkbox does nothing else in a browser.
  document.addEventListener("keydown", function (event) {
    var box = event.target;
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp" && event.key !== "Enter") return;
    if (event.ctrlKey || event.metaKey || event.altKey || event.shiftKey) return;
    if (!box || !box.matches || !box.matches("tbody input[type=checkbox][name]")) return;
    var form = box.form;
    var bar = form && form.querySelector('[data-bulk-bar="' + box.name + '"]');
    if (!bar) return;
    if (event.key === "Enter") {
      var action = bar.querySelector("button, a[href]");
      if (action) {
        event.preventDefault();
        action.focus();
      }
      return;
    }
    var boxes = Array.prototype.slice.call(
      form.querySelectorAll('tbody input[type=checkbox][name="' + box.name + '"]')
    );
    var next = boxes[boxes.indexOf(box) + (event.key === "ArrowDown" ? 1 : -1)];
    if (next) {
      event.preventDefault();
      next.focus();
    }
  });

  // The keys dialog (#hurtigtaster in base.html): «?» while the focus is in a list (and not in a
  // text field), or the footer button. A one-character shortcut active only where a list has
  // the focus meets WCAG 2.1.4 (see core/web/accessibility/statement.py).
  function keysDialog() {
    return document.getElementById("hurtigtaster");
  }
  function openKeys() {
    var dialog = keysDialog();
    if (dialog && !dialog.open && dialog.showModal) dialog.showModal();
  }
  document.addEventListener("keydown", function (event) {
    if (event.key !== "?" || event.ctrlKey || event.metaKey || event.altKey) return;
    var target = event.target;
    var typing =
      "input:not([type=checkbox]):not([type=radio]):not([type=button]):not([type=submit]), " +
      "textarea, select, [contenteditable], dialog";
    if (!target || !target.closest || target.closest(typing) || !target.closest("table")) return;
    event.preventDefault();
    openKeys();
  });
  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!target || !target.closest) return;
    if (target.closest("[data-keys-open]")) openKeys();
    if (target.closest("[data-keys-close]")) {
      var dialog = keysDialog();
      if (dialog && dialog.open) dialog.close();
    }
  });

  // A form htmx opened inline as a panel (data-panel, e.g. «Registrer foreløpig svar» above
  // Egne restanser): its «Avbryt» link (data-lukk-panel="<id>") empties the panel in place and
  // gives the focus back to the control that opened it. Without this script the link goes back
  // to the list.
  document.addEventListener("click", function (event) {
    var target = event.target;
    var close = target && target.closest ? target.closest("[data-lukk-panel]") : null;
    var panel = close && close.closest("[data-panel]");
    if (!panel || !panel.parentNode) return;
    event.preventDefault();
    var empty = document.createElement("div");
    empty.id = panel.id;
    panel.parentNode.replaceChild(empty, panel);
    var opener = document.getElementById(close.getAttribute("data-lukk-panel"));
    if (opener) opener.focus(); // a link or button: focusable as it is (no tabindex added)
  });

  // "Select all" checkboxes: <input type="checkbox" data-select-all="name">.
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box || !box.matches) return;
    if (box.matches("input[data-select-all]")) {
      var name = box.getAttribute("data-select-all");
      var form = box.form || document;
      form.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (item) {
        item.checked = box.checked;
      });
    }
    if (box.matches("input[type=checkbox]")) updateBulkBars(document);
  });
})();
