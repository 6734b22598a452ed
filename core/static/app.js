// Arkivrutiner: small progressive enhancements. Everything works without this file.
(function () {
  "use strict";
  // After an htmx error lands in the message area, move focus there so screen readers hear it.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail && event.detail.target;
    if (target && target.id === "meldinger" && target.querySelector("[role=alert]")) {
      target.setAttribute("tabindex", "-1");
      target.focus();
    }
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
