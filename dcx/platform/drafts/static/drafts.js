/*
 * Resumable forms: every <form data-draft="KEY"> on the page is saved on the server as the
 * customer types, and restored on any device where the same customer opens it.
 *
 * - Only for a signed-in visitor (the layout marks <body data-signed-in>): nobody else has drafts.
 * - On load: GET /drafts/KEY (204 when there is none); if a draft exists, every named field is filled in again
 *   (text, select, textarea, checkbox, radio, hidden inputs such as "step"), then the form
 *   receives a "dcx:draft-restored" CustomEvent (detail: {data, updated_at, device}).
 * - On input/change: POST /drafts/KEY, debounced, and "Draft saved 12:04 on laptop" is shown
 *   in the form's [data-draft-status] element (created, aria-live="polite", if missing).
 * - Never sent: passwords, files, the CSRF token, or fields whose name says they are secret.
 * - On submit: nothing is sent; the view that accepts the form discards the draft.
 *
 * The CSRF token travels in the X-CSRFToken header, read from the form's own hidden
 * csrf_token input (every Flask-WTF form has one).
 */
(function () {
  "use strict";

  var DEBOUNCE_MS = 600;
  var SKIPPED_TYPES = ["password", "file", "submit", "button", "reset", "image"];
  var SECRET_WORDS = ["password", "passcode", "csrf", "pin", "cvv", "cvc", "otp", "secret"];
  var FALLBACK_MESSAGES = {
    saved: "Draft saved {time} on {device}",
    restored: "Restored the draft saved {time} on {device}"
  };

  // The script is served under a name holding a hash of its content (drafts.0123456789ab.js):
  // the routes of drafts live two levels up from it.
  var script = document.currentScript;
  var base = script && script.src
    ? script.src.replace(/static\/drafts(\.[0-9a-f]{12})?\.js(\?.*)?$/, "")
    : "/drafts/";

  function isSecret(name) {
    var words = name.replace(/([a-z0-9])([A-Z])/g, "$1 $2").toLowerCase().match(/[a-z0-9]+/g) || [];
    return words.some(function (word) {
      return SECRET_WORDS.indexOf(word) !== -1 || word.indexOf("password") === 0;
    });
  }

  function draftFields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      if (!el.name || el.name === "csrf_token" || isSecret(el.name)) {
        return false;
      }
      if (el.tagName === "BUTTON" || el.tagName === "FIELDSET" || el.tagName === "OBJECT") {
        return false;
      }
      return SKIPPED_TYPES.indexOf((el.type || "").toLowerCase()) === -1;
    });
  }

  function collect(form) {
    var data = {};
    draftFields(form).forEach(function (el) {
      var name = el.name;
      var type = (el.type || "").toLowerCase();
      if (type === "checkbox") {
        if (!Array.isArray(data[name])) {
          data[name] = [];
        }
        if (el.checked) {
          data[name].push(el.value);
        }
      } else if (type === "radio") {
        if (!(name in data)) {
          data[name] = "";
        }
        if (el.checked) {
          data[name] = el.value;
        }
      } else if (type === "select-multiple") {
        data[name] = Array.prototype.filter.call(el.options, function (option) {
          return option.selected;
        }).map(function (option) { return option.value; });
      } else if (name in data) {
        // Several fields share a name (a list of lines): keep them in order.
        data[name] = [].concat(data[name], el.value);
      } else {
        data[name] = el.value;
      }
    });
    return data;
  }

  function restore(form, data) {
    var seen = {};
    draftFields(form).forEach(function (el) {
      var name = el.name;
      if (!Object.prototype.hasOwnProperty.call(data, name)) {
        return;
      }
      var value = data[name];
      var values = Array.isArray(value) ? value : [value];
      var type = (el.type || "").toLowerCase();
      if (type === "checkbox") {
        el.checked = values.indexOf(el.value) !== -1;
      } else if (type === "radio") {
        el.checked = el.value === value;
      } else if (type === "select-multiple") {
        Array.prototype.forEach.call(el.options, function (option) {
          option.selected = values.indexOf(option.value) !== -1;
        });
      } else if (Array.isArray(value)) {
        var index = seen[name] || 0;
        seen[name] = index + 1;
        el.value = index < value.length ? value[index] : "";
      } else {
        el.value = value;
      }
    });
  }

  function formatTime(iso) {
    var when = new Date(iso);
    if (isNaN(when.getTime())) {
      return "";
    }
    var locale = document.documentElement.lang || undefined;
    var sameDay = when.toDateString() === new Date().toDateString();
    var options = sameDay
      ? { hour: "numeric", minute: "2-digit" }
      : { dateStyle: "medium", timeStyle: "short" };
    if (document.documentElement.dataset.timezone) {
      options.timeZone = document.documentElement.dataset.timezone;  // the viewer's own zone
    }
    try {
      return new Intl.DateTimeFormat(locale, options).format(when);
    } catch (err) {
      return when.toLocaleString();
    }
  }

  function statusElement(form) {
    var status = form.querySelector("[data-draft-status]");
    if (!status) {
      status = document.createElement("p");
      status.setAttribute("data-draft-status", "");
      status.className = "form-text small text-body-secondary mt-2 mb-0";
      form.appendChild(status);
    }
    if (!status.hasAttribute("aria-live")) {
      status.setAttribute("aria-live", "polite");
    }
    return status;
  }

  function showStatus(form, draft, kind) {
    var messages = draft.messages || FALLBACK_MESSAGES;
    var template = messages[kind] || FALLBACK_MESSAGES[kind];
    var status = statusElement(form);
    status.textContent = template
      .replace("{time}", formatTime(draft.updated_at))
      .replace("{device}", draft.device_label || draft.device);
    status.setAttribute("data-draft-device", draft.device || "");
  }

  function Resumable(form) {
    this.form = form;
    this.key = form.getAttribute("data-draft");
    this.url = base + encodeURIComponent(this.key);
    this.timer = null;
    this.dirty = false;
    this.inFlight = false;
    this.again = false;
    this.submitted = false;
    this.stopped = false;
    this.listen();
    this.load();
  }

  Resumable.prototype.headers = function (withBody) {
    var headers = { Accept: "application/json" };
    var token = this.form.querySelector('input[name="csrf_token"]');
    if (token && token.value) {
      headers["X-CSRFToken"] = token.value;
    }
    if (withBody) {
      headers["Content-Type"] = "application/json";
    }
    return headers;
  };

  Resumable.prototype.listen = function () {
    var self = this;
    var onEdit = function () {
      if (self.stopped || self.submitted) {
        return;
      }
      self.dirty = true;
      window.clearTimeout(self.timer);
      self.timer = window.setTimeout(function () { self.save(false); }, DEBOUNCE_MS);
    };
    this.form.addEventListener("input", onEdit);
    this.form.addEventListener("change", onEdit);
    this.form.addEventListener("submit", function (event) {
      // A submitted form's draft is discarded by the server; a save sent now could
      // bring it back, so stop saving (unless another script cancelled the submit).
      self.submitted = true;
      window.clearTimeout(self.timer);
      window.setTimeout(function () {
        if (event.defaultPrevented) {
          self.submitted = false;
        }
      }, 0);
    });
    window.addEventListener("pagehide", function () {
      if (self.dirty && !self.submitted && !self.stopped) {
        self.save(true);
      }
    });
  };

  Resumable.prototype.load = function () {
    var self = this;
    // A form re-displayed with errors after a submit already holds the newest values.
    if (this.form.querySelector(".is-invalid, [aria-invalid='true']")) {
      this.dirty = true;
      this.save(false);
      return;
    }
    fetch(this.url, { headers: this.headers(false), credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 401) {
          self.stopped = true;
        }
        return response.ok && response.status !== 204 ? response.json() : null;
      })
      .then(function (draft) {
        // If the customer started typing before the draft arrived, what they typed wins.
        if (!draft || self.dirty) {
          return;
        }
        restore(self.form, draft.data || {});
        showStatus(self.form, draft, "restored");
        self.form.dispatchEvent(new CustomEvent("dcx:draft-restored", {
          bubbles: true,
          detail: { data: draft.data, updated_at: draft.updated_at, device: draft.device }
        }));
      })
      .catch(function () { /* offline: the form still works, it just is not resumable */ });
  };

  Resumable.prototype.save = function (keepalive) {
    var self = this;
    this.timer = null;
    if (this.submitted || this.stopped) {
      return;
    }
    if (this.inFlight && !keepalive) {
      this.again = true;  // saves go one at a time, so the newest always lands last
      return;
    }
    this.dirty = false;
    this.inFlight = true;
    fetch(this.url, {
      method: "POST",
      headers: this.headers(true),
      credentials: "same-origin",
      keepalive: keepalive,
      body: JSON.stringify({ data: collect(this.form), url: location.pathname + location.search })
    })
      .then(function (response) {
        if (response.status === 401) {
          self.stopped = true;
        }
        return response.ok ? response.json() : null;
      })
      .then(function (draft) {
        if (draft && !self.submitted) {
          showStatus(self.form, draft, "saved");
        }
      })
      .catch(function () { self.dirty = true; })
      .then(function () {
        self.inFlight = false;
        if (self.again) {
          self.again = false;
          self.save(false);
        }
      });
  };

  function start() {
    if (!document.body || !document.body.hasAttribute("data-signed-in")) {
      return;  // a signed-out visitor has no drafts: asking would only answer 401
    }
    Array.prototype.forEach.call(document.querySelectorAll("form[data-draft]"), function (form) {
      if (!form.dcxDraft) {
        form.dcxDraft = new Resumable(form);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
