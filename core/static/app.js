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

  // "Select all" checkboxes: <input type="checkbox" data-select-all="name">.
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box || !box.matches || !box.matches("input[data-select-all]")) return;
    var name = box.getAttribute("data-select-all");
    var form = box.form || document;
    form.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (item) {
      item.checked = box.checked;
    });
  });
})();
