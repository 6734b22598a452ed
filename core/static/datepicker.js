// Arkivrutiner: the calendar of the date field (macro "date" in templates/admin/_org_skjema.html).
// The field is a text input (dd.mm.åååå) that works without this file; the button next to it
// (hidden until app.js shows it) opens a dialog with a grid of days. Keyboard, as in the WAI-ARIA
// date picker dialog: arrows move a day or a week, Page Up/Page Down a month (with Shift a year),
// Home/End the start/end of the week (weeks start on Monday), Enter or Space (the day is a
// button) picks the day,
// Escape closes; focus then returns to the button. Words (month and weekday names, labels) come
// from the button's data attributes, so the dialog speaks the page's language (nynorsk too).
// No inline script or style: the layout is in app.css.
(function () {
  "use strict";

  var MIN = new Date(1900, 0, 1);
  var MAX = new Date(2100, 11, 31);
  var open = null; // {button, input, dialog, focus: Date, selected: Date|null}

  function words(button) {
    var d = button.dataset;
    return {
      title: d.tittel || "",
      months: (d.maaneder || "").split(","),
      days: (d.ukedager || "").split(","),
      short: (d.ukedagerKort || "").split(","),
      previous: d.forrige || "",
      next: d.neste || "",
      close: d.lukk || "",
      help: d.hjelp || "",
      today: d.iDag || "",
      selected: d.valgt || "",
    };
  }

  function pad(n, width) {
    var s = String(n);
    while (s.length < width) s = "0" + s;
    return s;
  }

  function show(date) {
    return pad(date.getDate(), 2) + "." + pad(date.getMonth() + 1, 2) + "." + pad(date.getFullYear(), 4);
  }

  function sameDay(a, b) {
    return !!a && !!b && a.getFullYear() === b.getFullYear() && a.getMonth() === b.getMonth() && a.getDate() === b.getDate();
  }

  function clamp(date) {
    if (date < MIN) return new Date(MIN.getTime());
    if (date > MAX) return new Date(MAX.getTime());
    return date;
  }

  // The date in the field as the server reads it (core/validation.py), or null.
  function parse(text) {
    var t = (text || "").trim();
    var m = /^([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})$/.exec(t);
    var y, mo, d;
    if (m) {
      d = +m[1]; mo = +m[2]; y = +m[3];
    } else {
      m = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(t);
      if (!m) return null;
      y = +m[1]; mo = +m[2]; d = +m[3];
    }
    var date = new Date(y, mo - 1, d);
    if (date.getFullYear() !== y || date.getMonth() !== mo - 1 || date.getDate() !== d) return null;
    if (date < MIN || date > MAX) return null;
    return date;
  }

  function addDays(date, n) {
    return clamp(new Date(date.getFullYear(), date.getMonth(), date.getDate() + n));
  }

  function addMonths(date, n) {
    var month = date.getMonth() + n;
    var last = new Date(date.getFullYear(), month + 1, 0).getDate();
    return clamp(new Date(date.getFullYear(), month, Math.min(date.getDate(), last)));
  }

  function weekday(date) {
    return (date.getDay() + 6) % 7; // Monday 0 … Sunday 6
  }

  function element(tag, className, text) {
    var el = document.createElement(tag);
    if (className) el.className = className;
    if (text) el.textContent = text;
    return el;
  }

  function build(state) {
    var w = words(state.button);
    var id = state.input.id + "-kalender";
    var dialog = element("div", "datepicker");
    dialog.id = id;
    dialog.setAttribute("role", "dialog");
    dialog.setAttribute("aria-modal", "true");
    dialog.setAttribute("aria-label", w.title);
    dialog.setAttribute("aria-describedby", id + "-hjelp");

    var head = element("div", "datepicker__head");
    var previous = element("button", "button button--secondary button--small datepicker__nav", "‹");
    previous.type = "button";
    previous.setAttribute("aria-label", w.previous);
    previous.dataset.kalender = "forrige";
    var title = element("p", "datepicker__title");
    title.id = id + "-maaned";
    title.setAttribute("aria-live", "polite");
    var next = element("button", "button button--secondary button--small datepicker__nav", "›");
    next.type = "button";
    next.setAttribute("aria-label", w.next);
    next.dataset.kalender = "neste";
    head.appendChild(previous);
    head.appendChild(title);
    head.appendChild(next);
    dialog.appendChild(head);

    var grid = element("table", "datepicker__grid");
    grid.setAttribute("role", "grid");
    grid.setAttribute("aria-labelledby", title.id);
    var headRow = element("tr");
    for (var i = 0; i < 7; i++) {
      var th = element("th", "", w.short[i] || "");
      th.scope = "col";
      th.abbr = w.days[i] || "";
      headRow.appendChild(th);
    }
    var thead = element("thead");
    thead.appendChild(headRow);
    grid.appendChild(thead);
    grid.appendChild(element("tbody"));
    dialog.appendChild(grid);

    var help = element("p", "datepicker__help", w.help);
    help.id = id + "-hjelp";
    dialog.appendChild(help);
    var close = element("button", "button button--secondary button--small", w.close);
    close.type = "button";
    close.dataset.kalender = "lukk";
    dialog.appendChild(close);
    state.words = w;
    return dialog;
  }

  function render(state) {
    var w = state.words;
    var focus = state.focus;
    var dialog = state.dialog;
    dialog.querySelector(".datepicker__title").textContent = (w.months[focus.getMonth()] || "") + " " + focus.getFullYear();
    var body = dialog.querySelector("tbody");
    while (body.firstChild) body.removeChild(body.firstChild);
    var first = new Date(focus.getFullYear(), focus.getMonth(), 1);
    var count = new Date(focus.getFullYear(), focus.getMonth() + 1, 0).getDate();
    var today = new Date();
    var row = element("tr");
    for (var blank = 0; blank < weekday(first); blank++) row.appendChild(element("td"));
    for (var day = 1; day <= count; day++) {
      var date = new Date(focus.getFullYear(), focus.getMonth(), day);
      if (weekday(date) === 0 && row.childNodes.length) {
        body.appendChild(row);
        row = element("tr");
      }
      var cell = element("td");
      var button = element("button", "datepicker__day", String(day));
      button.type = "button";
      button.dataset.dato = show(date);
      var label = (w.days[weekday(date)] || "") + " " + day + ". " + (w.months[date.getMonth()] || "") + " " + date.getFullYear();
      if (sameDay(date, today)) {
        button.setAttribute("aria-current", "date");
        label += ", " + w.today;
      }
      if (sameDay(date, state.selected)) {
        cell.setAttribute("aria-selected", "true");
        label += ", " + w.selected;
      }
      button.setAttribute("aria-label", label);
      var outside = date < MIN || date > MAX;
      if (outside) button.disabled = true;
      button.tabIndex = sameDay(date, focus) ? 0 : -1;
      cell.appendChild(button);
      row.appendChild(cell);
    }
    while (row.childNodes.length < 7) row.appendChild(element("td"));
    body.appendChild(row);
  }

  function focusDay(state) {
    var button = state.dialog.querySelector('.datepicker__day[tabindex="0"]');
    if (button) button.focus();
  }

  function moveTo(state, date) {
    var sameMonth = date.getFullYear() === state.focus.getFullYear() && date.getMonth() === state.focus.getMonth();
    state.focus = date;
    if (sameMonth) {
      var buttons = state.dialog.querySelectorAll(".datepicker__day");
      for (var i = 0; i < buttons.length; i++) {
        buttons[i].tabIndex = buttons[i].dataset.dato === show(date) ? 0 : -1;
      }
    } else {
      render(state);
    }
    focusDay(state);
  }

  function openFor(button) {
    var input = document.getElementById(button.getAttribute("data-datovelger"));
    if (!input) return;
    if (open) closeCalendar(false);
    var selected = parse(input.value);
    var state = { button: button, input: input, selected: selected, focus: selected || clamp(new Date()) };
    state.focus = new Date(state.focus.getFullYear(), state.focus.getMonth(), state.focus.getDate());
    state.dialog = build(state);
    var row = button.parentNode;
    row.parentNode.insertBefore(state.dialog, row.nextSibling);
    button.setAttribute("aria-expanded", "true");
    button.setAttribute("aria-controls", state.dialog.id);
    open = state;
    render(state);
    focusDay(state);
  }

  function closeCalendar(returnFocus) {
    var state = open;
    if (!state) return;
    open = null;
    if (state.dialog.parentNode) state.dialog.parentNode.removeChild(state.dialog);
    state.button.setAttribute("aria-expanded", "false");
    state.button.removeAttribute("aria-controls");
    if (returnFocus) state.button.focus();
  }

  function pick(state, date) {
    state.input.value = show(date);
    state.input.dispatchEvent(new Event("input", { bubbles: true }));
    state.input.dispatchEvent(new Event("change", { bubbles: true }));
    closeCalendar(true);
  }

  function focusables(dialog) {
    return Array.prototype.filter.call(
      dialog.querySelectorAll("button"),
      function (b) { return !b.disabled && (b.tabIndex >= 0); }
    );
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!target || !target.closest) return;
    var opener = target.closest("button[data-datovelger]");
    if (opener) {
      if (open && open.button === opener) closeCalendar(true);
      else openFor(opener);
      return;
    }
    if (!open || !open.dialog.contains(target)) return;
    var day = target.closest(".datepicker__day");
    var action = target.closest("[data-kalender]");
    if (day && !day.disabled) {
      pick(open, parse(day.dataset.dato));
    } else if (action) {
      var kind = action.dataset.kalender;
      if (kind === "lukk") closeCalendar(true);
      else {
        open.focus = addMonths(open.focus, kind === "forrige" ? -1 : 1);
        render(open);
      }
    }
  });

  // A press outside the open calendar closes it (focus stays where the user put it).
  document.addEventListener("mousedown", function (event) {
    if (!open) return;
    var target = event.target;
    if (open.dialog.contains(target) || open.button.contains(target)) return;
    closeCalendar(false);
  });

  document.addEventListener("keydown", function (event) {
    if (!open || !open.dialog.contains(event.target)) return;
    var state = open;
    var key = event.key;
    if (key === "Escape") {
      event.preventDefault();
      event.stopPropagation();
      closeCalendar(true);
      return;
    }
    if (key === "Tab") {
      // Focus stays in the modal dialog.
      var items = focusables(state.dialog);
      var index = items.indexOf(document.activeElement);
      var nextIndex = event.shiftKey ? index - 1 : index + 1;
      if (nextIndex < 0) nextIndex = items.length - 1;
      if (nextIndex >= items.length) nextIndex = 0;
      event.preventDefault();
      if (items[nextIndex]) items[nextIndex].focus();
      return;
    }
    var onDay = event.target.classList && event.target.classList.contains("datepicker__day");
    if (!onDay) return;
    var f = state.focus;
    var to = null;
    if (key === "ArrowLeft") to = addDays(f, -1);
    else if (key === "ArrowRight") to = addDays(f, 1);
    else if (key === "ArrowUp") to = addDays(f, -7);
    else if (key === "ArrowDown") to = addDays(f, 7);
    else if (key === "PageUp") to = addMonths(f, event.shiftKey ? -12 : -1);
    else if (key === "PageDown") to = addMonths(f, event.shiftKey ? 12 : 1);
    else if (key === "Home") to = addDays(f, -weekday(f));
    else if (key === "End") to = addDays(f, 6 - weekday(f));
    // Enter and Space press the day's button: its click picks the day.
    if (to) {
      event.preventDefault();
      moveTo(state, to);
    }
  });

  // A field swapped out by htmx takes its open calendar with it.
  document.addEventListener("htmx:afterSwap", function () {
    if (open && !document.body.contains(open.input)) open = null;
  });
})();
