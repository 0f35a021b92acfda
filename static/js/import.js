/* OCOP list import: say that a list is being checked, and show the progress of an import.
   Both forms submit as usual (POST, then a redirect); this only reads the progress while the browser waits
   for the answer. A long list is checked and imported by a worker: its page shows the progress, which this
   updates in place, and loads the result when the work is done (without JavaScript the page refreshes
   itself). */
(function () {
  "use strict";

  var POLL_MS = 700;

  function fill(template, done, total) {
    return template.replace("{done}", String(done)).replace("{total}", String(total));
  }

  function showProgress(box, data) {
    var bar = box.querySelector("progress");
    var text = box.querySelector("[data-import-progress-text]");
    var rows = data.rows || 0;
    var message = box.getAttribute("data-text-waiting");
    if (data.phase === "checking") {
      message = fill(box.getAttribute("data-text-checking"), data.checked, rows);
    } else if (data.phase === "saving") {
      message = fill(box.getAttribute("data-text-saving"), data.saved, rows);
    } else if (data.phase === "done") {
      message = box.getAttribute("data-text-done");
    }
    bar.value = Math.min(100, data.percent || 0);
    if (text.textContent !== message) {
      text.textContent = message;
    }
  }

  function finished(box, data) {
    // A worker's run is over when the batch leaves the status the page was drawn in (checked, imported, failed).
    var drawn = box.getAttribute("data-status");
    return data.phase === "done" || data.phase === "failed" || (drawn !== null && data.status !== drawn);
  }

  function poll(box) {
    var url = box.getAttribute("data-url");
    var running = box.hasAttribute("data-status");
    function tick() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.ok ? response.json() : null;
        })
        .then(function (data) {
          if (data) {
            showProgress(box, data);
          }
          if (data && running && finished(box, data)) {
            window.location.reload();
          } else if (!data || !finished(box, data)) {
            window.setTimeout(tick, POLL_MS);
          }
        })
        .catch(function () {
          window.setTimeout(tick, POLL_MS * 2);
        });
    }
    window.setTimeout(tick, POLL_MS);
  }

  function init() {
    var running = document.querySelector("[data-import-progress][data-status]");
    if (running && window.fetch) {
      poll(running);
    }

    var confirm = document.querySelector("[data-import-confirm]");
    if (confirm) {
      confirm.addEventListener("submit", function () {
        var box = confirm.querySelector("[data-import-progress]");
        var button = confirm.querySelector("button[type='submit']");
        if (button) {
          // The form is already being sent: a second click would only queue a second confirmation.
          window.setTimeout(function () {
            button.disabled = true;
          }, 0);
        }
        if (box && window.fetch) {
          box.hidden = false;
          poll(box);
        }
      });
    }

    var upload = document.querySelector("[data-import-upload]");
    if (upload) {
      upload.addEventListener("submit", function () {
        var busy = upload.querySelector("[data-import-busy]");
        if (busy) {
          busy.hidden = false;
        }
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
