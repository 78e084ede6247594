// Behaviour every page shares. It lives here, not in inline handlers: the Content-Security-Policy
// runs no inline event handler.
(function () {
  "use strict";
  // A table that scrolls sideways on a phone must be reachable by keyboard (WCAG 2.1.1).
  document.querySelectorAll(".dcx-table-wrap, .table-responsive").forEach(function (el) {
    if (!el.hasAttribute("tabindex")) { el.setAttribute("tabindex", "0"); }
  });
  // <form data-read-receipt>: sent in the background once the page is shown, with the form's
  // CSRF token; reading moves a read mark, the GET that showed the page writes nothing.
  document.querySelectorAll("form[data-read-receipt]").forEach(function (form) {
    fetch(form.action, {
      method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: {"Accept": "application/json"}
    }).catch(function () {});
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
