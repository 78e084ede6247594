/*
 * Nothing typed is lost offline. A <form data-offline-queue="NAME"> submitted while the phone
 * is offline is stored on the phone (IndexedDB, files and photos included) and sent when the
 * connection returns; meanwhile the page says "saved on this phone, will send when online".
 *
 * Every submission of such a form carries an idempotency key (a random hidden
 * "idempotency_key", and the Idempotency-Key header when the queue sends it): the server
 * stores each action once, however often the queue replays it. A queued form is sent with a
 * fresh CSRF token, since its own may have expired while the phone was offline.
 *
 * window.dcxOfflineQueue = { all(), send(item), flush() } for the curious and for tests.
 * The texts shown are the page's own, in its language (#dcx-offline-status data-*).
 */
(function () {
  "use strict";

  var DB_NAME = "dcx-offline";
  var STORE = "queue";
  var FIELD = "idempotency_key";
  var status = document.getElementById("dcx-offline-status");
  var flushing = null;

  function text(name, count) {
    var value = (status && status.getAttribute("data-" + name)) || "";
    return value.replace("{count}", String(count));
  }

  function openDb() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = function () {
        request.result.createObjectStore(STORE, { keyPath: "key" });
      };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }

  function withStore(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var result = work(tx.objectStore(STORE));
        tx.oncomplete = function () { db.close(); resolve(result && result.result); };
        tx.onerror = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function all() {
    return withStore("readonly", function (store) { return store.getAll(); })
      .then(function (items) {
        return (items || []).sort(function (a, b) { return a.saved_at < b.saved_at ? -1 : 1; });
      });
  }

  function put(item) { return withStore("readwrite", function (store) { store.put(item); }); }
  function remove(key) { return withStore("readwrite", function (store) { store.delete(key); }); }

  function newKey() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function show(message, kind) {
    if (!status) { return; }
    status.textContent = message;
    status.className = "dcx-offline-status alert shadow-sm mb-0 position-fixed bottom-0 start-0 end-0 m-2 z-3 alert-" + kind;
    status.hidden = !message;
  }

  function showWaiting() {
    return all().then(function (items) {
      if (items.length) {
        show(text("waiting") + " " + text("waiting-count", items.length), "warning");
      }
      return items;
    });
  }

  function keyField(form) {
    var field = form.querySelector('input[name="' + FIELD + '"]');
    if (!field) {
      field = document.createElement("input");
      field.type = "hidden";
      field.name = FIELD;
      form.appendChild(field);
    }
    if (!field.value) { field.value = newKey(); }
    return field;
  }

  function entriesOf(form, submitter) {
    var data = new FormData(form);
    if (submitter && submitter.name) { data.append(submitter.name, submitter.value); }
    var entries = [];
    data.forEach(function (value, name) { entries.push([name, value]); });
    return entries;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || !form.matches || !form.matches("form[data-offline-queue]")) { return; }
    var field = keyField(form);
    if (navigator.onLine) { return; }
    event.preventDefault();
    var item = {
      key: field.value,
      action: form.action,
      kind: form.getAttribute("data-offline-queue"),
      entries: entriesOf(form, event.submitter),
      saved_at: new Date().toISOString()
    };
    put(item).then(function () {
      field.value = "";
      form.reset();
      form.setAttribute("data-offline-queued", item.key);
      form.dispatchEvent(new CustomEvent("dcx:queued", { bubbles: true, detail: item }));
      return showWaiting();
    });
  });

  function freshToken() {
    var url = status && status.getAttribute("data-csrf-url");
    if (!url) { return Promise.resolve(""); }
    return fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.json() : {}; })
      .then(function (body) { return body.csrf_token || ""; });
  }

  /* Send one queued action: "sent", "rejected" (the server refused it) or "retry". */
  function send(item) {
    return freshToken().then(function (token) {
      var body = new FormData();
      item.entries.forEach(function (entry) {
        if (entry[0] !== "csrf_token") { body.append(entry[0], entry[1]); }
      });
      if (token) { body.append("csrf_token", token); }
      return fetch(item.action, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        redirect: "manual",
        headers: { "Idempotency-Key": item.key }
      });
    }).then(function (response) {
      if (response.type === "opaqueredirect" || response.ok) { return "sent"; }
      return response.status >= 400 && response.status < 500 ? "rejected" : "retry";
    }, function () { return "retry"; });
  }

  function flush() {
    if (flushing) { return flushing; }
    if (!navigator.onLine) { return showWaiting(); }
    var rejected = 0;
    flushing = all().then(function (items) {
      if (!items.length) { return items; }
      show(text("sending"), "info");
      return items.reduce(function (chain, item) {
        return chain.then(function (stop) {
          if (stop) { return stop; }
          return send(item).then(function (outcome) {
            if (outcome === "retry") { return true; }
            if (outcome === "rejected") { rejected += 1; }
            return remove(item.key).then(function () { return false; });
          });
        });
      }, Promise.resolve(false)).then(function () { return all(); }).then(function (left) {
        if (rejected) {
          show(text("failed"), "danger");
        } else if (left.length) {
          showWaiting();
        } else {
          show(text("sent"), "success");
          document.documentElement.setAttribute("data-offline-queue-sent", String(items.length));
        }
        return left;
      });
    }).finally(function () { flushing = null; });
    return flushing;
  }

  window.dcxOfflineQueue = { all: all, send: send, flush: flush };
  window.addEventListener("online", flush);
  window.addEventListener("offline", showWaiting);
  if (window.indexedDB) { flush(); }
})();
