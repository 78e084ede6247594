/*
 * Enable push on this device, from the notification preferences (#push-devices): ask the
 * browser's permission, subscribe with the server's public VAPID key, and register the
 * subscription as a device on the account. Push needs a secure page (HTTPS, or localhost).
 */
(function () {
  "use strict";

  var section = document.getElementById("push-devices");
  if (!section) { return; }
  var button = document.getElementById("push-enable");
  var status = document.getElementById("push-status");
  var supported = window.isSecureContext && "serviceWorker" in navigator &&
    "PushManager" in window && "Notification" in window;
  if (!supported) {
    document.getElementById("push-unsupported").hidden = false;
    return;
  }
  button.hidden = false;

  function serverKey() {
    var text = section.getAttribute("data-public-key").replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(text + "===".slice((text.length + 3) % 4));
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) { bytes[i] = raw.charCodeAt(i); }
    return bytes;
  }

  button.addEventListener("click", function () {
    button.disabled = true;
    Notification.requestPermission()
      .then(function (permission) {
        if (permission !== "granted") { throw new Error("denied"); }
        return navigator.serviceWorker.ready;
      })
      .then(function (registration) {
        return registration.pushManager.getSubscription().then(function (existing) {
          return existing || registration.pushManager.subscribe({
            userVisibleOnly: true, applicationServerKey: serverKey()
          });
        });
      })
      .then(function (subscription) {
        return fetch(section.getAttribute("data-subscribe-url"), {
          method: "POST",
          credentials: "same-origin",
          headers: {
            "Content-Type": "application/json",
            "X-CSRFToken": section.getAttribute("data-csrf")
          },
          body: JSON.stringify({
            subscription: subscription.toJSON(),
            name: document.getElementById("push-device-name").value
          })
        });
      })
      .then(function (response) {
        if (!response.ok) { throw new Error("refused"); }
        window.location.reload();
      })
      .catch(function (error) {
        button.disabled = false;
        status.textContent = section.getAttribute(
          error && error.message === "denied" ? "data-denied" : "data-failed");
      });
  });
})();
