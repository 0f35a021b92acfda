/* OCOP list import: say that a long list is being checked, and show the progress of a confirmed import.
   Both forms submit as usual (POST, then a redirect); this only reads the progress while the browser waits
   for the answer. Without JavaScript the pages work the same, without the progress bar. */
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
    var value = 0;
    if (data.phase === "checking") {
      message = fill(box.getAttribute("data-text-checking"), data.checked, rows);
      value = rows ? (50 * data.checked) / rows : 0;
    } else if (data.phase === "saving") {
      message = fill(box.getAttribute("data-text-saving"), data.saved, rows);
      value = rows ? 50 + (50 * data.saved) / rows : 50;
    } else if (data.phase === "done") {
      message = box.getAttribute("data-text-done");
      value = 100;
    }
    bar.value = Math.min(100, Math.round(value));
    if (text.textContent !== message) {
      text.textContent = message;
    }
  }

  function poll(box) {
    var url = box.getAttribute("data-url");
    function tick() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.ok ? response.json() : null;
        })
        .then(function (data) {
          if (data) {
            showProgress(box, data);
          }
          if (!data || (data.phase !== "done" && data.phase !== "failed")) {
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
