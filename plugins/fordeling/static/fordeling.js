// Fordeling: the document panel beside the queue (#dokumentpanel in index.html).
// A row's «Vis dokument» link loads the post's main document into the panel with htmx
// (without JavaScript the link opens the same content as a page). The panel is a non-modal
// region: opening it moves the focus to its heading; «Lukk» or Escape (while the focus is in
// the panel) closes it and puts the focus back on the link that opened it. The queue region
// (#kurv) is never touched, so its page and ticked posts stay as they were.
(function () {
  "use strict";

  var opener = null;

  // The row whose document is open: its link says so (aria-current), and fordeling.css marks
  // the row.
  function markOpener(link) {
    document.querySelectorAll("[data-dokumentpanel-apne][aria-current]").forEach(function (other) {
      other.removeAttribute("aria-current");
    });
    if (link) link.setAttribute("aria-current", "true");
  }

  function panel() {
    return document.getElementById("dokumentpanel");
  }

  function area(element) {
    return element && element.closest ? element.closest("[data-dokumentflate]") : null;
  }

  function focusHeading(element) {
    var heading = element.querySelector("#dokumentpanel-tittel");
    if (!heading) return;
    if (!heading.hasAttribute("tabindex")) heading.setAttribute("tabindex", "-1");
    heading.focus();
  }

  function close() {
    var element = panel();
    if (!element || element.hidden) return;
    element.hidden = true;
    element.replaceChildren();
    var flate = area(element);
    if (flate) flate.classList.remove("fordeling-flate--panel");
    markOpener(null);
    // The link that opened it, unless the queue was replaced meanwhile: then the queue's heading.
    var back = opener && document.body.contains(opener) ? opener : document.querySelector("#kurv h2");
    opener = null;
    if (back) {
      if (back.tagName === "H2" && !back.hasAttribute("tabindex")) back.setAttribute("tabindex", "-1");
      back.focus();
    }
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail && event.detail.elt;
    if (elt && elt.hasAttribute && elt.hasAttribute("data-dokumentpanel-apne")) opener = elt;
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail && event.detail.target;
    if (!target || target.id !== "dokumentpanel") return;
    target.hidden = false;
    var flate = area(target);
    if (flate) flate.classList.add("fordeling-flate--panel");
    markOpener(opener);
    focusHeading(target);
  });

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (target && target.closest && target.closest("[data-dokumentpanel-lukk]")) close();
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var element = panel();
    if (!element || element.hidden || !element.contains(document.activeElement)) return;
    event.preventDefault();
    close();
  });
})();
