/* Progressive enhancement for the privacy pages: everything works without it.
 *
 * - Forms marked data-datarights-autosave save on each toggle with fetch and announce the
 *   result in their role="status" element. Their submit button saves with fetch too, and
 *   without JavaScript it posts the form as usual. When the response carries "history_html",
 *   those rows replace the body of the table marked data-datarights-history.
 * - Elements marked data-datarights-poll poll the JSON URL in data-status-url and show the
 *   "label" it returns; when the response has "done": true the page reloads to show the result.
 * - Export rows with a non-empty data-export-status-url poll the export status view, which
 *   returns "status", "status_display" and "progress". The row's <progress> follows the
 *   progress, and the page reloads once the status is no longer "queued" or "running".
 * Polling stops after a bounded number of attempts.
 */
(function () {
  "use strict";

  var POLL_INTERVAL_MS = 3000;
  var POLL_MAX_ATTEMPTS = 200;

  function statusElement(form) {
    return form.querySelector("[data-datarights-status]");
  }

  function announce(element, text) {
    if (!element) {
      return;
    }
    // Clear first so that the same message twice in a row is announced again.
    element.textContent = "";
    window.setTimeout(function () {
      element.textContent = text;
    }, 50);
  }

  // Resolves to {ok, message} once the response is announced, and never rejects.
  function saveForm(form) {
    var status = statusElement(form);
    var savingText = form.getAttribute("data-saving-text") || "…";
    var errorText = form.getAttribute("data-error-text") ||
      "Not saved. Please use the save button.";
    if (status) {
      status.textContent = savingText;
    }
    return window.fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-Requested-With": "fetch" }
    }).then(function (response) {
      return response.json().then(function (data) {
        var message = (data && data.message) || (response.ok ? "" : errorText);
        var history = document.querySelector("[data-datarights-history]");
        // Server-rendered, escaped rows of the consent history, newest first.
        if (response.ok && history && data && typeof data.history_html === "string") {
          history.innerHTML = data.history_html;
        }
        announce(status, message);
        return { ok: response.ok, message: message };
      });
    }).catch(function () {
      announce(status, errorText);
      return { ok: false, message: errorText };
    });
  }

  // Saves of one form run one after another, never in parallel. The submit button saves through
  // the same queue and sends nothing when the toggles already saved every change, so a toggle
  // followed by a click on the button is one save, not two.
  function enhanceAutosave(form) {
    var queue = Promise.resolve();
    var unsaved = false;
    var failed = false;
    var lastMessage = "";

    function queueSave() {
      queue = queue.then(function () {
        if (!unsaved) {
          announce(statusElement(form), lastMessage);
          return null;
        }
        unsaved = false;
        return saveForm(form).then(function (result) {
          failed = !result.ok;
          if (result.ok) {
            lastMessage = result.message;
          } else {
            unsaved = true;
          }
        });
      });
      return queue;
    }

    // Typing marks the form unsaved at once, because Enter submits before "change" fires.
    form.addEventListener("input", function () {
      unsaved = true;
    });

    form.addEventListener("change", function (event) {
      var target = event.target;
      unsaved = true;
      if (target && (target.type === "checkbox" || target.type === "radio")) {
        queueSave();
      }
    });

    form.addEventListener("submit", function (event) {
      // After a failed save the button posts the form the usual way, as the error message suggests.
      if (failed) {
        return;
      }
      event.preventDefault();
      unsaved = unsaved || !lastMessage;
      queueSave();
    });
  }

  function enhancePoll(element) {
    var url = element.getAttribute("data-status-url");
    var label = element.querySelector("[data-datarights-poll-label]") || element;
    var attempts = 0;
    if (!url) {
      return;
    }

    function poll() {
      attempts += 1;
      if (attempts > POLL_MAX_ATTEMPTS) {
        return;
      }
      element.setAttribute("aria-busy", "true");
      window.fetch(url, {
        credentials: "same-origin",
        headers: { "Accept": "application/json" }
      }).then(function (response) {
        return response.ok ? response.json() : null;
      }).then(function (data) {
        element.removeAttribute("aria-busy");
        if (!data) {
          window.setTimeout(poll, POLL_INTERVAL_MS * 2);
          return;
        }
        if (data.label && label.textContent !== data.label) {
          label.textContent = data.label;
        }
        if (data.done) {
          window.location.reload();
          return;
        }
        window.setTimeout(poll, POLL_INTERVAL_MS);
      }).catch(function () {
        element.removeAttribute("aria-busy");
        window.setTimeout(poll, POLL_INTERVAL_MS * 2);
      });
    }

    window.setTimeout(poll, POLL_INTERVAL_MS);
  }

  // Translate the export status view's response into the generic poll contract.
  function exportStatus(data) {
    var inFlight = data.status === "queued" || data.status === "running";
    return { label: null, done: !inFlight, progress: data.progress };
  }

  function enhanceExportRow(row) {
    var url = row.getAttribute("data-export-status-url");
    var progress = row.querySelector("progress");
    var attempts = 0;
    if (!url) {
      return;
    }

    function poll() {
      attempts += 1;
      if (attempts > POLL_MAX_ATTEMPTS) {
        return;
      }
      window.fetch(url, {
        credentials: "same-origin",
        headers: { "Accept": "application/json" }
      }).then(function (response) {
        return response.ok ? response.json() : null;
      }).then(function (data) {
        if (!data) {
          window.setTimeout(poll, POLL_INTERVAL_MS * 2);
          return;
        }
        var state = exportStatus(data);
        if (progress && typeof state.progress === "number") {
          progress.value = state.progress;
          progress.textContent = state.progress + "%";
        }
        if (state.done) {
          window.location.reload();
          return;
        }
        window.setTimeout(poll, POLL_INTERVAL_MS);
      }).catch(function () {
        window.setTimeout(poll, POLL_INTERVAL_MS * 2);
      });
    }

    window.setTimeout(poll, POLL_INTERVAL_MS);
  }

  function init() {
    if (!window.fetch || !window.FormData) {
      return;
    }
    document.querySelectorAll("form[data-datarights-autosave]").forEach(enhanceAutosave);
    document.querySelectorAll("[data-datarights-poll]").forEach(enhancePoll);
    document.querySelectorAll("tr[data-export-status-url]").forEach(enhanceExportRow);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
