/* Small site-wide enhancements; every page works without them. */
(function () {
  "use strict";

  function init() {
    // Move keyboard and screen-reader focus to a form's error summary, so the problems are heard first.
    var summary = document.querySelector("[data-error-summary]");
    if (summary) {
      summary.focus();
    }

    // Links in the error summary: focus the field itself, not just scroll to it.
    document.querySelectorAll("[data-error-summary] a[href^='#']").forEach(function (link) {
      link.addEventListener("click", function (event) {
        var target = document.getElementById(link.getAttribute("href").slice(1));
        if (!target) {
          return;
        }
        event.preventDefault();
        var field = target.closest(".field") || target;
        field.scrollIntoView({ block: "center" });
        target.focus({ preventScroll: true });
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
