// Fordeling: keep keyboard and screen-reader focus in place after htmx swaps the queue, and show
// the controls that need JavaScript. Everything works without this file.
(function () {
  "use strict";
  var REGIONS = { kurv: true, omfordeling: true };

  function focusOn(element) {
    if (!element) return false;
    if (!element.hasAttribute("tabindex")) element.setAttribute("tabindex", "-1");
    element.focus();
    return true;
  }

  // Controls that need JavaScript (the "select all" checkbox, app.js) stay hidden without it.
  document.addEventListener("htmx:load", function (event) {
    var root = (event.detail && event.detail.elt) || document;
    var found = root.querySelectorAll ? root.querySelectorAll("[data-trenger-js][hidden]") : [];
    for (var i = 0; i < found.length; i++) found[i].hidden = false;
  });

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
