// Behaviour every page shares. It lives here, not in inline handlers: the Content-Security-Policy
// runs no inline event handler.
(function () {
  "use strict";
  // A table that scrolls sideways on a phone must be reachable by keyboard (WCAG 2.1.1).
  document.querySelectorAll(".dcx-table-wrap, .table-responsive").forEach(function (el) {
    if (!el.hasAttribute("tabindex")) { el.setAttribute("tabindex", "0"); }
  });
  // <form data-confirm="Question?">: ask before it is sent.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form instanceof HTMLFormElement && form.dataset.confirm !== undefined &&
        !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });
  // <button data-print>: print the page.
  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target.closest("[data-print]") : null;
    if (target) { window.print(); }
  });
})();
