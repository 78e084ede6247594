/*
 * The app's service worker: the page chrome and static files come from the device, pages from
 * the network (a copy is kept for when the network is gone), and a page that is neither
 * reachable nor kept shows the offline page. Push messages become notifications.
 *
 * Its caches are named after the app's version (the ?v= of this script's URL, a hash of the
 * release and of its static files): a new release installs a new worker, which stores the
 * new shell and deletes the old caches when it takes over.
 */
"use strict";

var VERSION = new URL(self.location.href).searchParams.get("v") || "dev";
var PREFIX = "dcx-";
var SHELL = PREFIX + "shell-" + VERSION;
var PAGES = PREFIX + "pages-" + VERSION;
var SHELL_LIST = new URL("shell.json", self.location.href).pathname;
var OFFLINE_PAGE = new URL("offline", self.location.href).pathname;

self.addEventListener("install", function (event) {
  event.waitUntil(
    fetch(SHELL_LIST, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.json(); })
      .then(function (shell) {
        return caches.open(SHELL).then(function (cache) {
          return cache.addAll(shell.urls);
        });
      })
      .then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys()
      .then(function (names) {
        return Promise.all(names.filter(function (name) {
          return name.indexOf(PREFIX) === 0 && name !== SHELL && name !== PAGES;
        }).map(function (name) { return caches.delete(name); }));
      })
      .then(function () { return self.clients.claim(); })
  );
});

function isStatic(url) {
  return url.pathname.indexOf("/static/") !== -1 ||
    url.pathname.indexOf("/pwa/icons/") === 0 ||
    url.pathname.indexOf("/favicon.") === 0;
}

function keepsCopy(response) {
  var control = response.headers.get("Cache-Control") || "";
  return response.ok && response.type === "basic" && control.indexOf("no-store") === -1;
}

function page(request) {
  return fetch(request)
    .then(function (response) {
      if (keepsCopy(response)) {
        var copy = response.clone();
        caches.open(PAGES).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    })
    .catch(function () {
      // pages vary by cookie (the signed-in customer); this device keeps only its own
      return caches.match(request, { ignoreVary: true }).then(function (kept) {
        return kept || caches.match(OFFLINE_PAGE, { ignoreVary: true });
      });
    });
}

function staticFile(request) {
  return caches.match(request, { ignoreVary: true }).then(function (kept) {
    return kept || fetch(request).then(function (response) {
      if (keepsCopy(response)) {
        var copy = response.clone();
        caches.open(SHELL).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) {
    return;
  }
  if (request.mode === "navigate") {
    event.respondWith(page(request));
  } else if (isStatic(url)) {
    event.respondWith(staticFile(request));
  }
});

self.addEventListener("push", function (event) {
  var message = {};
  try {
    message = event.data ? event.data.json() : {};
  } catch (error) {
    message = { title: event.data ? event.data.text() : "" };
  }
  event.waitUntil(self.registration.showNotification(message.title || "", {
    body: message.body || "",
    icon: message.icon || undefined,
    tag: message.tag || undefined,
    data: { url: message.url || "/" }
  }));
});

self.addEventListener("notificationclick", function (event) {
  event.notification.close();
  var target = new URL((event.notification.data && event.notification.data.url) || "/",
    self.location.origin);
  if (target.origin !== self.location.origin) {
    target = new URL("/", self.location.origin);
  }
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then(function (windows) {
      for (var i = 0; i < windows.length; i++) {
        if ("navigate" in windows[i]) {
          return windows[i].navigate(target.href).then(function (client) {
            return client && client.focus();
          });
        }
      }
      return self.clients.openWindow(target.href);
    })
  );
});
