// Wide equations, code and tables scroll sideways; let keyboard users reach and scroll them.
(function () {
  "use strict";
  var SELECTOR = ".math-block, .math-inline, .prose pre, .prose table";
  function markScrollable() {
    document.querySelectorAll(SELECTOR).forEach(function (el) {
      var scrolls = el.scrollWidth > el.clientWidth + 1;
      if (scrolls && !el.hasAttribute("tabindex")) {
        el.setAttribute("tabindex", "0");
        el.setAttribute("role", "group");
        el.setAttribute("aria-label", el.matches("table") ? "Table, scrolls sideways" :
          el.matches("pre") ? "Code, scrolls sideways" : "Equation, scrolls sideways");
      } else if (!scrolls && el.getAttribute("role") === "group") {
        el.removeAttribute("tabindex");
        el.removeAttribute("role");
        el.removeAttribute("aria-label");
      }
    });
  }
  document.addEventListener("DOMContentLoaded", markScrollable);
  window.addEventListener("resize", markScrollable);
  // Content inside a closed <details> has no width until it opens.
  document.addEventListener("toggle", markScrollable, true);
})();
