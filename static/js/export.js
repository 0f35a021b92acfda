/* The page of a file being prepared: every few seconds, read the page again and put its new status in place,
   so the progress bar moves and the download link appears without a reload. Without JavaScript, a
   <noscript> refresh reloads the whole page instead. */
(function () {
  "use strict";

  var box = document.querySelector("[data-export-status]");
  if (!box || !box.hasAttribute("data-refresh-seconds")) {
    return;
  }
  var delay = 1000 * (Number(box.getAttribute("data-refresh-seconds")) || 3);

  function part(root, name) {
    return root.querySelector("[data-export-part='" + name + "']");
  }

  function update(fresh) {
    var text = part(box, "text");
    var freshText = part(fresh, "text");
    var bar = part(box, "progress");
    var freshBar = part(fresh, "progress");
    if (bar && freshBar) {
      if (freshBar.hasAttribute("value")) {
        bar.value = Number(freshBar.getAttribute("value"));
      }
      if (text && freshText && text.textContent !== freshText.textContent) {
        text.textContent = freshText.textContent; // a polite live region: read out, not interrupting
      }
      var body = part(box, "body");
      var freshBody = part(fresh, "body");
      if (body && freshBody && body.textContent !== freshBody.textContent) {
        body.innerHTML = freshBody.innerHTML; // e.g. the offer to start again, when the file stalled
      }
      return true;
    }
    // Finished (ready or failed): the new state replaces the old one, its title and body included.
    box.parentNode.replaceChild(document.importNode(fresh, true), box);
    var heading = part(document, "title");
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus();
    }
    return false;
  }

  function tick() {
    fetch(window.location.href, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        var fresh = html && new DOMParser().parseFromString(html, "text/html").querySelector("[data-export-status]");
        if (!fresh || update(fresh)) {
          window.setTimeout(tick, delay);
        }
      })
      .catch(function () {
        window.setTimeout(tick, delay); // offline for a moment: try again
      });
  }

  window.setTimeout(tick, delay);
})();
