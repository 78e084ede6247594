/*
 * The installable app: registers the service worker named in the layout's
 * <meta name="dcx-service-worker"> (its URL carries the app's version), and forgets the pages
 * kept for offline use once nobody is signed in, so the next person on this phone never sees
 * the last one's pages.
 */
(function () {
  "use strict";

  var meta = document.querySelector('meta[name="dcx-service-worker"]');
  if (!meta || !("serviceWorker" in navigator)) {
    return;
  }
  navigator.serviceWorker
    .register(meta.content, { scope: meta.getAttribute("data-scope") || "/" })
    .catch(function (error) {
      if (window.console) { window.console.warn("service worker not registered", error); }
    });

  // the offline page was stored before anyone signed in: it says nothing about who is
  var signedOut = !document.body.hasAttribute("data-signed-in") &&
    !document.getElementById("offline-page");
  if (signedOut && window.caches) {
    caches.keys().then(function (names) {
      names.forEach(function (name) {
        if (name.indexOf("dcx-pages-") === 0) { caches.delete(name); }
      });
    });
  }
})();
