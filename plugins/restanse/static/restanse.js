// Restanse: keep keyboard and screen-reader focus in place after htmx swaps a region, and show
// the controls that need JavaScript. Everything works without this file.
(function () {
  "use strict";
  var REGIONS = { egne: true, "enhet-innhold": true, "enhet-liste": true };

  function focusOn(element) {
    if (!element) return false;
    if (!element.hasAttribute("tabindex")) element.setAttribute("tabindex", "-1");
    element.focus();
    return true;
  }

  function showScripted(root) {
    var found = root && root.querySelectorAll ? root.querySelectorAll("[data-trenger-js][hidden]") : [];
    for (var i = 0; i < found.length; i++) found[i].hidden = false;
  }

  // Controls that need JavaScript (the "select all" checkbox, app.js) stay hidden without it.
  document.addEventListener("htmx:load", function (event) {
    showScripted((event.detail && event.detail.elt) || document);
  });
  document.addEventListener("DOMContentLoaded", function () { showScripted(document); });

  document.addEventListener("htmx:afterSettle", function (event) {
    var region = event.target;
    if (!region || !REGIONS[region.id]) return;
    var config = event.detail && event.detail.requestConfig;
    if (config && config.verb === "post") {
      // After an action: the error summary, else the message area (what happened), else the heading.
      var messages = document.getElementById("meldinger");
      if (focusOn(region.querySelector("#feiloppsummering"))) return;
      if (messages && messages.querySelector(".message") && focusOn(messages)) return;
    }
    focusOn(region.querySelector("h2"));
  });
})();
